/**
 * A flow's first packet as numbers: the narrow fact the scan, flood and Mirai detectors (and the inventory's SYN
 * signature) read, instead of a `flow.start` event per new flow.
 *
 * Why: on a flood or a scan every packet starts a flow, and a `flow.start` event costs an envelope, a fields
 * object, a flags string and an option layout string, after which each detector parsed the dotted quads back
 * to numbers and built an evidence reference (a Community ID, a SHA-1) per SYN. Here the pipeline fills one
 * reused `FirstPacket` from the packet view and the flow table and calls its subscribers (`onFirstPacket`);
 * strings, the Community ID and evidence references are made by methods, only for what is reported. The
 * `flow.start` event is still built when anyone else subscribes to it (outputs writing events, `*`).
 *
 * A `FirstPacket` is valid during the call only (it is refilled for the next flow): a subscriber that keeps
 * something copies numbers, or calls `hold()` for the evidence of a packet it may report later.
 *
 * Sources without packets of their own (the threaded pipeline's replay, tests feeding events) turn each
 * `flow.start` event into the same fact with `fromEvent`, so a subscriber has one path either way.
 * @module
 */
import { IpProto, type PacketView } from '../decode/packet-view.ts';
import { ipv6ToString } from '../decode/address.ts';
import { communityIdOfWords } from '../flow/community-id.ts';
import { ipv4Text } from '../flow/table.ts';
import type { EventRecord } from '../events/record.ts';
import { ipv4Number } from './netset.ts';
import { tcpOptionLayout } from './flow-start.ts';

/** A first packet's evidence reference, in the key order the detectors' references have always had. */
export interface StartEvidence {
  file: string;
  packet: number;
  ts: number;
  community_id?: string;
  flow_id?: number;
}

export type FirstPacketHandler = (p: FirstPacket) => void;

/** Bytes of a first packet's numbers as `FirstPacket.writeWire` lays them out. */
export const FIRST_PACKET_WIRE_BYTES = 96;

/** TCP flag bits (RFC 9293 §3.1; ECE and CWR RFC 3168), as `tcpFlags` holds them. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

const ipProtoNames: string[] = [];

/** The transport name the flow table gives (FlowTable.transport): constant strings, `ip-<n>` made once per n. */
export function transportName(ipVersion: number, proto: number): string {
  if (ipVersion === 0) return 'arp';
  switch (proto) {
    case IpProto.TCP: return 'tcp';
    case IpProto.UDP: return 'udp';
    case IpProto.SCTP: return 'sctp';
    case IpProto.ICMP: return 'icmp';
    case IpProto.ICMPV6: return 'icmp6';
    default: return (ipProtoNames[proto & 0xff] ??= `ip-${proto & 0xff}`);
  }
}

const protoOfName: Record<string, number> = { tcp: IpProto.TCP, udp: IpProto.UDP, sctp: IpProto.SCTP, icmp: IpProto.ICMP, icmp6: IpProto.ICMPV6, arp: 0 };

/** Flag bits of a "FSRPAUEC"-ordered letters string (an event's `tcp_flags`). */
function flagBits(letters: string): number {
  let bits = 0;
  for (let i = 0; i < letters.length; i++) {
    const b = 'FSRPAUEC'.indexOf(letters[i]);
    if (b >= 0) bits |= 1 << b;
  }
  return bits;
}

/** 16 address bytes of 4 big-endian words at `off` (IPv6 text). */
const v6Bytes = new Uint8Array(16);
function v6Text(words: Uint32Array, off: number): string {
  for (let i = 0; i < 16; i++) v6Bytes[i] = words[off + (i >> 2)] >>> (24 - 8 * (i & 3));
  return ipv6ToString(v6Bytes, 0);
}

export class FirstPacket {
  /** Packet time (epoch seconds), capture file name, packet number within the file. */
  ts = 0;
  file = '';
  packet = 0;
  /** The flow's number in the run (flows.jsonl `flow_id`); -1 when not known (an event without one). */
  flowId = -1;
  /** 4 or 6; 0 for an ARP pseudo-flow. */
  ipVersion = 4;
  /** IP protocol number (0 for ARP). */
  proto = 0;
  /** The packet went from the flow's originator (false: toward it, e.g. an unsolicited SYN-ACK seen first). */
  fromOrig = true;
  /** Source and destination IPv4 (or ARP) addresses as unsigned 32-bit numbers; -1 for IPv6 (see srcIp/dstIp). */
  src = 0;
  dst = 0;
  /** Ports as the flow table keeps them (ICMP: type and counterpart type). */
  srcPort = 0;
  dstPort = 0;
  /** TCP header flag bits (TcpFlag); -1 when the packet has no TCP header. */
  tcpFlags = -1;
  seq = 0;
  window = 0;
  /** Bytes of TCP options (0: none; made from an event, the length of its option layout: non-zero when any). */
  tcpOptionsLen = 0;
  /** MSS and window scale options, -1 when absent. */
  tcpMss = -1;
  tcpWscale = -1;
  ttl = 0;
  /** IP total length and payload bytes. */
  ipLen = 0;
  payloadLen = 0;

