/**
 * DNS analyzer (UDP datagrams, TCP with 2-byte length framing, RFC 1035 4.2.2) and the mDNS analyzer
 * (UDP 5353) sharing its parser. Emits `dns.query` per query message and `dns.response` per response.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { type DnsLimits, type DnsMessage, type DnsQuestion, type DnsRecord, DNS_HEADER_LEN, defaultDnsLimits, parseMessage } from './parser.ts';
import { type DnsQuestionFields, type DnsRecordFields, dnsAnomalies, dnsEvents } from './events.ts';

export interface DnsOptions extends DnsLimits {
  /** Largest TCP message buffered per direction (a DNS message is at most 65535 bytes plus its prefix). */
  maxTcpBuffer: number;
}

export const defaultDnsOptions: DnsOptions = { ...defaultDnsLimits, maxTcpBuffer: 65537 };

export interface DnsState {
  /** TCP only: per-direction framing buffers, created on first use. */
  tcp: [StreamBuffer | null, StreamBuffer | null];
  lost: boolean;
}

const MDNS_PORT = 5353;
const OPT = 41;

function recordFields(r: DnsRecord, mdns: boolean): DnsRecordFields {
  const f: DnsRecordFields = { name: r.name, type: r.type, ttl: r.ttl, data: r.data };
  if (r.txt) f.txt = r.txt;
  if (r.srv) {
    f.priority = r.srv.priority;
    f.weight = r.srv.weight;
    f.port = r.srv.port;
    f.target = r.srv.target;
  }
  if (mdns) f.cache_flush = r.cacheFlush;
  return f;
}

function questionFields(q: DnsQuestion, mdns: boolean): DnsQuestionFields {
  const f: DnsQuestionFields = { qname: q.name, qtype: q.type, qclass: q.qclass };
  if (mdns) f.unicast_response = q.unicastResponse;
  return f;
}

function emitMessage(msg: DnsMessage, ctx: AppContext, mdns: boolean): void {
  const h = msg.header;
  if (!h.qr) {
    if (msg.questions.length === 0 || !ctx.wants('dns.query')) return;
    const q = msg.questions[0];
    const fields: Record<string, unknown> = { id: h.id, opcode: h.opcode, qname: q.name, qtype: q.type, qclass: q.qclass };
    if (mdns) fields.unicast_response = q.unicastResponse;
    if (msg.questions.length > 1) fields.questions = msg.questions.map((x) => questionFields(x, mdns));
    if (msg.answers.length > 0) fields.answers = msg.answers.map((r) => recordFields(r, mdns));
    if (msg.authority.length > 0) fields.authority = msg.authority.map((r) => recordFields(r, mdns));
    ctx.emit('dns.query', fields);
    return;
  }
  if (!ctx.wants('dns.response')) return;
  const fields: Record<string, unknown> = {
    id: h.id, opcode: h.opcode, rcode: h.rcode, aa: h.aa, tc: h.tc,
    answers: msg.answers.map((r) => recordFields(r, mdns)),
  };
  if (msg.questions.length > 0) {
    fields.qname = msg.questions[0].name;
    fields.qtype = msg.questions[0].type;
  }
  if (msg.authority.length > 0) fields.authority = msg.authority.map((r) => recordFields(r, mdns));
  const additional = msg.additional.filter((r) => r.type !== OPT);
  if (additional.length > 0) fields.additional = additional.map((r) => recordFields(r, mdns));
  ctx.emit('dns.response', fields);
}

function handleMessage(b: Uint8Array, off: number, end: number, ctx: AppContext, opts: DnsOptions, mdns: boolean): void {
  const m = parseMessage(b, off, end, opts);
  if (m.status !== 'ok') {
    ctx.anomaly('app.dns.not_dns');
    return;
  }
  if (m.value.anomaly) ctx.anomaly(m.value.anomaly);
  emitMessage(m.value, ctx, mdns);
}

