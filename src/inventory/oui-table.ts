/**
 * The IEEE OUI registry (the `oui-data` package) as a compact table: organisation name by prefix.
 *
 * Start-up cost is why this exists. Parsing the package's 5.6 MB of JSON took 0.3 s of CPU, most of a short
 * run. The first run builds a compact form — sorted numeric prefixes and the organisation names (the first
 * line of each entry), about 1.5 MB — and keeps it in the user's cache folder
 * (`$BULWARK_CACHE_DIR`, else `$XDG_CACHE_HOME/bulwark`, else `~/.cache/bulwark`), named after its format, the size and
 * time of the registry file, so an updated package builds a new one. A folder that cannot be written only means
 * each run builds the table in memory.
 *
 * Later runs do not read the file whole: they read its header and a small index (the first prefix of every block
 * of 64 entries), then the one block and the one name a lookup needs, with positioned reads, and keep them. A
 * short run names a few vendors, and reading and checking all 1.5 MB was 10 ms of its start (CPU profile of
 * analyze on a 10-packet capture; with node:zlib's CRC-32 over it). Each block is checked as it is read (its
 * prefixes in order and inside the index's bounds, its name offsets inside the names): a block that does not
 * check out means the file is damaged, and the table is then built from the registry again and the file
 * rewritten, so a lookup never answers from damaged bytes.
 * @module
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface VendorTable {
  /** Organisation name of the assignment with this prefix (6, 7 or 9 upper-case hex digits), or undefined. */
  name(prefix: string): string | undefined;
  readonly size: number;
}

const MAGIC = 0x4955_4f42; // "BOUI" little-endian
/**
 * 3: blocks of entries behind an index, read on use, each checked as read (2 had the three arrays one after the
 * other and a CRC-32 of the whole file; 1 was checked entry by entry).
 */
const FORMAT = 3;
const HEADER_BYTES = 32;
/** Entries per block: a lookup reads one block of 64 × 16 bytes. */
const BLOCK_ENTRIES = 64;
/** An entry: prefix code (float64), name start and end in the names (uint32 each). */
const ENTRY_BYTES = 16;

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
    source = registryFile();
    const st = statSync(source);
    stamp = `${st.size}-${Math.round(st.mtimeMs)}`;
  } catch {
    return fromEntries([]);
  }
  const cache = cacheFile(stamp);
  const rebuild = (): VendorTable => {
    const built = fromEntries(registryEntries(source));
    if (cache) writeCompact(cache, built);
    return built;
  };
  if (cache) {
    const opened = openCompactFile(cache, rebuild);
    if (opened) return opened;
  }
  return rebuild();
}

/**
 * The registry's file: node_modules/oui-data/index.json in the nearest folder up from this module that has one,
 * where Node finds the package (its `exports` is that one file); else whatever Node's resolver says. Not the
 * resolver first: it loads the CommonJS loader's resolution and reads package.json files, 4 ms of a short run.
 */
