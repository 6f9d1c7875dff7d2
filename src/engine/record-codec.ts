/**
 * The binary form of the records a pipeline worker streams to the later stages (`--threads`): a batch is
 * one transferable ArrayBuffer of tagged values, plus the strings it carries and the key lists (shapes)
 * the receiver has not seen yet. It replaces postMessage's structured clone of the record objects, which
 * cost the worker about 0.5 s of CPU and the later stages' thread 0.25 s on the mixed workload (200k
 * packets, 223k records; now about 0.27 s and 0.1 s), a fifth to a third of either thread's work.
 *
 * Generic over fields: a value is encoded by what it is (number, string, boolean, null, undefined, array,
 * plain object), never by which field it is, so events may gain, lose or compute fields (a getter is read
 * like any property, as structured clone reads it) without a change here. Anything else — typed arrays,
 * Maps, Dates, bigints, objects with another prototype, arrays with holes, nesting deeper than
 * MAX_DEPTH (cycles) — goes in a side list that is structured-cloned, so it arrives as it did before.
 * What structured clone would keep and this does not: extra named properties on an array, and one object
 * referenced twice in a batch arriving as one object (it arrives as two equal ones); records have neither.
 *
 * Two tables, kept in step on both sides by the order of the stream, keep it small and cheap:
 *  - shapes: an object's key list is sent once, then by number; the receiver builds objects of a shape
 *    with one object literal (a function made once per shape), so they share V8's hidden class as the
 *    pipeline's own objects did;
 *  - strings: a string that is the value the same key of the same shape had last time (the event type,
 *    file, transport, the addresses of a flow's consecutive events) is sent by number, and arrives as the
 *    same string object (so the receiver's maps hash it once). The number is the key's own slot (of this
 *    shape trie), which holds only the key's last string: the receiver keeps one string per key, not every
 *    string sent (which it kept until a limit, long enough for them all to be promoted to the old
 *    generation and collected there: a flow-heavy run sends a few new addresses per flow).
 * Shapes are bounded (SHAPE_LIMIT), and so are the slots with them: past that, both sides start over at the
 * next batch.
 *
 * Lazy records (src/flow/lazy-record.ts: a flow's events and finished flows whose `uid` and `community_id`
 * are computed on first read) go as what they compute those from — the flow's tuple, number and first time —
 * and their fields, and arrive as lazy records of the same plain form (toJSON): a uid and a Community ID are
 * two SHA-1s and two strings per record, which the sending thread would otherwise compute for every record and
 * the receiving one needs only for the few it reports. The pipeline publishes them only to subscribers that
 * read fields by name, so a worker subscribes lazily only where the receiving thread's subscribers all do.
 * A worker's flow events are not even built: the pipeline hands over their parts (Pipeline.onFlowEventParts), sent
 * as the tuple, a direction, the type, time, file, packet number and transport, and the payload (Tag.FlowEvent);
 * the receiver makes the envelope's addresses and ports from the tuple. That took the building of each event and
 * the walk over its eleven envelope fields off the worker, the thread that bounds a run of event-heavy traffic
 * (callgrind under `node --single-threaded`, mirai-200000, two threads: the worker's instructions −4.8 %).
 * @module
 */
import { FlowBound, IdentityState, LazyFlowRecord, flowTuple, plainWithIds, type FlowIds, type FlowTuple } from '../flow/lazy-record.ts';
import { ipv4Text, smallAsInt } from '../flow/table.ts';
import { tcpFlagsString } from '../flow/tcp-state.ts';
import { IpProto } from '../decode/packet-view.ts';
import type { FinishedFlow } from '../pipeline/analyze.ts';
import { ipv6ToString } from '../decode/address.ts';
import { LazyArpEvent, LazyFlowEvent } from '../pipeline/lazy-event.ts';
import { FIRST_PACKET_WIRE_BYTES, FirstPacket, transportName } from '../pipeline/first-packet.ts';

/** Value tags (one byte before each value). */
const Tag = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  /** Integer 0-255 (1 byte): counts, flags, small ports. */
  Uint8: 4,
  /** Other signed 32-bit integer (4 bytes). */
  Int32: 5,
  /** Any other number, -0 and NaN included (8 bytes). */
  Float64: 6,
  /** A string the receiver has: its slot (4 bytes). */
  StringRef: 7,
  /** The batch's next string; the receiver keeps it in the slot that follows (4 bytes), replacing the slot's last. */
  StringNew: 8,
  /** The batch's next string, not kept. */
  StringOnce: 9,
  /** Array: length (4 bytes), then the elements. */
  Array: 10,
  /** Plain object: shape number (4 bytes), then the values in the shape's key order. */
  Object: 11,
  /** The next value of the batch's structured-cloned side list. */
  Cloned: 12,
  /**
   * A lazy record: its layout (1 byte), identity state (1 byte), flow number and first time (8-byte doubles), IP
   * version, protocol (1 byte each), ports (2 bytes each), IPv4 addresses (4 bytes each), IPv6 flag (1 byte)
   * and words (8 × 4 bytes), the Community ID and uid when known (values), then its fields as an Object.
   */
  Lazy: 13,
  /**
   * A lazy flow record's fields in the fixed order of FLOW_RECORD_FIELDS (after its Lazy header), without keys or
   * a shape: the receiver rebuilds the fields the identity already carries (addresses, ports, transport).
   */
  FlowFields: 14,
  /** A first packet (FirstPacket.writeWire's layout), its file and option layout as keyed strings. */
  FirstPacket: 15,
  /**
   * A flow event sent as its parts (after its Lazy header, in place of its fields as an Object): a direction byte
   * (1: from the originator), then the type, time, file, packet number and transport as values, then the payload as
   * an Object. The receiver makes the envelope from them and the tuple, then sets the payload's fields, as the
   * sending thread's LazyFlowEvent would have them.
   */
  FlowEvent: 16,
  /**
   * A finished flow's fields as addFinishedFlow reads them from the flow table (after its Lazy header): its ten
   * numbers (last time, duration, the six counts, first and last packet number) as 8-byte doubles at fixed offsets,
   * no tag each, then its strings and the rest as Tag.FlowFields has them. Read back with one load per number: on a
   * flood of one-packet flows the tags of the counts were most of the decoding.
   */
  FlowNumbers: 17,
} as const;

