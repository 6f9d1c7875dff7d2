import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from './analyze.ts';
import { FIRST_PACKET_WIRE_BYTES, FirstPacket, TcpFlag, type StartEvidence } from './first-packet.ts';
import { readingByName } from './record-source.ts';
import { detectTrace, pipelineTrace } from '../detect/lib/test-traces.ts';
import { DetectionEngine } from '../detect/engine.ts';
import scanVertical from '../detect/detectors/scan.vertical.ts';
import { Inventory } from '../inventory/inventory.ts';
import type { EventRecord } from '../events/record.ts';

/** What a test keeps of a fact (the fact itself is refilled for the next flow). */
interface Seen {
  packet: number; src: number; dst: number; srcIp: string; dstIp: string; srcPort: number; dstPort: number; proto: number; ipVersion: number;
  transport: string; flags: number; seq: number; window: number; ttl: number; ipLen: number; payloadLen: number; optionsLen: number;
  options: string; mss: number; wscale: number; fromOrig: boolean; evidence: StartEvidence;
}

function seen(p: FirstPacket): Seen {
  return {
    packet: p.packet, src: p.src, dst: p.dst, srcIp: p.srcIp(), dstIp: p.dstIp(), srcPort: p.srcPort, dstPort: p.dstPort, proto: p.proto,
    ipVersion: p.ipVersion, transport: p.transport, flags: p.tcpFlags, seq: p.seq, window: p.window, ttl: p.ttl, ipLen: p.ipLen,
    payloadLen: p.payloadLen, optionsLen: p.tcpOptionsLen, options: p.tcpOptions(), mss: p.tcpMss, wscale: p.tcpWscale, fromOrig: p.fromOrig,
    evidence: p.evidence(true),
  };
}

async function firstPackets(path: string, alsoEvents = false): Promise<{ facts: Seen[]; events: EventRecord[]; summary: Awaited<ReturnType<Pipeline['run']>> }> {
  const pipeline = new Pipeline();
  const facts: Seen[] = [];
  const events: EventRecord[] = [];
  pipeline.onFirstPacket((p) => facts.push(seen(p)));
  if (alsoEvents) pipeline.on('flow.start', (ev) => events.push(ev));
  const summary = await pipeline.run([path]);
  return { facts, events, summary };
}

const quad = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

test('Mirai SYNs as numbers: values as tshark reads frames 1-2 of mirai-scan.generated.pcap', async () => {
  const { facts, summary } = await firstPackets(detectTrace('mirai-scan.generated.pcap'));
  // tshark -T fields -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e ip.ttl -e ip.len -e tcp.window_size_value:
  // 1: 192.168.1.66 197.239.20.61 36436 2323 3320779837 64 40 22185; 2: ... 177.175.90.41 36436 23 2981059113 64 40 48348
  const [a, b] = facts;
  assert.equal(a.packet, 1);
  assert.equal(a.src, quad(192, 168, 1, 66));
  assert.equal(a.dst, quad(197, 239, 20, 61));
  assert.equal(a.srcIp, '192.168.1.66');
  assert.equal(a.dstIp, '197.239.20.61');
  assert.deepEqual([a.srcPort, a.dstPort, a.proto, a.ipVersion, a.transport], [36436, 2323, 6, 4, 'tcp']);
  // Mirai's fingerprint: the sequence number is the destination address (3320779837 = 197.239.20.61).
  assert.equal(a.seq, 3320779837);
  assert.equal(a.seq, a.dst);
  assert.deepEqual([a.flags, a.ttl, a.ipLen, a.window, a.payloadLen, a.optionsLen, a.options, a.mss, a.wscale, a.fromOrig],
    [TcpFlag.SYN, 64, 40, 22185, 0, 0, '', -1, -1, true]);
  assert.deepEqual([b.packet, b.dst, b.dstPort, b.seq, b.window], [2, quad(177, 175, 90, 41), 23, 2981059113, 48348]);
  // tshark --enable-protocol communityid -e communityid, frames 1 and 2.
  assert.equal(a.evidence.community_id, '1:tSbzwLi+SQ7zkwOslE0QBn2V61g=');
  assert.equal(b.evidence.community_id, '1:ZwliytscRmx34T0fJt2ea1JLkko=');
  assert.deepEqual(Object.keys(a.evidence), ['file', 'packet', 'ts', 'community_id', 'flow_id']);
  assert.equal(a.evidence.packet, 1);
  // tshark -Y 'tcp.flags==0x002' counts 301 SYNs, each to a new host (the RSTs answer them): one fact per flow,
  // and no flow.start event was built.
  assert.equal(facts.length, 301);
  assert.ok(facts.every((f) => f.flags === TcpFlag.SYN));
  assert.equal(summary.events['flow.start'], undefined);
});

test('SYN options as numbers and as the p0f layout: sonos.pcapng frame 1 (tshark)', async () => {
  const { facts } = await firstPackets(pipelineTrace('sonos.pcapng'));
  const syn = facts.find((f) => f.flags === TcpFlag.SYN);
  assert.ok(syn);
  // tshark frame 1: 192.168.1.29:52425 -> 192.168.1.70:1443, ttl 64, ip.len 64, window 65535, MSS 1460, wscale 6,
  // option kinds 2,1,3,1,1,8,4,0,0 (MSS, NOP, WS, NOP, NOP, timestamps, SACK permitted, EOL): 24 option bytes.
  assert.deepEqual([syn.packet, syn.srcIp, syn.dstIp, syn.srcPort, syn.dstPort], [1, '192.168.1.29', '192.168.1.70', 52425, 1443]);
  assert.deepEqual([syn.ttl, syn.ipLen, syn.window, syn.mss, syn.wscale, syn.optionsLen], [64, 64, 65535, 1460, 6, 24]);
  assert.equal(syn.options, 'M,N,W,N,N,T,S,E');
  assert.equal(syn.seq, 2094663290);
  assert.equal(syn.evidence.community_id, '1:arTC53zxq/fsaVRJy/f0RSlYmhs=');
});

