// Flow accounting on real captures against tshark: frames and on-wire bytes per direction of every TCP and UDP
// conversation (tshark's tcp.stream / udp.stream, the units of `-z conv,tcp -z conv,udp`), and the conv tables'
// own frame counts. tshark's side A is the sender of the conversation's first packet; ours is the originator,
// so sides are matched by address and port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openCapture } from '../capture/open.ts';
import { decodePacket } from '../decode/decode.ts';
import { Defragmenter } from '../decode/defrag.ts';
import { PacketView } from '../decode/packet-view.ts';
import { FlowTable } from './table.ts';
import type { FlowRecord } from './types.ts';
import { tshark } from './test-util.ts';

const traces = new URL('../../test/traces/flow/', import.meta.url);
const forever = { tcpIdleS: 1e12, udpIdleS: 1e12, icmpIdleS: 1e12, otherIdleS: 1e12, activeTimeoutS: 1e12 };

/** Every flow of a capture (tshark keeps conversations open for the whole file, so timeouts are off here). */
async function flowsOf(path: string, options = forever): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  const table: FlowTable = new FlowTable(options, (slot, reason) => out.push(table.toRecord(slot, [path], undefined, reason)));
  const view = new PacketView();
  const defrag = new Defragmenter();
  await openCapture(path).read((rec) => {
    const ts = rec.tsSec + rec.tsNsec / 1e9;
    decodePacket(rec, view, defrag, ts);
    table.track(view, ts, rec.origLen, rec.packetNo, 0);
    table.expire(ts);
  });
  table.endAll();
  return out;
}

interface Conv { a: string; b: string; framesAB: number; bytesAB: number; framesBA: number; bytesBA: number; first: number }

/** Per-stream sums from tshark's per-packet fields (ICMP errors quote a UDP/TCP header: not that stream's packet). */
function tsharkStreams(path: string, transport: 'tcp' | 'udp'): Map<string, Conv> {
  const lines = tshark(['-r', path, '-Y', `${transport} and not icmp and not icmpv6`, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f',
    '-e', `${transport}.stream`, '-e', 'ip.src', '-e', 'ipv6.src', '-e', `${transport}.srcport`,
    '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', `${transport}.dstport`, '-e', 'frame.len', '-e', 'frame.number']);
  const convs = new Map<string, Conv>();
  for (const line of lines) {
    const [stream, s4, s6, sp, d4, d6, dp, len, no] = line.split('|');
    const src = `${s4 || s6}|${sp}`, dst = `${d4 || d6}|${dp}`;
    let c = convs.get(stream);
    if (!c) convs.set(stream, c = { a: src, b: dst, framesAB: 0, bytesAB: 0, framesBA: 0, bytesBA: 0, first: +no });
    if (src === c.a) { c.framesAB++; c.bytesAB += +len; } else { c.framesBA++; c.bytesBA += +len; }
  }
  return convs;
}

function compare(name: string, flows: FlowRecord[], transport: 'tcp' | 'udp'): number {
  const convs = tsharkStreams(new URL(name, traces).pathname, transport);
  const ours = flows.filter((f) => f.transport === transport);
  assert.equal(ours.length, convs.size, `${name}: ${transport} flows vs tshark streams`);
  const byFirst = new Map(ours.map((f) => [f.first_packet, f]));
  for (const c of convs.values()) {
    const f = byFirst.get(c.first);
    assert.ok(f, `${name}: no flow starting at frame ${c.first}`);
    const orig = `${f.orig_ip}|${f.orig_port}`, resp = `${f.resp_ip}|${f.resp_port}`;
    const got = orig === c.a && resp === c.b ? [f.orig_pkts, f.orig_bytes, f.resp_pkts, f.resp_bytes]
      : [f.resp_pkts, f.resp_bytes, f.orig_pkts, f.orig_bytes];
    assert.ok((orig === c.a && resp === c.b) || (orig === c.b && resp === c.a), `${name}: endpoints ${orig} ${resp} vs ${c.a} ${c.b}`);
    assert.deepEqual(got, [c.framesAB, c.bytesAB, c.framesBA, c.bytesBA], `${name}: frame ${c.first}`);
  }
  return convs.size;
}

