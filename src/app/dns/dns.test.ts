import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { type Delivery, payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { parseMessage, readName } from './parser.ts';
import { dns, mdns } from './analyzer.ts';
import type { DnsQueryEvent, DnsRecordFields, DnsResponseEvent } from './events.ts';

const trace = (name: string) => new URL(`../../../test/traces/app-udp/${name}`, import.meta.url).pathname;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const mdnsInfo = { transport: 'udp', origPort: 5353, respPort: 5353 } as const;

/** tshark fields per frame, every occurrence, joined by '|'. */
function tshark(path: string, filter: string, fields: string[]): Map<number, string[]> {
  const args = ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'frame.number'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = new Map<number, string[]>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [frame, ...rest] = line.split('\t');
    rows.set(Number(frame), rest);
  }
  return rows;
}
const list = (s: string) => (s === '' ? [] : s.split('|'));

// mdns.pcap frame 2: IPv4 mDNS query for PTR _ipp._tcp.local and _ipps._tcp.local (second name compressed).
const frame2 = hex('000000000002000000000000045f697070045f746370056c6f63616c00000c0001055f69707073c011000c0001');

test('parseMessage: mDNS query with a compressed second question (mdns.pcap frame 2)', () => {
  const m = parseMessage(frame2, 0, frame2.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.equal(m.length, frame2.length);
  assert.equal(m.value.header.qr, false);
  assert.equal(m.value.header.qdcount, 2);
  assert.deepEqual(m.value.questions.map((q) => [q.name, q.type, q.qclass, q.unicastResponse]), [
    ['_ipp._tcp.local', 12, 1, false],
    ['_ipps._tcp.local', 12, 1, false],
  ]);
  assert.equal(m.value.anomaly, undefined);
});

// hue-bridge.pcap frame 13 (HueBridge/Setup-A-1-STA.pcap): mDNS response, PTR + TXT + SRV + AAAA + A.
const hueFrame13 = hex(
  '000084000000000500000002045f686170045f746370056c6f63616c00000c0001000011940026145068696c69707320687565202d20323437364646045f686170045f746370056c6f63616c00145068696c69707320687565202d20323437364646045f686170045f746370056c6f63616c000010800100000078003f0463233d310466663d311469643d30303a31373a38383a32343a37363a4646096d643d4253423030320670763d312e300473663d310473233d310463693d32145068696c69707320687565202d20323437364646045f686170045f746370056c6f63616c0000218001000000780019000000001f900b5068696c6970732d687565056c6f63616c000b5068696c6970732d687565056c6f63616c00001c8001000000780010fdd90fbba067000000000000000000010b5068696c6970732d687565056c6f63616c00000180010000007800040a0a0a060b5068696c6970732d687565056c6f63616c00001c8001000000780010fdd90fbba067000000000000000000010b5068696c6970732d687565056c6f63616c00000180010000007800040a0a0a06',
);

test('parseMessage: Hue bridge DNS-SD announcement, TXT key=value and SRV (hue-bridge.pcap frame 13)', () => {
  const m = parseMessage(hueFrame13, 0, hueFrame13.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  const [ptr, txt, srv, aaaa, a] = m.value.answers;
  assert.equal(ptr.data, 'Philips hue - 2476FF._hap._tcp.local');
  assert.equal(ptr.ttl, 4500);
  assert.deepEqual(txt.txt, ['c#=1', 'ff=1', 'id=00:17:88:24:76:FF', 'md=BSB002', 'pv=1.0', 'sf=1', 's#=1', 'ci=2']);
  assert.equal(txt.cacheFlush, true);
  assert.deepEqual(srv.srv, { priority: 0, weight: 0, port: 8080, target: 'Philips-hue.local' });
  assert.equal(aaaa.data, 'fdd9:fbb:a067::1');
  assert.equal(a.data, '10.10.10.6');
  assert.equal(m.value.additional.length, 2);
});

test('readName: pointer loops, forward pointers, reserved label types and long names are anomalies', () => {
  // Header then a pointer to itself at offset 12.
  const self = new Uint8Array([...frame2.subarray(0, 12), 0xc0, 12]);
  assert.deepEqual(readName(self, 0, self.length, 12), { status: 'invalid', anomaly: 'app.dns.name_loop' });
  // Label "a" at 12 then a pointer back to 12: each hop lands on the same label.
  const cycle = new Uint8Array([...frame2.subarray(0, 12), 1, 0x61, 0xc0, 12]);
  assert.deepEqual(readName(cycle, 0, cycle.length, 12), { status: 'invalid', anomaly: 'app.dns.name_loop' });
  const ext = new Uint8Array([...frame2.subarray(0, 12), 0x41, 0x61]);
  assert.deepEqual(readName(ext, 0, ext.length, 12), { status: 'invalid', anomaly: 'app.dns.label_too_long' });
  const long = new Uint8Array(12 + 5 * 64 + 1);
  for (let i = 0; i < 5; i++) long[12 + i * 64] = 63;
  assert.deepEqual(readName(long, 0, long.length, 12), { status: 'invalid', anomaly: 'app.dns.name_too_long' });
  // A cut message keeps the questions parsed before the cut.
  const cut = parseMessage(frame2, 0, frame2.length - 3);
  assert.ok(cut.status === 'ok' && cut.value.anomaly === 'app.dns.truncated' && cut.value.questions.length === 1);
});

test('mdns analyzer agrees with tshark on every packet of mdns.pcap (names, PTR, TXT, SRV)', () => {
  for (const file of ['mdns.pcap', 'hue-bridge.pcap']) {
    const path = trace(file);
    const res = runAnalyzer(mdns, payloadsFromPcap(path, 'mdns', 5353), mdnsInfo);
    assert.deepEqual(res.anomalies, []);
    const ref = tshark(path, 'mdns', ['dns.flags.response', 'dns.qry.name', 'dns.resp.name', 'dns.ptr.domain_name', 'dns.txt', 'dns.srv.target', 'dns.srv.service', 'dns.srv.proto', 'dns.srv.name', 'dns.qry.qu']);
    assert.equal(res.events.length, ref.size, `${file}: one event per mDNS packet`);
    for (const ev of res.events) {
      const [isResp, qry, resp, ptr, txt, srvTarget, srvService, srvProto, srvName, qu] = ref.get(ev.frame!)!;
      const f = ev.fields as unknown as DnsQueryEvent & DnsResponseEvent;
      assert.equal(ev.type, isResp === '1' ? 'dns.response' : 'dns.query', `frame ${ev.frame}`);
      const questions = ev.type === 'dns.query' ? (f.questions?.map((q) => q.qname) ?? [f.qname]) : [];
      assert.deepEqual(questions, list(qry), `frame ${ev.frame} questions`);
      if (ev.type === 'dns.query') assert.deepEqual((f.questions ?? [f]).map((q) => (q.unicast_response ? '1' : '0')), list(qu));
      const records: DnsRecordFields[] = [...(f.answers ?? []), ...(f.authority ?? []), ...(f.additional ?? [])];
      // tshark splits SRV owner names into service/proto/name fields.
      assert.deepEqual(records.filter((r) => r.type !== 33).map((r) => r.name), list(resp), `frame ${ev.frame} record names`);
      const srvs = records.filter((r) => r.type === 33);
      const services = list(srvService), protos = list(srvProto), names = list(srvName);
      assert.deepEqual(srvs.map((r) => r.name), services.map((s, i) => `${s}.${protos[i]}.${names[i]}`));
      assert.deepEqual(srvs.map((r) => r.target), list(srvTarget));
      assert.deepEqual(records.filter((r) => r.type === 12).map((r) => r.data), list(ptr), `frame ${ev.frame} PTR`);
      assert.deepEqual(records.flatMap((r) => r.txt ?? []), list(txt), `frame ${ev.frame} TXT`);
    }
  }
});

test('mdns analyzer: concrete values (mdns.pcap frames 4 and 11, hue-bridge.pcap frame 7)', () => {
  const res = runAnalyzer(mdns, payloadsFromPcap(trace('mdns.pcap'), 'mdns', 5353), mdnsInfo);
  const f4 = res.events.find((e) => e.frame === 4)!.fields as unknown as DnsResponseEvent;
  assert.equal(f4.aa, true);
  assert.deepEqual(f4.answers.find((r) => r.type === 1), { name: 'johanna-QEMU-Virtual-Machine.local', type: 1, ttl: 0, data: '10.0.2.7', cache_flush: true });
  // Frame 11 is a probe: ANY questions with the claimed records in the authority section.
  const f11 = res.events.find((e) => e.frame === 11)!.fields as unknown as DnsQueryEvent;
  assert.equal(f11.qtype, 255);
  assert.equal(f11.questions?.length, 3);
  assert.deepEqual(f11.authority?.map((r) => r.type), [28, 12, 28, 12]);
  const hue = runAnalyzer(mdns, payloadsFromPcap(trace('hue-bridge.pcap'), 'frame.number==7', 5353), mdnsInfo);
  assert.deepEqual(hue.events[0].fields, {
    id: 0, opcode: 0, qname: '_hap._tcp.local', qtype: 255, qclass: 1, unicast_response: true,
    questions: [
      { qname: '_hap._tcp.local', qtype: 255, qclass: 1, unicast_response: true },
      { qname: 'Philips-hue.local', qtype: 255, qclass: 1, unicast_response: true },
      { qname: 'Philips hue - 2476FF._hap._tcp.local', qtype: 255, qclass: 1, unicast_response: true },
    ],
    authority: hue.events[0].fields.authority,
  });
});

test('probe: mDNS claimed by mdns on 5353 only, DNS by content elsewhere', () => {
  const info53 = { transport: 'udp', origPort: 40000, respPort: 53 } as const;
  assert.equal(mdns.probe(frame2, 0, mdnsInfo), 'yes');
  assert.equal(dns.probe(frame2, 0, mdnsInfo), 'no');
  assert.equal(dns.probe(frame2, 0, info53), 'yes');
  assert.equal(mdns.probe(frame2, 0, info53), 'no');
  assert.equal(dns.probe(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 0, info53), 'no');
  assert.equal(dns.probe(frame2.subarray(0, 20), 0, info53), 'maybe');
});

test('dns over TCP: length-prefixed messages split across segments', () => {
  const framed = (m: Uint8Array) => new Uint8Array([m.length >> 8, m.length & 0xff, ...m]);
  const stream = new Uint8Array([...framed(frame2), ...framed(hueFrame13)]);
  const deliveries: Delivery[] = [];
  for (let i = 0; i < stream.length; i += 7) deliveries.push({ dir: 0, bytes: stream.subarray(i, i + 7) });
  const info = { transport: 'tcp', origPort: 40000, respPort: 53 } as const;
  assert.equal(dns.probe(stream, 0, info), 'yes');
  const res = runAnalyzer(dns, deliveries, info);
  assert.deepEqual(res.events.map((e) => e.type), ['dns.query', 'dns.response']);
  assert.equal((res.events[1].fields as unknown as DnsResponseEvent).answers[2].target, 'Philips-hue.local');
  assert.equal(res.events[1].fields.cache_flush, undefined);
});

test('fuzz: parser and analyzers never throw on mutated real messages', () => {
  const seeds = [frame2, hueFrame13, ...payloadsFromPcap(trace('mdns.pcap'), 'mdns', 5353).map((d) => d.bytes)];
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: mdnsInfo };
  const tcpCtx = { ...ctx, info: { transport: 'tcp', origPort: 1, respPort: 53 } as const };
  const st = mdns.newState();
  const tcpState = dns.newState();
  fuzz(seeds, (b) => {
    parseMessage(b, 0, b.length);
    mdns.probe(b, 0, mdnsInfo);
    dns.probe(b, 0, tcpCtx.info);
    mdns.data(st, 0, b, ctx);
    dns.data(tcpState, 0, b, tcpCtx);
  }, 3000);
});
