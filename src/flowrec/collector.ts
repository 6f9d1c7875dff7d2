/**
 * The flow-export collector: NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) datagrams in, decoded
 * flow records out. Keeps, per (exporter, protocol, observation domain / source id), the templates and
 * options templates (withdrawal and refresh), samplers announced by options records (applied to counters),
 * the clock base and the expected sequence number (gaps counted as loss). Data sets that arrive before their
 * template wait in a bounded buffer and are decoded when it comes. Every table has a cap; hitting it is a
 * named anomaly. Never throws on traffic.
 * @module
 */
import { u16, u32 } from '../decode/bytes.ts';
import { FA } from './anomalies.ts';
import { parseV5Header, parseV5Record, V5_HEADER, V5_RECORD } from './netflow5.ts';
import { decodeRecord, RecordScratch } from './record.ts';
import { SessionTable, type ExporterSession } from './session.ts';
import { isWithdrawal, parseIpfixTemplate, parseV9OptionsTemplate, parseV9Template, type Template } from './template.ts';
import { exportedCommunityId } from './to-flow.ts';
import type { DatagramMeta, ExportedFlow, ExportProtocol } from './types.ts';

export interface CollectorOptions {
  /** (exporter, protocol, domain) sessions kept; the least recently used is forgotten beyond it. */
  maxSessions: number;
  maxTemplatesPerSession: number;
  maxTemplateFields: number;
  maxSamplersPerSession: number;
  /** Data sets waiting for their template: count, bytes and seconds (arrival time) before they are dropped. */
  maxPendingSets: number;
  maxPendingBytes: number;
  pendingTimeoutS: number;
}

export const defaultCollectorOptions: CollectorOptions = {
  maxSessions: 1024,
  maxTemplatesPerSession: 256,
  maxTemplateFields: 128,
  maxSamplersPerSession: 64,
  maxPendingSets: 256,
  maxPendingBytes: 2 * 1024 * 1024,
  pendingTimeoutS: 300,
};

export interface CollectorStats {
  datagrams: number;
  /** Datagrams that were not NetFlow v5/v9 or IPFIX at all (or too short for a header). */
  not_export: number;
  by_protocol: Record<ExportProtocol, number>;
  records: number;
  options_records: number;
  templates: number;
  template_withdrawals: number;
  sessions: number;
  sessions_evicted: number;
  pending_sets: number;
  pending_decoded: number;
  pending_dropped: number;
  /** Datagrams (v9) or records (v5, IPFIX) lost by sequence gaps, summed over exporters. */
  lost_datagrams: number;
  lost_records: number;
  /** Per live session: exporter, protocol, domain, datagrams, records, loss. */
  exporters: ExporterSummary[];
}

export interface ExporterSummary {
  exporter: string;
  protocol: ExportProtocol;
  domain: number;
  datagrams: number;
  records: number;
  templates: number;
  /** Packet sampling interval announced for the session (1 = unsampled). */
  sampling: number;
  lost: number;
  lost_unit: 'datagrams' | 'records';
  sequence_back: number;
}

/** Per-datagram context a data set needs to be decoded (kept with sets waiting for their template). */
interface SetContext {
  protocol: ExportProtocol;
  /** Export time of the datagram (ms) and the exporter's uptime then (v9; -1 for IPFIX). */
  exportMs: number;
  sysUptimeMs: number;
  meta: DatagramMeta;
}

interface PendingSet {
  sessionKey: string;
  exporter: string;
  domain: number;
  templateId: number;
  body: Uint8Array;
  ctx: SetContext;
  arrival: number;
}

export type RecordSink = (flow: ExportedFlow) => void;
export type AnomalySink = (id: string) => void;

export class FlowCollector {
  readonly options: CollectorOptions;
  private readonly sessions: SessionTable;
  private readonly scratch = new RecordScratch();
  private readonly pending: PendingSet[] = [];
  private pendingBytes = 0;
  private readonly onRecord: RecordSink;
  private readonly onAnomaly: AnomalySink;
  private readonly st = {
    datagrams: 0, not_export: 0, records: 0, options_records: 0, templates: 0, template_withdrawals: 0,
    pending_decoded: 0, pending_dropped: 0, lost_datagrams: 0, lost_records: 0,
    by_protocol: { netflow5: 0, netflow9: 0, ipfix: 0 } as Record<ExportProtocol, number>,
  };

