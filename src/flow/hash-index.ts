/**
 * The flow table's hash index: open addressing (linear probing, backward-shift deletion) of one int32 per
 * entry, 0 = empty. An entry holds, from the low bits up:
 * - the slot + 1 (`slotBits`, enough for maxFlows);
 * - its distance from its home bucket (`dispBits`; the largest value means "that far or more": read the
 *   slot's hash then);
 * - a tag: the hash's bits above those (the rest of the word).
 *
 * Why the distance: deleting an entry shifts the entries after it back, each one only as far as its home
 * bucket allows, so it needs every following entry's home. Read from the slot's hash, that was a cache miss
 * per entry on a table of 100k+ flows (the per-slot arrays are tens of MB); the distance beside the slot
 * number gives the home from the entry itself. And a probe compares the distance too: an entry whose home is
 * not the probe's home is passed over without reading its slot, like one whose tag differs.
 * @module
 */

/**
 * Bits of the distance from the home bucket: 0..14 exact, 15 for farther (the slot's hash tells then). At load
 * <= 1/2 an entry is that far from home about once in thousands.
 */
const DISP_BITS = 4;

export class FlowIndex {
  /** slot + 1 | distance << slotBits | the hash's bits under tagMask; 0 = empty. */
  entries = new Int32Array(0);
  mask = 0;
  /** Bits of an entry holding slot + 1. */
  readonly slotMask: number;
  /** Shift of the distance field (slotBits), and its largest value: "this far or more". */
  readonly dispShift: number;
  readonly dispMax: number;
  /** The distance field in place. */
  readonly dispMask: number;
  /** Bits of the hash kept in the entry (above slot and distance). */
  readonly tagMask: number;

  /** `maxSlots`: slots are 0 .. maxSlots - 1. */
  constructor(maxSlots: number) {
    const slotBits = Math.min(32, 32 - Math.clz32(maxSlots));
    const dispBits = Math.min(DISP_BITS, 32 - slotBits);
    this.slotMask = slotBits >= 32 ? -1 : (2 ** slotBits - 1) | 0;
    this.dispShift = slotBits & 31;
    this.dispMax = (1 << dispBits) - 1;
    this.dispMask = (this.dispMax << this.dispShift) | 0;
    this.tagMask = ~(this.slotMask | this.dispMask);
  }

  /** Empty index of `size` entries (a power of two). */
  reset(size: number): void {
    if (this.entries.length > 0) this.entries.buffer.transfer(0); // freed now, not at a later collection
    this.entries = new Int32Array(size);
    this.mask = size - 1;
  }

  /**
   * The bits above the slot number an entry of hash `h` has `step` entries after its home: a probe for `h`
   * compares these, and reads the slot only when they are equal.
   */
  want(h: number, step: number): number {
    return ((step < this.dispMax ? step : this.dispMax) << this.dispShift) | (h & this.tagMask);
  }

  insert(h: number, slot: number): void {
    const idx = this.entries, mask = this.mask;
    let i = h & mask, step = 0;
    while (idx[i] !== 0) {
      i = (i + 1) & mask;
      step++;
    }
    idx[i] = (slot + 1) | this.want(h, step);
  }

  /** Remove the entry of `slot` (hash `h`); `hashes`: every slot's hash, read for far-off entries only. */
  remove(h: number, slot: number, hashes: Uint32Array): void {
    const idx = this.entries, mask = this.mask, slotMask = this.slotMask;
    const shift = this.dispShift, dispMax = this.dispMax, dispMask = this.dispMask;
    let i = h & mask;
    while ((idx[i] & slotMask) !== slot + 1) {
      if (idx[i] === 0) return; // not indexed (cannot happen for a live slot)
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones: each following entry of the
    // cluster moves into the hole when its home is at or before the hole.
    for (let j = (i + 1) & mask; idx[j] !== 0; j = (j + 1) & mask) {
      const e = idx[j];
      let dist = (e & dispMask) >>> shift;
      if (dist === dispMax) dist = (j - (hashes[(e & slotMask) - 1] & mask)) & mask;
      const gap = (j - i) & mask;
      if (gap > dist) continue; // its home is after the hole: it stays
      const d = dist - gap;
      idx[i] = (e & ~dispMask) | ((d < dispMax ? d : dispMax) << shift);
      i = j;
    }
    idx[i] = 0;
  }
}