/**
 * The fields of a lazy flow record, in the order its class defines them (record-codec.test.ts checks this list
 * against the class): what Tag.FlowFields carries, and the order the receiver sets them in. A pipeline worker's
 * flow records have no other subscriber on its thread, so they never gain a field.
 */
export const FLOW_RECORD_FIELDS = ['type', 'flow_id', 'transport', 'ip_version', 'orig_ip', 'orig_port', 'resp_ip', 'resp_port', 'first_ts',
  'last_ts', 'duration', 'orig_pkts', 'orig_bytes', 'resp_pkts', 'resp_bytes', 'orig_payload_bytes', 'resp_payload_bytes', 'end_reason', 'file',
  'first_packet', 'last_packet', 'orig_mac', 'resp_mac', 'vlan', 'app', 'tcp_state', 'orig_tcp_flags', 'resp_tcp_flags'] as const;
/** Bytes of Tag.FlowNumbers' ten doubles. */
const FLOW_NUMBERS_BYTES = 80;
/** Layout numbers of LazyFlowEvent and LazyFlowRecord in lazyPrototypes. */
const FLOW_EVENT_LAYOUT = 0;
const FLOW_RECORD_LAYOUT = 2;

/** The lazy record classes, by layout number (the order is the stream's). */
const lazyPrototypes: readonly object[] = [LazyFlowEvent.prototype, LazyArpEvent.prototype, LazyFlowRecord.prototype];

/**
 * What lazy events arrive as: a FlowBound whose fields the decoder fills in the order they were sent, with the plain
 * form (toJSON) of the class it was sent as — where that class puts `community_id` and `uid`. When the fields
 * begin with the envelope the sending class's constructor sets (always, for the pipeline's events), the record is
 * made with those fields already in it, in that order, as the sender's was: one allocation, the envelope stored in
 * place, rather than every field added one by one to an object sized for few (its properties then spilled into a
 * separate array, grown as they came).
 */
class ReceivedFlowEvent extends FlowBound {
  toJSON(): Record<string, unknown> {
    return plainWithIds(this, 'packet', 'flow_id');
  }
}
/** The envelope fields every lazy event begins with (LazyArpEvent's whole envelope), defined in their order. */
function defineEventHead(o: Record<string, unknown>): void {
  o.type = '';
  o.ts = 0;
  o.file = '';
  o.packet = 0;
  o.flow_id = 0;
  o.transport = '';
}
class ReceivedFlowEventWithEnvelope extends ReceivedFlowEvent {
  constructor(ids: FlowIds, t: FlowTuple, withCommunityId: boolean) {
    super(ids, t, withCommunityId);
    const o = this as unknown as Record<string, unknown>;
    defineEventHead(o);
    o.src_ip = '';
    o.src_port = 0;
    o.dst_ip = '';
    o.dst_port = 0;
    o.from_orig = false;
  }
}
class ReceivedArpEvent extends FlowBound {
  toJSON(): Record<string, unknown> {
    return plainWithIds(this, null, 'flow_id');
  }
}
class ReceivedArpEventWithEnvelope extends ReceivedArpEvent {
  constructor(ids: FlowIds, t: FlowTuple, withCommunityId: boolean) {
    super(ids, t, withCommunityId);
    defineEventHead(this as unknown as Record<string, unknown>);
  }
}
/** The fields ReceivedFlowEventWithEnvelope and ReceivedArpEventWithEnvelope define, in order (LazyFlowEvent's and LazyArpEvent's). */
const FLOW_EVENT_ENVELOPE = ['type', 'ts', 'file', 'packet', 'flow_id', 'transport', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'from_orig'];
const ARP_EVENT_ENVELOPE = FLOW_EVENT_ENVELOPE.slice(0, 6);

function beginsWith(keys: readonly string[], head: readonly string[]): boolean {
  return keys.length >= head.length && head.every((k, i) => keys[i] === k);
}

/** Strings longer than this are not remembered (payload excerpts, URIs, certificates rarely repeat). */
const REMEMBER_MAX_CHARS = 256;
/** Shapes (distinct key lists) either side may hold before both start over. */
const SHAPE_LIMIT = 1 << 12;
/** Nesting depth past which a value goes to the structured-cloned side list (so do cycles). */
const MAX_DEPTH = 32;
/** First size of a batch's buffer; it doubles as needed, and the next starts at the size the last reached. */
const INITIAL_BYTES = 1 << 20;

/**
 * One batch as it crosses the thread boundary: `bytes` is transferred (or, a SharedArrayBuffer, shared: see
 * RecordEncoder.take), the rest structured-cloned.
 */
export interface EncodedBatch {
  bytes: ArrayBuffer | SharedArrayBuffer;
  /** Bytes of `bytes` in use. */
  length: number;
  /** The batch's strings, in the order their StringNew/StringOnce tags appear. */
  strings: string[];
  /** New shapes (key lists), numbered on from the receiver's table. */
  shapes: string[][];
  /** Values sent by structured clone, in the order their Cloned tags appear. */
  cloned: unknown[];
  /** The shape table and the string slots were emptied before this batch. */
  resetShapes: boolean;
}

