/**
 * The entry of a BoundedMap looked up last, remembered: a brute force looks up one key many times in a row (its
 * server's refusals, its story), and a second lookup of the key just found changes nothing in the map. Valid
 * while the map has not rotated since (a rotation moves the entry to the old generation, where `get` would move
 * it back): the same answers, and the same ageing, as calling `get` every time. For maps whose entries are only
 * added and looked up (never deleted or cleared).
 * @module
 */
import type { BoundedMap } from './bounded-map.ts';

export class LastEntry<V> {
  private readonly map: BoundedMap<string, V>;
  private key: string | undefined;
  private value: V | undefined;
  private rotations = -1;

  constructor(map: BoundedMap<string, V>) {
    this.map = map;
  }

  /** `map.get(key)`. */
  get(key: string): V | undefined {
    if (key === this.key && this.rotations === this.map.rotations) return this.value;
    const value = this.map.get(key);
    this.remember(key, value);
    return value;
  }

  /** `map.insertAbsent(key, value)` (the caller just found the key absent). */
  insertAbsent(key: string, value: V): void {
    this.map.insertAbsent(key, value);
    this.remember(key, value);
  }

  private remember(key: string, value: V | undefined): void {
    this.key = key;
    this.value = value;
    this.rotations = this.map.rotations;
  }
}
