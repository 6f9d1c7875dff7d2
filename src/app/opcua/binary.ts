/**
 * OPC UA binary encoding (IEC 62541-6 clause 5.2): a bounds-checked little-endian reader for the built-in types
 * the session services use (integers, String, ByteString, NodeId, ExtensionObject, LocalizedText,
 * DiagnosticInfo, arrays). A read past the end sets `failed` and yields a neutral value: callers check once.
 * @module
 */

const utf8 = new TextDecoder('utf-8');

/** Longest string kept in an event; longer ones are cut (the reader still skips the whole string). */
export const maxKeptString = 1024;
/** Most array elements decoded from one array (arrays longer than this are skipped, not decoded). */
export const maxArrayElements = 64;

export interface NodeId {
  namespace: number;
  /** Numeric identifier, or undefined for string/guid/opaque identifiers. */
  numeric?: number;
  text?: string;
}

export class Reader {
  failed = false;
  readonly b: Uint8Array;
  at: number;
  readonly end: number;

  constructor(b: Uint8Array, at: number, end: number) {
    this.b = b;
    this.at = at;
    this.end = end;
  }

  private need(n: number): boolean {
    if (this.failed || n < 0 || this.at + n > this.end) {
      this.failed = true;
      return false;
    }
    return true;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  skip(n: number): void {
    if (this.need(n)) this.at += n;
  }

  u8(): number {
    return this.need(1) ? this.b[this.at++] : 0;
  }

  u16(): number {
    if (!this.need(2)) return 0;
    const v = this.b[this.at] | (this.b[this.at + 1] << 8);
    this.at += 2;
    return v;
  }

  u32(): number {
    if (!this.need(4)) return 0;
    const b = this.b;
    const v = (b[this.at] | (b[this.at + 1] << 8) | (b[this.at + 2] << 16)) + b[this.at + 3] * 0x1000000;
    this.at += 4;
    return v;
  }

  i32(): number {
    const v = this.u32();
    return v >= 0x80000000 ? v - 0x100000000 : v;
  }

  f64(): number {
    if (!this.need(8)) return 0;
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 8).getFloat64(0, true);
    this.at += 8;
    return v;
  }

  /** String: Int32 length (-1 = null) and UTF-8 bytes; null → undefined. */
  string(): string | undefined {
    const len = this.i32();
    if (len < 0 || this.failed) return undefined;
    if (!this.need(len)) return undefined;
    const s = utf8.decode(this.b.subarray(this.at, this.at + Math.min(len, maxKeptString)));
    this.at += len;
    return s;
  }

  /** ByteString: offset and length of its bytes (length -1 for null). */
  byteString(): { off: number; len: number } {
    const len = this.i32();
    const off = this.at;
    if (len > 0) this.skip(len);
    return { off, len: this.failed ? -1 : len };
  }

  /** NodeId or ExpandedNodeId (flags 0x80 namespace URI, 0x40 server index). */
  nodeId(): NodeId {
    const enc = this.u8();
    let id: NodeId;
    switch (enc & 0x0f) {
      case 0: id = { namespace: 0, numeric: this.u8() }; break;
      case 1: id = { namespace: this.u8(), numeric: this.u16() }; break;
      case 2: id = { namespace: this.u16(), numeric: this.u32() }; break;
      case 3: id = { namespace: this.u16(), text: this.string() }; break;
      case 4: id = { namespace: this.u16() }; this.skip(16); break;
      case 5: id = { namespace: this.u16() }; this.byteString(); break;
      default: this.failed = true; id = { namespace: 0 };
    }
    if (enc & 0x80) this.string();
    if (enc & 0x40) this.u32();
    return id;
  }

  /** ExtensionObject: type id, and the body's offset/length when binary-encoded. */
  extensionObject(): { typeId: NodeId; body?: { off: number; len: number } } {
    const typeId = this.nodeId();
    const enc = this.u8();
    if (enc === 0) return { typeId };
    const body = this.byteString();
    return enc === 1 ? { typeId, body } : { typeId };
  }

  localizedText(): { locale?: string; text?: string } {
    const mask = this.u8();
    const out: { locale?: string; text?: string } = {};
    if (mask & 0x01) out.locale = this.string();
    if (mask & 0x02) out.text = this.string();
    return out;
  }

  /** DiagnosticInfo, skipped (nesting bounded). */
  diagnosticInfo(depth = 0): void {
    if (depth > 8) {
      this.failed = true;
      return;
    }
    const mask = this.u8();
    if (mask & 0x01) this.i32();
    if (mask & 0x02) this.i32();
    if (mask & 0x08) this.i32();
    if (mask & 0x04) this.i32();
    if (mask & 0x10) this.string();
    if (mask & 0x20) this.u32();
    if (mask & 0x40) this.diagnosticInfo(depth + 1);
  }

  /** Array length (-1 = null); a length beyond the bytes left marks the reader failed. */
  arrayLength(minElementSize = 1): number {
    const n = this.i32();
    if (n > 0 && n * minElementSize > this.remaining) this.failed = true;
    return this.failed ? -1 : n;
  }

  stringArray(): string[] {
    const n = this.arrayLength(4);
    const out: string[] = [];
    for (let i = 0; i < n && !this.failed; i++) {
      const s = this.string();
      if (s !== undefined && out.length < maxArrayElements) out.push(s);
    }
    return out;
  }
}
