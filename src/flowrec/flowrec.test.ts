// Decoders against independently produced expectations: the Logstash netflow codec's RSpec values for its
// .dat datagrams, nfacctd's (pmacct) expected JSON for its replayed captures, and the nDPI/MANIFEST facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowCollector } from './collector.ts';
import { FlowExportRun } from './export-run.ts';
import { u16 } from '../decode/bytes.ts';
import type { ExportedFlow } from './types.ts';
import type { FlowRecord } from '../flow/types.ts';

const dir = join(import.meta.dirname, '../../test/traces/flowrec');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

/** Decode datagrams in order through one collector; returns the records and the anomalies counted. */
function decode(datagrams: Uint8Array[]): { flows: ExportedFlow[]; anomalies: Record<string, number>; collector: FlowCollector } {
  const flows: ExportedFlow[] = [];
  const anomalies: Record<string, number> = {};
  const collector = new FlowCollector((f) => flows.push(f), (a) => { anomalies[a] = (anomalies[a] ?? 0) + 1; });
  datagrams.forEach((d, i) => collector.datagram(d, 0, d.length, { exporter: '192.0.2.1', ts: 1, file: 'test', packet: i + 1 }));
  return { flows, anomalies, collector };
}

const iso = (s: string): number => Date.parse(s);

test('NetFlow v5 (softflowd, logstash "Netflow 5 valid 01"): the first datagram\'s 2 records', () => {
  const file = read('netflow5.dat');
  // Logstash feeds the whole file as one datagram and decodes only the first (header count 2).
  const first = file.subarray(0, 24 + u16(file, 2) * 48);
  const { flows, anomalies } = decode([first]);
  assert.deepEqual(anomalies, {});
  assert.equal(flows.length, 2);
  const [a, b] = flows;
  assert.deepEqual([a.srcIp, a.dstIp, a.srcPort, a.dstPort, a.tcpFlags, a.proto, a.packets, a.bytes], ['10.0.2.2', '10.0.2.15', 54435, 22, 16, 6, 5, 230]);
  assert.deepEqual([b.srcIp, b.dstIp, b.srcPort, b.dstPort, b.tcpFlags, b.proto, b.packets, b.bytes], ['10.0.2.15', '10.0.2.2', 22, 54435, 24, 6, 4, 304]);
  // Header: unix_secs 1430591888, unix_nsecs 280328000, SysUptime 3381 ms; record last = 2577 ms. RFC arithmetic:
  // export time - (uptime - last) = 1430591888280 - 804. Deliberate difference: logstash prints
  // 18:38:08.279Z because it subtracts the 804 ms as microseconds (a unit slip in its v5 path).
  assert.equal(a.endMs, 1430591888280 - (3381 - 2577));
  // Deliberate difference: logstash prints first_switched 2015-06-21 (an unsigned wrap of a stamp slightly
  // later than the header's uptime); it is read as a signed difference here and clamped to the last time.
  assert.ok(a.startMs <= a.endMs && a.endMs - a.startMs < 60_000);
});

test('NetFlow v5: all 12 datagrams of the file decode, sequence numbers continuous', () => {
  const file = read('netflow5.dat');
  const datagrams: Uint8Array[] = [];
  for (let o = 0; o < file.length;) {
    const len = 24 + u16(file, o + 2) * 48;
    datagrams.push(file.subarray(o, o + len));
    o += len;
  }
  assert.equal(datagrams.length, 12); // MANIFEST: 12 concatenated datagrams (2,4,4,4 then 8 x 2 records)
  const { flows, anomalies } = decode(datagrams);
  assert.equal(flows.length, 2 + 4 + 4 + 4 + 8 * 2);
  assert.equal(anomalies['flowrec.sequence.gap'], undefined);
});

test('NetFlow v9 (softflowd, "Netflow 9 valid 01"): templates 1024/2048 and 7 records', () => {
  const { flows, anomalies } = decode([read('netflow9_test_valid01.dat')]);
  assert.deepEqual(anomalies, {});
  assert.equal(flows.length, 7);
  const f = flows[0];
  assert.deepEqual([f.srcIp, f.dstIp, f.srcPort, f.dstPort, f.proto, f.bytes, f.packets, f.tcpFlags, f.ipVersion, f.templateId],
    ['172.16.32.100', '172.16.32.248', 123, 123, 17, 76, 1, 0, 4, 1024]);
  // v9 headers carry whole export seconds; logstash (like nfacctd) subtracts whole seconds of (uptime - stamp),
  // so its second is the ceiling of the exact RFC 3954 time (export time - (sysUptime - stamp)) and prints .999.
  assert.equal(Math.ceil(f.startMs / 1000), Math.floor(iso('2015-10-08T19:03:47.999Z') / 1000));
});

