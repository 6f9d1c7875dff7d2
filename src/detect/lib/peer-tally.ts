/**
 * Counts per peer with the busiest few kept in order as the counts grow: a finding that names its busiest peers
 * on every report reads them here instead of selecting them from the whole tally each time (topCounts walked
 * every peer and built a ranked array of pairs per report: on Mirai traffic a tally of thousands of scanners
 * per SYN, and a good share of the brute-force detector's garbage). Both rank exactly as topCounts does.
 * @module
 */
import { BoundedMap } from './bounded-map.ts';

export interface PeerCount {
  readonly peer: string;
  count: number;
  /** Position in first-counted order (ties rank by it, as topCounts ranks them by iteration order). */
  readonly seq: number;
}

export class PeerTally {
  private readonly counts = new Map<string, PeerCount>();
  /** The busiest `k` by count (descending), then first-counted order: exactly what topCounts(counts, k) gives. */
  private readonly ranked: PeerCount[] = [];
  private readonly k: number;
  private readonly maxPeers: number;

  /** `k`: peers kept ranked; `maxPeers`: peers counted (a new one past it is not counted). */
  constructor(k: number, maxPeers: number) {
    this.k = k;
    this.maxPeers = maxPeers;
  }

  /** Peers counted. */
  get size(): number {
    return this.counts.size;
  }

  /** The busiest peers, largest count first (shared: read it before the next add). */
  get top(): readonly PeerCount[] {
    return this.ranked;
  }

  /** Count `n` (>= 0) more for `peer`; a new peer is counted only while fewer than `maxPeers` are. */
  add(peer: string, n: number): void {
    let p = this.counts.get(peer);
    if (p === undefined) {
      if (this.counts.size >= this.maxPeers) return;
      p = { peer, count: n, seq: this.counts.size };
      this.counts.set(peer, p);
    } else {
      p.count += n;
    }
    // Only p's count grew: it ranks ahead of every peer it ranked ahead of before.
    placeRanked(this.ranked, this.k, p);
  }
}

interface Ranked {
  count: number;
  seq: number;
}

/** a ranks before b: a larger count, or the same count earlier in order. */
function before(a: Ranked, b: Ranked): boolean {
  return a.count > b.count || (a.count === b.count && a.seq < b.seq);
}

interface RecentCount {
  readonly peer: string;
  count: number;
  /** Rank among equal counts: grows with the entry's place in the map's iteration order (see `add`). */
  seq: number;
  /** The map's `rotations` when the entry was last put in its young generation. */
  gen: number;
}

/**
 * Counts per peer in a BoundedMap (the least recently counted forgotten), with the busiest `k` kept ranked as
 * topCounts(map, k) ranks them: by count, ties in the map's iteration order (old generation, then young, each
 * in insertion order). That order is the order in which entries were last put in the young generation, so
 * each entry carries a sequence number taken then; only a rotation that forgets a ranked peer makes the
 * ranking be read again from the whole map.
 */
export class RecentTally {
  private readonly map: BoundedMap<string, RecentCount>;
  private readonly ranked: RecentCount[] = [];
  private readonly k: number;
  private seq = 0;
  /** The map's rotations when the ranking was last checked for forgotten peers. */
  private checkedAt = 0;

  constructor(k: number, maxPeers: number) {
    this.k = k;
    this.map = new BoundedMap(maxPeers);
  }

  /** Peers counted (and not forgotten). */
  get size(): number {
    return this.map.size;
  }

  /** The busiest peers, largest count first (shared: read it before the next add). */
  get top(): readonly RecentCount[] {
    return this.ranked;
  }

  /** Count one more for `peer` (it becomes the most recently counted: BoundedMap get, then set when new). */
  add(peer: string): void {
    const map = this.map;
    let e = map.get(peer);
    if (e === undefined) {
      e = { peer, count: 0, seq: 0, gen: -1 };
      map.insertAbsent(peer, e);
    }
    e.count++;
    // Put in the young generation just now (new, or moved from the old one): last in iteration order.
    if (e.gen !== map.rotations) {
      e.gen = map.rotations;
      e.seq = ++this.seq;
    }
    if (map.rotations !== this.checkedAt) {
      this.checkedAt = map.rotations;
      if (this.ranked.some((r) => r.gen < map.rotations - 1)) return this.rerank();
    }
    // Its count grew by one: it ranks ahead of every peer it ranked ahead of before, whatever its new seq.
    placeRanked(this.ranked, this.k, e);
  }

  /** The ranking read again from the whole map (a ranked peer was forgotten). */
  private rerank(): void {
    const ranked = this.ranked;
    ranked.length = 0;
    this.map.forEach((e) => placeRanked(ranked, this.k, e));
  }
}

/**
 * `p` placed in `ranked` (the best `k` by count, then seq), given that p's rank improved and no other entry's
 * changed: the new best k are the old ones and p (any other entry is still behind the k that were ahead of it).
 */
function placeRanked<T extends Ranked>(ranked: T[], k: number, p: T): void {
  let i = ranked.indexOf(p);
  if (i < 0) {
    if (ranked.length < k) ranked.push(p);
    else if (k > 0 && before(p, ranked[k - 1])) ranked[k - 1] = p;
    else return;
    i = ranked.length - 1;
  }
  while (i > 0 && before(p, ranked[i - 1])) {
    ranked[i] = ranked[i - 1];
    i--;
  }
  ranked[i] = p;
}
