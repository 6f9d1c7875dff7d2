/**
 * Bidirectional flow table. Struct of arrays: every per-flow field is a typed array indexed by slot, so a
 * flow costs no object and no string on the hot path. A seeded symmetric hash of the tuple indexes an
 * open-addressing table (linear probing, backward-shift deletion, load <= 1/2) of slot+1 values, each with
 * its distance from its home bucket and the hash's high bits (a tag) above the slot number (hash-index.ts): a
 * probe passes over another flow's entry, and a deletion shifts it, without reading that flow's slot (a cache
 * miss per entry on a large table).
 *
 * Keys (plus outer VLAN id, IP version and protocol):
 * - TCP, UDP, SCTP: addresses and ports.
 * - ICMP/ICMPv6: addresses and the Community ID port equivalents (type and counterpart type, e.g. 8/0 for
 *   echo; type and code for one-way types such as destination unreachable), plus the echo identifier for
 *   echo request/reply, so each ping session is its own flow.
 * - ARP (transport 'arp', ip_version 0): sender and target protocol addresses.
 * - Other IP protocols: addresses and protocol.
 *
 * Originator rule: the sender of a flow's first packet is the originator, except when that packet looks
 * like an answer, then its receiver is: a TCP SYN+ACK; a midstream TCP, UDP or SCTP packet from a port
 * below 1024 to a port at or above 1024 (server to client); an ICMP echo/timestamp/info/mask reply or
 * ICMPv6 echo/node-information/home-agent reply; an ARP reply.
 *
 * Timeouts: one LRU list (intrusive, Int32Array links) per timeout class: TCP open, TCP closing (FIN both
 * ways or RST: ends tcpClosedLingerS after its last packet), UDP/SCTP, ICMP, other (incl. ARP). Each list
 * is ordered by last activity, so `expire` walks only flows that are due. The active timeout is checked
 * when a flow's packet arrives (the record ends with reason 'active' and the connection goes on as a new
 * record in the same slot, keeping its orientation, state and application protocol); a
 * flow that goes quiet is ended by its idle timeout anyway. A pure SYN on a closing TCP flow (port reuse)
 * ends it and starts a new flow.
 *
 * Fragments that decode did not reassemble (view.isFragment), packets without L3, and TCP/UDP/SCTP/ICMP
 * packets whose transport header was not decoded are not flow packets: `track` returns -1 (counted).
 * @module
 */
import { IpProto, L3, TcpFlag } from '../decode/packet-view.ts';
import type { PacketView } from '../decode/packet-view.ts';
import { communityIdOfWords, icmpCounterpart } from './community-id.ts';
import { endpointHash, tupleHash } from './flow-hash.ts';
import { FlowIndex } from './hash-index.ts';
import { ipv4ToString, ipv6ToString, macNumberToString, macToNumber } from '../decode/address.ts';
import { tcpBitsUpdate, tcpFlagsString, tcpIsClosing, tcpStateOf, tcpWasReset } from './tcp-state.ts';
import type { FlowEndReason, FlowRecord, TcpState } from './types.ts';
import { flowTuple, LazyFlowRecord, type FlowIds, type FlowTuple } from './lazy-record.ts';

export interface FlowTableOptions {
  /** Most live flows; when full, the least recently active flow is evicted. */
  maxFlows: number;
  tcpIdleS: number;
  /** Time after the last packet of a closed (FIN both ways) or reset TCP connection before it ends. */
  tcpClosedLingerS: number;
  udpIdleS: number;
  icmpIdleS: number;
  otherIdleS: number;
  /**
   * A flow older than this (first to current packet) ends at its next packet, which starts a new flow
   * record carrying on the same connection (analyzer and reassembly state kept, see continueFlow).
   */
  activeTimeoutS: number;
  /** Slots allocated at construction; arrays grow fourfold up to maxFlows as needed. */
  initialCapacity: number;
}

export const defaultFlowTableOptions: FlowTableOptions = {
  maxFlows: 262144,
  tcpIdleS: 300,
  tcpClosedLingerS: 5,
  udpIdleS: 60,
  icmpIdleS: 30,
  otherIdleS: 60,
  activeTimeoutS: 3600,
  initialCapacity: 1024,
};

export interface FlowTableStats {
  live: number;
  maxLive: number;
  created: number;
  ended: Record<FlowEndReason, number>;
  evicted: number;
  /** Flows cut by the active timeout that went on as a new flow record in the same slot. */
  continued: number;
  /** Packets `track` returned -1 for. */
  notFlowPackets: number;
  /** Allocated slots (grows fourfold up to maxFlows). */
  capacity: number;
}

// Timeout classes, one LRU list each.
const LIST_TCP = 0;
const LIST_TCP_CLOSING = 1;
const LIST_UDP = 2;
const LIST_ICMP = 3;
const LIST_OTHER = 4;
const LIST_COUNT = 5;
const LIST_FREE = 255;

const ECHO_V4_REQ = 8, ECHO_V4_REP = 0, ECHO_V6_REQ = 128, ECHO_V6_REP = 129;
const ICMP4_REPLIES = new Set([0, 14, 16, 18]);
const ICMP6_REPLIES = new Set([129, 140, 145]);
const NO_MAC = -1;
/** Bytes of one slot across the per-slot arrays (see growTo; the hash index comes on top). */
const SLOT_BYTES = 11 * 8 + 17 * 4 + 8 * 2 + 7;
type SlotArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

function readMac(d: Uint8Array, off: number, end: number): number {
  if (off < 0 || off + 6 > end || off + 6 > d.length) return NO_MAC;
  return macToNumber(d, off);
}

const addrScratch = new Uint8Array(16);

/**
 * MAC text of a 48-bit number, remembered: a network has few MACs and every flow record names two, so most
 * records reuse a string instead of building one. Bounded (traffic chooses the MACs): cleared when full.
 */
