/**
 * A map with at most `max` entries that forgets the least recently used ones, in O(1): two generations,
 * entries move to the young one when touched and the old one is dropped whole when the young one fills.
 * (Evicting a Map's first key one at a time is O(deleted entries) in V8 until it rehashes: it cost more
 * than the detectors themselves on flow-heavy traffic.)
 * @module
 */
export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;
  /** Entries forgotten so far. */
  evicted = 0;

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
    return this.young.size + this.old.size;
  }

  /** Old generation first, then young (roughly oldest first). */
  *values(): IterableIterator<V> {
    yield* this.old.values();
    yield* this.young.values();
  }

  /** Keys and values, old generation first. */
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
  }

  private put(key: K, value: V): void {
    if (this.young.size >= this.half) {
      this.evicted += this.old.size;
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
