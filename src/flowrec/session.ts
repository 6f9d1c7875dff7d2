/**
 * Per-exporter state of the collector: one session per (exporter, protocol, observation domain / source id)
 * holds its templates, samplers, clock base and the sequence number it expects next. Sessions live in a
 * bounded, least-recently-used table so a template storm from spoofed exporters cannot grow memory.
 * @module
 */
import type { ExportProtocol } from './types.ts';
import type { Template } from './template.ts';

export class ExporterSession {
  readonly key: string;
  readonly exporter: string;
  readonly protocol: ExportProtocol;
  readonly domain: number;
  readonly templates = new Map<number, Template>();
  /** Sampler (v9 sampler id / IPFIX selector id) → packet sampling interval. */
  readonly samplers = new Map<number, number>();
  /** Sampling interval announced without a sampler id (applies to every record of the session). */
  defaultSampling = 1;
  /** IPFIX systemInitTimeMilliseconds from an options record: base of flowStart/EndSysUpTime. */
  systemInitMs = -1;
  /** Sequence number expected next (undefined until the first datagram, or after an undecodable one). */
  nextSeq: number | undefined;
  datagrams = 0;
  records = 0;
  /** Lost datagrams (v9 counts export packets) or records (v5, IPFIX count records) by sequence gaps. */
  lost = 0;
  sequenceBack = 0;

  constructor(key: string, exporter: string, protocol: ExportProtocol, domain: number) {
    this.key = key;
    this.exporter = exporter;
    this.protocol = protocol;
    this.domain = domain;
  }

  /** Check a datagram's sequence number against the expected one; returns the gap (0 when none or unknown). */
  sequence(seq: number, advance: number | undefined): { gap: number; back: boolean } {
    let gap = 0;
    let back = false;
    if (this.nextSeq !== undefined) {
      const diff = (seq - this.nextSeq) >>> 0;
      if (diff !== 0) {
        if (diff < 0x80000000) gap = diff;
        else back = true;
      }
    }
    if (gap > 0) this.lost += gap;
    if (back) this.sequenceBack++;
    this.nextSeq = advance === undefined ? undefined : (seq + advance) >>> 0;
    return { gap, back };
  }
}

/** Bounded LRU of sessions: `get` refreshes, inserting past the cap forgets the least recently used. */
export class SessionTable {
  private readonly map = new Map<string, ExporterSession>();
  private readonly max: number;
  evicted = 0;

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.map.size;
  }

  peek(key: string): ExporterSession | undefined {
    return this.map.get(key);
  }

  /** The session, created when new; `onEvict` hears of a session forgotten to make room. */
  obtain(exporter: string, protocol: ExportProtocol, domain: number, onEvict: () => void): ExporterSession {
    const key = `${exporter}|${protocol}|${domain}`;
    let s = this.map.get(key);
    if (s !== undefined) {
      this.map.delete(key);
      this.map.set(key, s);
      return s;
    }
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
      this.evicted++;
      onEvict();
    }
    s = new ExporterSession(key, exporter, protocol, domain);
    this.map.set(key, s);
    return s;
  }

  values(): IterableIterator<ExporterSession> {
    return this.map.values();
  }

  templateCount(): number {
    let n = 0;
    for (const s of this.map.values()) n += s.templates.size;
    return n;
  }
}
