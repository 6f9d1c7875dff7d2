import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetSet } from './netset.ts';
import { defaultLocalNetworks, parseNetworks } from './site.ts';

test('NetSet: membership at the edges of IPv4 and IPv6 prefixes, checked or trusted', () => {
  for (const trusted of [false, true]) {
    const set = new NetSet(defaultLocalNetworks, trusted);
    // RFC 1918 172.16.0.0/12 spans 172.16.0.0-172.31.255.255; RFC 6598 100.64.0.0/10 spans 100.64-100.127.
    for (const ip of ['10.0.0.1', '172.16.0.0', '172.31.255.255', '192.168.1.1', '100.127.255.255', '169.254.1.1', '127.0.0.1']) assert.equal(set.has(ip), true, ip);
    for (const ip of ['172.32.0.0', '172.15.255.255', '100.128.0.0', '8.8.8.8', '11.0.0.1']) assert.equal(set.has(ip), false, ip);
    // fc00::/7 covers fc00:: to fdff:...; fe80::/10 covers fe80:: to febf:...
    for (const ip of ['fd12:3456::1', 'fc00::', 'fe80::1', 'febf:ffff::1', '::1']) assert.equal(set.has(ip), true, ip);
    for (const ip of ['fe00::1', 'fec0::1', '2001:db8::1', '::2', 'not an address', '', 'fe80::zz']) assert.equal(set.has(ip), false, ip);
  }
  assert.equal(new NetSet(['192.168.0.0/16']).has('fe80::1'), false, 'no IPv6 prefixes');
});

test('NetSet: malformed prefixes in a given list are refused', () => {
  for (const bad of ['300.1.1.1/8', '10.0.0.0/33', 'fe80::/129', 'fe80:::1/10', 'host/24', '10.0.0.0/x', '10.0.0.0/-1']) {
    assert.throws(() => parseNetworks(bad), /bad network/, bad);
  }
  assert.deepEqual(parseNetworks('192.168.1.0/24, fd00::/8'), ['192.168.1.0/24', 'fd00::/8']);
});
