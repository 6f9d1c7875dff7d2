/**
 * Text of protocol fields that recur: the same header values, names and option strings come in message after
 * message (a device's announcements, a client's requests), and building the string again each time was most of
 * what those parsers allocated. A cache maps a field's bytes to the text made from them, so a repeated field
 * costs a hash and a compare, no string. Direct-mapped and fixed-size (slots × longest field cached): bounded
 * whatever the traffic; a longer field, or a slot taken by another, just makes its text.
 * @module
 */

/** How a cache makes the text of b[start, end) on a miss; it must depend on those bytes alone. */
export type MakeText = (b: Uint8Array, start: number, end: number) => string;

const EMPTY = new Uint8Array(0);
const EMPTY_LENGTHS = new Uint16Array(0);

export class TextCache {
  /** Made at the first field (init): a module's caches then cost a short run that never sees one nothing. */
  private keys: Uint8Array = EMPTY;
  /** Per slot: the cached field's length + 1 (0: empty). */
  private lengths: Uint16Array = EMPTY_LENGTHS;
  private texts: string[] = [];
  private readonly mask: number;
  private readonly make: MakeText;
  private readonly maxLength: number;

  /** `slots` is rounded up to a power of two; fields longer than `maxLength` bytes are not cached. */
  constructor(make: MakeText, slots = 1024, maxLength = 128) {
    this.make = make;
    this.maxLength = maxLength;
    let n = 1;
    while (n < slots) n *= 2;
    this.mask = n - 1;
  }

  private init(): void {
    const n = this.mask + 1;
    this.keys = new Uint8Array(n * this.maxLength);
    this.lengths = new Uint16Array(n);
    this.texts = new Array<string>(n).fill('');
  }

  /** make(b, start, end), from the cache when these bytes were seen last in their slot. */
  text(b: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n > this.maxLength || n < 0) return this.make(b, start, end);
    // FNV-1a over the bytes.
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.mask;
    if (this.lengths.length === 0) this.init();
    const base = slot * this.maxLength;
    const keys = this.keys;
    if (this.lengths[slot] === n + 1) {
      let i = 0;
      while (i < n && keys[base + i] === b[start + i]) i++;
      if (i === n) return this.texts[slot];
    }
    const text = this.make(b, start, end);
    for (let i = 0; i < n; i++) keys[base + i] = b[start + i];
    this.lengths[slot] = n + 1;
    this.texts[slot] = text;
    return text;
  }
}
