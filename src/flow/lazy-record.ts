/**
 * Lazy flow identity: records whose `community_id` and `uid` are computed when first read, not when built.
 *
 * Why: a Community ID is a SHA-1 and a flow uid another (over the sensor, the Community ID, the first packet's
 * time and the flow number), and both are strings. Every event of a flow and every finished flow carried them,
 * yet in a run that writes nothing (`analyze --quiet`) no stage reads a uid at all, and the detectors read a
 * Community ID only for the evidence of what they report. A lazy record copies the few numbers both are made
 * from (the tuple, the flow number, the first packet's time: no string, no hash) and computes each on first
 * read, once per record.
 *
 * Why a class with accessors on its prototype, handed only to some subscribers: an own accessor property
 * (Object.defineProperty per record) costs more than the two hashes it would save, so the accessors live on
 * the prototype — and there they are invisible to whatever enumerates a record: spread (`{...rec}`),
 * Object.keys/entries, structured clone (a worker's postMessage), deep equality. So a source publishes a lazy
 * record only to subscribers that declared they read fields by name (`{ lazy: true }`, src/flow/subscribers.ts:
 * the inventory, the detectors and the assessment); as soon as one subscriber of a type did not, it publishes
 * the plain record, exactly as before. `toJSON` gives the plain record's fields in its order, so a lazy record
 * that reaches JSON.stringify anyway (a detector's facts, say) still writes every field.
 *
 * Bound to the flow, not the slot: the inputs are copied when the record is built, so a value read after the
 * flow ended and its slot was reused is still this flow's own.
 * @module
 */
import { communityIdOfWords } from './community-id.ts';
import type { FlowEndReason, FlowRecord, TcpState } from './types.ts';

/** Makes flow uids (the pipeline's site model: src/pipeline/site.ts). */
export interface FlowUidSource {
  flowUid(communityId: string, firstTs: number, flowId: number): string;
}

/** A flow's identity as the flow table holds it: what its Community ID and uid are computed from. */
export interface FlowTuple {
  flowId: number;
  firstTs: number;
  /** 4, 6, or 0 for ARP. */
  ipVersion: number;
  proto: number;
  origPort: number;
  respPort: number;
  /** IPv4 (and ARP) addresses as unsigned 32-bit numbers (0 for IPv6). */
  orig: number;
  resp: number;
  /** IPv6: both addresses, originator's 4 words then responder's 4; undefined otherwise. */
  v6: Uint32Array | undefined;
}

/** An empty tuple to fill (FlowTable.tupleOf). */
export function flowTuple(): FlowTuple {
  return { flowId: 0, firstTs: 0, ipVersion: 0, proto: 0, origPort: 0, respPort: 0, orig: 0, resp: 0, v6: undefined };
}

/**
 * What lazy records compute their ids with: the uid source, and the last flow's Community ID (a flow's events
 * come in bursts and are read one after another; flow numbers are never reused, so the number alone tells the
 * flow).
 */
export class FlowIds {
  private readonly uids: FlowUidSource;
  private lastFlow = -1;
  private lastCid = '';
  /** IPv4 tuple words for communityIdOfWords (originator in word 0, responder in word 4). */
  private readonly words4 = new Uint32Array(8);

  constructor(uids: FlowUidSource) {
    this.uids = uids;
  }

  communityId(flowId: number, ipVersion: number, proto: number, origPort: number, respPort: number, orig: number, resp: number,
    v6: Uint32Array | undefined): string {
    if (flowId === this.lastFlow) return this.lastCid;
    let words = v6;
    if (words === undefined) {
      words = this.words4;
      words[0] = orig;
      words[4] = resp;
    }
    const id = communityIdOfWords(ipVersion, proto, origPort, respPort, words, 0);
    this.lastFlow = flowId;
    this.lastCid = id;
    return id;
  }

  uid(communityId: string, firstTs: number, flowId: number): string {
    return this.uids.flowUid(communityId, firstTs, flowId);
  }
}

