/**
 * DNP3 application objects: object headers (group, variation, qualifier with its prefix and range codes)
 * and the points of the object types masters and outstations exchange most (binary, double-bit, counters,
 * analogs, control relay output blocks, analog outputs, time, class data, IIN, octet strings, file
 * commands). Field names follow Suricata's dnp3 EVE records. Unknown fixed-size types stop the walk with
 * an anomaly, because their size cannot be known.
 * @module
 */
import { invalid, ok, type Parsed } from '../types.ts';

export interface DnpPoint {
  index: number;
  prefix: number;
  [field: string]: number | string;
}

export interface DnpObject {
  group: number;
  variation: number;
  qualifier: number;
  prefix_code: number;
  range_code: number;
  start: number;
  stop: number;
  count: number;
  points?: DnpPoint[];
  /** Points not kept above the per-object cap. */
  points_dropped?: number;
  /** File name of a file command (g70v3), when present. */
  file_name?: string;
}

type Fields = Record<string, number>;
type Decoder = (b: Uint8Array, o: number) => Fields;

const base = (f: number): Fields => ({ flags: f, online: f & 1, restart: (f >> 1) & 1, comm_lost: (f >> 2) & 1, remote_forced: (f >> 3) & 1, local_forced: (f >> 4) & 1 });
const binFlags = (f: number): Fields => ({ ...base(f), chatter_filter: (f >> 5) & 1, reserved: (f >> 6) & 1, state: (f >> 7) & 1 });
const dblFlags = (f: number): Fields => ({ ...base(f), chatter_filter: (f >> 5) & 1, state: (f >> 6) & 3 });
const outFlags = (f: number): Fields => ({ ...base(f), reserved0: (f >> 5) & 1, reserved1: (f >> 6) & 1, state: (f >> 7) & 1 });
const cntFlags = (f: number): Fields => ({ ...base(f), rollover: (f >> 5) & 1, discontinuity: (f >> 6) & 1, reserved0: (f >> 7) & 1 });
const anaFlags = (f: number): Fields => ({ ...base(f), over_range: (f >> 5) & 1, reference_err: (f >> 6) & 1, reserved0: (f >> 7) & 1 });

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
const i16 = (b: Uint8Array, o: number): number => dv(b).getInt16(o, true);
const i32 = (b: Uint8Array, o: number): number => dv(b).getInt32(o, true);
const f32 = (b: Uint8Array, o: number): number => dv(b).getFloat32(o, true);
const f64 = (b: Uint8Array, o: number): number => dv(b).getFloat64(o, true);
/** DNP3 time: 48-bit milliseconds since 1970-01-01 UTC, little-endian. */
const time48 = (b: Uint8Array, o: number): number => u32(b, o) + u16(b, o + 4) * 0x100000000;

interface Layout {
  /** Bytes per point, or bits per point for packed types. */
  size: number;
  packed?: boolean;
  decode?: Decoder;
}

const L = (size: number, decode?: Decoder): Layout => ({ size, decode });
const packed = (bits: number): Layout => ({ size: bits, packed: true });

const flagsThen = (flags: (f: number) => Fields, value?: (b: Uint8Array, o: number) => number, key = 'value', timeAt?: number): Decoder => (b, o) => {
  const f: Fields = flags(b[o]);
  if (value) f[key] = value(b, o + 1);
  if (timeAt !== undefined) f.timestamp = time48(b, o + timeAt);
  return f;
};

