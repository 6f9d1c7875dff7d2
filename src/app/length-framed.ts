/**
 * Framing for binary protocols whose header gives the frame length (Modbus MBAP, TPKT, DNP3 link frames):
 * frames are cut straight from each delivery when whole, and only an incomplete tail is buffered. One
 * instance per direction; its buffer is capped at the largest legal frame, so state stays bounded.
 * @module
 */
import { StreamBuffer } from './stream-buffer.ts';

/** Size of the frame starting at b[off] (header included), 'incomplete', or a named anomaly. */
export type FrameSize = number | 'incomplete' | { anomaly: string };

export class LengthFramer {
  private readonly buf: StreamBuffer;
  /** Framing lost: nothing more is parsed in this direction. */
  broken = false;

  /** `anomalyPrefix` names the protocol in the anomaly for a frame above the cap: '<prefix>.frame_too_large'. */
  private readonly anomalyPrefix: string;

  constructor(maxFrame: number, anomalyPrefix: string) {
    this.buf = new StreamBuffer(maxFrame, 256);
    this.anomalyPrefix = anomalyPrefix;
  }

  /**
   * Feed stream bytes; `onFrame` gets each whole frame as b[off, end) (valid during the call only).
   * Returns the anomaly that broke framing, if one did during this call.
   */
  push(bytes: Uint8Array, sizeOf: (b: Uint8Array, off: number, end: number) => FrameSize, onFrame: (b: Uint8Array, off: number, end: number) => void): string | undefined {
    if (this.broken) return undefined;
    let pos = 0;
    while (pos < bytes.length) {
      if (this.buf.length === 0) {
        const r = this.cut(bytes, pos, bytes.length, sizeOf, onFrame);
        if (typeof r !== 'number') return r.anomaly;
        pos = r;
        if (pos < bytes.length) this.buf.append(bytes.subarray(pos));
        return undefined;
      }
      // Top the buffer up to the cap (a frame is never longer), frame, keep the tail.
      const n = Math.min(bytes.length - pos, this.buf.cap - this.buf.length);
      this.buf.append(bytes.subarray(pos, pos + n));
      pos += n;
      const view = this.buf.view();
      const r = this.cut(view, 0, view.length, sizeOf, onFrame);
      if (typeof r !== 'number') return r.anomaly;
      this.buf.consume(r);
      if (r === 0 && this.buf.length === this.buf.cap) {
        this.fail();
        return `${this.anomalyPrefix}.frame_too_large`;
      }
    }
    return undefined;
  }

  private cut(b: Uint8Array, off: number, end: number, sizeOf: (b: Uint8Array, off: number, end: number) => FrameSize, onFrame: (b: Uint8Array, off: number, end: number) => void): number | { anomaly: string } {
    while (off < end) {
      const size = sizeOf(b, off, end);
      if (size === 'incomplete') return off;
      if (typeof size !== 'number') {
        this.fail();
        return size;
      }
      if (size > this.buf.cap || size <= 0) {
        this.fail();
        return { anomaly: `${this.anomalyPrefix}.frame_too_large` };
      }
      if (end - off < size) return off;
      onFrame(b, off, off + size);
      off += size;
    }
    return off;
  }

  /** Bytes were lost: framing cannot be trusted any more. */
  fail(): void {
    this.broken = true;
    this.buf.clear();
  }
}
