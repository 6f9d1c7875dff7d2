/**
 * DNP3 analyzer (TCP and UDP, port 20000): link frames with CRC checks, transport reassembly per
 * direction (bounded), application requests and responses with their objects; responses are joined to
 * the request with the same application sequence number.
 * @module
 */
import { LengthFramer, type FrameSize } from '../length-framed.ts';
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import { parseObjects } from './objects.ts';
import {
  MAX_LINK_FRAME, dnp3Crc, functionNames, iinIndicators, isResponse, linkSize, parseAppHeader, parseLinkFrame, parseTransport,
  type LinkFrame,
} from './parser.ts';

export interface Dnp3Options {
  /** Largest application fragment reassembled (bytes); IEEE 1815 allows 2048, some devices more. */
  maxFragment: number;
  /** Object headers walked per fragment. */
  maxObjects: number;
  /** Points kept per object in events (the rest are counted). */
  maxPoints: number;
  /** Fragments assembled at once per direction (one per source/destination pair behind a gateway). */
  maxAssemblies: number;
}

export const defaultDnp3Options: Dnp3Options = { maxFragment: 4096, maxObjects: 64, maxPoints: 256, maxAssemblies: 16 };

export const DNP3_PORT = 20000;

/** One application fragment being assembled from transport segments. */
interface Assembly {
  fragment: StreamBuffer;
  nextSeq: number;
}

interface Direction {
  framer: LengthFramer;
  /** By link source << 16 | destination: a gateway multiplexes several outstations on one connection. */
  assemblies: Map<number, Assembly>;
}

export interface Dnp3State {
  dirs: [Direction, Direction];
  /** Last request's application sequence and function, for pairing responses. */
  lastRequestSeq: number;
  lastRequestFunction: number;
}

/** 'yes' on a link header with the start octets and a valid header CRC; 'no' otherwise. */
export function probeDnp3(bytes: Uint8Array, _dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  if (bytes.length < 10 || bytes[0] !== 0x05 || bytes[1] !== 0x64 || bytes[2] < 5) return 'no';
  const crc = dnp3Crc(bytes, 0, 8);
  return bytes[8] === (crc & 0xff) && bytes[9] === crc >> 8 ? 'yes' : 'no';
}

function frameSize(b: Uint8Array, off: number, end: number): FrameSize {
  const s = linkSize(b, off, end);
  if (s.status === 'incomplete') return 'incomplete';
  if (s.status === 'invalid') return { anomaly: s.anomaly };
  return s.value;
}

/** Requests whose objects are headers only: read, freezes, enable/disable unsolicited, assign class. */
const headersOnly = new Set([1, 7, 8, 9, 10, 20, 21, 22]);