/**
 * A node of the shape trie: the path from the root is an object's keys in order. Holds the shape number of
 * objects whose keys end here (-1: none yet) and, per key, the string value it had last time.
 */
interface ShapeNode {
  id: number;
  lastString: string | undefined;
  /** The receiver's slot for this key's last string (-1: none yet). */
  slot: number;
  /** The last key looked up from here and its node: objects of one shape take this path every time. */
  lastKey: string | undefined;
  lastChild: ShapeNode | undefined;
  children: Map<string, ShapeNode> | undefined;
}

function shapeNode(): ShapeNode {
  return { id: -1, lastString: undefined, slot: -1, lastKey: undefined, lastChild: undefined, children: undefined };
}

/**
 * The string slots of the fixed layouts' string fields (flow records, first packets): nodes outside the trie, each
 * holding its field's last string as a shape's key does; made anew whenever the shapes start over.
 */
function fixedSlots() {
  return {
    endReason: shapeNode(), file: shapeNode(), origMac: shapeNode(), respMac: shapeNode(), app: shapeNode(), tcpState: shapeNode(),
    origFlags: shapeNode(), respFlags: shapeNode(), packetFile: shapeNode(), packetOptions: shapeNode(),
    eventType: shapeNode(), eventFile: shapeNode(), eventTransport: shapeNode(),
  };
}

const objectProto = Object.prototype;

/** Whether for-in over a plain object lists its own keys only (nothing enumerable was added to Object.prototype). */
function protoIsClean(): boolean {
  for (const _ in objectProto) return false;
  return true;
}

/** Writes records into batches (the worker's side). Not reentrant; one per stream. */
export class RecordEncoder {
  private buf: ArrayBuffer | SharedArrayBuffer;
  private u8: Uint8Array;
  private view: DataView;
  private pos = 0;
  private strings: string[] = [];
  private shapes: string[][] = [];
  private cloned: unknown[] = [];
  private resetShapes = false;

  private root = shapeNode();
  private fixed = fixedSlots();
  private shapeCount = 0;
  /** Strings in the receiver's table, and the table's generation (bumped when both sides empty it). */
  private slotCount = 0;
  /** See protoIsClean; checked once a batch, as for-in would otherwise need an own-key test per key. */
  private ownKeysOnly = protoIsClean();
  /** Reused by lazy(). */
  private readonly tuple = flowTuple();

  /** Records in the current batch. */
  count = 0;

  /** `buffer`: where the first batch is written (see take). */
  constructor(buffer: ArrayBuffer | SharedArrayBuffer = new ArrayBuffer(INITIAL_BYTES)) {
    this.buf = buffer;
    this.u8 = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /** Bytes written to the current batch. */
  get bytes(): number {
    return this.pos;
  }

  /** Append one record: its kind (0-255) and its value. */
  add(kind: number, value: unknown): void {
    this.ensure(1);
    this.u8[this.pos++] = kind;
    this.value(value, 0);
    this.count++;
  }

  /**
   * Append a first packet (valid during the call: its numbers are copied now) in its fixed layout, and its file and
   * option layout as strings; it arrives as a FirstPacket the decoder refills for each.
   */
  addFirstPacket(kind: number, p: FirstPacket): void {
    this.ensure(2 + FIRST_PACKET_WIRE_BYTES);
    this.u8[this.pos] = kind;
    this.u8[this.pos + 1] = Tag.FirstPacket;
    p.writeWire(this.view, this.pos + 2);
    this.pos += 2 + FIRST_PACKET_WIRE_BYTES;
    this.fixedString(this.fixed.packetFile, p.file);
    this.fixedString(this.fixed.packetOptions, p.tcpOptions());
    this.count++;
  }

  /**
   * Append a flow event as its parts (Pipeline.onFlowEventParts: the tuple is valid during the call, copied now): it
   * arrives as the LazyFlowEvent the parts would make, never built here. False, with nothing written, for a payload
   * that is not a plain object (the caller then sends the event built).
   */
  addFlowEvent(kind: number, type: string, ts: number, file: string, packet: number, t: FlowTuple, transport: string, fromOrig: boolean,
    fields: object): boolean {
    if (Object.getPrototypeOf(fields) !== objectProto) return false;
    this.ensure(1);
    this.u8[this.pos++] = kind;
    this.identity(t, FLOW_EVENT_LAYOUT, 0);
    this.ensure(2);
    this.u8[this.pos] = Tag.FlowEvent;
    this.u8[this.pos + 1] = fromOrig ? 1 : 0;
    this.pos += 2;
    const f = this.fixed;
    this.keyString(f.eventType, type);
    this.number(ts);
    this.keyString(f.eventFile, file);
    this.number(packet);
    this.keyString(f.eventTransport, transport);
    this.object(fields as Record<string, unknown>, 0);
    this.count++;
    return true;
  }

  /**
   * The batch so far (hand its buffer over: transfer it, unless shared), and start the next in `next`: a buffer
   * the receiver is done with — a shared one saves allocating, zeroing and transferring a buffer per batch (a
   * quarter of the encoding's cost). By default, a new buffer. A batch that outgrows its buffer moves to a new
   * private one.
   */
  take(next?: ArrayBuffer | SharedArrayBuffer): EncodedBatch {
    const batch: EncodedBatch = {
      bytes: this.buf, length: this.pos, strings: this.strings, shapes: this.shapes, cloned: this.cloned,
      resetShapes: this.resetShapes,
    };
    this.buf = next ?? new ArrayBuffer(Math.max(INITIAL_BYTES, this.pos));
    this.u8 = new Uint8Array(this.buf);
    this.view = new DataView(this.buf);
    this.pos = 0;
    this.strings = [];
    this.shapes = [];
    this.cloned = [];
    this.count = 0;
    this.resetShapes = this.shapeCount >= SHAPE_LIMIT;
    if (this.resetShapes) {
      this.root = shapeNode();
      this.fixed = fixedSlots();
      this.shapeCount = 0;
      this.slotCount = 0;
    }
    this.ownKeysOnly = protoIsClean();
    return batch;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.u8.length) return;
    const bigger = new ArrayBuffer(Math.max(this.u8.length * 2, this.pos + n));
    const u8 = new Uint8Array(bigger);
    u8.set(this.u8.subarray(0, this.pos));
    this.buf = bigger;
    this.u8 = u8;
    this.view = new DataView(bigger);
  }