test('IPFIX (softflowd, logstash "IPFIX"): options record gives systemInitTime, 6 flow records', () => {
  const file = read('ipfix.dat');
  // Logstash feeds the file as one datagram and decodes the first message (484 bytes) only.
  const first = file.subarray(0, u16(file, 2));
  const { flows, anomalies, collector } = decode([first]);
  assert.deepEqual(anomalies, {});
  assert.equal(collector.stats().options_records, 1);
  const got = flows.map((f) => [f.srcIp, f.dstIp, f.bytes, f.packets, f.srcPort, f.dstPort, f.proto, f.tcpFlags]);
  assert.deepEqual(got, [
    ['192.168.253.1', '192.168.253.128', 260, 5, 60560, 22, 6, 16],
    ['192.168.253.128', '192.168.253.1', 1000, 6, 22, 60560, 6, 24],
    ['192.168.253.2', '192.168.253.132', 601, 2, 53, 35262, 17, 0],
    ['192.168.253.132', '192.168.253.2', 148, 2, 35262, 53, 17, 0],
    ['54.214.9.161', '192.168.253.132', 5946, 14, 443, 49935, 6, 26],
    ['192.168.253.132', '54.214.9.161', 2608, 13, 49935, 443, 6, 26],
  ]);
  // flowStartSysUpTime 0 / flowEndSysUpTime 12726 from systemInitTimeMilliseconds 1431516013506.
  assert.equal(flows[0].startMs, 1431516013506);
  assert.equal(flows[0].endMs, 1431516013506 + 12726);
});

test('NetFlow v9 Cisco ASA (NSEL): 13 templates then 14 records; record 1 as logstash states it', () => {
  const { flows, anomalies } = decode([read('netflow9_test_cisco_asa_1_tpl.dat'), read('netflow9_test_cisco_asa_1_data.dat')]);
  assert.deepEqual(anomalies, {});
  assert.equal(flows.length, 14);
  const f = flows[1];
  // conn 8501: 192.168.23.22 -> 164.164.37.11 ICMP echo (type 8 code 0), in_permanent_bytes 56, flow_start_msec.
  assert.deepEqual([f.srcIp, f.dstIp, f.proto, f.icmpType, f.icmpCode, f.bytes, f.startMs], ['192.168.23.22', '164.164.37.11', 1, 8, 0, 56, 1444384068169]);
});

test('NetFlow v9 Ubiquiti EdgeRouter: 16 records; record 15 as logstash states it', () => {
  const { flows, anomalies } = decode(['netflow9_test_ubnt_edgerouter_tpl.dat', 'netflow9_test_ubnt_edgerouter_data1024.dat', 'netflow9_test_ubnt_edgerouter_data1025.dat'].map(read));
  assert.equal(flows.length, 16);
  assert.equal(flows[0].srcIp, '10.1.0.135');
  const f = flows[15];
  assert.deepEqual([f.srcIp, f.dstIp, f.srcPort, f.dstPort, f.proto, f.packets, f.bytes, f.tcpFlags, f.templateId],
    ['192.168.1.102', '10.2.0.95', 47690, 443, 6, 21, 3668, 27, 1025]);
  // Same whole-second rule as above.
  assert.equal(Math.ceil(f.startMs / 1000), Math.floor(iso('2016-09-10T15:02:54.999Z') / 1000));
  assert.equal(Math.ceil(f.endMs / 1000), Math.floor(iso('2016-09-10T15:23:45.999Z') / 1000));
  // The three datagrams are not consecutive exports: the gap is real loss between them.
  assert.ok((anomalies['flowrec.sequence.gap'] ?? 0) >= 1);
});

test('IPFIX MikroTik RouterOS: template then data sets 258 (IPv4) and 259 (IPv6): 46 records', () => {
  const { flows } = decode(['ipfix_test_mikrotik_tpl.dat', 'ipfix_test_mikrotik_data258.dat', 'ipfix_test_mikrotik_data259.dat'].map(read));
  assert.equal(flows.length, 46);
  assert.ok(flows.some((f) => f.ipVersion === 6));
});

test('IPFIX OpenBSD pflow (domain 42): 26 records; record 25 as logstash states it', () => {
  const { flows, anomalies } = decode([read('ipfix_test_openbsd_pflow_tpl.dat'), read('ipfix_test_openbsd_pflow_data.dat')]);
  assert.deepEqual(anomalies, {});
  assert.equal(flows.length, 26);
  const f = flows[25];
  assert.deepEqual([f.domain, f.srcIp, f.dstIp, f.packets, f.bytes, f.srcPort, f.dstPort, f.proto, f.startMs, f.endMs],
    [42, '192.168.0.1', '192.168.0.17', 8, 6425, 80, 64026, 6, iso('2016-07-21T13:29:59.000Z'), iso('2016-07-21T13:30:01.000Z')]);
});

test('data before template: sets wait in the bounded buffer and decode when the template arrives', () => {
  const tpl = read('ipfix_test_openbsd_pflow_tpl.dat');
  const data = read('ipfix_test_openbsd_pflow_data.dat');
  const { flows, collector } = decode([data, tpl]);
  assert.equal(flows.length, 26);
  assert.equal(collector.stats().pending_decoded, 1);
  assert.equal(collector.stats().pending_sets, 0);
});