test('a flow.start event gives the same fact (replays and tests feed events)', async () => {
  const { facts, events, summary } = await firstPackets(pipelineTrace('sonos.pcapng'), true);
  assert.equal(events.length, facts.length);
  assert.equal(summary.events['flow.start'], facts.length);
  const fact = new FirstPacket();
  for (let i = 0; i < events.length; i++) {
    const fromEvent = seen(fact.fromEvent(events[i]));
    // The event's Community ID and flow id are the flow's; the numbers are the packet's. The event has the options'
    // layout, not their length: whether there were any is what it tells.
    assert.equal(fromEvent.optionsLen > 0, facts[i].optionsLen > 0);
    assert.deepEqual({ ...fromEvent, optionsLen: 0 }, { ...facts[i], optionsLen: 0 }, `flow ${i}`);
  }
});

test('an inventory and the detectors alone build no flow.start event; a subscriber to it still gets it', async () => {
  const quiet = new Pipeline();
  const stages = readingByName(quiet);
  new Inventory({ site: quiet.site }).attach(stages);
  new DetectionEngine([scanVertical], { site: quiet.site }).attach(stages);
  const s1 = await quiet.run([pipelineTrace('synscan.pcap')]);
  assert.equal(s1.events['flow.start'], undefined);
  const writing = new Pipeline();
  new DetectionEngine([scanVertical], { site: writing.site }).attach(readingByName(writing));
  let written = 0;
  writing.on('*', (ev) => { if (ev.type === 'flow.start') written++; });
  const s2 = await writing.run([pipelineTrace('synscan.pcap')]);
  assert.ok(written > 0);
  assert.equal(s2.events['flow.start'], written);
});

test('flow.start events fed to the engine reach a detector through the fact (15 ports of one host, by hand)', () => {
  const engine = new DetectionEngine([scanVertical]);
  for (let port = 1; port <= 15; port++) {
    engine.onEvent({
      type: 'flow.start', ts: 1000 + port, file: 'x.pcap', packet: port, community_id: `1:cid${port}`, flow_id: port, transport: 'tcp',
      src_ip: '203.0.113.5', src_port: 40000, dst_ip: '192.168.1.20', dst_port: port, from_orig: true, tcp_flags: 'S', ttl: 64,
    } as EventRecord);
  }
  const [f] = engine.findings();
  assert.equal(f.detector, 'scan.vertical');
  assert.equal(f.count, 15);
  assert.deepEqual(f.devices.map((d) => [d.role, d.ip]), [['attacker', '203.0.113.5'], ['victim', '192.168.1.20']]);
  assert.deepEqual(f.evidence[0], { file: 'x.pcap', packet: 1, ts: 1001, community_id: '1:cid1', flow_id: 1 });
  // A SYN-ACK or a SYN carrying ACK is not an attempt.
  const other = new DetectionEngine([scanVertical]);
  for (let port = 1; port <= 15; port++) {
    other.onEvent({ type: 'flow.start', ts: 1000 + port, file: 'x.pcap', packet: port, transport: 'tcp', src_ip: '203.0.113.5', src_port: 40000,
      dst_ip: '192.168.1.20', dst_port: port, from_orig: true, tcp_flags: 'SA' } as EventRecord);
  }
  assert.deepEqual(other.findings(), []);
});

test('a first packet sent between threads (writeWire, readWire) is the same fact, IPv4 and IPv6', async () => {
  for (const trace of ['sonos.pcapng', 'mqtt311-pub-userpass.pcap']) {
    const pipeline = new Pipeline();
    const direct: Seen[] = [];
    const crossed: Seen[] = [];
    const other = new FirstPacket();
    pipeline.onFirstPacket((p) => {
      // The bytes at an offset of a buffer that crosses (structuredClone, as postMessage), the strings beside them.
      const bytes = new ArrayBuffer(8 + FIRST_PACKET_WIRE_BYTES);
      p.writeWire(new DataView(bytes), 8);
      const [wire, file, options] = structuredClone([bytes, p.file, p.tcpOptions()]);
      direct.push(seen(p));
      crossed.push(seen(other.readWire(new DataView(wire), 8, file, options)));
    });
    await pipeline.run([pipelineTrace(trace)]);
    assert.ok(direct.length > 0, trace);
    assert.deepEqual(crossed, direct, trace);
    if (trace.startsWith('mqtt')) {
      // tshark -Y 'ipv6 && tcp.flags.syn==1 && tcp.flags.ack==0': the client's SYN, ::1 port 38458 -> ::1 port 1883.
      const syn = crossed.find((f) => f.ipVersion === 6 && f.flags === TcpFlag.SYN);
      assert.deepEqual([syn?.srcIp, syn?.dstIp, syn?.srcPort, syn?.dstPort, syn?.src], ['::1', '::1', 38458, 1883, -1]);
    }
  }
});