const MAC_TEXT_BITS = 10;
const macTextKeys = new Float64Array(1 << MAC_TEXT_BITS).fill(-1);
const macTexts: string[] = new Array<string>(1 << MAC_TEXT_BITS).fill('');

/** Direct-mapped like ipv4Text (a map keyed by a 48-bit number hashed a boxed double per lookup). */
function macText(n: number): string {
  const i = Math.imul((n >>> 0) ^ ((n / 0x100000000) | 0), 0x9e3779b1) >>> (32 - MAC_TEXT_BITS);
  if (macTextKeys[i] === n) return macTexts[i];
  const text = macNumberToString(n);
  macTextKeys[i] = n;
  macTexts[i] = text;
  return text;
}

/**
 * Dotted-quad text of an IPv4 address from a small direct-mapped cache: every event names two addresses and
 * every flow record two, mostly the same few hosts, so most get a string made before. Fixed size (4096
 * entries, the address's hash picks one): bounded whatever the traffic.
 */
const V4_TEXT_BITS = 12;
const v4TextKeys = new Int32Array(1 << V4_TEXT_BITS);
const v4Texts: string[] = new Array<string>(1 << V4_TEXT_BITS).fill('');

export function ipv4Text(n: number): string {
  const i = Math.imul(n, 0x9e3779b1) >>> (32 - V4_TEXT_BITS);
  const s = v4Texts[i];
  if (s !== '' && v4TextKeys[i] === (n | 0)) return s;
  const text = ipv4ToString(n);
  v4TextKeys[i] = n | 0;
  v4Texts[i] = text;
  return text;
}

/**
 * A count read from a Float64Array as an integer when it is one (all but the largest): V8 stores a value loaded
 * from a Float64Array into an object field as a heap-allocated number, an int32 as a small integer in the field.
 * A flow record has seven such counts and its flow id; events and first packets the id. Never given -0 (counts, ids).
 */
export function smallAsInt(v: number): number {
  return (v | 0) === v ? v | 0 : v;
}

function readU32(d: Uint8Array, off: number): number {
  return ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
}

export class FlowTable {
  /** After `track`: 0 when the packet came from the originator, 1 from the responder. */
  dir = 0;
  /** After `track`: true when this packet created the flow. */
  isNew = false;
  /** Set by `track`: the packet's flow was cut by the active timeout just now and goes on as a new record. */
  continued = false;

  private readonly opts: FlowTableOptions;
  private readonly onEnd: (slot: number, reason: FlowEndReason) => void;
  private readonly seed: number;
  private readonly timeouts: Float64Array;
  private cap = 0;
  private live = 0;
  private nextFlowId = 1;
  /** Slots below this have been used; the ones above are untouched zero pages (never read). */
  private used = 0;
  /** Released slots (linked by `next`), reused before a fresh one. */
  private freeHead = -1;
  private readonly st: FlowTableStats;

  private readonly ix: FlowIndex;

  // per slot (struct of arrays)
  private hash = new Uint32Array(0);
  private proto = new Uint8Array(0);
  private ipVer = new Uint8Array(0);
  /** Outer VLAN id | 0x1000 when tagged (0 = untagged); inner likewise. */
  private vlan = new Uint16Array(0);
  private vlanInner = new Uint16Array(0);
  /** 8 words per slot: originator address [0..3], responder [4..7]; IPv4/ARP in word 0. */
  private addr = new Uint32Array(0);
  private origPortA = new Uint16Array(0);
  private respPortA = new Uint16Array(0);
  /** ICMP echo identifier (key part), 0 otherwise. */
  private extra = new Uint16Array(0);
  /** 2 per slot: originator, responder MAC (48-bit number, -1 unknown). */
  private mac = new Float64Array(0);
  /** 2 per slot (dir 0, dir 1). */
  private pkts = new Float64Array(0);
  private bytes = new Float64Array(0);
  private payload = new Float64Array(0);
  private firstTsA = new Float64Array(0);
  private lastTsA = new Float64Array(0);
  private firstPkt = new Uint32Array(0);
  private lastPkt = new Uint32Array(0);
  private firstFile = new Uint32Array(0);
  private lastFile = new Uint32Array(0);
  /** 2 per slot: TCP flags union per direction. */
  private tcpFlags = new Uint8Array(0);
  private tcpBits = new Uint16Array(0);
  /** SYNs (without ACK) from the originator; more than one = retransmitted SYNs. Saturates. */
  private synCount = new Uint16Array(0);
  /** Sequence number of the originator's first SYN (to tell a retried attempt from port reuse). */
  private synSeq = new Uint32Array(0);
  /** Sequence number of the responder's first SYN-ACK; respIsnSeen says it was set. Reassembly starts at ISN + 1. */
  private respIsn = new Uint32Array(0);
  private respIsnSeen = new Uint8Array(0);
  private app = new Uint16Array(0);
  private flowIdA = new Float64Array(0);
  private continuedA = new Uint8Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private list = new Uint8Array(0);
  private readonly head = new Int32Array(LIST_COUNT).fill(-1);
  private readonly tail = new Int32Array(LIST_COUNT).fill(-1);
  /** Reused by toLazyRecord (the record copies what it needs). */
  private readonly tuple = flowTuple();
  /** The Community ID asked for last (flow ids are never reused, so the id alone tells the flow). */
  private lastCidFlow = -1;
  private lastCid = '';

  // key of the packet being tracked (no allocation per packet)
  private readonly kSrc = new Uint32Array(4);
  private readonly kDst = new Uint32Array(4);
  private kSp = 0;
  private kDp = 0;
  private kProto = 0;
  private kVer = 0;
  private kVlan = 0;
  private kExtra = 0;
  /** The packet is an answer: its receiver becomes the originator of a new flow. */
  private kSwap = false;

