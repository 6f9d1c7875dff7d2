/**
 * Counting the bytes of server output the line buffer keeps (all but CR and NUL) four at a time: after a
 * prompt, a loader's binary output (megabytes of `cat /bin/echo` per Mirai session) is counted, never read.
 * @module
 */

/** Below this many bytes the plain loop is cheaper than aligning and reading words. */
const WORD_MIN = 32;
/** Words summed in the per-byte lanes before they are added up (a lane holds at most 255). */
const LANE_MAX = 255;

/** An Int32Array over the last ArrayBuffer counted in (deliveries of one flow share their buffer). */
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
let wordsOf: ArrayBufferLike | undefined;

/** How many bytes of b[start, end) are neither CR (0x0d) nor NUL. */
export function keptBytes(b: Uint8Array, start: number, end: number): number {
  if (end - start < WORD_MIN) return end - start - droppedBytes(b, start, end);
  const base = b.byteOffset;
  // Bytes up to the first 4-byte aligned address, the aligned words, then the bytes after the last word.
  const head = Math.min(end, start + ((4 - ((base + start) & 3)) & 3));
  const wordEnd = head + ((end - head) & ~3);
  return end - start - droppedBytes(b, start, head) - droppedWords(b, (base + head) >> 2, (base + wordEnd) >> 2) - droppedBytes(b, wordEnd, end);
}

function droppedBytes(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x0d || c === 0x00) n++;
  }
  return n;
}

/**
 * CR and NUL bytes in the words [from, to) of b's buffer. Per word, the high bit of each byte lane is set in
 * `nonZero` when the byte is not 0, in `nonCR` when it is not 0x0d ((v & 0x7f..) + 0x7f.. carries into the
 * high bit exactly when the low seven bits are not all zero, and `| v` adds the byte's own high bit); a byte
 * set in neither is dropped, its lane counts one.
 */
function droppedWords(b: Uint8Array, from: number, to: number): number {
  if (wordsOf !== b.buffer) {
    wordsOf = b.buffer;
    words = new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2);
  }
  const w32 = words;
  let total = 0;
  for (let k = from; k < to;) {
    const stop = Math.min(to, k + LANE_MAX);
    let lanes = 0;
    for (; k < stop; k++) {
      const v = w32[k];
      const nonZero = (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | v;
      const x = v ^ 0x0d0d0d0d;
      const nonCR = (((x & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | x;
      lanes = (lanes + ((~(nonZero & nonCR) >>> 7) & 0x01010101)) | 0;
    }
    total += (lanes & 0xff) + ((lanes >>> 8) & 0xff) + ((lanes >>> 16) & 0xff) + (lanes >>> 24);
  }
  return total;
}