  /** Originator's address words [0..3], responder's [4..7] (IPv4 in the first word of each): the Community ID's tuple. */
  private readonly words = new Uint32Array(8);
  private origPort = 0;
  private respPort = 0;
  /** The packet (pipeline path, valid during the call), or the event this fact was made from. */
  private view: PacketView | undefined = undefined;
  private event: EventRecord | undefined = undefined;
  private held: HeldStart | undefined = undefined;
  /** The option layout, when made from a worker's record (no packet view on this thread). */
  private options: string | undefined = undefined;

  /** 'tcp', 'udp', 'icmp', 'arp', 'ip-47', ... as the `flow.start` event's `transport`. */
  get transport(): string {
    return transportName(this.ipVersion, this.proto);
  }

  /** TCP whose first packet carries a TCP header. */
  get isTcp(): boolean {
    return this.tcpFlags >= 0 && this.ipVersion !== 0 && this.proto === IpProto.TCP;
  }

  /** Source address text (made now: call it for what is reported). */
  srcIp(): string {
    if (this.event !== undefined) return String(this.event.src_ip);
    return this.src >= 0 ? ipv4Text(this.src) : v6Text(this.words, this.fromOrig ? 0 : 4);
  }

  dstIp(): string {
    if (this.event !== undefined) return String(this.event.dst_ip);
    return this.dst >= 0 ? ipv4Text(this.dst) : v6Text(this.words, this.fromOrig ? 4 : 0);
  }

  /** p0f-style TCP option layout (as `flow.start`'s `tcp_options`; made now). */
  tcpOptions(): string {
    if (this.event !== undefined) return typeof this.event.tcp_options === 'string' ? this.event.tcp_options : '';
    if (this.options !== undefined) return this.options;
    return this.view !== undefined && this.tcpOptionsLen > 0 ? tcpOptionLayout(this.view) : '';
  }

  /**
   * The evidence reference of this packet, as `flow.start`'s `evidenceOf` gave it: file, packet, ts, the flow's
   * Community ID, and (`withFlowId`) its flow id. Computes the Community ID: call it for what is reported.
   */
  evidence(withFlowId: boolean): StartEvidence {
    return this.hold().evidence(withFlowId);
  }

  /**
   * What makes this packet's evidence later, copied (the fact itself is refilled for the next flow). One per
   * packet, shared by every subscriber that keeps it (it never changes).
   */
  hold(): HeldStart {
    if (this.held !== undefined) return this.held;
    const w = this.words;
    return this.held = new HeldStart(this.file, this.packet, this.ts, this.flowId, this.event, this.ipVersion, this.proto, this.origPort, this.respPort,
      w[0], w[4], this.ipVersion === 6 ? w.slice() : undefined, this.dst, this.dstPort);
  }

  /** Fill from the pipeline: the packet that made slot's flow, and its tuple as the flow table keeps it. */
  fill(view: PacketView, ts: number, file: string, packet: number, flowId: number, ipVersion: number, proto: number, fromOrig: boolean,
    origPort: number, respPort: number, addr: Uint32Array, addrOff: number): this {
    this.view = view;
    this.event = undefined;
    this.held = undefined;
    this.options = undefined;
    this.ts = ts;
    this.file = file;
    this.packet = packet;
    this.flowId = flowId;
    this.ipVersion = ipVersion;
    this.proto = proto;
    this.fromOrig = fromOrig;
    this.origPort = origPort;
    this.respPort = respPort;
    const w = this.words;
    for (let i = 0; i < 8; i++) w[i] = addr[addrOff + i];
    this.orient();
    this.ttl = view.ttl;
    this.ipLen = view.ipTotalLen;
    this.payloadLen = view.payloadLen;
    if (view.ipProto === IpProto.TCP && view.l4Off > 0) {
      this.tcpFlags = view.tcpFlags & 0xff;
      this.seq = view.seq;
      this.window = view.window;
      this.tcpOptionsLen = view.tcpOptLen;
      this.tcpMss = view.tcpMss;
      this.tcpWscale = view.tcpWscale;
    } else {
      this.tcpFlags = -1;
      this.seq = this.window = this.tcpOptionsLen = 0;
      this.tcpMss = this.tcpWscale = -1;
    }
    return this;
  }

