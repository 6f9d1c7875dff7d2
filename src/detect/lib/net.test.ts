import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Site } from '../../pipeline/site.ts';
import { ipv4Number } from '../../pipeline/netset.ts';
import { ipv4ToUint, isLocalAddr, isLocalIp, isLocalIpv4, uintToIpv4, useSite } from './net.ts';
import { isGroupAddr, isGroupAddress } from './flood.ts';

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

test('isLocalAddr and isGroupAddr on an IPv4 value answer what isLocalIp and isGroupAddress answer on its text', () => {
  // RFC 1918, RFC 6598 (100.64/10), RFC 3927 (169.254/16), RFC 1122 (127/8): the default local networks, with
  // the first and last address of each and the neighbours just outside. Group: 224/4 and above, x.x.x.255, 0.0.0.0.
  const cases: [ip: string, local: boolean, group: boolean][] = [
    ['0.0.0.0', false, true], ['0.0.0.1', false, false], ['255.255.255.255', false, true], ['255.255.255.254', false, true],
    ['9.255.255.255', false, true], ['10.0.0.0', true, false], ['10.255.255.255', true, true], ['11.0.0.0', false, false],
    ['100.63.255.255', false, true], ['100.64.0.0', true, false], ['100.127.255.254', true, false], ['100.128.0.0', false, false],
    ['126.255.255.254', false, false], ['127.0.0.1', true, false], ['127.255.255.254', true, false], ['128.0.0.0', false, false],
    ['169.253.255.254', false, false], ['169.254.0.1', true, false], ['169.254.255.255', true, true], ['169.255.0.0', false, false],
    ['172.15.255.254', false, false], ['172.16.0.0', true, false], ['172.31.255.254', true, false], ['172.32.0.0', false, false],
    ['192.167.255.254', false, false], ['192.168.0.0', true, false], ['192.168.1.255', true, true], ['192.169.0.0', false, false],
    ['223.255.255.254', false, false], ['224.0.0.0', false, true], ['224.0.0.251', false, true], ['239.255.255.250', false, true],
    ['240.0.0.1', false, true], ['8.8.8.8', false, false], ['1.2.3.4', false, false],
  ];
  const site = new Site({ sensor: '' });
  useSite(site);
  for (const [ip, local, group] of cases) {
    const v = ipv4Number(ip);
    assert.equal(isLocalAddr(v, ip), local, ip);
    assert.equal(isLocalIp(ip), local, ip);
    assert.equal(isGroupAddr(v, ip), group, ip);
    assert.equal(isGroupAddress(ip), group, ip);
    // Without the value (-1: a plain record, IPv6) the text is read.
    assert.equal(isLocalAddr(-1, ip), local, ip);
    assert.equal(isGroupAddr(-1, ip), group, ip);
  }
  // Every /8 at its edges and a spread over the whole space, with the default site and one of other networks.
  for (const s of [site, new Site({ sensor: '', localNetworks: ['8.8.8.0/24', '203.0.113.128/25', '0.0.0.0/32'] })]) {
    useSite(s);
    const values: number[] = [];
    for (let a = 0; a < 256; a++) values.push(a * 0x1000000, a * 0x1000000 + 0xffffff, a * 0x1000000 + 0x100, a * 0x1000000 + 0xff);
    for (let i = 0; i < 20000; i++) values.push((i * 2654435761) >>> 0);
    for (const v of values) {
      const ip = uintToIpv4(v);
      assert.equal(isLocalAddr(v, ip), isLocalIp(ip), ip);
      assert.equal(isLocalAddr(v, ip), s.isLocal(ip), ip);
      assert.equal(isGroupAddr(v, ip), isGroupAddress(ip), ip);
    }
  }
  useSite(site);
  // Not IPv4: the text decides.
  for (const [ip, local, group] of [['fe80::1', true, false], ['2001:db8::1', false, false], ['ff02::fb', false, true], ['::', false, true]] as const) {
    assert.equal(isLocalAddr(-1, ip), local, ip);
    assert.equal(isGroupAddr(-1, ip), group, ip);
  }
});

test('isLocalIpv4 answers as the site does, for block-aligned, longer and overlapping prefixes and the edges of each', () => {
  const configs: string[][] = [
    ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', 'fc00::/7'],
    ['203.0.113.0/24', '198.51.100.7/32', '198.51.100.7', '192.0.2.128/25', '10.1.2.3/8', '10.0.0.0/17', '172.20.0.0/15', '2001:db8::/32'],
    ['0.0.0.0/0'],
    ['fe80::/10'],
    [],
  ];
  for (const localNetworks of configs) {
    const site = new Site({ sensor: '', localNetworks });
    useSite(site);
    const addrs: number[] = [0, 0xffffffff, 0x7fffffff, 0x80000000];
    for (const cidr of localNetworks) {
      if (cidr.includes(':')) continue;
      const [a, b] = cidr.split('/');
      const [o1, o2, o3, o4] = a.split('.').map(Number);
      const n = (((o1 << 24) | (o2 << 16) | (o3 << 8) | o4) >>> 0);
      const size = 2 ** (32 - Number(b ?? 32));
      const base = n - (n % size);
      // Each network's first and last address and its neighbours outside.
      for (const v of [base - 1, base, base + 1, base + size - 1, base + size]) if (v >= 0 && v <= 0xffffffff) addrs.push(v);
    }
    for (let i = 0; i < 20_000; i++) addrs.push(Math.imul(i, 0x9e3779b1) >>> 0);
    for (const v of addrs) assert.equal(isLocalIpv4(v), site.isLocalV4(v), `${localNetworks.join(',')}: ${v.toString(16)}`);
  }
  // By hand: 172.16.0.0/12 ends at 172.31.255.255 (0xac1fffff); 198.51.100.7/32 is one address; /17 is half a block.
  useSite(new Site({ sensor: '' }));
  assert.equal(isLocalIpv4(0xac1fffff), true);
  assert.equal(isLocalIpv4(0xac200000), false);
  useSite(new Site({ sensor: '', localNetworks: configs[1] }));
  assert.equal(isLocalIpv4(0xc6336407), true);
  assert.equal(isLocalIpv4(0xc6336408), false);
  assert.equal(isLocalIpv4(0x0a007fff), true); // 10.0.127.255, in 10.0.0.0/17 (and 10.1.2.3/8 = 10.0.0.0/8)
  useSite(new Site({ sensor: '', localNetworks: ['10.0.0.0/17'] }));
  assert.equal(isLocalIpv4(0x0a007fff), true);
  assert.equal(isLocalIpv4(0x0a008000), false);
  useSite(new Site({ sensor: '' }));
});
