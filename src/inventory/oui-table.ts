/**
 * The IEEE OUI registry (the `oui-data` package) as a compact table: organisation name by prefix.
 *
 * Start-up cost is why this exists. Parsing the package's 5.6 MB of JSON took 0.3 s of CPU, most of a short
 * run. The first run builds a compact form — sorted numeric prefixes and the organisation names (the first
 * line of each entry), about 1.5 MB — and keeps it in the user's cache folder
 * (`$BULWARK_CACHE_DIR`, else `$XDG_CACHE_HOME/bulwark`, else `~/.cache/bulwark`), named after its format, the size and
 * time of the registry file, so an updated package builds a new one. Later runs read it in a few
 * milliseconds. A cache file that does not check out (header, sizes, checksum) is rebuilt; a folder that
 * cannot be written only means each run builds the table in memory.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface VendorTable {
  /** Organisation name of the assignment with this prefix (6, 7 or 9 upper-case hex digits), or undefined. */
  name(prefix: string): string | undefined;
  readonly size: number;
}

const MAGIC = 0x4955_4f42; // "BOUI" little-endian
/** 2: a CRC-32 of everything after the header at byte 16 (1 had none, and was checked entry by entry). */
const FORMAT = 2;
const HEADER_BYTES = 32;
const CRC_AT = 16;

let table: VendorTable | undefined;

/** The registry table, loaded (or built) on first use. */
export function vendorTable(): VendorTable {
  table ??= loadTable();
  return table;
}

function loadTable(): VendorTable {
  let source: string;
  let stamp: string;
  try {
    source = createRequire(import.meta.url).resolve('oui-data');
    const st = statSync(source);
    stamp = `${st.size}-${Math.round(st.mtimeMs)}`;
  } catch {
    return fromEntries([]);
  }
  const cache = cacheFile(stamp);
  if (cache) {
    try {
      const compact = readCompact(readFileSync(cache));
      if (compact) return compact;
    } catch {
      // no cache yet, or unreadable: build it
    }
  }
  const built = fromEntries(registryEntries(source));
  if (cache) writeCompact(cache, built);
  return built;
}

function cacheFile(stamp: string): string | undefined {
  const base = process.env.BULWARK_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bulwark');
  return base ? join(base, `oui-v${FORMAT}-${stamp}.bin`) : undefined;
}

/** Organisation names by prefix from the registry's JSON (name = first line of the entry, trimmed). */
function registryEntries(path: string): [string, string][] {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const out: [string, string][] = [];
    for (const [prefix, text] of Object.entries(raw)) {
      if (typeof text === 'string' && /^[0-9A-F]{6,9}$/.test(prefix)) out.push([prefix, text.split('\n')[0].trim()]);
    }
    return out;
  } catch {
    return [];
  }
}

/** A prefix as one number: value × 16 + digit count (exact in a double for up to 9 hex digits). */
function prefixCode(prefix: string): number {
  let value = 0;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value * 16 + prefix.length;
}

/** The table over sorted codes and a names blob (the same form in memory and on disk). */
class CompactTable implements VendorTable {
  private readonly codes: Float64Array;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly names: Uint8Array;
  private readonly decoded = new Map<number, string>();

  constructor(codes: Float64Array, starts: Uint32Array, ends: Uint32Array, names: Uint8Array) {
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
    this.names = names;
  }

  get size(): number {
    return this.codes.length;
  }