  /** Source and destination (addresses, ports) from the flow's tuple and the packet's direction. */
  private orient(): void {
    const w = this.words;
    if (this.ipVersion === 6) {
      this.src = this.dst = -1;
    } else {
      this.src = this.fromOrig ? w[0] : w[4];
      this.dst = this.fromOrig ? w[4] : w[0];
    }
    this.srcPort = this.fromOrig ? this.origPort : this.respPort;
    this.dstPort = this.fromOrig ? this.respPort : this.origPort;
  }

  /**
   * Write this fact's numbers at `at` in FIRST_PACKET_WIRE_BYTES bytes (the `--threads` worker's binary stream,
   * src/engine/record-codec.ts, which sends `file` and `tcpOptions()` beside them): fixed offsets, no tags.
   */
  writeWire(view: DataView, at: number): void {
    view.setFloat64(at, this.ts, true);
    view.setFloat64(at + 8, this.packet, true);
    view.setFloat64(at + 16, this.flowId, true);
    const w = this.words;
    for (let i = 0; i < 8; i++) view.setUint32(at + 24 + 4 * i, w[i], true);
    view.setUint32(at + 56, this.seq, true);
    view.setInt32(at + 60, this.ipLen, true);
    view.setInt32(at + 64, this.payloadLen, true);
    view.setInt32(at + 68, this.tcpMss, true);
    view.setInt32(at + 72, this.tcpWscale, true);
    view.setInt32(at + 76, this.tcpOptionsLen, true);
    view.setInt32(at + 80, this.tcpFlags, true);
    view.setInt32(at + 84, this.window, true);
    view.setUint16(at + 88, this.origPort, true);
    view.setUint16(at + 90, this.respPort, true);
    view.setUint8(at + 92, this.ipVersion);
    view.setUint8(at + 93, this.proto);
    view.setUint8(at + 94, this.fromOrig ? 1 : 0);
    view.setUint8(at + 95, this.ttl);
  }

  /** Fill from writeWire's bytes (the thread that runs the later stages), with the file and option layout sent beside them. */
  readWire(view: DataView, at: number, file: string, options: string): this {
    this.view = undefined;
    this.event = undefined;
    this.held = undefined;
    this.ts = view.getFloat64(at, true);
    this.file = file;
    this.packet = view.getFloat64(at + 8, true);
    this.flowId = view.getFloat64(at + 16, true);
    const w = this.words;
    for (let i = 0; i < 8; i++) w[i] = view.getUint32(at + 24 + 4 * i, true);
    this.seq = view.getUint32(at + 56, true);
    this.ipLen = view.getInt32(at + 60, true);
    this.payloadLen = view.getInt32(at + 64, true);
    this.tcpMss = view.getInt32(at + 68, true);
    this.tcpWscale = view.getInt32(at + 72, true);
    this.tcpOptionsLen = view.getInt32(at + 76, true);
    this.tcpFlags = view.getInt32(at + 80, true);
    this.window = view.getInt32(at + 84, true);
    this.origPort = view.getUint16(at + 88, true);
    this.respPort = view.getUint16(at + 90, true);
    this.ipVersion = view.getUint8(at + 92);
    this.proto = view.getUint8(at + 93);
    this.fromOrig = view.getUint8(at + 94) === 1;
    this.ttl = view.getUint8(at + 95);
    this.orient();
    this.options = options;
    return this;
  }