/** Bits of FlowBound's state (FlowBound.identityOf). */
export const IdentityState = {
  CID_KNOWN: 1,
  UID_KNOWN: 2,
  /** The record has no Community ID (ARP events: their envelope never had one). */
  NO_CID: 4,
} as const;
/** The state bits as FlowBound keeps them: above the IP version and protocol, in the same field. */
const STATE_SHIFT = 16;
const CID_KNOWN = IdentityState.CID_KNOWN << STATE_SHIFT;
const UID_KNOWN = IdentityState.UID_KNOWN << STATE_SHIFT;
const NO_CID = IdentityState.NO_CID << STATE_SHIFT;

/**
 * The part every lazy record shares: the copied inputs (private fields: not enumerable, not cloned, not
 * spread) and the `community_id` / `uid` accessors. Assigning either (a payload field of that name, a consumer)
 * sets the value, as it would on a plain record.
 */
export class FlowBound {
  readonly #ids: FlowIds;
  #flowId: number;
  #firstTs: number;
  /**
   * The state bits (IdentityState) << 16 | ipVersion << 8 | proto: one field, not two, in every lazy record and
   * event (the state changes only when an id is computed or set).
   */
  #key: number;
  /** origPort << 16 | respPort. */
  #ports: number;
  #orig: number;
  #resp: number;
  #v6: Uint32Array | undefined;
  #cid: string | undefined = undefined;
  #uid: string | undefined = undefined;

  constructor(ids: FlowIds, t: FlowTuple, withCommunityId = true) {
    this.#ids = ids;
    this.#flowId = t.flowId;
    this.#firstTs = t.firstTs;
    this.#key = (withCommunityId ? 0 : NO_CID) | (t.ipVersion << 8) | t.proto;
    this.#ports = (t.origPort << 16) | t.respPort;
    // As int32: a small integer in the object, not a boxed number (communityIdOfWords reads them back unsigned).
    this.#orig = t.orig | 0;
    this.#resp = t.resp | 0;
    this.#v6 = t.v6;
  }