  name(prefix: string): string | undefined {
    const code = prefixCode(prefix);
    if (code < 0) return undefined;
    const codes = this.codes;
    let lo = 0;
    let hi = codes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = codes[mid];
      if (c < code) lo = mid + 1;
      else if (c > code) hi = mid - 1;
      else {
        let name = this.decoded.get(mid);
        if (name === undefined) {
          name = Buffer.from(this.names.buffer, this.names.byteOffset + this.starts[mid], this.ends[mid] - this.starts[mid]).toString('utf8');
          this.decoded.set(mid, name);
        }
        return name === '' ? undefined : name;
      }
    }
    return undefined;
  }

  /** The on-disk form: header, codes, starts, ends, names. */
  serialise(): Buffer {
    const n = this.codes.length;
    const out = Buffer.alloc(HEADER_BYTES + n * 16 + this.names.length);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(FORMAT, 4);
    out.writeUInt32LE(n, 8);
    out.writeUInt32LE(this.names.length, 12);
    Buffer.from(this.codes.buffer, this.codes.byteOffset, n * 8).copy(out, HEADER_BYTES);
    Buffer.from(this.starts.buffer, this.starts.byteOffset, n * 4).copy(out, HEADER_BYTES + n * 8);
    Buffer.from(this.ends.buffer, this.ends.byteOffset, n * 4).copy(out, HEADER_BYTES + n * 12);
    Buffer.from(this.names.buffer, this.names.byteOffset, this.names.length).copy(out, HEADER_BYTES + n * 16);
    out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), CRC_AT);
    return out;
  }
}

/** Build the table from (prefix, name) pairs; names are stored once each. */
function fromEntries(entries: [string, string][]): CompactTable {
  const rows = entries.map(([prefix, name]) => ({ code: prefixCode(prefix), name })).filter((r) => r.code >= 0);
  rows.sort((a, b) => a.code - b.code);
  const unique: { code: number; name: string }[] = [];
  for (const r of rows) {
    // A prefix listed twice: the later entry wins, as it did when the JSON was parsed into an object.
    if (unique.length > 0 && unique[unique.length - 1].code === r.code) unique[unique.length - 1] = r;
    else unique.push(r);
  }
  const n = unique.length;
  const codes = new Float64Array(n);
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  const at = new Map<string, number>();
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    codes[i] = unique[i].code;
    const name = unique[i].name;
    let start = at.get(name);
    if (start === undefined) {
      const bytes = Buffer.from(name, 'utf8');
      start = size;
      at.set(name, start);
      parts.push(bytes);
      size += bytes.length;
    }
    starts[i] = start;
    ends[i] = start + Buffer.byteLength(name, 'utf8');
  }
  return new CompactTable(codes, starts, ends, new Uint8Array(Buffer.concat(parts, size)));
}

/**
 * The table from its on-disk form; undefined when the bytes are not a well-formed table. The checksum stands
 * for checking each entry's order and offsets (what this program wrote is sorted and in bounds): native
 * over 1.5 MB, where the loop over the 54,000 entries took 6 ms and more of a short run.
 */
export function readCompact(bytes: Buffer): VendorTable | undefined {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC || bytes.readUInt32LE(4) !== FORMAT) return undefined;
  const n = bytes.readUInt32LE(8);
  const namesLen = bytes.readUInt32LE(12);
  if (bytes.length !== HEADER_BYTES + n * 16 + namesLen) return undefined;
  if (crc32(bytes.subarray(HEADER_BYTES)) !== bytes.readUInt32LE(CRC_AT)) return undefined;
  // A Float64Array needs an offset that is a multiple of 8: a file read whole usually is; else copy once.
  let own: ArrayBufferLike = bytes.buffer;
  let base = bytes.byteOffset + HEADER_BYTES;
  if (base % 8 !== 0) {
    own = new ArrayBuffer(bytes.length - HEADER_BYTES);
    new Uint8Array(own).set(bytes.subarray(HEADER_BYTES));
    base = 0;
  }
  const codes = new Float64Array(own, base, n);
  const starts = new Uint32Array(own, base + n * 8, n);
  const ends = new Uint32Array(own, base + n * 12, n);
  return new CompactTable(codes, starts, ends, new Uint8Array(own, base + n * 16, namesLen));
}

/** Write the cache file atomically (a temporary name, then rename); failure only costs the next run. */
function writeCompact(path: string, t: CompactTable): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, t.serialise(), { mode: 0o644 });
    renameSync(tmp, path);
  } catch {
    // a read-only or missing home: the table is built in memory each run
  }
}

/** For tests: a table from (prefix, name) pairs, and its on-disk form. */
export function compactFromEntries(entries: [string, string][]): { table: VendorTable; bytes: Buffer } {
  const t = fromEntries(entries);
  return { table: t, bytes: t.serialise() };
}