/** Point layouts by group << 8 | variation. */
const layouts = new Map<number, Layout>([
  [0x0101, packed(1)], [0x0102, L(1, flagsThen(binFlags))],
  [0x0201, L(1, flagsThen(binFlags))], [0x0202, L(7, flagsThen(binFlags, undefined, 'value', 1))], [0x0203, L(3, (b, o) => ({ ...binFlags(b[o]), timestamp: u16(b, o + 1) }))],
  [0x0301, packed(2)], [0x0302, L(1, flagsThen(dblFlags))],
  [0x0401, L(1, flagsThen(dblFlags))], [0x0402, L(7, flagsThen(dblFlags, undefined, 'value', 1))], [0x0403, L(3, (b, o) => ({ ...dblFlags(b[o]), timestamp: u16(b, o + 1) }))],
  [0x0a01, packed(1)], [0x0a02, L(1, flagsThen(outFlags))],
  [0x0b01, L(1, flagsThen(outFlags))], [0x0b02, L(7, flagsThen(outFlags, undefined, 'value', 1))],
  [0x0d01, L(1, flagsThen(outFlags))], [0x0d02, L(7, flagsThen(outFlags, undefined, 'value', 1))],
  [0x0c01, L(11, (b, o) => ({
    control_code: b[o], op_type: b[o] & 0x0f, queue: (b[o] >> 4) & 1, clear: (b[o] >> 5) & 1, trip_close_code: b[o] >> 6,
    count: b[o + 1], on_time: u32(b, o + 2), off_time: u32(b, o + 6), status_code: b[o + 10] & 0x7f,
  }))],
  [0x0c02, L(11, (b, o) => ({ control_code: b[o], count: b[o + 1], on_time: u32(b, o + 2), off_time: u32(b, o + 6), status_code: b[o + 10] & 0x7f }))],
  [0x0c03, packed(1)],
  [0x1401, L(5, flagsThen(cntFlags, u32, 'count'))], [0x1402, L(3, flagsThen(cntFlags, u16, 'count'))],
  [0x1405, L(4, (b, o) => ({ count: u32(b, o) }))], [0x1406, L(2, (b, o) => ({ count: u16(b, o) }))],
  [0x1501, L(5, flagsThen(cntFlags, u32, 'count'))], [0x1502, L(3, flagsThen(cntFlags, u16, 'count'))],
  [0x1505, L(11, flagsThen(cntFlags, u32, 'count', 5))], [0x1506, L(9, flagsThen(cntFlags, u16, 'count', 3))],
  [0x1509, L(4, (b, o) => ({ count: u32(b, o) }))], [0x150a, L(2, (b, o) => ({ count: u16(b, o) }))],
  [0x1e01, L(5, flagsThen(anaFlags, i32))], [0x1e02, L(3, flagsThen(anaFlags, i16))],
  [0x1e03, L(4, (b, o) => ({ value: i32(b, o) }))], [0x1e04, L(2, (b, o) => ({ value: i16(b, o) }))],
  [0x1e05, L(5, flagsThen(anaFlags, f32))], [0x1e06, L(9, flagsThen(anaFlags, f64))],
  [0x2801, L(5, flagsThen(anaFlags, i32))], [0x2802, L(3, flagsThen(anaFlags, i16))], [0x2803, L(5, flagsThen(anaFlags, f32))], [0x2804, L(9, flagsThen(anaFlags, f64))],
  [0x2901, L(5, (b, o) => ({ value: i32(b, o), status_code: b[o + 4] & 0x7f }))], [0x2902, L(3, (b, o) => ({ value: i16(b, o), status_code: b[o + 2] & 0x7f }))],
  [0x2903, L(5, (b, o) => ({ value: f32(b, o), status_code: b[o + 4] & 0x7f }))], [0x2904, L(9, (b, o) => ({ value: f64(b, o), status_code: b[o + 8] & 0x7f }))],
  [0x3201, L(6, (b, o) => ({ timestamp: time48(b, o) }))], [0x3203, L(6, (b, o) => ({ timestamp: time48(b, o) }))],
  [0x3202, L(10, (b, o) => ({ timestamp: time48(b, o), interval: u32(b, o + 6) }))],
  [0x3301, L(6, (b, o) => ({ timestamp: time48(b, o) }))], [0x3302, L(6, (b, o) => ({ timestamp: time48(b, o) }))],
  [0x3401, L(2, (b, o) => ({ delay_secs: u16(b, o) }))], [0x3402, L(2, (b, o) => ({ delay_ms: u16(b, o) }))],
  [0x5001, packed(1)],
]);
// Counter events (22) and frozen counter events (23) share a layout; so do analog events (32) and analog output events (42).
for (const v of [1, 2, 5, 6]) {
  layouts.set(0x1600 | v, layouts.get(0x1500 | v)!);
  layouts.set(0x1700 | v, layouts.get(0x1500 | v)!);
}
const anaEvent: [number, Layout][] = [
  [1, L(5, flagsThen(anaFlags, i32))], [2, L(3, flagsThen(anaFlags, i16))], [3, L(11, flagsThen(anaFlags, i32, 'value', 5))], [4, L(9, flagsThen(anaFlags, i16, 'value', 3))],
  [5, L(5, flagsThen(anaFlags, f32))], [6, L(9, flagsThen(anaFlags, f64))], [7, L(11, flagsThen(anaFlags, f32, 'value', 5))], [8, L(15, flagsThen(anaFlags, f64, 'value', 9))],
];
for (const [v, l] of anaEvent) {
  layouts.set(0x2000 | v, l);
  layouts.set(0x2a00 | v, l);
}

/** Class data (g60) and other header-only requests carry no point data. */
const noData = (group: number): boolean => group === 60;

export interface ObjectOptions {
  /** False for requests whose objects are only headers (read, freeze, enable/disable unsolicited, assign class). */
  withData: boolean;
  maxObjects: number;
  maxPoints: number;
}

export interface ObjectsResult {
  objects: DnpObject[];
  /** Why the walk stopped early, when it did. */
  anomaly?: string;
}

function text(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end; i++) s += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
  return s;
}