test('IPFIX template withdrawal: data after a withdrawal waits again', () => {
  const tpl = read('ipfix_test_openbsd_pflow_tpl.dat');
  const data = read('ipfix_test_openbsd_pflow_data.dat');
  // A withdrawal message for template 256 of the same domain (RFC 7011 section 8.1: field count 0).
  const w = new Uint8Array(16 + 8);
  w.set(tpl.subarray(0, 16));
  w[2] = 0; w[3] = 24;
  w.set([0, 2, 0, 8, 1, 0, 0, 0], 16);
  const { flows, collector } = decode([tpl, w, data]);
  assert.equal(flows.length, 0);
  assert.equal(collector.stats().template_withdrawals, 1);
  assert.equal(collector.stats().pending_sets, 1);
});

interface PmacctRecord {
  ip_src: string; ip_dst: string; port_src: number; port_dst: number; ip_proto: string; tcp_flags: string[];
  packets: number; bytes: number; timestamp_start?: string; timestamp_end?: string;
}

const flagNames: [number, string][] = [[1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG']];

async function pmacctCompare(capture: string, expected: string, withTimes: boolean): Promise<void> {
  const want = readFileSync(join(dir, expected), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PmacctRecord);
  const raw: ExportedFlow[] = [];
  const collector = new FlowCollector((f) => raw.push(f), () => undefined);
  const { openCapture } = await import('../capture/open.ts');
  const { decodePacket } = await import('../decode/decode.ts');
  const { Defragmenter } = await import('../decode/defrag.ts');
  const { PacketView } = await import('../decode/packet-view.ts');
  const view = new PacketView();
  const defrag = new Defragmenter({});
  await openCapture(join(dir, capture)).read((rec) => {
    decodePacket(rec, view, defrag, rec.tsSec);
    collector.datagram(view.data, view.payloadOff, view.payloadLen, { exporter: '192.168.100.1', ts: rec.tsSec, file: capture, packet: rec.packetNo });
  });
  const key = (r: PmacctRecord): string => JSON.stringify([r.ip_src, r.ip_dst, r.port_src, r.port_dst, r.ip_proto, [...r.tcp_flags].sort(), r.packets, r.bytes,
    ...(withTimes ? [r.timestamp_start, r.timestamp_end] : [])]);
  const mine = raw.map((f) => key({
    ip_src: f.srcIp, ip_dst: f.dstIp, port_src: f.srcPort, port_dst: f.dstPort, ip_proto: f.proto === 6 ? 'tcp' : f.proto === 17 ? 'udp' : String(f.proto),
    tcp_flags: flagNames.filter(([bit]) => f.tcpFlags & bit).map(([, n]) => n), packets: f.packets, bytes: f.bytes,
    // nfacctd subtracts whole seconds of (uptime - stamp) from the header's whole export seconds: the ceiling
    // of the exact time.
    timestamp_start: `${Math.ceil(f.startMs / 1000)}.000000`, timestamp_end: `${Math.ceil(f.endMs / 1000)}.000000`,
  }));
  assert.deepEqual(mine.sort(), want.map(key).sort());
}

test('IPFIX Cisco ASR9k (pmacct 100): every record equals nfacctd\'s expected output', async () => {
  await pmacctCompare('pmacct-100-ipfix-cisco.pcap', 'pmacct-100-output-flow-00.json', false);
});

test('NetFlow v9 Cisco ASR9k (pmacct 101): every record equals nfacctd\'s output, exporter times included', async () => {
  await pmacctCompare('pmacct-101-nfv9-cisco.pcap', 'pmacct-101-output-flow-00.json', true);
});

test('nDPI netflowv9.pcap: data sets without any template wait, none is decoded, each is counted', async () => {
  const run = new FlowExportRun();
  const flows: FlowRecord[] = [];
  run.onFlow((f) => flows.push(f));
  const summary = await run.readCapture(join(dir, 'netflowv9.pcap'));
  const stats = run.finish();
  assert.equal(summary.packets, 10);
  assert.equal(stats.collector.datagrams, 10);
  assert.equal(stats.collector.by_protocol.netflow9, 10);
  assert.equal(flows.length, 0);
  assert.ok((stats.anomalies.get('flowrec.pending.no_template') ?? 0) > 0);
  assert.equal(stats.collector.exporters[0].exporter, '192.168.2.134');
  assert.equal(stats.collector.exporters[0].domain, 1); // source id 1 (MANIFEST)
});

test('nDPI netflow-fritz.pcap (AVM FRITZ!Box IPFIX): template 461 and options templates 466/467 in domain 262400', async () => {
  const run = new FlowExportRun();
  await run.readCapture(join(dir, 'netflow-fritz.pcap'));
  const stats = run.finish();
  assert.deepEqual(Object.fromEntries(stats.anomalies), {});
  const [s] = stats.collector.exporters;
  assert.deepEqual([s.exporter, s.protocol, s.domain, s.templates], ['192.168.0.1', 'ipfix', 262400, 3]);
});
