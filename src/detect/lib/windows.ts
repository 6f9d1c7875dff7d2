import { BoundedMap } from './bounded-map.ts';

/**
 * Bounded windows detectors count with: how many distinct targets a key reached recently, and how many
 * events a key had recently. Both evict their oldest key when full and keep a small payload per item
 * (the evidence of the attempts before a threshold was crossed).
 * @module
 */

interface DistinctState<P> {
  items: Map<string | number, { ts: number; payload: P }>;
  /** Newest time seen for the key (input may come slightly out of order, e.g. flows ended together). */
  maxTs: number;
  /** Threshold already crossed: items are no longer kept, the caller reports every further one at once. */
  tripped: boolean;
}

/** Distinct targets per key within a time window (e.g. ports per scanner). */
export class DistinctWindow<P> {
  private readonly keys: BoundedMap<string, DistinctState<P>>;
  private readonly windowS: number;
  private readonly maxItems: number;
  private readonly pruneAt: number;

  /** `threshold`: the caller's trip count; old items are pruned once a key holds that many. */
  constructor(windowS: number, threshold: number, maxKeys: number, maxItems: number) {
    this.windowS = windowS;
    this.keys = new BoundedMap(maxKeys);
    this.maxItems = Math.max(maxItems, threshold);
    this.pruneAt = Math.max(1, threshold);
  }

  /** Record `target` for `key` at `ts`; returns the key's state (items = distinct targets within the window). */
  add(key: string, target: string | number, ts: number, payload: P): DistinctState<P> {
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { items: new Map(), maxTs: ts, tripped: false };
      this.keys.set(key, state);
    }
    if (state.tripped) return state;
    const items = state.items;
    items.delete(target); // re-insert: insertion order stays close to time order
    items.set(target, { ts, payload });
    if (ts > state.maxTs) state.maxTs = ts;
    if (items.size >= this.pruneAt) {
      const cutoff = state.maxTs - this.windowS;
      for (const [t, item] of items) if (item.ts < cutoff) items.delete(t);
    }
    for (const t of items.keys()) {
      if (items.size <= this.maxItems) break;
      items.delete(t);
    }
    return state;
  }

  /** Mark a key as reported and free its items. */
  trip(state: DistinctState<P>): void {
    state.tripped = true;
    state.items.clear();
  }
}

interface RateState<P> {
  ts: number[];
  payloads: P[];
  tripped: boolean;
}

/** The last `threshold` events per key: trips when they all fall within the window. */
export class RateWindow<P> {
  private readonly keys: BoundedMap<string, RateState<P>>;
  private readonly windowS: number;
  private readonly threshold: number;

  constructor(windowS: number, threshold: number, maxKeys: number) {
    this.windowS = windowS;
    this.threshold = Math.max(1, threshold);
    this.keys = new BoundedMap(maxKeys);
  }

  /** Whether the key crossed its threshold (and is still tracked). */
  tripped(key: string): boolean {
    return this.keys.get(key)?.tripped === true;
  }

  /**
   * Record one event. Returns the payloads to report: the buffered ones (oldest first) when the threshold is
   * crossed now, just this one when it was crossed before, none while below it.
   */
  add(key: string, ts: number, payload: P): P[] {
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { ts: [], payloads: [], tripped: false };
      this.keys.set(key, state);
    }
    if (state.tripped) return [payload];
    state.ts.push(ts);
    state.payloads.push(payload);
    if (state.ts.length > this.threshold) {
      state.ts.shift();
      state.payloads.shift();
    }
    if (state.ts.length === this.threshold && ts - state.ts[0] <= this.windowS) {
      state.tripped = true;
      const out = state.payloads;
      state.ts = [];
      state.payloads = [];
      return out;
    }
    return [];
  }
}
