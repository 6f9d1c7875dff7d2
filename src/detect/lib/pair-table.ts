/**
 * A hash table keyed by two unsigned 32-bit numbers (an IPv4 source and destination, an address and a port):
 * open addressing over typed arrays, so a lookup or an insert allocates nothing — no key string built per
 * event, no boxed number. Seeded hash: the keys are addresses traffic chooses.
 *
 * A key's hash depends on the seed alone, not on the table's size, so tables made with one seed (the two
 * generations of a BoundedMap) hash a key once between them (`hash`, then `probe` in each); a miss's `probe`
 * also tells the slot an insert takes (`insertAt`), so a first sighting walks its probe chain once.
 *
 * A slot's key and state are three adjacent int32s (one array, not three): a probe reads one cache line, not one
 * per array. These tables sit beside a flow table that streams a new slot's lines through the caches per flow, so
 * on a flood of new keys nearly every probe missed in three arrays (the value array is read on a hit or insert only).
 * @module
 */

const EMPTY = 0;
const LIVE = 1;
const DELETED = 2;
/** Int32s per slot: hi, lo, state. */
const STRIDE = 3;

export class PairTable<V> {
  /** Slot i's key (as int32s) at [i * STRIDE], [i * STRIDE + 1], its state at [i * STRIDE + 2]. */
  private slots!: Int32Array;
  private vals!: (V | undefined)[];
  private mask!: number;
  /** Live entries. */
  size = 0;
  /** Live and deleted slots (a deleted slot still lengthens probe chains until the next rebuild). */
  private filled = 0;
  private readonly seed: number;

  /** Room for `expected` live entries at load ≤ 1/2 before the first rebuild; `seed` shared with other tables, or a random one. */
  constructor(expected: number, seed = randomSeed()) {
    this.seed = seed;
    this.allocate(expected);
  }

  /** Empty arrays with room for `live` entries at load ≤ 1/2. */
  private allocate(live: number): void {
    let cap = 16;
    while (cap < live * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * STRIDE);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
  }

  get(hi: number, lo: number): V | undefined {
    const i = this.find(hi, lo);
    return i < 0 ? undefined : this.vals[i];
  }

  has(hi: number, lo: number): boolean {
    return this.find(hi, lo) >= 0;
  }

  /** Insert or replace. */
  set(hi: number, lo: number, value: V): void {
    const found = this.find(hi, lo);
    if (found >= 0) {
      this.vals[found] = value;
      return;
    }
    this.insertAbsent(hi, lo, value);
  }

  /** Insert a key the caller knows is absent (it just missed it): one probe chain walked, not two. */
  insertAbsent(hi: number, lo: number, value: V): void {
    this.insertHashed(this.hash(hi, lo), hi, lo, value);
  }

  /** `insertAbsent` of a key whose `hash` the caller has. */
  insertHashed(h: number, hi: number, lo: number, value: V): void {
    if ((this.filled + 1) * 4 > (this.mask + 1) * 3) this.rebuild(this.size + 1);
    const slots = this.slots;
    let i = h & this.mask;
    while (slots[i * STRIDE + 2] === LIVE) i = (i + 1) & this.mask;
    this.place(i, hi, lo, value);
  }

  /**
   * Where the key of hash `h` is: its slot (≥ 0), or when absent `-1 - slot`, the slot an insert would take
   * (the first free one on its probe chain; see `insertAt`).
   */
  probe(h: number, hi: number, lo: number): number {
    const slots = this.slots, mask = this.mask, h32 = hi | 0, l32 = lo | 0;
    let free = -1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const j = i * STRIDE;
      const s = slots[j + 2];
      if (s === EMPTY) return -1 - (free < 0 ? i : free);
      if (s === LIVE) {
        if (slots[j] === h32 && slots[j + 1] === l32) return i;
      } else if (free < 0) {
        free = i;
      }
    }
  }

  /** The value in slot `i` (a `probe` hit). */
  valueAt(i: number): V {
    return this.vals[i] as V;
  }

  /**
   * Insert the absent key of hash `h` at `slot`, what its `probe` returned (as `-1 - slot`), the table unchanged
   * since: no probe chain walked again.
   */
  insertAt(slot: number, h: number, hi: number, lo: number, value: V): void {
    if (this.slots[slot * STRIDE + 2] === EMPTY && (this.filled + 1) * 4 > (this.mask + 1) * 3) return this.insertHashed(h, hi, lo, value);
    this.place(slot, hi, lo, value);
  }

  delete(hi: number, lo: number): boolean {
    const i = this.find(hi, lo);
    if (i < 0) return false;
    this.deleteAt(i);
    return true;
  }

  /** Remove the entry in slot `i` (a `probe` hit). */
  deleteAt(i: number): void {
    this.slots[i * STRIDE + 2] = DELETED;
    this.vals[i] = undefined;
    this.size--;
  }

  /** Live values, in slot order. */
  *values(): IterableIterator<V> {
    for (let i = 0; i <= this.mask; i++) if (this.slots[i * STRIDE + 2] === LIVE) yield this.vals[i] as V;
  }

  clear(): void {
    if (this.filled === 0) return;
    this.slots.fill(EMPTY);
    this.vals.fill(undefined);
    this.size = 0;
    this.filled = 0;
  }

  /** A key's hash: the seed's, whatever the table's size. */
  hash(hi: number, lo: number): number {
    let h = Math.imul(hi ^ this.seed, 0x9e3779b1) ^ lo;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  private place(i: number, hi: number, lo: number, value: V): void {
    const slots = this.slots, j = i * STRIDE;
    if (slots[j + 2] === EMPTY) this.filled++;
    slots[j] = hi;
    slots[j + 1] = lo;
    slots[j + 2] = LIVE;
    this.vals[i] = value;
    this.size++;
  }

  private find(hi: number, lo: number): number {
    return this.probe(this.hash(hi, lo), hi, lo);
  }

  /** Rehash the live entries into a table with room for `live` of them at load ≤ 1/2 (drops deleted slots). */
  private rebuild(live: number): void {
    const { slots, vals } = this;
    this.allocate(live);
    this.size = 0;
    this.filled = 0;
    for (let i = 0; i < vals.length; i++) if (slots[i * STRIDE + 2] === LIVE) this.insertAbsent(slots[i * STRIDE], slots[i * STRIDE + 1], vals[i] as V);
  }
}

/** A random 32-bit hash seed. */
export function randomSeed(): number {
  return (Math.random() * 0x100000000) | 0;
}
