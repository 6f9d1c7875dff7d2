/**
 * Counts per key (a flood window's vectors, its destination ports), in a Map read in insertion order, with
 * the current run of one key counted in a field: a flood's flows share one vector and one port, so counting
 * one is a comparison and an increment, not a Map lookup and a store. The run is added to the Map before
 * anything reads it, so every read sees exactly the Map that counting each key at once would have built.
 *
 * The Map itself is made only when a second key is counted or the counts are read whole (`settled`): most
 * windows see one key and are forgotten, and a window lives long enough for whatever it holds to be copied
 * by the young-generation collector and promoted (a Map per window was a large part of the detectors' GC).
 * @module
 */
export class Tally<K> {
  private map: Map<K, number> | undefined = undefined;
  /**
   * The key counted last and its counts not yet added to the Map; valid while `inRun`. With no Map yet, the
   * run is the only key and its whole count.
   */
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
    if (this.inRun && key === this.runKey) {
      this.run++;
      return;
    }
    if (this.map === undefined && !this.inRun) {
      // The first key: a run, no Map.
      if (this.maxKeys < 1) return;
      this.runKey = key;
      this.run = 1;
      this.inRun = true;
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
    if (this.map === undefined) return this.inRun && key === this.runKey ? this.run : undefined;
    return this.settled().get(key);
  }

  /** Set the count of `key` (a flow's vector corrected at its end). */
  set(key: K, count: number): void {
    if (this.map === undefined && this.inRun && key === this.runKey) {
      this.run = count;
      return;
    }
    this.settled().set(key, count);
  }

  /** Every key and its count, in the order first counted. */
  settled(): Map<K, number> {
    if (this.map === undefined) {
      this.map = new Map();
      if (this.inRun) this.map.set(this.runKey as K, this.run);
    } else if (this.run > 0) {
      const key = this.runKey as K;
      this.map.set(key, (this.map.get(key) as number) + this.run);
    }
    this.run = 0;
    this.inRun = false;
    return this.map;
  }
}
