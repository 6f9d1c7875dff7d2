import { BoundedMap } from './bounded-map.ts';

/**
 * Bounded windows detectors count with: how many distinct targets a key reached recently, and how many
 * events a key had recently. Both evict their oldest key when full and keep a small payload per item
 * (the evidence of the attempts before a threshold was crossed).
 * @module
 */

type Target = string | number;
interface Item<P> {
  ts: number;
  payload: P;
}

/**
 * Distinct targets of one key. Most keys of a flood or a scan reach one target only, so the first target lives
 * in two fields and a Map is made only for a second one (a Map per key was the detectors' main cost on
 * one-flow-per-source floods).
 */
export class DistinctState<P> {
  private firstTarget: Target | undefined;
  /** The first target's time and payload as plain fields (no item object per attempt); valid when hasFirst. */
  private firstTs = 0;
  private firstPayload: P | undefined;
  private hasFirst = false;
  /**
   * From a second target: each target's item, or (`direct`) its payload alone, its time read back from it (no
   * item object per attempt: a scanner's attempts are kept until it trips, long enough to be promoted).
   */
  private map: Map<Target, Item<P> | P> | undefined;
  private readonly direct: SingleAttempt<P> | undefined;
  /** Newest time seen for the key (input may come slightly out of order, e.g. flows ended together). */
  maxTs: number;
  /**
   * Threshold already crossed: items are no longer kept, the caller reports every further one at once,
   * until a whole window passes without one (then the key is re-armed).
   */
  tripped = false;

  /** `direct`: how to read an attempt's time from its payload (every payload's time is the `ts` it was set with). */
  constructor(ts: number, direct?: SingleAttempt<P>) {
    this.maxTs = ts;
    this.direct = direct;
  }

  /** Distinct targets within the window. */
  get size(): number {
    return this.map ? this.map.size : this.hasFirst ? 1 : 0;
  }

  /** Targets and their items, oldest first. */
  entries(): Iterable<[Target, Item<P>]> {
    if (this.map) return this.direct === undefined ? (this.map as Map<Target, Item<P>>) : [...this.map].map(([t, v]) => [t, this.itemOf(v)] as [Target, Item<P>]);
    return this.hasFirst ? [[this.firstTarget as Target, { ts: this.firstTs, payload: this.firstPayload as P }]] : [];
  }

  /** What the map keeps for an attempt at `ts` with `payload`. */
  private valueOf(ts: number, payload: P): Item<P> | P {
    return this.direct === undefined ? { ts, payload } : payload;
  }

  private tsOf(v: Item<P> | P): number {
    return this.direct === undefined ? (v as Item<P>).ts : this.direct.ts(v as P);
  }

  private itemOf(v: Item<P> | P): Item<P> {
    return this.direct === undefined ? (v as Item<P>) : { ts: this.direct.ts(v as P), payload: v as P };
  }

  /** (Re)insert `target` as the newest. */
  set(target: Target, ts: number, payload: P): void {
    if (!this.map) {
      if (!this.hasFirst || this.firstTarget === target) {
        this.firstTarget = target;
        this.firstTs = ts;
        this.firstPayload = payload;
        this.hasFirst = true;
        return;
      }
      this.map = new Map();
      this.map.set(this.firstTarget as Target, this.valueOf(this.firstTs, this.firstPayload as P));
      this.clearFirst();
    }
    this.map.delete(target); // re-insert: insertion order stays close to time order
    this.map.set(target, this.valueOf(ts, payload));
  }

  /** Drop targets older than `cutoff`, then the oldest beyond `max`. */
  prune(cutoff: number, max: number): void {
    const map = this.map;
    if (!map) {
      if (this.hasFirst && (this.firstTs < cutoff || max < 1)) this.clear();
      return;
    }
    for (const [t, v] of map) if (this.tsOf(v) < cutoff) map.delete(t);
    for (const t of map.keys()) {
      if (map.size <= max) break;
      map.delete(t);
    }
  }

  /** Forget `target` (an attempt that turned out to be a real connection). */
  delete(target: Target): void {
    if (this.map) this.map.delete(target);
    else if (this.hasFirst && this.firstTarget === target) this.clear();
  }

  clear(): void {
    this.clearFirst();
    this.map = undefined;
  }

  private clearFirst(): void {
    this.firstTarget = undefined;
    this.firstPayload = undefined;
    this.hasFirst = false;
  }
}

/**
 * How a pair-keyed window reads a key's first attempt back from its payload alone (its target and time), so
 * that attempt is stored as the payload itself, no DistinctState made: on a flood of spoofed sources almost
 * every key has one attempt and is forgotten without another. With it, a key's state keeps its attempts as
 * their payloads too (no item object each). A payload's `ts` must be the time it was added with.
 */
export interface SingleAttempt<P> {
  target(payload: P): Target;
  ts(payload: P): number;
}

/** Distinct targets per key within a time window (e.g. ports per scanner). */
export class DistinctWindow<P> {
  /** A key's state, or (pair keys with `single`) the payload of its only attempt. */
  private readonly keys: BoundedMap<string | number, DistinctState<P> | P>;
  private readonly windowS: number;
  private readonly maxItems: number;
  private readonly pruneAt: number;
  private readonly single: SingleAttempt<P> | undefined;
  /** What `addPair` returns for a key's first attempt kept as its payload: one target, not tripped (read it, do not keep it). */
  private readonly firstAttempt = new DistinctState<P>(0);

