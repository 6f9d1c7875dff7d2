import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstVector, floodVector, isGroupAddress, isGroupV4, startVector, startVectorOf, synBecameConnect } from './flood.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { FirstPacket } from '../../pipeline/first-packet.ts';
import type { EventRecord } from '../../events/record.ts';

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

test('isGroupV4: 224.0.0.0/4 and above, x.x.x.255, 0.0.0.0, as isGroupAddress reads their dotted quads', () => {
  // By hand: 239.255.255.250 (SSDP) = 0xeffffffa, 224.0.0.251 (mDNS) = 0xe00000fb, 192.168.1.255 = 0xc0a801ff.
  assert.equal(isGroupV4(0xeffffffa), true);
  assert.equal(isGroupV4(0xe00000fb), true);
  assert.equal(isGroupV4(0xc0a801ff), true);
  assert.equal(isGroupV4(0), true);
  assert.equal(isGroupV4(0xdfffffff), true); // 223.255.255.255: unicast range, but .255
  assert.equal(isGroupV4(0xdffffffe), false); // 223.255.255.254
  assert.equal(isGroupV4(0xc0a80101), false); // 192.168.1.1
  for (let i = 0; i < 2000; i++) {
    const n = (Math.imul(i, 0x9e3779b1) >>> 0);
    const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    assert.equal(isGroupV4(n), isGroupAddress(ip), ip);
  }
});

/** A first packet with only what startVectorOf reads, from a hand-written flow.start event. */
function packet(transport: string, tcpFlags: string | undefined, fromOrig = true): FirstPacket {
  return new FirstPacket().fromEvent({ type: 'flow.start', ts: 0, file: 'f', packet: 1, transport, src_ip: '10.0.0.1', dst_ip: '10.0.0.2',
    src_port: 1, dst_port: 2, from_orig: fromOrig, ...(tcpFlags === undefined ? {} : { tcp_flags: tcpFlags }) } as EventRecord);
}

test('startVectorOf: the vector of a first packet from its flag bits, as startVector names it from the letters', () => {
  // RFC 9293 flag letters; the flood vectors by hand: SYN -> syn, SYN+ECE+CWR -> syn, ACK -> ack, RST -> rst, PSH -> tcp,
  // an unsolicited SYN-ACK (toward the originator) -> syn-ack, anything else toward it -> tcp; GRE is ip-47.
  const cases: [string, string | undefined, boolean, string][] = [
    ['tcp', 'S', true, 'syn'], ['tcp', 'SEC', true, 'syn'], ['tcp', 'SA', true, 'syn'], ['tcp', 'A', true, 'ack'], ['tcp', 'RA', true, 'ack'],
    ['tcp', 'R', true, 'rst'], ['tcp', 'P', true, 'tcp'], ['tcp', undefined, true, 'tcp'], ['tcp', 'SA', false, 'syn-ack'], ['tcp', 'S', false, 'tcp'],
    ['tcp', undefined, false, 'tcp'], ['udp', undefined, true, 'udp'], ['icmp', undefined, true, 'icmp'], ['ip-47', undefined, true, 'gre'],
    ['sctp', undefined, true, 'sctp'], ['ip-41', undefined, true, 'ip-41'],
  ];
  for (const [transport, flags, fromOrig, vector] of cases) {
    assert.equal(startVectorOf(packet(transport, flags, fromOrig)), vector, `${transport} ${flags} ${fromOrig}`);
    assert.equal(startVector(transport, flags, fromOrig), vector, `${transport} ${flags} ${fromOrig} (letters)`);
  }
});

test('synBecameConnect: exactly the flows whose vector firstVector and floodVector name differently (syn, then tcp-connect)', () => {
  let renamed = 0;
  for (const transport of ['tcp', 'udp', 'icmp', 'ip-47', 'arp']) {
    for (const flags of [undefined, '', 'S', 'SA', 'A', 'FSRPA', 'R', 'F', 'FA', 'SR']) {
      for (const respFlags of [undefined, '', 'SA', 'R']) {
        for (const origPkts of [0, 1, 5]) {
          for (const payload of [0, 1, 1200]) {
            const f = {
              transport, orig_tcp_flags: flags, resp_tcp_flags: respFlags, orig_pkts: origPkts, orig_payload_bytes: payload,
            } as unknown as FlowRecord;
            const first = firstVector(f), final = floodVector(f);
            assert.equal(synBecameConnect(f), first !== final, JSON.stringify(f));
            if (first !== final) {
              renamed++;
              assert.deepEqual([first, final], ['syn', 'tcp-connect'], JSON.stringify(f));
            }
          }
        }
      }
    }
  }
  assert.ok(renamed > 0);
});
