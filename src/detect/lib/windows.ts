/**
 * Bounded windows detectors count with: how many distinct targets a key reached recently, and how many
 * events a key had recently. Both evict their oldest key when full and keep a small payload per item
 * (the evidence of the attempts before a threshold was crossed).
 * @module
 */

interface DistinctState<P> {
  items: Map<string | number, { ts: number; payload: P }>;
  /** Threshold already crossed: the caller reports every further item at once. */
  tripped: boolean;
}

/** Distinct targets per key within a time window (e.g. ports per scanner). */
export class DistinctWindow<P> {
  private readonly keys = new Map<string, DistinctState<P>>();
  private readonly windowS: number;
  private readonly maxKeys: number;
  private readonly maxItems: number;
  /** Keys dropped because the table was full. */
  evictedKeys = 0;

  constructor(windowS: number, maxKeys: number, maxItems: number) {
    this.windowS = windowS;
    this.maxKeys = maxKeys;
    this.maxItems = maxItems;
  }

  /** Record `target` for `key` at `ts`; returns the key's state (items = distinct targets within the window). */
  add(key: string, target: string | number, ts: number, payload: P): DistinctState<P> {
    let state = this.keys.get(key);
    if (state === undefined) {
      if (this.keys.size >= this.maxKeys) {
        const oldest = this.keys.keys().next().value as string;
        this.keys.delete(oldest);
        this.evictedKeys++;
      }
      state = { items: new Map(), tripped: false };
      this.keys.set(key, state);
    }
    const items = state.items;
    items.delete(target); // re-insert: insertion order stays close to time order
    items.set(target, { ts, payload });
    const cutoff = ts - this.windowS;
    for (const [t, item] of items) {
      if (item.ts >= cutoff && items.size <= this.maxItems) break;
      items.delete(t);
    }
    return state;
  }
}

interface RateState<P> {
  ts: number[];
  payloads: P[];
  tripped: boolean;
}

/** The last `threshold` events per key: trips when they all fall within the window. */
export class RateWindow<P> {
  private readonly keys = new Map<string, RateState<P>>();
  private readonly windowS: number;
  private readonly threshold: number;
  private readonly maxKeys: number;
  evictedKeys = 0;

  constructor(windowS: number, threshold: number, maxKeys: number) {
    this.windowS = windowS;
    this.threshold = Math.max(1, threshold);
    this.maxKeys = maxKeys;
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
      if (this.keys.size >= this.maxKeys) {
        const oldest = this.keys.keys().next().value as string;
        this.keys.delete(oldest);
        this.evictedKeys++;
      }
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