  constructor(onRecord: RecordSink, onAnomaly: AnomalySink, options: Partial<CollectorOptions> = {}) {
    this.options = { ...defaultCollectorOptions, ...options };
    this.sessions = new SessionTable(this.options.maxSessions);
    this.onRecord = onRecord;
    this.onAnomaly = onAnomaly;
  }

  /** Datagrams seen so far. */
  get datagramCount(): number {
    return this.st.datagrams;
  }

  /** Does this payload look like a flow export (version 5, 9 or 10 with a plausible header)? */
  static looksLikeExport(d: Uint8Array, off: number, len: number): boolean {
    if (len < 16) return false;
    const version = u16(d, off);
    if (version === 5) {
      const count = u16(d, off + 2);
      return count > 0 && count <= 30 && len >= V5_HEADER + V5_RECORD && len <= V5_HEADER + count * V5_RECORD + 64;
    }
    if (version === 9) return len >= 20 && u16(d, off + 2) <= 2000;
    if (version === 10) return u16(d, off + 2) >= 16 && u16(d, off + 2) <= len;
    return false;
  }

  /** One export datagram (UDP payload). */
  datagram(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    this.st.datagrams++;
    this.expirePending(meta.ts);
    if (len < 4) {
      this.st.not_export++;
      this.onAnomaly(FA.tooShort);
      return;
    }
    const version = u16(d, off);
    if (version === 5) this.netflow5(d, off, len, meta);
    else if (version === 9) this.netflow9(d, off, len, meta);
    else if (version === 10) this.ipfixMessages(d, off, len, meta);
    else {
      this.st.not_export++;
      this.onAnomaly(FA.badVersion);
    }
  }