/** How plausible `b[off, end)` is as a whole DNS message. */
export function probeMessage(b: Uint8Array, off: number, end: number): 'yes' | 'no' | 'maybe' {
  if (end - off < DNS_HEADER_LEN) return 'no';
  const opcode = (b[off + 2] >> 3) & 0xf;
  if (opcode > 6 || opcode === 3) return 'no';
  const qd = (b[off + 4] << 8) | b[off + 5];
  const records = qd + ((b[off + 6] << 8) | b[off + 7]) + ((b[off + 8] << 8) | b[off + 9]) + ((b[off + 10] << 8) | b[off + 11]);
  if (records === 0 || qd > 64 || records > 256) return 'no';
  const m = parseMessage(b, off, end, defaultDnsLimits);
  if (m.status !== 'ok') return 'no';
  const msg = m.value;
  if (msg.anomaly) return msg.anomaly === 'app.dns.truncated' ? 'maybe' : 'no';
  const classOk = msg.questions.every((q) => q.qclass === 1 || q.qclass === 255 || q.qclass === 3);
  return classOk && m.length === end - off ? 'yes' : 'maybe';
}

function probeBytes(bytes: Uint8Array, info: ProbeInfo): 'yes' | 'no' | 'maybe' {
  if (info.transport === 'udp') return probeMessage(bytes, 0, bytes.length);
  if (bytes.length < 2 + DNS_HEADER_LEN) return 'no';
  const len = (bytes[0] << 8) | bytes[1];
  if (len < DNS_HEADER_LEN) return 'no';
  // The first segment may hold only part of the message: judge what is there.
  const verdict = probeMessage(bytes, 2, Math.min(bytes.length, 2 + len));
  return bytes.length < 2 + len && verdict === 'yes' ? 'maybe' : verdict;
}

function tcpData(state: DnsState, dir: Dir, bytes: Uint8Array, ctx: AppContext, opts: DnsOptions): void {
  let buf = state.tcp[dir];
  if (!buf) buf = state.tcp[dir] = new StreamBuffer(opts.maxTcpBuffer);
  // A message is at most 65537 bytes with its prefix, so a buffer of that size never overflows on valid
  // framing; anything else is consumed message by message below.
  let input = bytes;
  while (input.length > 0) {
    const room = opts.maxTcpBuffer - buf.length;
    const chunk = input.length > room ? input.subarray(0, room) : input;
    input = input.subarray(chunk.length);
    buf.append(chunk);
    while (buf.length >= 2) {
      const v = buf.view();
      const len = (v[0] << 8) | v[1];
      if (v.length < 2 + len) break;
      handleMessage(v, 2, 2 + len, ctx, opts, false);
      buf.consume(2 + len);
    }
  }
}

function makeProtocol(name: 'dns' | 'mdns', opts: DnsOptions): AppProtocol<DnsState> {
  const mdns = name === 'mdns';
  return {
    name,
    transports: mdns ? ['udp'] : ['udp', 'tcp'],
    ports: mdns ? [MDNS_PORT] : [53],
    probe(bytes, _dir, info) {
      const onMdnsPort = info.origPort === MDNS_PORT || info.respPort === MDNS_PORT;
      // mDNS traffic belongs to `mdns`, which only claims it on its port.
      if (mdns !== onMdnsPort) return 'no';
      return probeBytes(bytes, info);
    },
    newState: () => ({ tcp: [null, null], lost: false }),
    data(state, dir, bytes, ctx) {
      if (state.lost) return 'done';
      if (ctx.info.transport === 'tcp') tcpData(state, dir, bytes, ctx, opts);
      else handleMessage(bytes, 0, bytes.length, ctx, opts, mdns);
    },
    gap(state, _dir, _length, ctx) {
      ctx.anomaly('app.dns.tcp_gap');
      state.lost = true;
      state.tcp = [null, null];
      return 'done';
    },
    events: mdns ? [] : dnsEvents,
    anomalies: mdns ? [] : dnsAnomalies,
  };
}

/** DNS over UDP and TCP (any port when the content is unmistakable; 53 otherwise). */
export function createDns(opts: Partial<DnsOptions> = {}): AppProtocol<DnsState> {
  return makeProtocol('dns', { ...defaultDnsOptions, ...opts });
}

/** mDNS on UDP 5353; emits the `dns.*` events (declared by `dns`) with the mDNS-only fields. */
export function createMdns(opts: Partial<DnsOptions> = {}): AppProtocol<DnsState> {
  return makeProtocol('mdns', { ...defaultDnsOptions, ...opts });
}

export const dns: AppProtocol<DnsState> = createDns();
export const mdns: AppProtocol<DnsState> = createMdns();