/** Object header and range: start/stop or count, by range code. */
function header(b: Uint8Array, o: number, end: number): Parsed<DnpObject> {
  if (end - o < 3) return invalid('app.dnp3.object_too_short');
  const q = b[o + 2];
  const obj: DnpObject = { group: b[o], variation: b[o + 1], qualifier: q, prefix_code: (q >> 4) & 7, range_code: q & 0x0f, start: 0, stop: 0, count: 0 };
  const r = obj.range_code;
  const p = o + 3;
  const need = (n: number): boolean => end - p >= n;
  if (r === 0 || r === 3) {
    if (!need(2)) return invalid('app.dnp3.object_too_short');
    [obj.start, obj.stop] = [b[p], b[p + 1]];
  } else if (r === 1 || r === 4) {
    if (!need(4)) return invalid('app.dnp3.object_too_short');
    [obj.start, obj.stop] = [u16(b, p), u16(b, p + 2)];
  } else if (r === 2 || r === 5) {
    if (!need(8)) return invalid('app.dnp3.object_too_short');
    [obj.start, obj.stop] = [u32(b, p), u32(b, p + 4)];
  } else if (r === 7 || r === 0x0b) {
    if (!need(1)) return invalid('app.dnp3.object_too_short');
    obj.count = b[p];
  } else if (r === 8) {
    if (!need(2)) return invalid('app.dnp3.object_too_short');
    obj.count = u16(b, p);
  } else if (r === 9) {
    if (!need(4)) return invalid('app.dnp3.object_too_short');
    obj.count = u32(b, p);
  } else if (r !== 6) return invalid('app.dnp3.bad_qualifier');
  if (r <= 5) {
    if (obj.stop < obj.start) return invalid('app.dnp3.bad_range');
    obj.count = obj.stop - obj.start + 1;
  }
  const rangeBytes = [2, 4, 8, 2, 4, 8, 0, 1, 2, 4, 0, 1][r];
  return ok(obj, 3 + rangeBytes);
}

const prefixBytes = [0, 1, 2, 4, 1, 2, 4, 0];

function readPrefix(b: Uint8Array, o: number, n: number): number {
  return n === 1 ? b[o] : n === 2 ? u16(b, o) : u32(b, o);
}

/** Walk the object headers (and points, when the function carries data) in b[off, end). */
export function parseObjects(b: Uint8Array, off: number, end: number, opts: ObjectOptions): ObjectsResult {
  const objects: DnpObject[] = [];
  let o = off;
  while (o < end) {
    if (objects.length >= opts.maxObjects) return { objects, anomaly: 'app.dnp3.too_many_objects' };
    const h = header(b, o, end);
    if (h.status !== 'ok') return { objects, anomaly: h.status === 'invalid' ? h.anomaly : 'app.dnp3.object_too_short' };
    const obj = h.value;
    objects.push(obj);
    o += h.length;
    if (!opts.withData || obj.range_code === 6 || noData(obj.group) || obj.count === 0) continue;
    if (obj.prefix_code === 7) return { objects, anomaly: 'app.dnp3.bad_qualifier' };
    const pBytes = prefixBytes[obj.prefix_code];
    if (obj.prefix_code >= 4) {
      // Each object carries its own size (free-format objects: file commands, authentication, device attributes).
      for (let i = 0; i < obj.count; i++) {
        if (o + pBytes > end) return { objects, anomaly: 'app.dnp3.object_too_short' };
        const size = readPrefix(b, o, pBytes);
        o += pBytes;
        if (o + size > end) return { objects, anomaly: 'app.dnp3.object_too_short' };
        // File command (g70v3): name offset and size at 0 and 2, name at its offset from the object start.
        if (obj.group === 70 && obj.variation === 3 && size >= 26) {
          const nameOff = u16(b, o);
          const nameSize = u16(b, o + 2);
          if (nameOff + nameSize <= size) obj.file_name = text(b, o + nameOff, o + nameOff + nameSize);
        }
        o += size;
      }
      continue;
    }
    // Octet strings (g110/g111): the variation is the length.
    const layout = obj.group === 110 || obj.group === 111 ? L(obj.variation, (bb, oo) => ({ length: obj.variation, first: bb[oo] ?? 0 })) : layouts.get((obj.group << 8) | obj.variation);
    if (!layout || layout.size === 0) return { objects, anomaly: 'app.dnp3.unknown_object' };
    const points: DnpPoint[] = [];
    let dropped = 0;
    if (layout.packed) {
      if (pBytes !== 0) return { objects, anomaly: 'app.dnp3.bad_qualifier' };
      const bytes = Math.ceil((obj.count * layout.size) / 8);
      if (o + bytes > end) return { objects, anomaly: 'app.dnp3.object_too_short' };
      for (let i = 0; i < obj.count; i++) {
        if (points.length >= opts.maxPoints) {
          dropped++;
          continue;
        }
        const bit = i * layout.size;
        const state = (b[o + (bit >> 3)] >> (bit & 7)) & ((1 << layout.size) - 1);
        points.push({ index: obj.start + i, prefix: 0, state });
      }
      o += bytes;
    } else {
      for (let i = 0; i < obj.count; i++) {
        if (o + pBytes + layout.size > end) return { objects, anomaly: 'app.dnp3.object_too_short' };
        const prefix = pBytes > 0 ? readPrefix(b, o, pBytes) : 0;
        o += pBytes;
        if (points.length < opts.maxPoints) points.push({ index: pBytes > 0 ? prefix : obj.start + i, prefix, ...(layout.decode ? layout.decode(b, o) : {}) });
        else dropped++;
        o += layout.size;
      }
    }
    obj.points = points;
    if (dropped > 0) obj.points_dropped = dropped;
  }
  return { objects };
}