/** The `-z conv,<t>` table: "A <-> B" with frames B->A, frames A->B (exact) per line. */
function convTable(path: string, transport: 'tcp' | 'udp'): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of tshark(['-r', path, '-q', '-z', `conv,${transport}`])) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s/.exec(line);
    if (m) out.set(`${m[1]} ${m[2]}`, [+m[4], +m[3]]);
  }
  return out;
}

const cases: [string, number, number][] = [
  // name, tcp conversations, udp conversations (counted by tshark)
  ['http-basic-auth.pcap', 25, 0],
  ['coap_mqtt.pcap', 4, 12],
  ['dhcp.pcap', 0, 4],
  ['synscan.pcap', 1994, 0],
  ['wemo-switch2-setup-c-2.pcap', 14, 11],
];

for (const [name, tcp, udp] of cases) {
  test(`flows equal tshark conversations: ${name}`, async () => {
    const path = new URL(name, traces).pathname;
    const flows = await flowsOf(path);
    assert.equal(compare(name, flows, 'tcp'), tcp);
    assert.equal(compare(name, flows, 'udp'), udp);
    // The conv tables agree (IPv4 lines, where "addr:port" is unambiguous).
    for (const t of ['tcp', 'udp'] as const) {
      for (const [key, [ab, ba]] of convTable(path, t)) {
        if (key.split(':').length > 4) continue;
        const [a, b] = key.split(' ');
        const f = flows.find((x) => x.transport === t && [`${x.orig_ip}:${x.orig_port}`, `${x.resp_ip}:${x.resp_port}`].sort().join() === [a, b].sort().join());
        assert.ok(f, `${name}: conv ${key}`);
        const fromA = `${f.orig_ip}:${f.orig_port}` === a;
        assert.deepEqual(fromA ? [f.orig_pkts, f.resp_pkts] : [f.resp_pkts, f.orig_pkts], [ab, ba], `${name}: conv ${key}`);
      }
    }
  });
}

test('synscan.pcap: TCP states (tshark: 3 streams answered by SYN+ACK, 5 by RST, none with a second SYN)', async () => {
  const flows = await flowsOf(new URL('synscan.pcap', traces).pathname);
  const count: Record<string, number> = {};
  for (const f of flows) count[`${f.tcp_state}/${f.end_reason}`] = (count[`${f.tcp_state}/${f.end_reason}`] ?? 0) + 1;
  assert.deepEqual(count, { 'unanswered_syn/end_of_input': 1986, 'rejected/tcp_reset': 5, 'half_open/end_of_input': 3 });
  const open = flows.filter((f) => f.tcp_state === 'half_open').map((f) => [f.orig_ip, f.resp_port, f.orig_tcp_flags, f.resp_tcp_flags, f.resp_pkts]);
  // nmap never completes the handshake; scanme retransmits its SYN+ACK (4 per port).
  assert.deepEqual(open, [['172.16.0.8', 53, 'S', 'SA', 4], ['172.16.0.8', 80, 'S', 'SA', 4], ['172.16.0.8', 22, 'S', 'SA', 4]]);
});

for (const name of ['wemo-switch2-setup-c-2.pcap', 'coap_mqtt.pcap', 'http-basic-auth.pcap']) {
  test(`flow community id equals tshark's for the flow's first packet: ${name}`, async () => {
    const path = new URL(name, traces).pathname;
    const byFrame = new Map<number, string>();
    for (const line of tshark(['-r', path, '--enable-protocol', 'communityid', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'communityid'])) {
      const [no, cid] = line.split('|');
      if (cid) byFrame.set(+no, cid);
    }
    const flows = await flowsOf(path);
    let checked = 0;
    for (const f of flows) {
      if (f.transport === 'arp') { assert.match(f.community_id, /^1:[A-Za-z0-9+/]{27}=$/); continue; } // extension: tshark has none
      assert.equal(f.community_id, byFrame.get(f.first_packet), `${name} frame ${f.first_packet} ${f.transport}`);
      checked++;
    }
    assert.ok(checked >= 16, `${checked}`);
    if (name.startsWith('wemo')) {
      const t = new Set(flows.map((f) => f.transport));
      assert.deepEqual([...t].sort(), ['arp', 'icmp', 'icmp6', 'ip-2', 'tcp', 'udp']);
    }
  });
}
