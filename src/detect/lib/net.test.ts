import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Site } from '../../pipeline/site.ts';
import { ipv4Number } from '../../pipeline/netset.ts';
import { ipv4ToUint, isLocalIp, isLocalIpv4, uintToIpv4, useSite } from './net.ts';

test('isLocalIp answers what the site answers, whatever the order of the questions and the site in use', () => {
  const sites = [new Site({ sensor: '' }), new Site({ sensor: '', localNetworks: ['8.8.8.0/24', '2001:db8::/32'] })];
  const ips = ['10.0.0.1', '8.8.8.8', '', '10.0.0.1', '192.168.1.1', '8.8.8.8', 'fe80::1', '2001:db8::5', '8.8.4.4', 'not an ip', '100.64.0.1'];
  for (const site of sites) {
    useSite(site);
    // Alternating pairs (as detectors ask about an event's source and destination), repeats and fresh strings.
    for (let i = 0; i < ips.length * 3; i++) {
      const ip = i % 3 === 0 ? ips[i % ips.length] : `${ips[(i * 5) % ips.length]}`;
      assert.equal(isLocalIp(ip), site.isLocal(ip), ip);
      // The value and the answer share one memo: asked in either order, both are right.
      assert.equal(ipv4ToUint(ips[(i * 7) % ips.length]), ipv4Number(ips[(i * 7) % ips.length]));
      assert.equal(isLocalIp(ip), site.isLocal(ip), ip);
    }
  }
  // A site change is seen at once, for the address asked just before.
  useSite(sites[0]);
  assert.equal(isLocalIp('8.8.8.8'), false);
  useSite(sites[1]);
  assert.equal(isLocalIp('8.8.8.8'), true);
  useSite(sites[0]);
});

test('isLocalIpv4 answers isLocalIp of the dotted quad', () => {
  const site = new Site({ sensor: '' });
  useSite(site);
  for (let i = 0; i < 5000; i++) {
    const v = (i * 2654435761) >>> 0;
    assert.equal(isLocalIpv4(v), isLocalIp(uintToIpv4(v)), uintToIpv4(v));
  }
  for (const v of [0x0a000001, 0xc0a80101, 0x64400001, 0x08080808]) assert.equal(isLocalIpv4(v), site.isLocal(uintToIpv4(v)));
});