function registryFile(): string {
  for (let dir = import.meta.dirname; ; ) {
    const candidate = join(dir, 'node_modules', 'oui-data', 'index.json');
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return createRequire(import.meta.url).resolve('oui-data');
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
    const at = findCode(this.codes, code);
    if (at < 0) return undefined;
    let name = this.decoded.get(at);
    if (name === undefined) {
      name = Buffer.from(this.names.buffer, this.names.byteOffset + this.starts[at], this.ends[at] - this.starts[at]).toString('utf8');
      this.decoded.set(at, name);
    }
    return name === '' ? undefined : name;
  }

  /** The on-disk form: header, index (each block's first code), entries (code, start, end), names. */
  serialise(): Buffer {
    const n = this.codes.length;
    const blocks = Math.ceil(n / BLOCK_ENTRIES);
    const entriesAt = HEADER_BYTES + blocks * 8;
    const namesAt = entriesAt + n * ENTRY_BYTES;
    const out = Buffer.alloc(namesAt + this.names.length);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(FORMAT, 4);
    out.writeUInt32LE(n, 8);
    out.writeUInt32LE(this.names.length, 12);
    out.writeUInt32LE(BLOCK_ENTRIES, 16);
    for (let b = 0; b < blocks; b++) out.writeDoubleLE(this.codes[b * BLOCK_ENTRIES], HEADER_BYTES + b * 8);
    for (let i = 0; i < n; i++) {
      const at = entriesAt + i * ENTRY_BYTES;
      out.writeDoubleLE(this.codes[i], at);
      out.writeUInt32LE(this.starts[i], at + 8);
      out.writeUInt32LE(this.ends[i], at + 12);
    }
    Buffer.from(this.names.buffer, this.names.byteOffset, this.names.length).copy(out, namesAt);
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

/** Reads bytes of the table's file at `position` into `into`; returns how many it read. */
export type ReadAt = (into: Uint8Array, position: number) => number;

/** One block's entries, as read and checked. */
interface Block {
  codes: Float64Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

/**
 * The table over its on-disk form, read through `readAt` (the file is `size` bytes): the header and index now,
 * each block and name when a lookup needs it. Undefined when the header or index do not check out (a file of
 * another format, cut short, or damaged there). A block found damaged later hands every lookup to
 * `whenDamaged()`, called once.
 */
export function openCompact(readAt: ReadAt, size: number, whenDamaged: () => VendorTable): VendorTable | undefined {
  if (size < HEADER_BYTES) return undefined;
  const header = Buffer.alloc(HEADER_BYTES);
  if (readAt(header, 0) !== HEADER_BYTES || header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== FORMAT) return undefined;
  const n = header.readUInt32LE(8);
  const namesLen = header.readUInt32LE(12);
  if (header.readUInt32LE(16) !== BLOCK_ENTRIES) return undefined;
  const blocks = Math.ceil(n / BLOCK_ENTRIES);
  if (size !== HEADER_BYTES + blocks * 8 + n * ENTRY_BYTES + namesLen) return undefined;
  const indexBytes = Buffer.alloc(blocks * 8);
  if (readAt(indexBytes, HEADER_BYTES) !== indexBytes.length) return undefined;
  const index = new Float64Array(indexBytes.buffer, indexBytes.byteOffset, blocks);
  for (let b = 0; b < blocks; b++) {
    if (!(index[b] >= 0) || (b > 0 && !(index[b] > index[b - 1]))) return undefined;
  }
  return new PagedTable(readAt, n, namesLen, index, whenDamaged);
}

/** The table read block by block (openCompact). */
class PagedTable implements VendorTable {
  private readonly blocks: (Block | undefined)[] = [];
  private readonly decoded = new Map<number, string>();
  private readonly entriesAt: number;
  private readonly namesAt: number;
  private damaged: VendorTable | undefined;
  private readonly readAt: ReadAt;
  readonly size: number;
  private readonly namesLen: number;
  private readonly index: Float64Array;
  private readonly whenDamaged: () => VendorTable;

  constructor(readAt: ReadAt, size: number, namesLen: number, index: Float64Array, whenDamaged: () => VendorTable) {
    this.readAt = readAt;
    this.size = size;
    this.namesLen = namesLen;
    this.index = index;
    this.whenDamaged = whenDamaged;
    this.entriesAt = HEADER_BYTES + index.length * 8;
    this.namesAt = this.entriesAt + size * ENTRY_BYTES;
  }

  name(prefix: string): string | undefined {
    if (this.damaged) return this.damaged.name(prefix);
    const code = prefixCode(prefix);
    if (code < 0) return undefined;
    // The last block whose first code is at most `code`.
    const index = this.index;
    let lo = 0;
    let hi = index.length - 1;
    if (hi < 0 || code < index[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (index[mid] <= code) lo = mid;
      else hi = mid - 1;
    }
    const block = this.block(lo);
    if (block === undefined) return this.whenBroken(prefix);
    const at = findCode(block.codes, code);
    if (at < 0) return undefined;
    let name = this.decoded.get(code);
    if (name === undefined) {
      const bytes = Buffer.alloc(block.ends[at] - block.starts[at]);
      if (this.readAt(bytes, this.namesAt + block.starts[at]) !== bytes.length) return this.whenBroken(prefix);
      name = bytes.toString('utf8');
      this.decoded.set(code, name);
    }
    return name === '' ? undefined : name;
  }

  /** Block `b`, read and checked on first use; undefined when it does not check out. */
  private block(b: number): Block | undefined {
    const kept = this.blocks[b];
    if (kept) return kept;
    const count = Math.min(BLOCK_ENTRIES, this.size - b * BLOCK_ENTRIES);
    const bytes = Buffer.alloc(count * ENTRY_BYTES);
    if (this.readAt(bytes, this.entriesAt + b * BLOCK_ENTRIES * ENTRY_BYTES) !== bytes.length) return undefined;
    const block: Block = { codes: new Float64Array(count), starts: new Uint32Array(count), ends: new Uint32Array(count) };
    const next = b + 1 < this.index.length ? this.index[b + 1] : Infinity;
    // Typed views of the entries (Buffer.alloc's memory starts 8-aligned; little-endian, as written and as every
    // platform Node runs on), not Buffer's read methods: their first calls run in the interpreter.
    const doubles = new Float64Array(bytes.buffer, bytes.byteOffset, count * 2);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, count * 4);
    for (let i = 0; i < count; i++) {
      const code = doubles[i * 2];
      const start = words[i * 4 + 2];
      const end = words[i * 4 + 3];
      const inOrder = i === 0 ? code === this.index[b] : code > block.codes[i - 1] && code < next;
      if (!inOrder || start > end || end > this.namesLen) return undefined;
      block.codes[i] = code;
      block.starts[i] = start;
      block.ends[i] = end;
    }
    this.blocks[b] = block;
    return block;
  }

  private whenBroken(prefix: string): string | undefined {
    this.damaged = this.whenDamaged();
    return this.damaged.name(prefix);
  }
}

/** Position of `code` in the sorted `codes`, or -1. */
function findCode(codes: Float64Array, code: number): number {
  let lo = 0;
  let hi = codes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = codes[mid];
    if (c < code) lo = mid + 1;
    else if (c > code) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * The table in the file at `path` (openCompact), or undefined when there is none or it does not check out. The
 * descriptor stays open for the table's blocks, for the life of the process (one descriptor).
 */
export function openCompactFile(path: string, whenDamaged: () => VendorTable): VendorTable | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const file = fd;
    // A read that fails later (an I/O error) reads nothing: the table then counts the file as damaged and rebuilds.
    const readAt: ReadAt = (into, position) => {
      try {
        return readSync(file, into, 0, into.length, position);
      } catch {
        return -1;
      }
    };
    const opened = openCompact(readAt, fstatSync(file).size, whenDamaged);
    if (opened) return opened;
  } catch {
    // no cache yet, or unreadable: the caller builds one
  }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

/** The on-disk form in memory as a table (tests): damage found in a block hands lookups to `whenDamaged`. */
export function readCompact(bytes: Uint8Array, whenDamaged: () => VendorTable = () => fromEntries([])): VendorTable | undefined {
  const readAt: ReadAt = (into, position) => {
    const part = bytes.subarray(position, position + into.length);
    into.set(part);
    return part.length;
  };
  return openCompact(readAt, bytes.length, whenDamaged);
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