  private tag(t: number): void {
    this.ensure(1);
    this.u8[this.pos++] = t;
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        this.number(v);
        return;
      case 'string':
        this.tag(Tag.StringOnce);
        this.strings.push(v);
        return;
      case 'boolean':
        this.tag(v ? Tag.True : Tag.False);
        return;
      case 'undefined':
        this.tag(Tag.Undefined);
        return;
      case 'object':
        if (v === null) this.tag(Tag.Null);
        else if (depth >= MAX_DEPTH) this.clone(v);
        else if (Array.isArray(v)) this.array(v, depth);
        else {
          const proto = Object.getPrototypeOf(v) as object | null;
          if (proto === objectProto) this.object(v as Record<string, unknown>, depth);
          else if (v instanceof FlowBound && lazyPrototypes.includes(proto!)) this.lazy(v, lazyPrototypes.indexOf(proto!), depth);
          else this.clone(v);
        }
        return;
      default:
        // bigint, symbol, function: structured clone copies what it can and throws on the rest, as before.
        this.clone(v);
    }
  }

  private number(v: number): void {
    this.ensure(9);
    // -0 is an integer to `|` and `&`, not to structured clone: it goes as a double.
    if ((v & 0xff) === v && (v !== 0 || 1 / v > 0)) {
      this.u8[this.pos] = Tag.Uint8;
      this.u8[this.pos + 1] = v;
      this.pos += 2;
    } else if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      this.u8[this.pos] = Tag.Int32;
      this.view.setInt32(this.pos + 1, v, true);
      this.pos += 5;
    } else {
      this.u8[this.pos] = Tag.Float64;
      this.view.setFloat64(this.pos + 1, v, true);
      this.pos += 9;
    }
  }

  private lazy(rec: FlowBound, layout: number, depth: number): void {
    const t = this.tuple;
    const state = FlowBound.identityOf(rec, t);
    this.identity(t, layout, state);
    if ((state & IdentityState.CID_KNOWN) !== 0) this.value(FlowBound.knownCommunityId(rec), depth + 1);
    if ((state & IdentityState.UID_KNOWN) !== 0) this.value(FlowBound.knownUid(rec), depth + 1);
    if (layout === FLOW_RECORD_LAYOUT) this.flowFields(rec as LazyFlowRecord, depth);
    else this.object(rec as unknown as Record<string, unknown>, depth);
  }

  /** A lazy record's header: layout, identity state, then the flow's tuple (see Tag.Lazy). */
  private identity(t: FlowTuple, layout: number, state: number): void {
    this.ensure(3);
    this.u8[this.pos] = Tag.Lazy;
    this.u8[this.pos + 1] = layout;
    this.u8[this.pos + 2] = state;
    this.pos += 3;
    this.ensure(16 + 47);
    const view = this.view;
    let at = this.pos;
    view.setFloat64(at, t.flowId, true);
    view.setFloat64(at + 8, t.firstTs, true);
    at += 16;
    this.u8[at] = t.ipVersion;
    this.u8[at + 1] = t.proto;
    view.setUint16(at + 2, t.origPort, true);
    view.setUint16(at + 4, t.respPort, true);
    view.setUint32(at + 6, t.orig, true);
    view.setUint32(at + 10, t.resp, true);
    at += 14;
    const v6 = t.v6;
    this.u8[at++] = v6 === undefined ? 0 : 1;
    if (v6 !== undefined) {
      for (let i = 0; i < 8; i++, at += 4) view.setUint32(at, v6[i], true);
    }
    this.pos = at;
  }

  /**
   * Append a finished flow read from the flow table's slot (valid during the call), as the lazy flow record
   * FlowTable.toLazyRecord would build of it: it arrives as that record, which this thread never builds — nor its
   * address, MAC and flag strings but for those that change from the last record's.
   */
  addFinishedFlow(kind: number, f: FinishedFlow): void {
    this.ensure(1);
    this.u8[this.pos++] = kind;
    const table = f.table, slot = f.slot, fixed = this.fixed;
    const t = table.tupleOf(slot, this.tuple);
    this.identity(t, FLOW_RECORD_LAYOUT, 0);
    // The values of toLazyRecord's fields (record-codec.test.ts compares the two): the numbers first (Tag.FlowNumbers).
    this.ensure(1 + FLOW_NUMBERS_BYTES);
    const view = this.view;
    const at = this.pos + 1;
    this.u8[this.pos] = Tag.FlowNumbers;
    const lastTs = table.lastTs(slot);
    view.setFloat64(at, lastTs, true);
    view.setFloat64(at + 8, lastTs - t.firstTs, true);
    view.setFloat64(at + 16, table.packets(slot, 0), true);
    view.setFloat64(at + 24, table.frameBytes(slot, 0), true);
    view.setFloat64(at + 32, table.packets(slot, 1), true);
    view.setFloat64(at + 40, table.frameBytes(slot, 1), true);
    view.setFloat64(at + 48, table.payloadBytes(slot, 0), true);
    view.setFloat64(at + 56, table.payloadBytes(slot, 1), true);
    view.setFloat64(at + 64, table.firstPacketNo(slot), true);
    view.setFloat64(at + 72, table.lastPacketNo(slot), true);
    this.pos = at + FLOW_NUMBERS_BYTES;
    this.keyString(fixed.endReason, f.reason);
    this.keyString(fixed.file, f.files[table.fileIndexOf(slot)] ?? '');
    this.optionalString(fixed.origMac, table.macOf(slot, 0));
    this.optionalString(fixed.respMac, table.macOf(slot, 1));
    const vlan = table.vlanTag(slot), inner = table.vlanInnerTag(slot);
    if (vlan === 0) this.tag(Tag.Undefined);
    else {
      this.ensure(5);
      this.u8[this.pos] = Tag.Array;
      this.view.setUint32(this.pos + 1, inner !== 0 ? 2 : 1, true);
      this.pos += 5;
      this.number(vlan & 0xfff);
      if (inner !== 0) this.number(inner & 0xfff);
    }
    const app = table.appId(slot);
    this.optionalString(fixed.app, app > 0 ? f.appNames[app] || undefined : undefined);
    if (table.protoOf(slot) === IpProto.TCP && t.ipVersion !== 0) {
      this.keyString(fixed.tcpState, table.tcpState(slot));
      this.keyString(fixed.origFlags, tcpFlagsString(table.tcpFlagsUnion(slot, 0)));
      this.keyString(fixed.respFlags, tcpFlagsString(table.tcpFlagsUnion(slot, 1)));
    } else {
      this.tag(Tag.Undefined);
      this.tag(Tag.Undefined);
      this.tag(Tag.Undefined);
    }
    this.count++;
  }

  private optionalString(node: ShapeNode, s: string | undefined): void {
    if (s === undefined) this.tag(Tag.Undefined);
    else this.keyString(node, s);
  }

  /**
   * A lazy flow record's fields by FLOW_RECORD_FIELDS, without keys: those its identity carries (type, flow id,
   * transport, IP version, addresses, ports, first time) are left out, the rest go as tagged values in that
   * order. Most of a flow-heavy run's records are these; walking their keys was most of its encoding.
   */
  private flowFields(r: LazyFlowRecord, depth: number): void {
    const f = this.fixed;
    this.tag(Tag.FlowFields);
    this.fixedNumber(r.last_ts, depth);
    this.fixedNumber(r.duration, depth);
    this.fixedNumber(r.orig_pkts, depth);
    this.fixedNumber(r.orig_bytes, depth);
    this.fixedNumber(r.resp_pkts, depth);
    this.fixedNumber(r.resp_bytes, depth);
    this.fixedNumber(r.orig_payload_bytes, depth);
    this.fixedNumber(r.resp_payload_bytes, depth);
    this.fixedString(f.endReason, r.end_reason, depth);
    this.fixedString(f.file, r.file, depth);
    this.fixedNumber(r.first_packet, depth);
    this.fixedNumber(r.last_packet, depth);
    this.fixedString(f.origMac, r.orig_mac, depth);
    this.fixedString(f.respMac, r.resp_mac, depth);
    this.value(r.vlan, depth + 1);
    this.fixedString(f.app, r.app, depth);
    this.fixedString(f.tcpState, r.tcp_state, depth);
    this.fixedString(f.origFlags, r.orig_tcp_flags, depth);
    this.fixedString(f.respFlags, r.resp_tcp_flags, depth);
  }

  /** A field of a fixed layout meant to be a number (anything else is sent as what it is). */
  private fixedNumber(v: unknown, depth: number): void {
    if (typeof v === 'number') this.number(v);
    else this.value(v, depth + 1);
  }

  /** A field of a fixed layout meant to be a string, by its slot when it repeats (anything else is sent as what it is). */
  private fixedString(node: ShapeNode, v: unknown, depth = 0): void {
    if (typeof v === 'string') this.keyString(node, v);
    else this.value(v, depth + 1);
  }

  private clone(v: unknown): void {
    this.tag(Tag.Cloned);
    this.cloned.push(v);
  }

  private array(a: unknown[], depth: number): void {
    const n = a.length;
    // A hole reads as undefined; structured clone keeps it a hole, so such an array goes that way.
    for (let i = 0; i < n; i++) {
      if (a[i] === undefined && !(i in a)) {
        this.clone(a);
        return;
      }
    }
    this.ensure(5);
    this.u8[this.pos] = Tag.Array;
    this.view.setUint32(this.pos + 1, n, true);
    this.pos += 5;
    for (let i = 0; i < n; i++) this.value(a[i], depth + 1);
  }

  private object(o: Record<string, unknown>, depth: number): void {
    this.ensure(5);
    const at = this.pos;
    this.u8[at] = Tag.Object;
    this.pos += 5;
    // One pass over the keys: the values are written as the trie is walked, the shape number patched in after.
    let node = this.root;
    if (this.ownKeysOnly) {
      // keyValue written out, its common cases first: this loop is most of the encoding's cost.
      for (const key in o) {
        const next = node.lastKey === key ? node.lastChild! : this.child(node, key);
        const v = o[key];
        if (typeof v === 'number') this.number(v);
        else if (typeof v === 'string') this.keyString(next, v);
        else this.value(v, depth + 1);
        node = next;
      }
    } else {
      for (const key in o) if (Object.hasOwn(o, key)) node = this.keyValue(node, key, o[key], depth);
    }
    if (node.id < 0) this.defineShape(node, o);
    this.view.setUint32(at + 1, node.id, true);
  }

  /** One key of an object and its value: returns the trie node the keys so far lead to. */
  private keyValue(node: ShapeNode, key: string, v: unknown, depth: number): ShapeNode {
    const next = this.child(node, key);
    if (typeof v === 'string') this.keyString(next, v);
    else this.value(v, depth + 1);
    return next;
  }

  private child(node: ShapeNode, key: string): ShapeNode {
    if (node.lastKey === key) return node.lastChild!;
    node.children ??= new Map();
    let next = node.children.get(key);
    if (next === undefined) {
      next = shapeNode();
      node.children.set(key, next);
    }
    node.lastKey = key;
    node.lastChild = next;
    return next;
  }

  private defineShape(node: ShapeNode, o: Record<string, unknown>): void {
    const keys: string[] = [];
    for (const key in o) if (this.ownKeysOnly || Object.hasOwn(o, key)) keys.push(key);
    node.id = this.shapeCount++;
    this.shapes.push(keys);
  }

  /**
   * A string value of an object's key: by the key's slot when the key (of this shape) had this string last
   * time, else sent and kept in that slot. An equality test with one string, no hashing: a map of every
   * string sent costs the sending thread more than the copying it saves.
   */
  private keyString(node: ShapeNode, s: string): void {
    this.ensure(5);
    if (node.lastString === s) {
      this.u8[this.pos] = Tag.StringRef;
      this.view.setUint32(this.pos + 1, node.slot, true);
      this.pos += 5;
      return;
    }
    this.strings.push(s);
    if (s.length > REMEMBER_MAX_CHARS) {
      this.u8[this.pos++] = Tag.StringOnce;
      return;
    }
    if (node.slot < 0) node.slot = this.slotCount++;
    node.lastString = s;
    this.u8[this.pos] = Tag.StringNew;
    this.view.setUint32(this.pos + 1, node.slot, true);
    this.pos += 5;
  }
}