  constructor(options: Partial<FlowTableOptions>, onEnd: (slot: number, reason: FlowEndReason) => void) {
    this.opts = { ...defaultFlowTableOptions, ...options };
    this.opts.maxFlows = Math.max(1, Math.floor(this.opts.maxFlows));
    this.onEnd = onEnd;
    this.seed = (Math.random() * 0x100000000) | 0;
    const o = this.opts;
    this.timeouts = Float64Array.of(o.tcpIdleS, o.tcpClosedLingerS, o.udpIdleS, o.icmpIdleS, o.otherIdleS);
    this.st = {
      live: 0, maxLive: 0, created: 0, evicted: 0, continued: 0, notFlowPackets: 0, capacity: 0,
      ended: { idle: 0, active: 0, tcp_closed: 0, tcp_reset: 0, evicted: 0, end_of_input: 0 },
    };
    this.ix = new FlowIndex(this.opts.maxFlows);
    this.growTo(Math.min(this.opts.maxFlows, Math.max(16, Math.floor(this.opts.initialCapacity))));
  }

  /**
   * Account one packet to its flow, creating the flow when needed. Returns the slot, or -1 when the packet
   * is not a flow packet. Sets `dir` and `isNew`. May end flows first (onEnd: eviction, active timeout,
   * TCP port reuse).
   */
  track(view: PacketView, ts: number, frameLen: number, packetNo: number, fileIndex: number): number {
    if (!this.keyOf(view)) {
      this.st.notFlowPackets++;
      return -1;
    }
    const isTcp = this.kProto === IpProto.TCP && this.kVer !== 0;
    const h = tupleHash(this.seed,
      endpointHash(this.seed, this.kSrc[0], this.kSrc[1], this.kSrc[2], this.kSrc[3], this.kSp),
      endpointHash(this.seed, this.kDst[0], this.kDst[1], this.kDst[2], this.kDst[3], this.kDp),
      this.kProto | (this.kVer << 8) | (this.kVlan << 16), this.kExtra);
    let slot = this.find(h);
    this.continued = false;
    if (slot >= 0) {
      if (ts - this.firstTsA[slot] >= this.opts.activeTimeoutS) {
        this.continueFlow(slot, ts, packetNo, fileIndex);
      } else if (isTcp && this.list[slot] === LIST_TCP_CLOSING
        && (view.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN) {
        if (this.synCount[slot] > 0 && view.seq === this.synSeq[slot]) {
          // The same attempt (same ISN) retried after a RST: one connection, as tshark counts it.
          this.tcpBits[slot] = 0;
        } else {
          this.end(slot, tcpWasReset(this.tcpBits[slot]) ? 'tcp_reset' : 'tcp_closed');
          slot = -1;
        }
      }
    }
    this.isNew = slot < 0;
    if (slot < 0) slot = this.create(h, view, ts, packetNo, fileIndex);
    const dir = this.dir;
    const d2 = slot * 2 + dir;
    this.pkts[d2]++;
    this.bytes[d2] += frameLen;
    this.payload[d2] += view.payloadLen;
    if (ts > this.lastTsA[slot]) this.lastTsA[slot] = ts;
    this.lastPkt[slot] = packetNo;
    this.lastFile[slot] = fileIndex;
    const mo = slot * 2;
    if (this.mac[mo + dir] === NO_MAC) this.mac[mo + dir] = readMac(view.data, view.srcMacOff, view.end);
    if (this.mac[mo + 1 - dir] === NO_MAC) this.mac[mo + 1 - dir] = readMac(view.data, view.dstMacOff, view.end);
    let listId = this.list[slot];
    if (isTcp) {
      const f = view.tcpFlags;
      this.tcpFlags[d2] |= f;
      const b = tcpBitsUpdate(this.tcpBits[slot], dir, f);
      this.tcpBits[slot] = b;
      if (dir === 0 && (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && this.synCount[slot] < 0xffff) {
        if (this.synCount[slot] === 0) this.synSeq[slot] = view.seq;
        this.synCount[slot]++;
      } else if (dir === 1 && (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK) && this.respIsnSeen[slot] === 0) {
        this.respIsn[slot] = view.seq;
        this.respIsnSeen[slot] = 1;
      }
      listId = tcpIsClosing(b) ? LIST_TCP_CLOSING : LIST_TCP;
    }
    if (this.tail[listId] !== slot || this.list[slot] !== listId) {
      // Most packets of a busy flow find it at its list's tail already (the last one active).
      this.unlink(slot);
      this.linkTail(slot, listId);
    }
    return slot;
  }

  /** End flows idle past their timeout at packet time `ts`. Cost: the flows ended plus one check per list. */
  expire(ts: number): void {
    for (let l = 0; l < LIST_COUNT; l++) {
      const limit = ts - this.timeouts[l];
      while (this.head[l] >= 0 && this.lastTsA[this.head[l]] < limit) {
        const s = this.head[l];
        this.end(s, l === LIST_TCP_CLOSING ? (tcpWasReset(this.tcpBits[s]) ? 'tcp_reset' : 'tcp_closed') : 'idle');
      }
    }
  }

  /** Lifecycle: time advanced to `now` (packet time, or the live heartbeat): end the flows due. */
  tick(now: number): void {
    this.expire(now);
  }

  /** Lifecycle: input ended or the sensor stops: end every live flow. */
  flush(): void {
    this.endAll('end_of_input');
  }

  /**
   * Active timeout: the flow's record so far ends (reason 'active') and the same slot goes on as a new flow
   * (new flow id, counters from zero) with the same orientation, TCP state, MACs and application protocol,
   * so its analyzer and reassembly state carry on: a day-long telnet or MQTT session keeps producing events.
   */
  private continueFlow(slot: number, ts: number, packetNo: number, fileIndex: number): void {
    this.onEnd(slot, 'active');
    this.st.ended.active++;
    this.st.created++;
    this.st.continued++;
    const d = slot * 2;
    this.pkts[d] = 0; this.pkts[d + 1] = 0;
    this.bytes[d] = 0; this.bytes[d + 1] = 0;
    this.payload[d] = 0; this.payload[d + 1] = 0;
    this.tcpFlags[d] = 0; this.tcpFlags[d + 1] = 0;
    this.firstTsA[slot] = ts;
    this.lastTsA[slot] = ts;
    this.firstPkt[slot] = packetNo;
    this.firstFile[slot] = fileIndex;
    this.flowIdA[slot] = this.nextFlowId++;
    this.continuedA[slot] = 1;
    this.continued = true;
  }

  /** True when the flow in `slot` continues one cut by the active timeout. */
  isContinuation(slot: number): boolean {
    return this.continuedA[slot] === 1;
  }

  /** End every live flow (in creation order) with `reason`. */
  endAll(reason: FlowEndReason = 'end_of_input'): void {
    // Creation order is flow id order. Each live slot as one number, flowId * cap + slot, sorted by the typed
    // array's native numeric sort: sorting by a comparator (called n log n times) was 4 % of a run's CPU when
    // 200k flows were live at its end.
    const cap = this.cap;
    if (this.nextFlowId * cap > Number.MAX_SAFE_INTEGER) {
      this.endAllByComparator(reason); // not exact as one number (never in practice)
      return;
    }
    const keys = new Float64Array(this.live);
    let n = 0;
    for (let l = 0; l < LIST_COUNT; l++) for (let s = this.head[l]; s >= 0 && n < keys.length; s = this.next[s]) keys[n++] = this.flowIdA[s] * cap + s;
    const order = keys.subarray(0, n).sort();
    for (let i = 0; i < n; i++) this.end(order[i] % cap, reason);
  }

  private endAllByComparator(reason: FlowEndReason): void {
    const slots: number[] = [];
    for (let l = 0; l < LIST_COUNT; l++) for (let s = this.head[l]; s >= 0; s = this.next[s]) slots.push(s);
    slots.sort((a, b) => this.flowIdA[a] - this.flowIdA[b]);
    for (const s of slots) this.end(s, reason);
  }

  /** JSON form of a live flow (call from onEnd, or any time before the slot is reused). */
  /** `communityId`: the flow's id when the caller already computed it (saves a SHA-1 per flow). */
  toRecord(slot: number, fileNames: readonly string[], appNames?: readonly string[], endReason: FlowEndReason = 'end_of_input', communityId?: string, uid?: string): FlowRecord {
    const rec: FlowRecord = {
      type: 'flow',
      flow_id: smallAsInt(this.flowIdA[slot]),
      ...(uid === undefined ? {} : { uid }),
      community_id: communityId ?? this.communityId(slot),
      transport: this.transport(slot),
      ip_version: this.ipVer[slot] as 4 | 6 | 0,
      orig_ip: this.origIp(slot),
      orig_port: this.origPortA[slot],
      resp_ip: this.respIp(slot),
      resp_port: this.respPortA[slot],
      first_ts: this.firstTsA[slot],
      last_ts: this.lastTsA[slot],
      duration: this.lastTsA[slot] - this.firstTsA[slot],
      orig_pkts: smallAsInt(this.pkts[slot * 2]),
      orig_bytes: smallAsInt(this.bytes[slot * 2]),
      resp_pkts: smallAsInt(this.pkts[slot * 2 + 1]),
      resp_bytes: smallAsInt(this.bytes[slot * 2 + 1]),
      orig_payload_bytes: smallAsInt(this.payload[slot * 2]),
      resp_payload_bytes: smallAsInt(this.payload[slot * 2 + 1]),
      end_reason: endReason,
      file: fileNames[this.firstFile[slot]] ?? '',
      first_packet: this.firstPkt[slot],
      last_packet: this.lastPkt[slot],
    };
    this.addOptionalFields(rec, slot, appNames);
    return rec;
  }

  /**
   * The same record as toRecord, lazy: `uid` and `community_id` are computed from the flow's tuple (copied now,
   * so the slot can be reused) when first read (see lazy-record.ts). For subscribers that read fields by name.
   * `into`: a lazy record made before, refilled for this flow and returned (LazyFlowRecord.view).
   */
  toLazyRecord(slot: number, ids: FlowIds, fileNames: readonly string[], appNames?: readonly string[], endReason: FlowEndReason = 'end_of_input',
    into?: LazyFlowRecord): FlowRecord {
    // The class defines every field in toRecord's order (the plain form's); set here in place.
    const rec = LazyFlowRecord.view(into, ids, this.tupleOf(slot, this.tuple)) as unknown as FlowRecord;
    const d = slot * 2;
    rec.transport = this.transport(slot);
    rec.ip_version = this.ipVer[slot] as 4 | 6 | 0;
    rec.orig_ip = this.origIp(slot);
    rec.resp_ip = this.respIp(slot);
    const lastTs = this.lastTsA[slot];
    rec.last_ts = lastTs;
    rec.duration = smallAsInt(lastTs - rec.first_ts); // 0 for a flow of one packet: no boxed number
    rec.orig_pkts = smallAsInt(this.pkts[d]);
    rec.orig_bytes = smallAsInt(this.bytes[d]);
    rec.resp_pkts = smallAsInt(this.pkts[d + 1]);
    rec.resp_bytes = smallAsInt(this.bytes[d + 1]);
    rec.orig_payload_bytes = smallAsInt(this.payload[d]);
    rec.resp_payload_bytes = smallAsInt(this.payload[d + 1]);
    rec.end_reason = endReason;
    rec.file = fileNames[this.firstFile[slot]] ?? '';
    rec.first_packet = this.firstPkt[slot];
    rec.last_packet = this.lastPkt[slot];
    this.setOptionalFields(rec, slot, appNames);
    return rec;
  }

  /**
   * addOptionalFields for a lazy record: every optional field set, undefined when not known, always in the same
   * order. So every lazy record has one shape, and a subscriber's reads of its fields stay monomorphic (with a
   * field present on some records only, the ~15 stages reading flows saw 4–8 shapes: megamorphic loads). Reading
   * by name sees no difference; its plain form (toJSON) leaves the undefined ones out.
   */
  private setOptionalFields(rec: FlowRecord, slot: number, appNames: readonly string[] | undefined): void {
    rec.orig_mac = this.mac[slot * 2] !== NO_MAC ? macText(this.mac[slot * 2]) : undefined;
    rec.resp_mac = this.mac[slot * 2 + 1] !== NO_MAC ? macText(this.mac[slot * 2 + 1]) : undefined;
    rec.vlan = this.vlan[slot] ? (this.vlanInner[slot] ? [this.vlan[slot] & 0xfff, this.vlanInner[slot] & 0xfff] : [this.vlan[slot] & 0xfff]) : undefined;
    const app = this.app[slot];
    rec.app = app > 0 && appNames && appNames[app] ? appNames[app] : undefined;
    const tcp = this.proto[slot] === IpProto.TCP && this.ipVer[slot] !== 0;
    rec.tcp_state = tcp ? this.tcpState(slot) : undefined;
    rec.orig_tcp_flags = tcp ? tcpFlagsString(this.tcpFlags[slot * 2]) : undefined;
    rec.resp_tcp_flags = tcp ? tcpFlagsString(this.tcpFlags[slot * 2 + 1]) : undefined;
  }

  /** The fields a record has only when known: MACs, VLANs, application, TCP state and flags. */
  private addOptionalFields(rec: FlowRecord, slot: number, appNames: readonly string[] | undefined): void {
    if (this.mac[slot * 2] !== NO_MAC) rec.orig_mac = macText(this.mac[slot * 2]);
    if (this.mac[slot * 2 + 1] !== NO_MAC) rec.resp_mac = macText(this.mac[slot * 2 + 1]);
    if (this.vlan[slot]) rec.vlan = this.vlanInner[slot] ? [this.vlan[slot] & 0xfff, this.vlanInner[slot] & 0xfff] : [this.vlan[slot] & 0xfff];
    const app = this.app[slot];
    if (app > 0 && appNames && appNames[app]) rec.app = appNames[app];
    if (this.proto[slot] === IpProto.TCP && this.ipVer[slot] !== 0) {
      rec.tcp_state = this.tcpState(slot);
      rec.orig_tcp_flags = tcpFlagsString(this.tcpFlags[slot * 2]);
      rec.resp_tcp_flags = tcpFlagsString(this.tcpFlags[slot * 2 + 1]);
    }
  }

  /** Bytes held by the table's typed arrays (per-slot fields and the hash index). */
  allocatedBytes(): number {
    const arrays: ArrayLike<number>[] = [this.ix.entries, this.hash, this.proto, this.ipVer, this.vlan, this.vlanInner, this.addr,
      this.origPortA, this.respPortA, this.extra, this.mac, this.pkts, this.bytes, this.payload, this.firstTsA, this.lastTsA,
      this.firstPkt, this.lastPkt, this.firstFile, this.lastFile, this.tcpFlags, this.tcpBits, this.synCount, this.synSeq, this.respIsn, this.respIsnSeen, this.app,
      this.flowIdA, this.continuedA, this.prev, this.next, this.list];
    let n = 0;
    for (const a of arrays) n += (a as unknown as ArrayBufferView).byteLength;
    return n;
  }

  // --- accessors ---
  get stats(): FlowTableStats {
    this.st.live = this.live;
    this.st.capacity = this.cap;
    return this.st;
  }
  appId(slot: number): number { return this.app[slot]; }
  setAppId(slot: number, id: number): void { this.app[slot] = id; }
  flowId(slot: number): number { return smallAsInt(this.flowIdA[slot]); }
  /** IP protocol number (0 for ARP). */
  protoOf(slot: number): number { return this.proto[slot]; }
  ipVersion(slot: number): number { return this.ipVer[slot]; }
  origPort(slot: number): number { return this.origPortA[slot]; }
  respPort(slot: number): number { return this.respPortA[slot]; }
  firstTs(slot: number): number { return this.firstTsA[slot]; }
  lastTs(slot: number): number { return this.lastTsA[slot]; }
  packets(slot: number, dir: number): number { return this.pkts[slot * 2 + dir]; }
  frameBytes(slot: number, dir: number): number { return this.bytes[slot * 2 + dir]; }
  payloadBytes(slot: number, dir: number): number { return this.payload[slot * 2 + dir]; }
  /** SYNs without ACK from the originator (> 1: retransmitted SYNs). */
  synPackets(slot: number): number { return this.synCount[slot]; }
  /** Initial sequence number of a direction from its SYN (originator) or SYN-ACK (responder); -1 when not seen. */
  isn(slot: number, dir: number): number {
    if (dir === 0) return this.synCount[slot] > 0 ? this.synSeq[slot] : -1;
    return this.respIsnSeen[slot] === 1 ? this.respIsn[slot] : -1;
  }
  tcpFlagsUnion(slot: number, dir: number): number { return this.tcpFlags[slot * 2 + dir]; }
  /** Index (in the run's file list) of the file the flow's first packet came from, and its first and last packet numbers. */
  fileIndexOf(slot: number): number { return this.firstFile[slot]; }
  firstPacketNo(slot: number): number { return this.firstPkt[slot]; }
  lastPacketNo(slot: number): number { return this.lastPkt[slot]; }
  /** A side's MAC as its record names it (the text made once per MAC), undefined when not seen. */
  macOf(slot: number, dir: number): string | undefined {
    const m = this.mac[slot * 2 + dir];
    return m !== NO_MAC ? macText(m) : undefined;
  }
  /** Outer and inner VLAN id with 0x1000 set when tagged, 0 when not. */
  vlanTag(slot: number): number { return this.vlan[slot]; }
  vlanInnerTag(slot: number): number { return this.vlanInner[slot]; }
  tcpState(slot: number): TcpState { return tcpStateOf(this.tcpBits[slot]); }
  /** 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'arp' | 'ip-<n>' */
  transport(slot: number): string {
    if (this.ipVer[slot] === 0) return 'arp';
    switch (this.proto[slot]) {
      case IpProto.TCP: return 'tcp';
      case IpProto.UDP: return 'udp';
      case IpProto.SCTP: return 'sctp';
      case IpProto.ICMP: return 'icmp';
      case IpProto.ICMPV6: return 'icmp6';
      default: return `ip-${this.proto[slot]}`;
    }
  }
  origIp(slot: number): string { return this.addrString(slot, 0); }
  respIp(slot: number): string { return this.addrString(slot, 4); }

  /**
   * Community ID v1 of the flow (seed 0). ARP pseudo-flows get one computed over their IPv4 pair with protocol 0
   * (a Bulwark extension: the spec covers IP only). Computed from the slot's tuple at each call rather than kept
   * (a one-block SHA-1, about 0.3 µs, against 21 bytes a slot); the last flow's answer is remembered, as a flow's
   * events and its record usually ask one after another.
   */
  communityId(slot: number, seed = 0): string {
    const flowId = this.flowIdA[slot];
    if (seed === 0 && flowId === this.lastCidFlow) return this.lastCid;
    const id = communityIdOfWords(this.ipVer[slot], this.proto[slot], this.origPortA[slot], this.respPortA[slot], this.addr, slot * 8, seed);
    if (seed === 0) {
      this.lastCidFlow = flowId;
      this.lastCid = id;
    }
    return id;
  }

  /**
   * The flow's identity as a lazy record captures it (see lazy-record.ts), into `out` (reused: no allocation but
   * for an IPv6 flow's addresses, copied as they must outlive the slot).
   */
  tupleOf(slot: number, out: FlowTuple): FlowTuple {
    out.flowId = smallAsInt(this.flowIdA[slot]);
    out.firstTs = this.firstTsA[slot];
    out.ipVersion = this.ipVer[slot];
    out.proto = this.proto[slot];
    out.origPort = this.origPortA[slot];
    out.respPort = this.respPortA[slot];
    const a = slot * 8;
    out.orig = this.addr[a];
    out.resp = this.addr[a + 4];
    out.v6 = this.ipVer[slot] === 6 ? this.addr.slice(a, a + 8) : undefined;
    return out;
  }

  /**
   * Every slot's address words (slot s: originator at s * 8, responder at s * 8 + 4): read during the call only
   * (the array is replaced when the table grows).
   */
  addressWords(): Uint32Array {
    return this.addr;
  }

  // --- internals ---

  private addrString(slot: number, w: number): string {
    const a = slot * 8 + w;
    if (this.ipVer[slot] !== 6) return ipv4Text(this.addr[a]);
    for (let i = 0; i < 16; i++) addrScratch[i] = this.addr[a + (i >> 2)] >>> (24 - 8 * (i & 3));
    return ipv6ToString(addrScratch, 0);
  }

  /** Fill the k* key fields from the view; false when the packet is not a flow packet. */
  private keyOf(v: PacketView): boolean {
    const s = this.kSrc, d = this.kDst;
    this.kVlan = v.vlanCount > 0 ? (v.vlanIds[0] & 0xfff) | 0x1000 : 0;
    this.kExtra = 0;
    this.kSwap = false;
    this.kSp = 0;
    this.kDp = 0;
    if (v.l3 === L3.ARP) {
      this.kVer = 0;
      this.kProto = 0;
      s[0] = v.arpSenderIp >>> 0; s[1] = 0; s[2] = 0; s[3] = 0;
      d[0] = v.arpTargetIp >>> 0; d[1] = 0; d[2] = 0; d[3] = 0;
      this.kSwap = v.arpOp === 2;
      return true;
    }
    if (v.l3 === L3.IPV4) {
      this.kVer = 4;
      s[0] = v.src4 >>> 0; s[1] = 0; s[2] = 0; s[3] = 0;
      d[0] = v.dst4 >>> 0; d[1] = 0; d[2] = 0; d[3] = 0;
    } else if (v.l3 === L3.IPV6) {
      if (v.src6Off < 0 || v.dst6Off < 0 || v.src6Off + 16 > v.end || v.dst6Off + 16 > v.end || v.end > v.data.length) return false;
      this.kVer = 6;
      for (let i = 0; i < 4; i++) {
        s[i] = readU32(v.data, v.src6Off + 4 * i);
        d[i] = readU32(v.data, v.dst6Off + 4 * i);
      }
    } else {
      return false;
    }
    if (v.isFragment) return false;
    const p = v.ipProto & 0xff;
    this.kProto = p;
    if (p === IpProto.TCP || p === IpProto.UDP || p === IpProto.SCTP) {
      if (v.l4Off <= 0) return false;
      this.kSp = v.srcPort & 0xffff;
      this.kDp = v.dstPort & 0xffff;
      if (p === IpProto.TCP && (v.tcpFlags & TcpFlag.SYN)) this.kSwap = (v.tcpFlags & TcpFlag.ACK) !== 0;
      else this.kSwap = this.kSp < 1024 && this.kDp >= 1024;
      return true;
    }
    if (p === IpProto.ICMP || p === IpProto.ICMPV6) {
      const type = v.icmpType;
      if (type < 0 || type > 255) return false;
      const counter = icmpCounterpart(p, type);
      this.kSp = type;
      this.kDp = counter >= 0 ? counter : v.icmpCode & 0xff;
      const echo = p === IpProto.ICMP ? type === ECHO_V4_REQ || type === ECHO_V4_REP : type === ECHO_V6_REQ || type === ECHO_V6_REP;
      if (echo) this.kExtra = v.icmpId & 0xffff;
      this.kSwap = p === IpProto.ICMP ? ICMP4_REPLIES.has(type) : ICMP6_REPLIES.has(type);
      return true;
    }
    return true;
  }

  /** Slot of the packet's flow (sets `dir`), or -1. */
  private find(h: number): number {
    const ix = this.ix, idx = ix.entries, mask = ix.mask, slotMask = ix.slotMask;
    for (let i = h & mask, step = 0; ; i = (i + 1) & mask, step++) {
      const e = idx[i];
      if (e === 0) return -1;
      if ((e & ~slotMask) !== ix.want(h, step)) continue; // another home or tag: not this flow
      const slot = (e & slotMask) - 1;
      if (this.hash[slot] !== h || this.proto[slot] !== this.kProto || this.ipVer[slot] !== this.kVer
        || (this.vlan[slot] !== this.kVlan) || this.extra[slot] !== this.kExtra) continue;
      const a = slot * 8;
      const ad = this.addr, s = this.kSrc, d = this.kDst;
      if (this.origPortA[slot] === this.kSp && this.respPortA[slot] === this.kDp
        && ad[a] === s[0] && ad[a + 1] === s[1] && ad[a + 2] === s[2] && ad[a + 3] === s[3]
        && ad[a + 4] === d[0] && ad[a + 5] === d[1] && ad[a + 6] === d[2] && ad[a + 7] === d[3]) {
        this.dir = 0;
        return slot;
      }
      if (this.origPortA[slot] === this.kDp && this.respPortA[slot] === this.kSp
        && ad[a] === d[0] && ad[a + 1] === d[1] && ad[a + 2] === d[2] && ad[a + 3] === d[3]
        && ad[a + 4] === s[0] && ad[a + 5] === s[1] && ad[a + 6] === s[2] && ad[a + 7] === s[3]) {
        this.dir = 1;
        return slot;
      }
    }
  }

  private create(h: number, v: PacketView, ts: number, packetNo: number, fileIndex: number): number {
    const slot = this.allocSlot();
    const swap = this.kSwap;
    const a = slot * 8;
    const o = swap ? this.kDst : this.kSrc, r = swap ? this.kSrc : this.kDst;
    for (let i = 0; i < 4; i++) { this.addr[a + i] = o[i]; this.addr[a + 4 + i] = r[i]; }
    this.origPortA[slot] = swap ? this.kDp : this.kSp;
    this.respPortA[slot] = swap ? this.kSp : this.kDp;
    this.hash[slot] = h;
    this.proto[slot] = this.kProto;
    this.ipVer[slot] = this.kVer;
    this.vlan[slot] = this.kVlan;
    this.vlanInner[slot] = v.vlanCount > 1 ? (v.vlanIds[1] & 0xfff) | 0x1000 : 0;
    this.extra[slot] = this.kExtra;
    this.mac[slot * 2] = NO_MAC;
    this.mac[slot * 2 + 1] = NO_MAC;
    this.pkts[slot * 2] = 0; this.pkts[slot * 2 + 1] = 0;
    this.bytes[slot * 2] = 0; this.bytes[slot * 2 + 1] = 0;
    this.payload[slot * 2] = 0; this.payload[slot * 2 + 1] = 0;
    this.firstTsA[slot] = ts;
    this.lastTsA[slot] = ts;
    this.firstPkt[slot] = packetNo;
    this.firstFile[slot] = fileIndex;
    this.tcpFlags[slot * 2] = 0; this.tcpFlags[slot * 2 + 1] = 0;
    this.tcpBits[slot] = 0;
    this.synCount[slot] = 0;
    this.respIsnSeen[slot] = 0;
    this.app[slot] = 0;
    this.flowIdA[slot] = this.nextFlowId++;
    this.continuedA[slot] = 0;
    this.list[slot] = this.listFor(this.kProto, this.kVer);
    this.prev[slot] = -1;
    this.next[slot] = -1;
    this.ix.insert(h, slot);
    this.dir = swap ? 1 : 0;
    this.live++;
    this.st.created++;
    if (this.live > this.st.maxLive) this.st.maxLive = this.live;
    return slot;
  }

  private listFor(proto: number, ver: number): number {
    if (ver === 0) return LIST_OTHER;
    if (proto === IpProto.TCP) return LIST_TCP;
    if (proto === IpProto.UDP || proto === IpProto.SCTP) return LIST_UDP;
    if (proto === IpProto.ICMP || proto === IpProto.ICMPV6) return LIST_ICMP;
    return LIST_OTHER;
  }

  private allocSlot(): number {
    if (this.freeHead >= 0) {
      const slot = this.freeHead;
      this.freeHead = this.next[slot];
      return slot;
    }
    if (this.used === this.cap) {
      if (this.cap < this.opts.maxFlows) {
        // Fourfold, not twofold: a flood fills the table, and each growth copies (and so faults in anew) every
        // slot so far; slots beyond `used` are zero pages the process has not touched, no RSS until used.
        this.growTo(Math.min(this.opts.maxFlows, this.cap * 4));
      } else {
        // Full: evict the least recently active flow (the oldest of the list heads) and take its slot.
        let victim = -1;
        for (let l = 0; l < LIST_COUNT; l++) {
          const s = this.head[l];
          if (s >= 0 && (victim < 0 || this.lastTsA[s] < this.lastTsA[victim])) victim = s;
        }
        this.st.evicted++;
        this.end(victim, 'evicted');
        const slot = this.freeHead;
        this.freeHead = this.next[slot];
        return slot;
      }
    }
    return this.used++;
  }

  private end(slot: number, reason: FlowEndReason): void {
    this.onEnd(slot, reason);
    this.countEnded(reason);
    this.ix.remove(this.hash[slot], slot, this.hash);
    this.unlink(slot);
    this.list[slot] = LIST_FREE;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.live--;
  }

  /** One more flow ended with `reason` (named stores: a keyed one by a variable name cost a megamorphic lookup). */
  private countEnded(reason: FlowEndReason): void {
    const e = this.st.ended;
    switch (reason) {
      case 'idle': e.idle++; break;
      case 'active': e.active++; break;
      case 'tcp_closed': e.tcp_closed++; break;
      case 'tcp_reset': e.tcp_reset++; break;
      case 'evicted': e.evicted++; break;
      default: e.end_of_input++; break;
    }
  }

  private unlink(slot: number): void {
    const l = this.list[slot];
    if (l === LIST_FREE) return;
    const p = this.prev[slot], n = this.next[slot];
    if (p >= 0) this.next[p] = n; else if (this.head[l] === slot) this.head[l] = n;
    if (n >= 0) this.prev[n] = p; else if (this.tail[l] === slot) this.tail[l] = p;
    this.prev[slot] = -1;
    this.next[slot] = -1;
  }

  private linkTail(slot: number, l: number): void {
    this.list[slot] = l;
    const t = this.tail[l];
    this.prev[slot] = t;
    this.next[slot] = -1;
    if (t >= 0) this.next[t] = slot; else this.head[l] = slot;
    this.tail[l] = slot;
  }

  /**
   * Room for `n` slots. Every per-slot array is a view into one buffer, largest elements first (so each view
   * is aligned). One allocation per growth is large enough for the C library to map it fresh: its tail stays
   * zero pages the process has not touched until slots are used, and the old buffer, detached once copied,
   * is unmapped now rather than at some later collection, so growing never holds two tables for long. (Per-
   * array buffers of a few hundred KiB come from the malloc heap instead, where calloc clears reused memory.)
   */
  private growTo(n: number): void {
    const old = this.cap;
    const oldBuf = this.mac.buffer;
    const buf = new ArrayBuffer(n * SLOT_BYTES);
    let off = 0;
    const take = <T extends SlotArray>(from: T, make: (b: ArrayBuffer, o: number, len: number) => T, perSlot: number): T => {
      const a = make(buf, off, n * perSlot);
      a.set(from as never);
      off += a.byteLength;
      return a;
    };
    const f64 = (b: ArrayBuffer, o: number, len: number) => new Float64Array(b, o, len);
    const u32 = (b: ArrayBuffer, o: number, len: number) => new Uint32Array(b, o, len);
    const i32 = (b: ArrayBuffer, o: number, len: number) => new Int32Array(b, o, len);
    const u16 = (b: ArrayBuffer, o: number, len: number) => new Uint16Array(b, o, len);
    const u8 = (b: ArrayBuffer, o: number, len: number) => new Uint8Array(b, o, len);
    this.mac = take(this.mac, f64, 2);
    this.pkts = take(this.pkts, f64, 2);
    this.bytes = take(this.bytes, f64, 2);
    this.payload = take(this.payload, f64, 2);
    this.firstTsA = take(this.firstTsA, f64, 1);
    this.lastTsA = take(this.lastTsA, f64, 1);
    this.flowIdA = take(this.flowIdA, f64, 1);
    this.hash = take(this.hash, u32, 1);
    this.addr = take(this.addr, u32, 8);
    this.firstPkt = take(this.firstPkt, u32, 1);
    this.lastPkt = take(this.lastPkt, u32, 1);
    this.firstFile = take(this.firstFile, u32, 1);
    this.lastFile = take(this.lastFile, u32, 1);
    this.synSeq = take(this.synSeq, u32, 1);
    this.respIsn = take(this.respIsn, u32, 1);
    this.prev = take(this.prev, i32, 1);
    this.next = take(this.next, i32, 1);
    this.vlan = take(this.vlan, u16, 1);
    this.vlanInner = take(this.vlanInner, u16, 1);
    this.origPortA = take(this.origPortA, u16, 1);
    this.respPortA = take(this.respPortA, u16, 1);
    this.extra = take(this.extra, u16, 1);
    this.tcpBits = take(this.tcpBits, u16, 1);
    this.synCount = take(this.synCount, u16, 1);
    this.app = take(this.app, u16, 1);
    this.proto = take(this.proto, u8, 1);
    this.ipVer = take(this.ipVer, u8, 1);
    this.tcpFlags = take(this.tcpFlags, u8, 2);
    this.respIsnSeen = take(this.respIsnSeen, u8, 1);
    this.continuedA = take(this.continuedA, u8, 1);
    this.list = take(this.list, u8, 1);
    if (off !== buf.byteLength) throw new Error(`flow table layout: ${off} of ${buf.byteLength} bytes`);
    oldBuf.transfer(0);
    // The new slots stay untouched until allocSlot hands them out (above `used`), and create sets every field.
    this.cap = n;
    let size = 16;
    while (size < n * 2) size *= 2;
    if (size !== this.ix.entries.length) {
      // Rebuilt from the slots' hashes: the old index's memory goes now (detached), not at a later collection.
      this.ix.reset(size);
      for (let s = 0; s < old; s++) if (this.list[s] !== LIST_FREE) this.ix.insert(this.hash[s], s);
    }
  }
}
