/**
 * A flood per bounded structure (issue #11): flows, IP fragments, TCP reassembly buffers, DNS names and evidence
 * (devices: mac-flood.test.ts). Each flood is GENERATED from the documented on-wire formats (floods.ts,
 * ../traces/detect-net/pcap-writer.ts) and pushes well past a bound set small for speed; the test checks that the
 * structure stayed within it and that the counters say what was dropped, against counts taken independently
 * (tshark, or the flood's construction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethernet, ip, ipv4, pcapFile, rng, udp, type Frame } from '../traces/detect-net/pcap-writer.ts';
import { dnsQuery, floodIp, gratuitousArp, T0, writeDnsFlood } from './floods.ts';
import { tsharkFields } from '../support/tshark.ts';
import { runPipeline } from '../support/run.ts';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { TcpReassembler } from '../../src/flow/reassembly.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-bounds-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const A = [0x02, 0, 0, 0, 0, 0x0a];
const B = [0x02, 0, 0, 0, 0, 0x0b];

function save(name: string, frames: Frame[]): string {
  const path = join(dir, name);
  writeFileSync(path, pcapFile(frames));
  return path;
}

test('flows: a flood of 3,000 UDP flows through a 1,000-flow table; evictions counted, every flow still reported', async () => {
  const path = join(dir, 'dns-3000.pcap');
  writeDnsFlood(path, 3000, { bots: 5, seed: 3 });
  const streams = new Set(tsharkFields(path, 'udp', ['udp.stream']).map((r) => r[0])).size;
  const { summary, flows } = await runPipeline([path], { flow: { maxFlows: 1000 } });
  assert.ok(summary.flows.max_live <= 1000, `max live ${summary.flows.max_live}`);
  assert.ok(summary.flows.evicted >= streams - 1000, `evicted ${summary.flows.evicted} of ${streams}`);
  assert.equal(summary.flows.ended.evicted ?? summary.flows.evicted, summary.flows.evicted);
  assert.equal(flows.length, summary.flows.total);
});

test('fragments: 6,000 first fragments never completed; at most 4,096 datagrams held, the rest evicted and counted', async () => {
  const src = ip('192.168.1.66');
  const dst = ip('192.168.1.1');
  const frames: Frame[] = [];
  for (let i = 0; i < 6000; i++) {
    const packet = ipv4(src, dst, 17, udp(src, dst, 4000, 53, new Uint8Array(64)), i);
    packet[6] |= 0x20; // More Fragments, offset 0: a first fragment whose rest never comes (RFC 791)
    frames.push({ ts: T0 + i * 0.0001, bytes: ethernet(A, B, packet) });
  }
  const path = save('frag-flood.pcap', frames);
  const firsts = tsharkFields(path, 'ip.flags.mf == 1 && ip.frag_offset == 0', ['frame.number']).length;
  assert.equal(firsts, 6000);
  const { summary } = await runPipeline([path], { defrag: { maxDatagrams: 4096 } });
  const d = summary.defrag;
  assert.equal(d.fragments, firsts);
  assert.ok(d.inProgress <= 4096, `in progress ${d.inProgress}`);
  assert.equal(d.evictedTooMany + d.inProgress + d.timeouts, firsts);
  assert.ok(d.evictedTooMany >= firsts - 4096);
});

test('reassembly: a stream sending only out-of-order data; the buffer stays within its bound, holes become counted gaps', () => {
  // The reassembler itself (the pipeline stops feeding a flow whose protocol it cannot recognise, a bound too).
  const isn = 1000;
  const cap = 4096;
  const holes = 400;
  const r = new TcpReassembler({ maxOooBytesPerDir: cap });
  let delivered = 0;
  let gapBytes = 0;
  const deliver = (_dir: number, b: Uint8Array): void => { delivered += b.length; };
  const gap = (_dir: number, n: number): void => { gapBytes += n; };
  const payload = new Uint8Array(100).fill(0x41);
  // 400 segments of 100 bytes, each 100 bytes past a hole: nothing is ever in order.
  for (let k = 0; k < holes; k++) r.segment(0, 0, isn + 1 + 200 * k + 100, 0x18, payload, 0, 100, deliver, gap, isn);
  r.segment(0, 0, isn + 1 + 200 * holes, 0x11, payload, 0, 0, deliver, gap, isn); // FIN
  r.flush(0, deliver, gap);
  const st = r.stats;
  assert.ok(st.maxBufferedBytes <= cap + 100, `buffered up to ${st.maxBufferedBytes}`);
  assert.equal(st.outOfOrderSegments, holes);
  // Every hole is a gap: the handshake (ISN) bounds the first, the FIN the end.
  assert.equal(st.gaps, holes);
  assert.equal(st.gapBytes, holes * 100);
  assert.equal(gapBytes, holes * 100);
  assert.equal(delivered, holes * 100);
  assert.equal(st.bufferedBytes, 0);
});

test('DNS names and evidence: 4,000 random names from one host; per-device evidence and per-key names stay bounded, drops counted', async () => {
  const src = ip('192.168.1.80');
  const resolver = ip('192.168.1.1');
  const next = rng(9);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const frames: Frame[] = [];
  const names = new Set<string>();
  for (let i = 0; i < 4000; i++) {
    let label = '';
    for (let k = 0; k < 10; k++) label += letters[Math.floor(next() * 26)];
    const name = `${label}.victim-example.com`;
    names.add(name);
    frames.push({ ts: T0 + i * 0.01, bytes: ethernet(A, B, ipv4(src, resolver, 17, udp(src, resolver, 1024 + (i % 60000), 53, dnsQuery(i, name)), i)) });
  }
  const path = save('dns-names.pcap', frames);
  const queries = tsharkFields(path, 'dns.flags.response == 0', ['dns.qry.name']);
  assert.equal(new Set(queries.map((q) => q[0])).size, names.size);
  const r = await analyzeCaptures([path], { assess: false });
  const host = r.devices.find((d) => d.ips.some((b) => b.ip === '192.168.1.80'))!;
  const dnsEvidence = host.evidence.filter((e) => e.signal === 'dns.query').length;
  assert.ok(dnsEvidence <= 16, `dns evidence kept ${dnsEvidence}`);
  assert.ok(r.stats.inventory.evidence_dropped >= names.size - 16, `evidence dropped ${r.stats.inventory.evidence_dropped}`);
  const torture = r.findings.find((f) => f.detector === 'ddos.flood-source');
  assert.ok(torture, 'the water torture is found');
  // The detection engine keeps 20 evidence packets per finding (maxEvidencePerFinding) and counts the rest.
  assert.ok(torture.evidence.length <= 20, `${torture.evidence.length} evidence refs`);
});

test('IP bindings: one MAC claiming 3,000 addresses by ARP; the binding table stays within its bound, drops counted', async () => {
  const mac = [0x02, 0x42, 0, 0, 0, 0x99];
  const frames: Frame[] = Array.from({ length: 3000 }, (_, i) => ({ ts: T0 + i * 0.001, bytes: gratuitousArp(mac, floodIp(i)) }));
  const path = save('arp-claims.pcap', frames);
  const claims = new Set(tsharkFields(path, 'arp.opcode == 2', ['arp.src.proto_ipv4']).map((r) => r[0])).size;
  assert.equal(claims, 3000);
  const r = await analyzeCaptures([path], { detectors: [], assess: false, inventory: { maxIpBindings: 1000 } });
  assert.equal(r.stats.inventory.ip_bindings_dropped, claims - 1000);
  assert.equal(r.devices.length, 1);
  assert.ok(r.devices[0].ips.length <= 256);
});