/** Builds an object of one shape, reading its values in key order. */
type ShapeFactory = (d: RecordDecoder) => Record<string, unknown>;
/** Sets the fields of one shape on a received lazy record, reading its values in key order. */
type ShapeFiller = (d: RecordDecoder, o: object) => void;

/**
 * The function that sets a shape's fields on a received lazy record, in key order (one store per field, the
 * same order every time: the records of a shape share their hidden classes). '__proto__' is defined, as an
 * assignment would set the prototype.
 */
function shapeFiller(keys: readonly string[]): ShapeFiller {
  const stores = keys.map((k) => k === '__proto__'
    ? 'Object.defineProperty(o, "__proto__", { value: d.value(), enumerable: true, writable: true, configurable: true });'
    : `o[${JSON.stringify(k)}] = d.value();`);
  try {
    return new Function('d', 'o', stores.join('\n')) as ShapeFiller;
  } catch {
    return (d, o) => {
      for (const key of keys) Object.defineProperty(o, key, { value: d.value(), enumerable: true, writable: true, configurable: true });
    };
  }
}

/**
 * The function that builds objects of a shape: one object literal, so every object of the shape gets the
 * same hidden class at once (property-by-property stores cost about three times as much). Keys are written
 * as JSON string literals, so any key is safe in the source; '__proto__' is a computed key, since as a
 * literal key it would set the prototype. Where code generation is disallowed, properties are stored one
 * by one.
 */