  get community_id(): string {
    if ((this.#key & CID_KNOWN) === 0) {
      this.#key |= CID_KNOWN;
      if ((this.#key & NO_CID) === 0) this.#cid = FlowBound.#flowCommunityId(this);
    }
    return this.#cid as string;
  }

  set community_id(value: string) {
    this.#cid = value;
    this.#key |= CID_KNOWN;
  }

  get uid(): string {
    if ((this.#key & UID_KNOWN) === 0) {
      // The uid is made from the flow's own Community ID, also for a record whose envelope has none (ARP).
      const cid = (this.#key & NO_CID) === 0 ? this.community_id : FlowBound.#flowCommunityId(this);
      this.#uid = this.#ids.uid(cid, this.#firstTs, this.#flowId);
      this.#key |= UID_KNOWN;
    }
    return this.#uid as string;
  }

  set uid(value: string) {
    this.#uid = value;
    this.#key |= UID_KNOWN;
  }

  /**
   * The record's identity as it crosses a thread boundary (src/engine/record-codec.ts): fills `t` with the copied
   * inputs and returns the state bits (IdentityState), the ids already computed or set not included (see
   * knownIds). Static, not a method: a payload field of the same name would shadow a method.
   */
  static identityOf(rec: FlowBound, t: FlowTuple): number {
    t.flowId = rec.#flowId;
    t.firstTs = rec.#firstTs;
    t.ipVersion = (rec.#key >>> 8) & 0xff;
    t.proto = rec.#key & 0xff;
    t.origPort = rec.#ports >>> 16;
    t.respPort = rec.#ports & 0xffff;
    t.orig = rec.#orig >>> 0;
    t.resp = rec.#resp >>> 0;
    t.v6 = rec.#v6;
    return rec.#key >>> STATE_SHIFT;
  }

  /**
   * The flow's originator (`origV4`) and responder (`respV4`) as unsigned IPv4 numbers, read from the copied
   * tuple without parsing text; -1 when the flow is not IPv4, or `rec` is not a lazy record (a plain record, or
   * one a consumer built itself): the caller then reads the address text. The flow's sides, not an event's
   * source and destination (an event of the responder has its source on the responder's side).
   * Static, not a method: a payload field of the same name would shadow a method.
   */
  static origV4(rec: object): number {
    return #key in rec && ((rec.#key >>> 8) & 0xff) === 4 ? rec.#orig >>> 0 : -1;
  }

  static respV4(rec: object): number {
    return #key in rec && ((rec.#key >>> 8) & 0xff) === 4 ? rec.#resp >>> 0 : -1;
  }

  /**
   * Bind a record to another flow (a view refilled for the next one: LazyFlowRecord.view): its identity as the
   * constructor sets it, no id computed or set.
   */
  static rebind(rec: FlowBound, t: FlowTuple): void {
    rec.#flowId = t.flowId;
    rec.#firstTs = t.firstTs;
    rec.#key = (t.ipVersion << 8) | t.proto;
    rec.#ports = (t.origPort << 16) | t.respPort;
    rec.#orig = t.orig | 0;
    rec.#resp = t.resp | 0;
    rec.#v6 = t.v6;
    rec.#cid = undefined;
    rec.#uid = undefined;
  }

  /** The ids source a record computes its ids with (a held copy computes them as the record would have). */
  static idsOf(rec: FlowBound): FlowIds {
    return rec.#ids;
  }

  /** The Community ID and uid as computed or set so far (undefined when not known: see identityOf's bits). */
  static knownCommunityId(rec: FlowBound): string | undefined {
    return rec.#cid;
  }

  static knownUid(rec: FlowBound): string | undefined {
    return rec.#uid;
  }

  /** Give a record built from a received identity the state it had on the sending side. */
  static restoreIds(rec: FlowBound, state: number, cid: string | undefined, uid: string | undefined): void {
    rec.#key = (rec.#key & 0xffff) | (state << STATE_SHIFT);
    rec.#cid = cid;
    rec.#uid = uid;
  }

  /**
   * The Community ID of the record's flow tuple (FlowIds remembers the last flow's). Static: a private instance
   * method gives every instance one more field (the class brand its calls check), on every record and event.
   */
  static #flowCommunityId(rec: FlowBound): string {
    const key = rec.#key, ports = rec.#ports;
    return rec.#ids.communityId(rec.#flowId, (key >>> 8) & 0xff, key & 0xff, ports >>> 16, ports & 0xffff, rec.#orig >>> 0, rec.#resp >>> 0, rec.#v6);
  }
}

/**
 * The plain form of a lazy record: its own fields in order, with `uid` inserted after the field `uidAfter` and
 * `community_id` after `cidAfter` (null: none; after the same field: uid first), as the plain record has them.
 */
export function plainWithIds(rec: FlowBound, cidAfter: string | null, uidAfter: string, omitUndefined = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const own = rec as unknown as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (omitUndefined && own[key] === undefined) continue;
    // A field named __proto__ (a payload's) stays a field, as in the plain record, not the copy's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: own[key], writable: true, enumerable: true, configurable: true });
    else out[key] = own[key];
    if (key === uidAfter) out.uid = rec.uid;
    if (key === cidAfter) out.community_id = rec.community_id;
  }
  return out;
}

/**
 * A finished flow as a lazy record (built by FlowTable.toLazyRecord): the fields of FlowRecord, `uid` and
 * `community_id` computed on first read. Its plain form (toJSON) equals FlowTable.toRecord's, field for field.
 */
export class LazyFlowRecord extends FlowBound {
  // `declare`: set by the constructor, in this order (a plainly declared field is defined as undefined first).
  declare type: 'flow';
  declare flow_id: number;
  declare transport: string;
  declare ip_version: 4 | 6 | 0;
  declare orig_ip: string;
  declare orig_port: number;
  declare resp_ip: string;
  declare resp_port: number;
  declare first_ts: number;
  declare last_ts: number;
  declare duration: number;
  declare orig_pkts: number;
  declare orig_bytes: number;
  declare resp_pkts: number;
  declare resp_bytes: number;
  declare orig_payload_bytes: number;
  declare resp_payload_bytes: number;
  declare end_reason: FlowEndReason;
  declare file: string;
  declare first_packet: number;
  declare last_packet: number;
  declare orig_mac: string | undefined;
  declare resp_mac: string | undefined;
  declare vlan: number[] | undefined;
  declare app: string | undefined;
  declare tcp_state: TcpState | undefined;
  declare orig_tcp_flags: string | undefined;
  declare resp_tcp_flags: string | undefined;

  /**
   * Every field is defined here, in the plain record's order (FlowTable.toLazyRecord then sets the values): V8
   * sizes a class's objects by the fields its constructors assign, so the record is one allocation with every
   * field in it. Fields first added after the constructor went to a separate property array grown three at a
   * time, four reallocations per record.
   */
  constructor(ids: FlowIds, t: FlowTuple) {
    super(ids, t);
    this.type = 'flow';
    this.flow_id = t.flowId;
    this.transport = '';
    this.ip_version = 0;
    this.orig_ip = '';
    this.orig_port = t.origPort;
    this.resp_ip = '';
    this.resp_port = t.respPort;
    this.first_ts = t.firstTs;
    this.last_ts = 0;
    this.duration = 0;
    this.orig_pkts = 0;
    this.orig_bytes = 0;
    this.resp_pkts = 0;
    this.resp_bytes = 0;
    this.orig_payload_bytes = 0;
    this.resp_payload_bytes = 0;
    this.end_reason = 'end_of_input';
    this.file = '';
    this.first_packet = 0;
    this.last_packet = 0;
    this.orig_mac = undefined;
    this.resp_mac = undefined;
    this.vlan = undefined;
    this.app = undefined;
    this.tcp_state = undefined;
    this.orig_tcp_flags = undefined;
    this.resp_tcp_flags = undefined;
  }

  /**
   * `view` bound to the flow `t` (made when undefined), for its source to set every other field: one record refilled
   * for flow after flow (FlowTable.toLazyRecord, the record stream's decoder), not one made per flow — on the 2 M-packet
   * flow-heavy workload, 2 M records of 29 fields each, all garbage a moment later. So a lazy flow record is valid
   * during the call that hands it over; a subscriber that keeps it keeps `holdFlow(record)`.
   */
  static view(view: LazyFlowRecord | undefined, ids: FlowIds, t: FlowTuple): LazyFlowRecord {
    if (view === undefined) return new LazyFlowRecord(ids, t);
    FlowBound.rebind(view, t);
    view.flow_id = t.flowId;
    view.orig_port = t.origPort;
    view.resp_port = t.respPort;
    view.first_ts = t.firstTs;
    return view;
  }

  toJSON(): FlowRecord {
    // uid right after flow_id, then community_id: the order of toRecord's literal. The optional fields a lazy
    // record always has (undefined when not known: one shape, see FlowTable.toLazyRecord) are left out when
    // undefined, as toRecord leaves them out.
    return plainWithIds(this, 'flow_id', 'flow_id', true) as unknown as FlowRecord;
  }
}

/**
 * A flow record to keep past the call that handed it over: a lazy one's copy, made now (its source refills it for
 * the next flow: LazyFlowRecord.view), with the same fields, identity and ids computed or set so far; any other
 * record as it is (a plain record is the subscriber's own).
 */
export function holdFlow<F>(rec: F): F {
  if (!(rec instanceof LazyFlowRecord)) return rec;
  const t = flowTuple();
  const state = FlowBound.identityOf(rec, t);
  const copy = new LazyFlowRecord(FlowBound.idsOf(rec), t);
  FlowBound.restoreIds(copy, state, FlowBound.knownCommunityId(rec), FlowBound.knownUid(rec));
  const from = rec as unknown as Record<string, unknown>, to = copy as unknown as Record<string, unknown>;
  for (const key of Object.keys(rec)) to[key] = from[key];
  return copy as unknown as F;
}
