/**
 * A map with at most `max` entries that forgets the least recently used ones, in O(1): two generations,
 * entries move to the young one when touched and the old one is dropped whole when the young one fills.
 * (Evicting a Map's first key one at a time is O(deleted entries) in V8 until it rehashes: it cost more
 * than the detectors themselves on flow-heavy traffic.)
 *
 * Besides keys of type K, a map takes keys that are pairs of unsigned 32-bit numbers (`getPair`,
 * `insertAbsentPair`, ...: an IPv4 source and destination, an address and a port), kept in typed-array tables
 * beside each generation: no string built and no number boxed per lookup. Both kinds count toward the same
 * bound and age together, so a caller that keys IPv4 pairs numerically and the rest as strings forgets
 * exactly the entries one map of strings would.
 * @module
 */
import { PairTable, randomSeed } from './pair-table.ts';

export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  /** Pair-keyed entries of each generation (made at the first pair key). */
  private youngPairs: PairTable<V> | undefined;
  private oldPairs: PairTable<V> | undefined;
  private readonly half: number;
  /** Entries forgotten so far. */
  evicted = 0;
  /**
   * Times the young generation became the old one. An entry put in the young generation (inserted, or moved
   * there by `get`/`set`) when this was r is in the young one while it is r, in the old one at r + 1, gone after.
   */
  rotations = 0;

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.put(key, o);
    }
    return o;
  }

  /** The value of `key`, made by `create` when absent: three map operations on a miss instead of five. */
  getOrCreate(key: K, create: () => V): V {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.put(key, o);
      return o;
    }
    const made = create();
    this.put(key, made);
    return made;
  }

  /** Insert `key`, which the caller has just found absent (`get` returned undefined): one map operation. */
  insertAbsent(key: K, value: V): void {
    this.put(key, value);
  }

  /** `get` for a pair key. */
  getPair(hi: number, lo: number): V | undefined {
    const young = this.youngPairs;
    if (young === undefined) return undefined;
    const h = young.hash(hi, lo);
    const i = young.probe(h, hi, lo);
    if (i >= 0) return young.valueAt(i);
    return this.takeOldPair(h, hi, lo);
  }

  /**
   * The value of a pair key (made the newest, as `getPair` does), or, when absent, undefined after inserting
   * `absent` for it (as `insertAbsentPair` does). The key hashed once for both generations and the insert (both
   * tables share a seed), the insert at the slot the young table's probe ended on: a first sighting, the usual
   * case on a flood of spoofed sources, walks one probe chain per generation and no more.
   */
  getPairOrInsert(hi: number, lo: number, absent: V): V | undefined {
    const young = this.youngPairs ?? this.makePairTables();
    const h = young.hash(hi, lo);
    const i = young.probe(h, hi, lo);
    if (i >= 0) return young.valueAt(i);
    const o = this.takeOldPair(h, hi, lo);
    if (o !== undefined) return o;
    if (this.makeRoom()) this.youngPairs!.insertHashed(h, hi, lo, absent);
    else young.insertAt(-1 - i, h, hi, lo, absent);
    return undefined;
  }

  /** The old generation's value of a pair key of hash `h`, moved to the young generation; undefined when absent. */
  private takeOldPair(h: number, hi: number, lo: number): V | undefined {
    const old = this.oldPairs!;
    if (old.size === 0) return undefined;
    const j = old.probe(h, hi, lo);
    if (j < 0) return undefined;
    const o = old.valueAt(j);
    old.deleteAt(j);
    this.makeRoom();
    // Absent from both generations now (just taken out of the old one).
    this.youngPairs!.insertHashed(h, hi, lo, o);
    return o;
  }

  /** `insertAbsent` for a pair key. */
  insertAbsentPair(hi: number, lo: number, value: V): void {
    this.putPair(hi, lo, value);
  }

  /** Replace the value of a pair key that `getPair` has just returned (so it is in the young generation): nothing ages. */
  replacePair(hi: number, lo: number, value: V): void {
    this.youngPairs!.set(hi, lo, value);
  }

  hasPair(hi: number, lo: number): boolean {
    return this.youngPairs !== undefined && (this.youngPairs.has(hi, lo) || this.oldPairs!.has(hi, lo));
  }

  deletePair(hi: number, lo: number): boolean {
    return this.youngPairs !== undefined && (this.youngPairs.delete(hi, lo) || this.oldPairs!.delete(hi, lo));
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.put(key, value);
  }

  delete(key: K): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size + this.pairCount();
  }

  /** Old generation first, then young (roughly oldest first); within a generation, pair-keyed values last. */
  *values(): IterableIterator<V> {
    yield* this.old.values();
    if (this.oldPairs) yield* this.oldPairs.values();
    yield* this.young.values();
    if (this.youngPairs) yield* this.youngPairs.values();
  }

  /** Keys and values of the K-keyed entries (not the pair-keyed ones), old generation first. */
  *entries(): IterableIterator<[K, V]> {
    yield* this.old.entries();
    yield* this.young.entries();
  }

  /** Every entry, in the order of `entries()`, without an iterator result or a [key, value] array per entry. */
  forEach(visit: (value: V, key: K) => void): void {
    this.old.forEach(visit);
    this.young.forEach(visit);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.youngPairs?.clear();
    this.oldPairs?.clear();
  }

  private put(key: K, value: V): void {
    this.makeRoom();
    this.young.set(key, value);
  }

  private putPair(hi: number, lo: number, value: V): void {
    if (this.youngPairs === undefined) this.makePairTables();
    this.makeRoom();
    // Absent from both generations here (a miss).
    this.youngPairs!.insertAbsent(hi, lo, value);
  }

  /** The tables of pair keys, at the first one: one seed for both, so a key hashes the same in either generation. */
  private makePairTables(): PairTable<V> {
    const seed = randomSeed();
    // At most `half` entries a generation: load ≤ 1/2 with no rebuild.
    this.oldPairs = new PairTable(this.half, seed);
    return this.youngPairs = new PairTable(this.half, seed);
  }

  /** The young generation full: it becomes the old one, and the old one is dropped whole. Returns whether it did. */
  private makeRoom(): boolean {
    const youngPairs = this.youngPairs;
    if (this.young.size + (youngPairs === undefined ? 0 : youngPairs.size) < this.half) return false;
    this.evicted += this.old.size + (this.oldPairs === undefined ? 0 : this.oldPairs.size);
    this.rotations++;
    this.old = this.young;
    this.young = new Map();
    if (youngPairs !== undefined) {
      // The dropped generation's table, emptied, is the new young one.
      const dropped = this.oldPairs!;
      dropped.clear();
      this.oldPairs = youngPairs;
      this.youngPairs = dropped;
    }
    return true;
  }

  private pairCount(): number {
    return this.youngPairs === undefined ? 0 : this.youngPairs.size + this.oldPairs!.size;
  }
}