function shapeFactory(keys: readonly string[]): ShapeFactory {
  const props = keys.map((k) => `${k === '__proto__' ? `[${JSON.stringify(k)}]` : JSON.stringify(k)}: d.value()`);
  try {
    return new Function('d', `return { ${props.join(', ')} };`) as ShapeFactory;
  } catch {
    return (d) => {
      const o: Record<string, unknown> = {};
      for (const key of keys) Object.defineProperty(o, key, { value: d.value(), enumerable: true, writable: true, configurable: true });
      return o;
    };
  }
}

/** Reads batches back into records (the later stages' side). */
export class RecordDecoder {
  private strings: string[] = [];
  private shapes: string[][] = [];
  private factories: (ShapeFactory | undefined)[] = [];
  private fillers: (ShapeFiller | undefined)[] = [];
  /** Per shape and event layout (shape * 2 + layout): whether its keys begin with that layout's envelope. */
  private envelopes: (boolean | undefined)[] = [];
  /** What received lazy records compute their ids with (this thread's; the sensor is the sending thread's). */
  private readonly ids: FlowIds | undefined;
  /** Reused by lazy() (a record copies what it needs). */
  private readonly tuple: FlowTuple = flowTuple();
  /** The first packet each Tag.FirstPacket value refills (valid until the next). */
  private readonly firstPacket = new FirstPacket();

  /** `ids`: needed when the stream may carry lazy records (the sender subscribed lazily). */
  constructor(ids?: FlowIds) {
    this.ids = ids;
  }

  // The batch being read.
  private u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private pos = 0;
  private batchStrings: string[] = [];
  private nextString = 0;
  private cloned: unknown[] = [];
  private nextCloned = 0;

  /** Call `visit(kind, value)` for each record of the batch, in order. */
  decode(batch: EncodedBatch, visit: (kind: number, value: unknown) => void): void {
    if (batch.resetShapes) {
      this.strings = [];
      this.shapes = [];
      this.factories = [];
      this.fillers = [];
      this.envelopes = [];
    }
    for (const keys of batch.shapes) this.shapes.push(keys);
    this.u8 = new Uint8Array(batch.bytes, 0, batch.length);
    this.view = new DataView(batch.bytes, 0, batch.length);
    this.pos = 0;
    this.batchStrings = batch.strings;
    this.nextString = 0;
    this.cloned = batch.cloned;
    this.nextCloned = 0;
    const end = batch.length;
    while (this.pos < end) {
      const kind = this.u8[this.pos++];
      visit(kind, this.value());
    }
  }

