/**
 * Bounded byte buffer for analyzers that frame messages out of a TCP stream (records, lines, packets).
 * Appending past the cap drops the bytes and reports overflow: state per flow stays bounded.
 * @module
 */
const EMPTY = new Uint8Array(0);

export class StreamBuffer {
  private buf: Uint8Array = EMPTY;
  private start = 0;
  private endPos = 0;
  readonly cap: number;
  private readonly initial: number;

  /** Memory is taken on the first append, so idle directions and finished flows cost nothing. */
  constructor(cap: number, initial = 256) {
    this.cap = cap;
    this.initial = Math.max(1, Math.min(initial, cap));
  }

  get length(): number {
    return this.endPos - this.start;
  }

  /** The buffered bytes (a view; valid until the next append/consume). */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.endPos);
  }

  /** Append bytes; returns false (and keeps nothing of them) when the cap would be exceeded. */
  append(bytes: Uint8Array): boolean {
    const len = this.length;
    if (len + bytes.length > this.cap) return false;
    if (this.endPos + bytes.length > this.buf.length) {
      if (len + bytes.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.endPos);
      } else {
        let size = Math.max(this.buf.length * 2, this.initial);
        while (size < len + bytes.length) size *= 2;
        const next = new Uint8Array(Math.min(size, this.cap));
        next.set(this.buf.subarray(this.start, this.endPos));
        this.buf = next;
      }
      this.start = 0;
      this.endPos = len;
    }
    this.buf.set(bytes, this.endPos);
    this.endPos += bytes.length;
    return true;
  }

  /** Drop `n` bytes from the front. */
  consume(n: number): void {
    this.start += Math.min(n, this.length);
    if (this.start === this.endPos) {
      this.start = 0;
      this.endPos = 0;
    }
  }

  clear(): void {
    this.start = 0;
    this.endPos = 0;
  }
}