  /** End of input: sets still waiting for their template are counted as never decoded. */
  finish(): void {
    for (let i = 0; i < this.pending.length; i++) this.onAnomaly(FA.noTemplate);
    this.st.pending_dropped += this.pending.length;
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  stats(): CollectorStats {
    const exporters: ExporterSummary[] = [];
    for (const s of this.sessions.values()) {
      exporters.push({
        exporter: s.exporter, protocol: s.protocol, domain: s.domain, datagrams: s.datagrams, records: s.records,
        templates: s.templates.size, sampling: s.defaultSampling, lost: s.lost,
        lost_unit: s.protocol === 'netflow9' ? 'datagrams' : 'records', sequence_back: s.sequenceBack,
      });
    }
    return {
      ...this.st,
      by_protocol: { ...this.st.by_protocol },
      sessions: this.sessions.size,
      sessions_evicted: this.sessions.evicted,
      templates: this.sessions.templateCount(),
      pending_sets: this.pending.length,
      exporters,
    };
  }

  private session(exporter: string, protocol: ExportProtocol, domain: number): ExporterSession {
    return this.sessions.obtain(exporter, protocol, domain, () => this.onAnomaly(FA.sessionLimit));
  }

  private sequence(s: ExporterSession, seq: number, advance: number | undefined): void {
    const { gap, back } = s.sequence(seq, advance);
    if (gap > 0) {
      this.onAnomaly(FA.sequenceGap);
      if (s.protocol === 'netflow9') this.st.lost_datagrams += gap;
      else this.st.lost_records += gap;
    }
    if (back) this.onAnomaly(FA.sequenceBack);
  }

  // --- NetFlow v5 ---

  private netflow5(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    const h = parseV5Header(d, off, len);
    if (h.status !== 'ok') {
      if (h.status === 'invalid') this.onAnomaly(h.anomaly);
      return;
    }
    this.st.by_protocol.netflow5++;
    const v = h.value;
    if (v.truncated) this.onAnomaly(FA.v5Truncated);
    const s = this.session(meta.exporter, 'netflow5', (v.engineType << 8) | v.engineId);
    s.datagrams++;
    this.sequence(s, v.sequence, v.count);
    const sampling = v.samplingInterval > 1 ? v.samplingInterval : 1;
    s.defaultSampling = sampling;
    const exportMs = v.unixSecs * 1000 + Math.floor(v.unixNsecs / 1e6);
    for (let i = 0; i < v.present; i++) {
      const at = off + V5_HEADER + i * V5_RECORD;
      const r = parseV5Record(d, at);
      const icmp = r.proto === 1;
      const endMs = uptimeToMs(exportMs, v.sysUptimeMs, r.last);
      const startMs = Math.min(uptimeToMs(exportMs, v.sysUptimeMs, r.first), endMs);
      s.records++;
      this.st.records++;
      this.onRecord({
        protocol: 'netflow5', exporter: meta.exporter, domain: s.domain, templateId: 0, ipVersion: 4,
        srcIp: r.src, dstIp: r.dst, srcPort: icmp ? 0 : r.srcPort, dstPort: icmp ? 0 : r.dstPort, proto: r.proto,
        // v5 carries ICMP type and code in the destination port (type << 8 | code), as Cisco defines it.
        icmpType: icmp ? r.dstPort >> 8 : -1, icmpCode: icmp ? r.dstPort & 0xff : -1,
        packets: r.packets * sampling, bytes: r.bytes * sampling, revPackets: 0, revBytes: 0, biflow: false,
        tcpFlags: r.tcpFlags, revTcpFlags: 0, hasTcpFlags: true, startMs, endMs, sampling,
        communityId: exportedCommunityId(d.subarray(at, at + 4), d.subarray(at + 4, at + 8), r.proto, r.srcPort, r.dstPort, r.dstPort >> 8, r.dstPort & 0xff),
        file: meta.file, packet: meta.packet, ts: meta.ts,
      });
    }
  }

  // --- NetFlow v9 ---

  private netflow9(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    if (len < 20) {
      this.onAnomaly(FA.tooShort);
      return;
    }
    this.st.by_protocol.netflow9++;
    const sysUptimeMs = u32(d, off + 4);
    const exportMs = u32(d, off + 8) * 1000;
    const seq = u32(d, off + 12);
    const s = this.session(meta.exporter, 'netflow9', u32(d, off + 16));
    s.datagrams++;
    // v9 numbers export packets, not records.
    this.sequence(s, seq, 1);
    const ctx: SetContext = { protocol: 'netflow9', exportMs, sysUptimeMs, meta };
    const end = off + len;
    let o = off + 20;
    while (o + 4 <= end) {
      const id = u16(d, o);
      const setLen = u16(d, o + 2);
      if (setLen < 4 || o + setLen > end) {
        this.onAnomaly(FA.v9BadFlowsetLength);
        return;
      }
      const body = o + 4;
      const setEnd = o + setLen;
      if (id === 0) this.templates(s, d, body, setEnd, (p, e) => parseV9Template(d, p, e, this.options.maxTemplateFields));
      else if (id === 1) this.templates(s, d, body, setEnd, (p, e) => parseV9OptionsTemplate(d, p, e, this.options.maxTemplateFields));
      else if (id >= 256) this.dataSet(s, id, d, body, setEnd, ctx);
      else this.onAnomaly(FA.reservedSetId);
      o = setEnd;
    }
  }

  // --- IPFIX ---

  private ipfixMessages(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    // One message per UDP datagram (RFC 7011 section 10.3.3); stream transports concatenate them.
    let o = off;
    const end = off + len;
    while (o + 16 <= end && u16(d, o) === 10) {
      const msgLen = u16(d, o + 2);
      if (msgLen < 16 || o + msgLen > end) {
        this.onAnomaly(FA.ipfixBadLength);
        return;
      }
      this.ipfix(d, o, msgLen, meta);
      o += msgLen;
    }
    if (o < end && o === off) this.onAnomaly(FA.tooShort);
  }

  private ipfix(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    this.st.by_protocol.ipfix++;
    const exportMs = u32(d, off + 4) * 1000;
    const seq = u32(d, off + 8);
    const s = this.session(meta.exporter, 'ipfix', u32(d, off + 12));
    s.datagrams++;
    const ctx: SetContext = { protocol: 'ipfix', exportMs, sysUptimeMs: -1, meta };
    const end = off + len;
    let o = off + 16;
    let records = 0;
    let countable = true;
    while (o + 4 <= end) {
      const id = u16(d, o);
      const setLen = u16(d, o + 2);
      if (setLen < 4 || o + setLen > end) {
        this.onAnomaly(FA.ipfixBadSetLength);
        countable = false;
        break;
      }
      const body = o + 4;
      const setEnd = o + setLen;
      if (id === 2 || id === 3) {
        const options = id === 3;
        this.templates(s, d, body, setEnd, (p, e) => parseIpfixTemplate(d, p, e, options, this.options.maxTemplateFields));
      } else if (id >= 256) {
        const n = this.dataSet(s, id, d, body, setEnd, ctx);
        if (n < 0) countable = false;
        else records += n;
      } else this.onAnomaly(FA.reservedSetId);
      o = setEnd;
    }
    // IPFIX numbers data records; a set waiting for its template has an unknown count, so the next check is skipped.
    this.sequence(s, seq, countable ? records : undefined);
  }

  // --- templates ---

  /** Parse every template record of a set; returns how many were found. */
  private templates(s: ExporterSession, d: Uint8Array, off: number, end: number,
    parse: (off: number, end: number) => ReturnType<typeof parseIpfixTemplate>): number {
    let o = off;
    let n = 0;
    while (o + 4 <= end) {
      const r = parse(o, end);
      if (r.status !== 'ok') {
        // Trailing zero bytes are padding, not a malformed template.
        if (!allZero(d, o, end)) this.onAnomaly(r.status === 'invalid' ? r.anomaly : FA.badTemplate);
        return n;
      }
      o += r.length;
      n++;
      const t = r.value;
      if (isWithdrawal(t)) this.withdraw(s, t.withdraw);
      else this.define(s, t);
    }
    return n;
  }

  private define(s: ExporterSession, t: Template): void {
    const cur = s.templates.get(t.id);
    if (cur === undefined) {
      if (s.templates.size >= this.options.maxTemplatesPerSession) {
        this.onAnomaly(FA.templateLimit);
        return;
      }
    } else if (cur.signature !== t.signature) this.onAnomaly(FA.templateChanged);
    s.templates.set(t.id, t);
    this.st.templates++;
    if (this.pending.length > 0) this.replayPending(s, t.id);
  }

  private withdraw(s: ExporterSession, id: number): void {
    this.st.template_withdrawals++;
    if (id === 2 || id === 3) {
      // Withdraw all (options) templates of the session (RFC 7011 section 8.1).
      for (const [tid, t] of s.templates) if (t.options === (id === 3)) s.templates.delete(tid);
      return;
    }
    if (!s.templates.delete(id)) this.onAnomaly(FA.ipfixWithdrawUnknown);
  }

  // --- data ---

  /** Decode a data set; returns the records decoded, or -1 when it waits for its template. */
  private dataSet(s: ExporterSession, id: number, d: Uint8Array, off: number, end: number, ctx: SetContext): number {
    const t = s.templates.get(id);
    if (t === undefined) {
      this.park(s, id, d.slice(off, end), ctx);
      return -1;
    }
    return this.decodeSet(s, t, d, off, end, ctx);
  }

  private decodeSet(s: ExporterSession, t: Template, d: Uint8Array, off: number, end: number, ctx: SetContext): number {
    let o = off;
    let n = 0;
    const scratch = this.scratch;
    while (o < end && end - o >= t.minLength) {
      const used = decodeRecord(d, o, end, t, scratch);
      if (used <= 0) {
        this.onAnomaly(FA.ipfixBadVarlen);
        return n;
      }
      o += used;
      n++;
      s.records++;
      if (t.options) this.optionsRecord(s);
      else this.flowRecord(s, t, ctx);
    }
    if (o < end && !allZero(d, o, end)) this.onAnomaly(FA.recordTruncated);
    return n;
  }

  /** Sampler and clock facts from an options record. */
  private optionsRecord(s: ExporterSession): void {
    const r = this.scratch;
    this.st.options_records++;
    if (r.systemInitMs >= 0) s.systemInitMs = r.systemInitMs;
    let interval = -1;
    if (r.samplerRandomInterval > 0) interval = r.samplerRandomInterval;
    else if (r.samplingInterval > 0) interval = r.samplingInterval;
    else if (r.samplingPacketInterval > 0) interval = (r.samplingPacketInterval + Math.max(0, r.samplingPacketSpace)) / r.samplingPacketInterval;
    else if (r.samplingSize > 0 && r.samplingPopulation > 0) interval = r.samplingPopulation / r.samplingSize;
    if (interval < 0) return;
    interval = Math.max(1, interval);
    const id = r.samplerId >= 0 ? r.samplerId : r.selectorId;
    if (id < 0) {
      s.defaultSampling = interval;
      return;
    }
    if (!s.samplers.has(id) && s.samplers.size >= this.options.maxSamplersPerSession) {
      this.onAnomaly(FA.samplerLimit);
      return;
    }
    s.samplers.set(id, interval);
  }

  private flowRecord(s: ExporterSession, t: Template, ctx: SetContext): void {
    const r = this.scratch;
    if (r.src === undefined || r.dst === undefined) {
      this.onAnomaly(FA.noAddresses);
      return;
    }
    this.st.records++;
    let sampling = s.defaultSampling;
    if (r.samplingInterval > 1) sampling = r.samplingInterval;
    else {
      const id = r.samplerId >= 0 ? r.samplerId : r.selectorId;
      const known = id >= 0 ? s.samplers.get(id) : undefined;
      if (known !== undefined) sampling = known;
    }
    const packets = first(r.packets, r.initPackets, r.packetsTotal, r.postPackets);
    const bytes = first(r.bytes, r.initBytes, r.bytesTotal, r.postBytes);
    const revPackets = first(r.revPackets, r.respPackets, r.revPacketsTotal);
    const revBytes = first(r.revBytes, r.respBytes, r.revBytesTotal);
    const biflow = revPackets >= 0 || revBytes >= 0;
    const proto = r.proto >= 0 ? r.proto : 0;
    const icmp = proto === 1 || proto === 58;
    let icmpType = -1;
    let icmpCode = -1;
    if (icmp) {
      if (r.icmpTypeCode >= 0) {
        icmpType = r.icmpTypeCode >> 8;
        icmpCode = r.icmpTypeCode & 0xff;
      } else if (r.icmpType >= 0) {
        icmpType = r.icmpType;
        icmpCode = Math.max(0, r.icmpCode);
      } else if (r.dstPort > 0) {
        // Exporters without ICMP elements put type << 8 | code in the destination port (as v5 does).
        icmpType = r.dstPort >> 8;
        icmpCode = r.dstPort & 0xff;
      }
    }
    const { startMs, endMs } = this.times(s, ctx);
    const srcPort = icmp ? 0 : Math.max(0, r.srcPort);
    const dstPort = icmp ? 0 : Math.max(0, r.dstPort);
    const cid = r.srcOff >= 0 && r.dstOff >= 0
      ? exportedCommunityId(r.buf.subarray(r.srcOff, r.srcOff + r.addrLen), r.buf.subarray(r.dstOff, r.dstOff + r.addrLen), proto, srcPort, dstPort, icmpType, icmpCode)
      : '';
    this.onRecord({
      protocol: ctx.protocol, exporter: s.exporter, domain: s.domain, templateId: t.id,
      ipVersion: r.ipVersion === 6 || r.src.includes(':') ? 6 : 4,
      srcIp: r.src, dstIp: r.dst, srcPort, dstPort, proto,
      icmpType, icmpCode,
      packets: Math.max(0, packets) * sampling, bytes: Math.max(0, bytes) * sampling,
      revPackets: Math.max(0, revPackets) * sampling, revBytes: Math.max(0, revBytes) * sampling, biflow,
      tcpFlags: Math.max(0, r.tcpFlags), revTcpFlags: Math.max(0, r.revTcpFlags), hasTcpFlags: r.tcpFlags >= 0,
      startMs, endMs, sampling, srcMac: r.srcMac, dstMac: r.dstMac, vlan: r.vlan > 0 ? r.vlan : undefined, communityId: cid,
      file: ctx.meta.file, packet: ctx.meta.packet, ts: ctx.meta.ts,
    });
  }

  /** Absolute first/last times from whichever clock the record used. */
  private times(s: ExporterSession, ctx: SetContext): { startMs: number; endMs: number } {
    const r = this.scratch;
    let endMs = r.endMs;
    let startMs = r.startMs;
    if (endMs < 0 && r.endDeltaUs >= 0) endMs = ctx.exportMs - r.endDeltaUs / 1000;
    if (startMs < 0 && r.startDeltaUs >= 0) startMs = ctx.exportMs - r.startDeltaUs / 1000;
    if (endMs < 0 && r.endUptime >= 0) endMs = this.uptime(s, ctx, r.endUptime);
    if (startMs < 0 && r.startUptime >= 0) startMs = this.uptime(s, ctx, r.startUptime);
    if (endMs < 0) endMs = startMs >= 0 ? startMs : ctx.exportMs;
    if (startMs < 0 || startMs > endMs) startMs = endMs;
    return { startMs, endMs };
  }

  private uptime(s: ExporterSession, ctx: SetContext, t: number): number {
    if (ctx.protocol === 'netflow9') return uptimeToMs(ctx.exportMs, ctx.sysUptimeMs, t);
    // IPFIX sysUpTime elements count from systemInitTimeMilliseconds (an options record); without it the
    // export time is the best bound.
    return s.systemInitMs >= 0 ? s.systemInitMs + t : ctx.exportMs;
  }

  // --- data sets waiting for their template ---

  private park(s: ExporterSession, templateId: number, body: Uint8Array, ctx: SetContext): void {
    const o = this.options;
    while (this.pending.length > 0 && (this.pending.length >= o.maxPendingSets || this.pendingBytes + body.length > o.maxPendingBytes)) {
      this.dropOldestPending();
    }
    if (body.length > o.maxPendingBytes) {
      this.st.pending_dropped++;
      this.onAnomaly(FA.pendingDropped);
      return;
    }
    this.pending.push({ sessionKey: s.key, exporter: s.exporter, domain: s.domain, templateId, body, ctx, arrival: ctx.meta.ts });
    this.pendingBytes += body.length;
  }

  private dropOldestPending(): void {
    const p = this.pending.shift();
    if (p === undefined) return;
    this.pendingBytes -= p.body.length;
    this.st.pending_dropped++;
    this.onAnomaly(FA.pendingDropped);
  }

  private expirePending(now: number): void {
    while (this.pending.length > 0 && now - this.pending[0].arrival > this.options.pendingTimeoutS) this.dropOldestPending();
  }

  private replayPending(s: ExporterSession, templateId: number): void {
    const t = s.templates.get(templateId);
    if (t === undefined) return;
    const waiting: PendingSet[] = [];
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (p.sessionKey === s.key && p.templateId === templateId) {
        waiting.push(p);
        this.pending.splice(i--, 1);
        this.pendingBytes -= p.body.length;
      }
    }
    for (const p of waiting) {
      this.st.pending_decoded++;
      this.decodeSet(s, t, p.body, 0, p.body.length, p.ctx);
    }
  }
}

function first(...values: number[]): number {
  for (const v of values) if (v >= 0) return v;
  return -1;
}

function allZero(d: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (d[i] !== 0) return false;
  return true;
}

/** Absolute time (ms) of an exporter uptime stamp, given the export time and the uptime at export. */
function uptimeToMs(exportMs: number, sysUptimeMs: number, t: number): number {
  // Signed 32-bit difference: stamps a little after the header's uptime (clock skew) or across a wrap stay near.
  return exportMs - ((sysUptimeMs - t) | 0);
}