/** Build the DNP3 analyzer with explicit caps (tests use small ones). */
export function createDnp3(opts: Dnp3Options = defaultDnp3Options): AppProtocol<Dnp3State> {
  function application(s: Dnp3State, link: LinkFrame, b: Uint8Array, ctx: AppContext): void {
    const a = parseAppHeader(b, 0, b.length);
    if (a.status !== 'ok') {
      if (a.status === 'invalid') ctx.anomaly(a.anomaly);
      return;
    }
    const h = a.value;
    const response = isResponse(h.functionCode);
    if (!response) {
      s.lastRequestSeq = h.sequence;
      s.lastRequestFunction = h.functionCode;
    }
    const type = !response ? 'dnp3.request' : h.functionCode === 130 ? 'dnp3.unsolicited_response' : 'dnp3.response';
    const walk = parseObjects(b, h.objectsOffset, b.length, { withData: response || !headersOnly.has(h.functionCode), maxObjects: opts.maxObjects, maxPoints: opts.maxPoints });
    if (walk.anomaly) ctx.anomaly(walk.anomaly);
    if (!ctx.wants(type)) return;
    const f: Record<string, unknown> = {
      source: link.source, destination: link.destination,
      control: { dir: link.dir, pri: link.prm, fcb: link.fcb, fcv: link.fcv, function_code: link.functionCode },
      application_control: { fir: h.fir, fin: h.fin, con: h.con, uns: h.uns, sequence: h.sequence },
      function_code: h.functionCode, function: functionNames[h.functionCode] ?? 'unknown',
      objects: walk.objects, complete: walk.anomaly === undefined,
    };
    if (h.iin !== undefined) {
      f.iin = h.iin;
      f.iin_indicators = iinIndicators(h.iin);
    }
    if (h.functionCode === 129 && s.lastRequestSeq === h.sequence && s.lastRequestFunction >= 0) f.request_function = functionNames[s.lastRequestFunction] ?? 'unknown';
    ctx.emit(type, f);
  }

  /** One link frame: check CRCs, feed its transport segment to the direction's fragment. */
  function linkFrame(s: Dnp3State, d: Direction, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const l = parseLinkFrame(b, off, end);
    if (l.status !== 'ok') {
      if (l.status === 'invalid') ctx.anomaly(l.anomaly);
      return;
    }
    const link = l.value;
    // Link-layer service frames (reset link, link status, ...) carry no user data.
    if (link.userData.length === 0) return;
    const t = parseTransport(link.userData[0]);
    const seg = link.userData.subarray(1);
    const key = link.source * 0x10000 + link.destination;
    let a = d.assemblies.get(key);
    if (t.fir) {
      if (!a) {
        if (d.assemblies.size >= opts.maxAssemblies) {
          ctx.anomaly('app.dnp3.too_many_assemblies');
          const oldest = d.assemblies.keys().next();
          if (!oldest.done) d.assemblies.delete(oldest.value);
        }
        a = { fragment: new StreamBuffer(opts.maxFragment, 256), nextSeq: 0 };
        d.assemblies.set(key, a);
      }
      a.fragment.clear();
    } else if (!a) {
      ctx.anomaly('app.dnp3.transport_no_first');
      return;
    } else if (t.sequence !== a.nextSeq) {
      ctx.anomaly('app.dnp3.transport_sequence');
      d.assemblies.delete(key);
      return;
    }
    a.nextSeq = (t.sequence + 1) & 0x3f;
    if (!a.fragment.append(seg)) {
      ctx.anomaly('app.dnp3.fragment_too_large');
      d.assemblies.delete(key);
      return;
    }
    if (!t.fin) return;
    d.assemblies.delete(key);
    application(s, link, a.fragment.view().slice(), ctx);
  }

  const newDirection = (): Direction => ({ framer: new LengthFramer(MAX_LINK_FRAME, 'app.dnp3'), assemblies: new Map() });

  return {
    name: 'dnp3',
    transports: ['tcp', 'udp'],
    ports: [DNP3_PORT],
    probe: probeDnp3,
    newState: () => ({ dirs: [newDirection(), newDirection()], lastRequestSeq: -1, lastRequestFunction: -1 }),
    data(s, dir, bytes, ctx) {
      const d = s.dirs[dir];
      if (ctx.info.transport === 'udp') {
        // A datagram holds whole link frames: frame it alone, nothing carries over to the next one.
        let off = 0;
        while (off < bytes.length) {
          const size = frameSize(bytes, off, bytes.length);
          if (typeof size !== 'number') {
            ctx.anomaly(size === 'incomplete' ? 'app.dnp3.bad_length' : size.anomaly);
            return;
          }
          if (off + size > bytes.length) {
            ctx.anomaly('app.dnp3.bad_length');
            return;
          }
          linkFrame(s, d, bytes, off, off + size, ctx);
          off += size;
        }
        return;
      }
      const bad = d.framer.push(bytes, frameSize, (b, off, end) => linkFrame(s, d, b, off, end, ctx));
      if (bad) ctx.anomaly(bad);
    },
    gap(s, dir) {
      const d = s.dirs[dir];
      d.framer.fail();
      d.assemblies.clear();
    },
    events,
    anomalies,
  };
}

export const dnp3: AppProtocol<Dnp3State> = createDnp3();
