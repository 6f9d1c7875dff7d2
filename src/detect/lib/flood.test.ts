import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGroupAddress } from './flood.ts';

/** The straightforward reading: what isGroupAddress answered before it looked at IPv4 as a number. */
function byText(ip: string): boolean {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff') || ip === '::';
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return first >= 224 || ip === '0.0.0.0' || ip.endsWith('.255');
}

test('isGroupAddress: multicast, broadcast and unspecified, as the textual reading answers', () => {
  const ips = [
    '0.0.0.0', '00.0.0.0', '1.2.3.4', '10.0.0.255', '10.0.0.25', '10.0.255.1', '223.255.255.254', '224.0.0.1', '239.255.255.250',
    '255.255.255.255', '192.168.1.0255', '1.2.3', '1.2.3.4.5', '', 'x', '300.1.1.1', '010.1.1.1', 'ff02::1', 'FF02::FB', '::', 'fe80::1',
  ];
  for (let i = 0; i < 2000; i++) ips.push(`${(i * 37) % 256}.${(i * 11) % 256}.${i % 7}.${(i * 101) % 256}`);
  for (const ip of ips) assert.equal(isGroupAddress(ip), byText(ip), ip);
});
