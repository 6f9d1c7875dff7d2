/**
 * Folds finished flows into what the store keeps of them: flows and bytes started per 10 s of packet time,
 * and flows/bytes per protocol. Bounded by the capture's time span (one map entry per 10 s).
 * @module
 */
import type { FlowRecord } from '../flow/types.ts';
import type { FlowBucket, ProtocolCount } from './types.ts';

/** Resolution of stored flow counts, seconds; time-series buckets are multiples of it. */
export const FLOW_BUCKET_S = 10;
/** More distinct buckets than this (a capture spanning > ~115 days) are folded into the last one. */
const MAX_BUCKETS = 1_000_000;
const MAX_PROTOCOLS = 256;

export class FlowSeries {
  private readonly buckets = new Map<number, { flows: number; bytes: number }>();
  private readonly protocols = new Map<string, { flows: number; bytes: number }>();
  flows = 0;

  add(flow: FlowRecord): void {
    this.flows++;
    const bytes = flow.orig_bytes + flow.resp_bytes;
    const t = Math.floor(flow.first_ts / FLOW_BUCKET_S) * FLOW_BUCKET_S;
    let b = this.buckets.get(t);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) b = this.buckets.values().next().value;
      else this.buckets.set(t, (b = { flows: 0, bytes: 0 }));
    }
    if (b) {
      b.flows++;
      b.bytes += bytes;
    }
    const name = flow.app ?? flow.transport;
    let p = this.protocols.get(name);
    if (!p) {
      if (this.protocols.size >= MAX_PROTOCOLS) p = this.protocols.get('other');
      if (!p) this.protocols.set(this.protocols.size >= MAX_PROTOCOLS ? 'other' : name, (p = { flows: 0, bytes: 0 }));
    }
    p.flows++;
    p.bytes += bytes;
  }

  bucketList(): FlowBucket[] {
    return [...this.buckets].map(([t, b]) => ({ t, flows: b.flows, bytes: b.bytes })).sort((a, b) => a.t - b.t);
  }

  protocolList(): ProtocolCount[] {
    return [...this.protocols].map(([name, p]) => ({ name, flows: p.flows, bytes: p.bytes })).sort((a, b) => b.flows - a.flows);
  }
}
