import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { communityId, communityIdFromPorts, communityIdOfWords, icmpCounterpart } from './community-id.ts';
import { parseIp, tshark } from './test-util.ts';

const traces = new URL('../../test/traces/flow/', import.meta.url);

interface Vector { proto: number; saddr: string; daddr: string; sport: number | null; dport: number | null; communityid: string }

for (const [file, seed] of [['community-id-baseline-deflt.json', 0], ['community-id-baseline-seed1.json', 1]] as const) {
  test(`community id: spec baseline vectors (${file})`, () => {
    const vectors = JSON.parse(readFileSync(new URL(file, traces), 'utf8')) as Vector[];
    assert.equal(vectors.length, 23);
    for (const v of vectors) {
      const got = communityId(parseIp(v.saddr), parseIp(v.daddr), v.proto, v.sport ?? 0, v.dport ?? 0, seed);
      assert.equal(got, v.communityid, JSON.stringify(v));
    }
  });
}

test('community id: hex form (spec baseline_nob64, TCP over IPv4)', () => {
  const got = communityId(parseIp('128.232.110.120'), parseIp('66.35.250.204'), 6, 34855, 80, 0, false);
  assert.equal(got, '1:2d053da9994af81e45dca0e67afea6e4f3226eb8');
});

test('community id: ICMP table', () => {
  assert.equal(icmpCounterpart(1, 8), 0);
  assert.equal(icmpCounterpart(1, 10), 9);
  assert.equal(icmpCounterpart(1, 9), -1); // router advertisement is one-way in the spec
  assert.equal(icmpCounterpart(58, 135), 136);
  assert.equal(icmpCounterpart(58, 1), -1);
  assert.equal(icmpCounterpart(1, 300), -1);
  // One-way keeps the endpoints' order: swapping them changes the hash.
  const a = parseIp('10.0.0.2'), b = parseIp('10.0.0.1');
  assert.notEqual(communityIdFromPorts(a, b, 1, 3, 3, true), communityIdFromPorts(b, a, 1, 3, 3, true));
});

// Every packet of real captures against Wireshark's own Community ID post-dissector.
for (const name of ['wemo-switch2-setup-c-2.pcap', 'coap_mqtt.pcap', 'synscan.pcap']) {
  test(`community id: equals tshark per packet (${name})`, () => {
    const lines = tshark(['-r', new URL(name, traces).pathname, '--enable-protocol', 'communityid', '-T', 'fields',
      '-E', 'separator=|', '-E', 'occurrence=f', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst',
      '-e', 'ip.proto', '-e', 'ipv6.nxt', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport',
      '-e', 'icmp.type', '-e', 'icmp.code', '-e', 'icmpv6.type', '-e', 'icmpv6.code', '-e', 'communityid']);
    let compared = 0;
    const protos = new Set<number>();
    for (const line of lines) {
      const f = line.split('|');
      const expected = f[14];
      if (!expected) continue;
      const src = parseIp(f[0] || f[2]), dst = parseIp(f[1] || f[3]);
      let proto: number, sp = 0, dp = 0;
      if (f[10]) { proto = 1; sp = +f[10]; dp = +f[11]; }
      else if (f[12]) { proto = 58; sp = +f[12]; dp = +f[13]; }
      else if (f[6]) { proto = 6; sp = +f[6]; dp = +f[7]; }
      else if (f[8]) { proto = 17; sp = +f[8]; dp = +f[9]; }
      else proto = +(f[4] || f[5]);
      protos.add(proto);
      assert.equal(communityId(src, dst, proto, sp, dp), expected, line);
      compared++;
    }
    assert.ok(compared > 100, `compared ${compared}`);
    if (name.startsWith('wemo')) assert.deepEqual([...protos].sort((a, b) => a - b), [1, 2, 6, 17, 58]);
  });
}

test('community id of tuple words: the recent-tuple cache gives what computing gives, whatever came between', () => {
  const bytes = (w: number): Uint8Array => new Uint8Array([w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff]);
  const words = new Uint32Array(8);
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const tuples = Array.from({ length: 3000 }, () => [next(), next(), next() & 0xffff, next() & 0xffff, [6, 17, 1][next() % 3], next() % 3] as const);
  for (let round = 0; round < 2; round++) {
    for (const [orig, resp, op, rp, proto, seed] of tuples) {
      words[0] = orig;
      words[4] = resp;
      const ports = proto === 1 ? [8, 0] : [op, rp];
      const expected = communityIdFromPorts(bytes(orig), bytes(resp), proto, ports[0], ports[1], false, seed);
      assert.equal(communityIdOfWords(4, proto, ports[0], ports[1], words, 0, seed), expected);
    }
  }
});
