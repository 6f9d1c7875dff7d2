/**
 * Counts per key (a flood window's vectors, its destination ports), read as a Map in insertion order.
 *
 * Up to two keys are counted in fields, with no Map: most windows see one vector or one port and are
 * forgotten, and a window lives long enough for whatever it holds to be copied by the young-generation
 * collector and promoted (a Map per window was a large part of the detectors' GC time). Two, not one: a flow
 * counted as a 'syn' at its first packet is renamed 'tcp-connect' at its end, so a window of one connection
 * holds two keys. From a third key on, a Map holds them all, with the current run of one key counted in a
 * field: a flood's flows share one vector and one port, so counting one is a comparison and an increment, not
 * a Map lookup and a store. Every read sees exactly the Map that counting each key at once would have built.
 * Keys are compared with === (vectors, ports: never NaN).
 * @module
 */
export class Tally<K> {
  /** The keys counted in fields (while there is no Map): how many (0-2), and each with its count. */
  private inline = 0;
  private key0: K | undefined = undefined;
  private count0 = 0;
  private key1: K | undefined = undefined;
  private count1 = 0;
  private map: Map<K, number> | undefined = undefined;
  /** With a Map: the key counted last (present in the map) and its counts not yet added there; valid while `inRun`. */
  private runKey: K | undefined = undefined;
  private run = 0;
  private inRun = false;
  /** Keys beyond this many are not counted (the ones already counted still are). */
  private readonly maxKeys: number;

  constructor(maxKeys = Infinity) {
    this.maxKeys = maxKeys;
  }

  /** Count `key` once (unless it is new and `maxKeys` are counted already). */
  add(key: K): void {
    if (this.map === undefined) {
      if (this.inline > 0 && key === this.key0) this.count0++;
      else if (this.inline > 1 && key === this.key1) this.count1++;
      else if (this.inline >= this.maxKeys) return;
      else if (this.inline < 2) this.append(key, 1);
      else this.toMap().set(key, 1);
      return;
    }
    if (this.inRun && key === this.runKey) {
      this.run++;
      return;
    }
    const map = this.settled();
    const n = map.get(key);
    if (n === undefined && map.size >= this.maxKeys) return;
    map.set(key, (n ?? 0) + 1);
    this.runKey = key;
    this.inRun = true;
  }

  /** The count of `key` (undefined when never counted). */
  get(key: K): number | undefined {
    if (this.map === undefined) {
      if (this.inline > 0 && key === this.key0) return this.count0;
      if (this.inline > 1 && key === this.key1) return this.count1;
      return undefined;
    }
    return this.settled().get(key);
  }

  /** Set the count of `key` (a flow's vector corrected at its end). */
  set(key: K, count: number): void {
    if (this.map === undefined) {
      if (this.inline > 0 && key === this.key0) this.count0 = count;
      else if (this.inline > 1 && key === this.key1) this.count1 = count;
      else if (this.inline < 2) this.append(key, count);
      else this.toMap().set(key, count);
      return;
    }
    this.settled().set(key, count);
  }

  /** Every key and its count, in the order first counted. */
  settled(): Map<K, number> {
    if (this.map === undefined) return this.toMap();
    if (this.run > 0) {
      const key = this.runKey as K;
      this.map.set(key, (this.map.get(key) as number) + this.run);
      this.run = 0;
    }
    this.inRun = false;
    return this.map;
  }

  private append(key: K, count: number): void {
    if (this.inline === 0) {
      this.key0 = key;
      this.count0 = count;
    } else {
      this.key1 = key;
      this.count1 = count;
    }
    this.inline++;
  }

  /** The Map of the keys counted in fields (made now, for a third key or a whole read). */
  private toMap(): Map<K, number> {
    const map = new Map<K, number>();
    if (this.inline > 0) map.set(this.key0 as K, this.count0);
    if (this.inline > 1) map.set(this.key1 as K, this.count1);
    this.key0 = this.key1 = undefined;
    this.inline = 0;
    this.map = map;
    return map;
  }
}