  /** The next value (public for the shape factories). */
  value(): unknown {
    const tag = this.u8[this.pos++];
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Uint8:
        return this.u8[this.pos++];
      case Tag.Int32: {
        const v = this.view.getInt32(this.pos, true);
        this.pos += 4;
        return v;
      }
      case Tag.Float64: {
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case Tag.StringRef: {
        const id = this.view.getUint32(this.pos, true);
        this.pos += 4;
        return this.strings[id];
      }
      case Tag.StringNew: {
        const slot = this.view.getUint32(this.pos, true);
        this.pos += 4;
        const s = this.batchStrings[this.nextString++];
        this.strings[slot] = s;
        return s;
      }
      case Tag.StringOnce:
        return this.batchStrings[this.nextString++];
      case Tag.Array: {
        const n = this.view.getUint32(this.pos, true);
        this.pos += 4;
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(this.value());
        return a;
      }
      case Tag.Object: {
        const id = this.view.getUint32(this.pos, true);
        this.pos += 4;
        const make = this.factories[id] ?? (this.factories[id] = shapeFactory(this.shapes[id]));
        return make(this);
      }
      case Tag.Cloned:
        return this.cloned[this.nextCloned++];
      case Tag.Lazy:
        return this.lazy();
      case Tag.FirstPacket: {
        const at = this.pos;
        this.pos += FIRST_PACKET_WIRE_BYTES;
        const file = this.value() as string;
        const options = this.value() as string;
        return this.firstPacket.readWire(this.view, at, file, options);
      }
      default:
        throw new Error(`record stream: unknown tag ${tag} at byte ${this.pos - 1}`);
    }
  }

  /**
   * The next value where a string (or nothing) is expected, as keyString writes one: its common cases read here, in
   * a function small enough to be inlined where value()'s whole switch is not; anything else through value().
   */
  private str(): unknown {
    const tag = this.u8[this.pos];
    if (tag === Tag.StringRef) {
      const id = this.view.getUint32(this.pos + 1, true);
      this.pos += 5;
      return this.strings[id];
    }
    if (tag === Tag.Undefined) {
      this.pos++;
      return undefined;
    }
    return this.value();
  }

  /** The lazy flow record received flows are given in (refilled per flow), once there was one. */
  private flowView: LazyFlowRecord | undefined = undefined;

  private lazy(): FlowBound {
    const u8 = this.u8, view = this.view;
    const layout = u8[this.pos];
    const state = u8[this.pos + 1];
    this.pos += 2;
    if (this.ids === undefined || layout > FLOW_RECORD_LAYOUT) throw new Error(`record stream: unexpected lazy record (layout ${layout}) at byte ${this.pos - 3}`);
    const t = this.tuple;
    let at = this.pos;
    t.flowId = wholeAsInt(view.getFloat64(at, true));
    t.firstTs = view.getFloat64(at + 8, true);
    at += 16;
    t.ipVersion = u8[at];
    t.proto = u8[at + 1];
    t.origPort = view.getUint16(at + 2, true);
    t.respPort = view.getUint16(at + 4, true);
    t.orig = view.getUint32(at + 6, true);
    t.resp = view.getUint32(at + 10, true);
    at += 14;
    t.v6 = undefined;
    if (u8[at++] !== 0) {
      const v6 = new Uint32Array(8);
      for (let i = 0; i < 8; i++, at += 4) v6[i] = view.getUint32(at, true);
      t.v6 = v6;
    }
    this.pos = at;
    const cid = (state & IdentityState.CID_KNOWN) !== 0 ? this.value() as string : undefined;
    const uid = (state & IdentityState.UID_KNOWN) !== 0 ? this.value() as string : undefined;
    const withCid = (state & IdentityState.NO_CID) === 0;
    // Ids only where the sender knew them (most records: none; the constructor has the rest of the state).
    const knownIds = (state & (IdentityState.CID_KNOWN | IdentityState.UID_KNOWN)) !== 0;
    const tag = u8[this.pos];
    if ((tag === Tag.FlowFields || tag === Tag.FlowNumbers) && layout === FLOW_RECORD_LAYOUT) {
      this.pos++;
      // The sender's class itself: its constructor defines every field, set here in place. One record refilled for
      // every flow, as the pipeline gives them (LazyFlowRecord.view): a subscriber keeps a copy (holdFlow).
      const r = this.flowView = LazyFlowRecord.view(this.flowView, this.ids, t);
      if (knownIds) FlowBound.restoreIds(r, state, cid, uid);
      if (tag === Tag.FlowNumbers) this.flowNumbers(r, t);
      else this.flowFields(r, t);
      return r;
    }
    if (tag === Tag.FlowEvent && layout === FLOW_EVENT_LAYOUT) {
      const rec = new ReceivedFlowEventWithEnvelope(this.ids, t, withCid);
      if (knownIds) FlowBound.restoreIds(rec, state, cid, uid);
      this.flowEvent(rec, t);
      return rec;
    }
    if (tag !== Tag.Object || layout === FLOW_RECORD_LAYOUT) throw new Error(`record stream: a lazy record's fields are not in its layout (tag ${tag}) at byte ${this.pos}`);
    const id = view.getUint32(this.pos + 1, true);
    this.pos += 5;
    const fill = this.fillers[id] ?? (this.fillers[id] = shapeFiller(this.shapes[id]));
    const slot = id * 2 + layout;
    const envelope = this.envelopes[slot] ??= beginsWith(this.shapes[id], layout === 1 ? ARP_EVENT_ENVELOPE : FLOW_EVENT_ENVELOPE);
    // One `new` per class (a construct site each).
    const rec = layout === 0 ? (envelope ? new ReceivedFlowEventWithEnvelope(this.ids, t, withCid) : new ReceivedFlowEvent(this.ids, t, withCid))
      : envelope ? new ReceivedArpEventWithEnvelope(this.ids, t, withCid) : new ReceivedArpEvent(this.ids, t, withCid);
    if (knownIds) FlowBound.restoreIds(rec, state, cid, uid);
    fill(this, rec);
    return rec;
  }