  /** Fill from a `flow.start` event (a replay, a test): the same numbers, strings and references from the event. */
  fromEvent(ev: EventRecord): this {
    this.view = undefined;
    this.event = ev;
    this.held = undefined;
    this.options = undefined;
    this.ts = ev.ts;
    this.file = ev.file;
    this.packet = ev.packet;
    this.flowId = typeof ev.flow_id === 'number' ? ev.flow_id : -1;
    const transport = String(ev.transport);
    const src = typeof ev.src_ip === 'string' ? ipv4Number(ev.src_ip) : -1;
    const dst = typeof ev.dst_ip === 'string' ? ipv4Number(ev.dst_ip) : -1;
    this.ipVersion = transport === 'arp' ? 0 : src >= 0 ? 4 : 6;
    this.proto = protoOfName[transport] ?? (transport.startsWith('ip-') ? Number(transport.slice(3)) : -1);
    this.fromOrig = ev.from_orig !== false;
    this.src = src;
    this.dst = dst;
    this.srcPort = Number(ev.src_port ?? 0);
    this.dstPort = Number(ev.dst_port ?? 0);
    this.origPort = this.fromOrig ? this.srcPort : this.dstPort;
    this.respPort = this.fromOrig ? this.dstPort : this.srcPort;
    this.ttl = Number(ev.ttl ?? 0);
    this.ipLen = Number(ev.ip_len ?? 0);
    this.payloadLen = Number(ev.payload_len ?? 0);
    const flags = ev.tcp_flags;
    this.tcpFlags = typeof flags === 'string' ? flagBits(flags) : -1;
    this.seq = typeof ev.tcp_seq === 'number' ? ev.tcp_seq : 0;
    this.window = typeof ev.tcp_window === 'number' ? ev.tcp_window : 0;
    this.tcpOptionsLen = typeof ev.tcp_options === 'string' ? ev.tcp_options.length : 0;
    this.tcpMss = typeof ev.tcp_mss === 'number' ? ev.tcp_mss : -1;
    this.tcpWscale = typeof ev.tcp_wscale === 'number' ? ev.tcp_wscale : -1;
    return this;
  }
}

/**
 * A first packet kept for the evidence of a later report (a scan window's attempts before its threshold): the
 * numbers its reference is made of, no string and no hash until `evidence`.
 */
export class HeldStart {
  readonly file: string;
  readonly packet: number;
  readonly ts: number;
  private readonly flowId: number;
  private readonly event: EventRecord | undefined;
  private readonly ipVersion: number;
  private readonly proto: number;
  private readonly origPort: number;
  private readonly respPort: number;
  private readonly orig: number;
  private readonly resp: number;
  private readonly v6: Uint32Array | undefined;
  /** The packet's IPv4 destination as int32 (read back unsigned), and its destination port: a scan window's target. */
  private readonly dstBits: number;
  readonly dstPort: number;
  /** The Community ID once made ('' before: several detectors may report one packet). */
  private cid = '';

  constructor(file: string, packet: number, ts: number, flowId: number, event: EventRecord | undefined, ipVersion: number, proto: number,
    origPort: number, respPort: number, orig: number, resp: number, v6: Uint32Array | undefined, dst: number, dstPort: number) {
    this.file = file;
    this.packet = packet;
    this.ts = ts;
    this.flowId = flowId;
    this.event = event;
    this.ipVersion = ipVersion;
    this.proto = proto;
    this.origPort = origPort;
    this.respPort = respPort;
    // As int32: a small integer in the object, not a boxed number (read back unsigned below).
    this.orig = orig | 0;
    this.resp = resp | 0;
    this.v6 = v6;
    this.dstBits = dst | 0;
    this.dstPort = dstPort;
  }

  /** The packet's destination as FirstPacket's `dst` gave it: IPv4 unsigned, -1 otherwise. */
  get dst(): number {
    return this.ipVersion === 4 ? this.dstBits >>> 0 : -1;
  }

  /** The flow's Community ID (seed 0), or the event's (absent when it had none). */
  communityId(): string | undefined {
    if (this.event !== undefined) {
      const cid = this.event.community_id;
      return typeof cid === 'string' ? cid : undefined;
    }
    if (this.cid !== '') return this.cid;
    let words = this.v6;
    if (words === undefined) {
      words = tuple4;
      words[0] = this.orig >>> 0;
      words[4] = this.resp >>> 0;
    }
    this.cid = communityIdOfWords(this.ipVersion, this.proto, this.origPort, this.respPort, words, 0);
    return this.cid;
  }

  /** The evidence reference: {file, packet, ts, community_id, flow_id} with what is known, in that order. */
  evidence(withFlowId: boolean): StartEvidence {
    const cid = this.communityId();
    const flowId = this.flowId;
    // One literal per case: a field added after creation costs a second allocation.
    if (cid !== undefined) {
      return withFlowId && flowId >= 0
        ? { file: this.file, packet: this.packet, ts: this.ts, community_id: cid, flow_id: flowId }
        : { file: this.file, packet: this.packet, ts: this.ts, community_id: cid };
    }
    return withFlowId && flowId >= 0 ? { file: this.file, packet: this.packet, ts: this.ts, flow_id: flowId } : { file: this.file, packet: this.packet, ts: this.ts };
  }
}

const tuple4 = new Uint32Array(8);
