/**
 * A Map that also finds its oldest entry in O(1) amortized. `map.entries().next()` walks past every entry
 * deleted since V8 last rehashed the table: dropping the oldest entry one at a time (a detector's bounded
 * windows) made it slower the longer a run went. Here a queue of (key, value) in insertion order is kept
 * beside the map; an item whose key has since been deleted or re-set is skipped (and dropped) when reached.
 * Iteration (`values`, `entries`) is the map's own: insertion order, as before.
 * @module
 */
export class OldestFirst<K, V> {
  private readonly map = new Map<K, V>();
  private queueKeys: K[] = [];
  private queueVals: V[] = [];
  private head = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /**
   * Insert `key`, absent now (delete it first to move it to the newest place). One value object is set at most
   * once under one key: a stale queue item is told from a live one by the value.
   */
  setAbsent(key: K, value: V): void {
    this.map.set(key, value);
    this.queueKeys.push(key);
    this.queueVals.push(value);
    // Items passed or stale beyond twice the live ones: rebuild the queue from the map (in insertion order).
    // Every such item came with an insertion, so the rebuild costs O(1) per insertion.
    if (this.queueKeys.length > 2 * this.map.size + 64) this.compact();
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The oldest entry's key (undefined when empty); its value by `get`. */
  oldestKey(): K | undefined {
    const keys = this.queueKeys, vals = this.queueVals;
    while (this.head < keys.length) {
      const k = keys[this.head];
      if (this.map.get(k) === vals[this.head]) return k;
      this.head++;
    }
    return undefined;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
    this.queueKeys = [];
    this.queueVals = [];
    this.head = 0;
  }

  private compact(): void {
    this.queueKeys = [...this.map.keys()];
    this.queueVals = [...this.map.values()];
    this.head = 0;
  }
}