  /**
   * `threshold`: the caller's trip count; old items are pruned once a key holds that many. `single`: pair keys
   * keep their first attempt as the payload (only when the threshold is at least 2: a first attempt never trips).
   */
  constructor(windowS: number, threshold: number, maxKeys: number, maxItems: number, single?: SingleAttempt<P>) {
    this.windowS = windowS;
    this.keys = new BoundedMap(maxKeys);
    this.maxItems = Math.max(maxItems, threshold);
    this.pruneAt = Math.max(1, threshold);
    this.single = threshold >= 2 ? single : undefined;
    this.firstAttempt.set(0, 0, undefined as P);
  }

  /** Record `target` for `key` at `ts`; returns the key's state (distinct targets within the window). */
  add(key: string | number, target: Target, ts: number, payload: P): DistinctState<P> {
    // get + insertAbsent rather than getOrCreate: no closure allocated per attempt (most are misses on a flood).
    let state = this.keys.get(key) as DistinctState<P> | undefined;
    if (state === undefined) {
      state = new DistinctState<P>(ts, this.single);
      this.keys.insertAbsent(key, state);
    }
    return this.record(state, target, ts, payload);
  }

  /**
   * `add` for a key that is a pair of unsigned 32-bit numbers (e.g. IPv4 source and destination): nothing
   * allocated to look it up. A pair and a string or number key are different keys, so a caller keys each
   * thing it counts always the same way.
   */
  addPair(hi: number, lo: number, target: Target, ts: number, payload: P): DistinctState<P> {
    let found: DistinctState<P> | P | undefined;
    if (this.single !== undefined) {
      // A first attempt is kept as its payload: looked up and inserted with one hash (BoundedMap.getPairOrInsert).
      found = this.keys.getPairOrInsert(hi, lo, payload);
      if (found === undefined) return this.firstAttempt;
    } else {
      found = this.keys.getPair(hi, lo);
    }
    let state: DistinctState<P>;
    if (found === undefined) {
      state = new DistinctState<P>(ts, this.single);
      this.keys.insertAbsentPair(hi, lo, state);
    } else if (found instanceof DistinctState) {
      state = found;
    } else {
      state = this.promote(found);
      this.keys.replacePair(hi, lo, state);
    }
    return this.record(state, target, ts, payload);
  }

  /** The state a first attempt kept as its payload stands for (as `record` left it: maxTs its time). */
  private promote(payload: P): DistinctState<P> {
    const single = this.single!;
    const ts = single.ts(payload);
    const state = new DistinctState<P>(ts, single);
    state.set(single.target(payload), ts, payload);
    return state;
  }

  private record(state: DistinctState<P>, target: Target, ts: number, payload: P): DistinctState<P> {
    if (state.tripped) {
      // Re-armed after a whole quiet window: the key must cross the threshold again to be reported.
      if (ts - state.maxTs <= this.windowS) {
        if (ts > state.maxTs) state.maxTs = ts;
        return state;
      }
      state.tripped = false;
    }
    state.set(target, ts, payload);
    if (ts > state.maxTs) state.maxTs = ts;
    if (state.size >= this.pruneAt || state.size > this.maxItems) state.prune(state.size >= this.pruneAt ? state.maxTs - this.windowS : -Infinity, this.maxItems);
    return state;
  }

  /** Take back an attempt counted for `key` (it carried data after all); nothing once the key tripped. */
  withdraw(key: string | number, target: Target): void {
    const state = this.keys.get(key) as DistinctState<P> | undefined;
    if (state !== undefined && !state.tripped) state.delete(target);
  }

  /** `withdraw` for a pair key. */
  withdrawPair(hi: number, lo: number, target: Target): void {
    const found = this.keys.getPair(hi, lo);
    if (found === undefined) return;
    if (found instanceof DistinctState) {
      if (!found.tripped) found.delete(target);
      return;
    }
    // The key stays, empty, as a state emptied by `delete` stays (it still counts toward the bound).
    if (this.single!.target(found) === target) this.keys.replacePair(hi, lo, new DistinctState<P>(this.single!.ts(found), this.single));
  }

  /** Mark a key as reported and free its items. */
  trip(state: DistinctState<P>): void {
    state.tripped = true;
    state.clear();
  }
}

interface RateState<P> {
  ts: number[];
  payloads: P[];
  tripped: boolean;
  /** Newest event time of a tripped key: a whole quiet window after it re-arms the key. */
  lastTs: number;
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
      state = { ts: [], payloads: [], tripped: false, lastTs: ts };
      this.keys.set(key, state);
    }
    if (state.tripped) {
      if (ts - state.lastTs <= this.windowS) {
        if (ts > state.lastTs) state.lastTs = ts;
        return [payload];
      }
      state.tripped = false; // quiet for a whole window: re-armed
    }
    state.ts.push(ts);
    state.payloads.push(payload);
    if (state.ts.length > this.threshold) {
      state.ts.shift();
      state.payloads.shift();
    }
    if (state.ts.length === this.threshold && ts - state.ts[0] <= this.windowS) {
      state.tripped = true;
      state.lastTs = ts;
      const out = state.payloads;
      state.ts = [];
      state.payloads = [];
      return out;
    }
    return [];
  }
}