  /**
   * A flow event's envelope and payload (Tag.FlowEvent), set as LazyFlowEvent's constructor sets them: the envelope
   * in its order, then the payload's fields (one of the envelope's replaced in place, `community_id` and `uid` by
   * their setters), then the type again (a payload never renames the event).
   */
  private flowEvent(rec: ReceivedFlowEventWithEnvelope, t: FlowTuple): void {
    const fromOrig = this.u8[this.pos + 1] === 1;
    this.pos += 2;
    const o = rec as unknown as Record<string, unknown>;
    const type = this.value() as string;
    o.type = type;
    o.ts = this.value();
    o.file = this.value();
    o.packet = this.value();
    o.flow_id = t.flowId;
    o.transport = this.value();
    const orig = addressText(t, 0), resp = addressText(t, 4);
    o.src_ip = fromOrig ? orig : resp;
    o.src_port = fromOrig ? t.origPort : t.respPort;
    o.dst_ip = fromOrig ? resp : orig;
    o.dst_port = fromOrig ? t.respPort : t.origPort;
    o.from_orig = fromOrig;
    if (this.u8[this.pos] !== Tag.Object) throw new Error(`record stream: a flow event's payload is not an object (tag ${this.u8[this.pos]}) at byte ${this.pos}`);
    const id = this.view.getUint32(this.pos + 1, true);
    this.pos += 5;
    const fill = this.fillers[id] ?? (this.fillers[id] = shapeFiller(this.shapes[id]));
    fill(this, rec);
    o.type = type;
  }

  /** A finished flow's fields (Tag.FlowNumbers): its numbers read at their offsets, then the rest as flowFields reads them. */
  private flowNumbers(r: LazyFlowRecord, t: FlowTuple): void {
    const view = this.view;
    const at = this.pos;
    this.pos = at + FLOW_NUMBERS_BYTES;
    this.envelope(r, t);
    // Whole numbers as small integers, as the tagged form decodes them (a double per field would be a heap number each).
    r.last_ts = view.getFloat64(at, true);
    r.duration = smallAsInt(view.getFloat64(at + 8, true));
    r.orig_pkts = smallAsInt(view.getFloat64(at + 16, true));
    r.orig_bytes = smallAsInt(view.getFloat64(at + 24, true));
    r.resp_pkts = smallAsInt(view.getFloat64(at + 32, true));
    r.resp_bytes = smallAsInt(view.getFloat64(at + 40, true));
    r.orig_payload_bytes = smallAsInt(view.getFloat64(at + 48, true));
    r.resp_payload_bytes = smallAsInt(view.getFloat64(at + 56, true));
    r.end_reason = this.str() as LazyFlowRecord['end_reason'];
    r.file = this.str() as string;
    r.first_packet = smallAsInt(view.getFloat64(at + 64, true));
    r.last_packet = smallAsInt(view.getFloat64(at + 72, true));
    this.optionalFields(r);
  }

  /** The fields of a flow record its identity carries (type, flow id, transport, IP version, addresses, ports, first time). */
  private envelope(r: LazyFlowRecord, t: FlowTuple): void {
    r.type = 'flow';
    r.flow_id = t.flowId;
    r.transport = transportName(t.ipVersion, t.proto);
    r.ip_version = t.ipVersion as 4 | 6 | 0;
    r.orig_ip = addressText(t, 0);
    r.orig_port = t.origPort;
    r.resp_ip = addressText(t, 4);
    r.resp_port = t.respPort;
    r.first_ts = t.firstTs;
  }

  /** A flow record's fields after its last packet number, as tagged values (strings or nothing but the VLAN ids). */
  private optionalFields(r: LazyFlowRecord): void {
    r.orig_mac = this.str() as string | undefined;
    r.resp_mac = this.str() as string | undefined;
    r.vlan = this.value() as number[] | undefined;
    r.app = this.str() as string | undefined;
    r.tcp_state = this.str() as LazyFlowRecord['tcp_state'];
    r.orig_tcp_flags = this.str() as string | undefined;
    r.resp_tcp_flags = this.str() as string | undefined;
  }

  /** A flow record's fields (Tag.FlowFields), set in FLOW_RECORD_FIELDS order: one hidden class for all of them. */
  private flowFields(r: LazyFlowRecord, t: FlowTuple): void {
    this.envelope(r, t);
    r.last_ts = this.value() as number;
    r.duration = this.value() as number;
    r.orig_pkts = this.value() as number;
    r.orig_bytes = this.value() as number;
    r.resp_pkts = this.value() as number;
    r.resp_bytes = this.value() as number;
    r.orig_payload_bytes = this.value() as number;
    r.resp_payload_bytes = this.value() as number;
    r.end_reason = this.value() as LazyFlowRecord['end_reason'];
    r.file = this.value() as string;
    r.first_packet = this.value() as number;
    r.last_packet = this.value() as number;
    this.optionalFields(r);
  }
}

/** A whole number as a small integer (as Tag.Int32 decodes), any other number (-0 included) as it is. */
function wholeAsInt(v: number): number {
  return (v | 0) === v && (v !== 0 || 1 / v > 0) ? v | 0 : v;
}

const v6Scratch = new Uint8Array(16);

/** A flow side's address text (`at`: 0 originator, 4 responder) as the flow table writes it: IPv6 from the words, else IPv4. */
function addressText(t: FlowTuple, at: number): string {
  const v6 = t.v6;
  if (t.ipVersion !== 6 || v6 === undefined) return ipv4Text(at === 0 ? t.orig : t.resp);
  for (let i = 0; i < 16; i++) v6Scratch[i] = v6[at + (i >> 2)] >>> (24 - 8 * (i & 3));
  return ipv6ToString(v6Scratch, 0);
}
