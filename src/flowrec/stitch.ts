/**
 * One-way records (NetFlow v5/v9, most IPFIX exporters) stitched into two-way flows: a record waits a short
 * while (arrival time) for the record of the reverse direction from the same exporter and domain; when it
 * comes, both become one flow whose originator is the side that started first. Bidirectional records
 * (RFC 5103, Cisco NSEL) pass straight through. The waiting table is bounded.
 * @module
 */
import type { FlowRecord } from '../flow/types.ts';
import { FA } from './anomalies.ts';
import { toFlowRecord } from './to-flow.ts';
import type { ExportedFlow } from './types.ts';

export interface StitchOptions {
  /** Seconds (arrival time) a one-way record waits for its reverse before it is published alone. */
  holdS: number;
  /** Records waiting at once; beyond it the oldest is published one-way (counted). */
  maxPending: number;
  /** How far apart (ms) the two directions' time spans may be and still be one conversation. */
  slackMs: number;
}

export const defaultStitchOptions: StitchOptions = { holdS: 30, maxPending: 65536, slackMs: 5000 };

const SYN = 0x02, ACK = 0x10;

function key(f: ExportedFlow, reverse: boolean): string {
  return reverse
    ? `${f.exporter}|${f.domain}|${f.proto}|${f.dstIp}|${f.dstPort}|${f.srcIp}|${f.srcPort}|${f.icmpType}`
    : `${f.exporter}|${f.domain}|${f.proto}|${f.srcIp}|${f.srcPort}|${f.dstIp}|${f.dstPort}|${f.icmpType}`;
}

/** Which of two directions opened the conversation. */
function originatorFirst(a: ExportedFlow, b: ExportedFlow): boolean {
  if (a.startMs !== b.startMs) return a.startMs < b.startMs;
  const aSyn = (a.tcpFlags & SYN) !== 0 && (a.tcpFlags & ACK) === 0;
  const bSyn = (b.tcpFlags & SYN) !== 0 && (b.tcpFlags & ACK) === 0;
  if (aSyn !== bSyn) return aSyn;
  // Equal times and no telling flags: the side talking to the lower (service) port is the client.
  return a.dstPort <= b.dstPort;
}

export class FlowStitcher {
  readonly options: StitchOptions;
  private readonly waiting = new Map<string, ExportedFlow>();
  private readonly publish: (f: FlowRecord) => void;
  private readonly onAnomaly: (id: string) => void;
  private flowId = 0;
  stitched = 0;
  oneWay = 0;
  biflows = 0;

  constructor(publish: (f: FlowRecord) => void, onAnomaly: (id: string) => void, options: Partial<StitchOptions> = {}) {
    this.options = { ...defaultStitchOptions, ...options };
    this.publish = publish;
    this.onAnomaly = onAnomaly;
  }

  get pending(): number {
    return this.waiting.size;
  }

  add(f: ExportedFlow): void {
    if (f.biflow) {
      this.biflows++;
      this.publish(toFlowRecord(f, undefined, ++this.flowId));
      return;
    }
    const rk = key(f, true);
    const other = this.waiting.get(rk);
    if (other !== undefined && other.startMs <= f.endMs + this.options.slackMs && f.startMs <= other.endMs + this.options.slackMs) {
      this.waiting.delete(rk);
      this.stitched++;
      const [orig, rev] = originatorFirst(other, f) ? [other, f] : [f, other];
      this.publish(toFlowRecord(orig, rev, ++this.flowId));
      return;
    }
    const k = key(f, false);
    const prev = this.waiting.get(k);
    if (prev !== undefined) {
      // The same direction again (next active-timeout slice): the earlier slice goes out alone.
      this.waiting.delete(k);
      this.emitOneWay(prev);
    }
    if (this.waiting.size >= this.options.maxPending) this.evictOldest();
    this.waiting.set(k, f);
  }

  /**
   * Full: the oldest sixteenth goes out one-way in one pass (evicting one at a time from the head of a Map
   * walks the tombstones of every earlier delete: quadratic under a flood).
   */
  private evictOldest(): void {
    let n = Math.max(1, this.options.maxPending >> 4);
    for (const [k, f] of this.waiting) {
      this.waiting.delete(k);
      this.onAnomaly(FA.stitchLimit);
      this.emitOneWay(f);
      if (--n === 0) break;
    }
  }

  /** Publish records that waited longer than holdS (arrival time `now`, seconds). */
  sweep(now: number): void {
    for (const [k, f] of this.waiting) {
      if (now - f.ts < this.options.holdS) break; // insertion order is arrival order
      this.waiting.delete(k);
      this.emitOneWay(f);
    }
  }

  /** End of input: everything still waiting goes out one-way. */
  flush(): void {
    for (const f of this.waiting.values()) this.emitOneWay(f);
    this.waiting.clear();
  }

  private emitOneWay(f: ExportedFlow): void {
    this.oneWay++;
    this.publish(toFlowRecord(f, undefined, ++this.flowId));
  }
}
