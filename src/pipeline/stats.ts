/**
 * Counters of a run and the summary they produce (what `bulwark analyze` prints and writes as summary.json).
 * @module
 */
import type { CaptureSummary } from '../capture/types.ts';
import type { Defragmenter } from '../decode/defrag.ts';
import { IpProto, L3, type PacketView } from '../decode/packet-view.ts';
import type { TcpReassembler } from '../flow/reassembly.ts';
import type { FlowTable } from '../flow/table.ts';
import type { FlowEndReason } from '../flow/types.ts';

export interface FileSummary {
  file: string;
  format: string;
  gzip: boolean;
  packets: number;
  /** Time of this file's first and last packet (absent when it has none). */
  first_ts?: number;
  last_ts?: number;
  error?: { offset: number; reason: string; message: string };
  /**
   * Live capture: what the capture interface reported at the end (pcapng interface statistics): packets
   * the interface received, dropped by the kernel/capture buffer, dropped by the interface.
   */
  capture?: { received?: number; dropped_kernel?: number; dropped_interface?: number };
}

export interface RunSummary {
  /** Name of the sensor (site model). */
  sensor?: string;
  /** True when the run was stopped (SIGINT/SIGTERM) before its inputs ended: everything read was analysed. */
  interrupted?: boolean;
  files: FileSummary[];
  /** True when some file was truncated or corrupt (results before the fault are kept). */
  partial: boolean;
  packets: number;
  /** Bytes on the wire (original lengths) and bytes captured. */
  bytes: number;
  captured_bytes: number;
  first_ts: number | null;
  last_ts: number | null;
  span_s: number;
  flows: {
    total: number;
    max_live: number;
    evicted: number;
    /** Long connections cut by the active timeout that went on as a new record (analyzer state kept). */
    continued?: number;
    ended: Partial<Record<FlowEndReason, number>>;
    /** Bytes of flow-table memory (typed arrays and hash index) per flow slot. */
    bytes_per_flow: number;
  };
  /** Packets per network/transport protocol. */
  transports: Record<string, number>;
  /** Flows per application protocol recognised. */
  apps: Record<string, number>;
  events: Record<string, number>;
  anomalies: Record<string, number>;
  reassembly: Record<string, number>;
  defrag: Record<string, number>;
  /** Analyzer exceptions contained per protocol (bugs, not traffic): should be zero. */
  analyzer_violations: Record<string, number>;
  wall_s: number;
  packets_per_s: number;
}

const transportNames: Record<number, string> = {
  [IpProto.TCP]: 'tcp', [IpProto.UDP]: 'udp', [IpProto.ICMP]: 'icmp', [IpProto.ICMPV6]: 'icmp6',
  [IpProto.IGMP]: 'igmp', [IpProto.GRE]: 'gre', [IpProto.SCTP]: 'sctp',
};

function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** One event type's count, held by whoever publishes that type (no map update per event). */
export interface EventCounter {
  n: number;
}

/** Flow end reasons by index (flowEnded counts into an array: no map update per flow). */
const endReasons: readonly FlowEndReason[] = ['idle', 'active', 'tcp_closed', 'tcp_reset', 'evicted', 'end_of_input'];

function endReasonIndex(reason: FlowEndReason): number {
  switch (reason) {
    case 'idle': return 0;
    case 'active': return 1;
    case 'tcp_closed': return 2;
    case 'tcp_reset': return 3;
    case 'evicted': return 4;
    default: return 5;
  }
}

export class RunStats {
  packets = 0;
  private bytes = 0;
  private captured = 0;
  private firstTs = Infinity;
  private lastTs = -Infinity;
  private startNs = 0n;
  private readonly files: FileSummary[] = [];
  private readonly anomalies = new Map<string, number>();
  private readonly events = new Map<string, EventCounter>();
  /** Flows ended per reason (endReasons' order), and the reasons in the order they first occurred (the summary's). */
  private readonly endedCounts = new Float64Array(endReasons.length);
  private readonly endedOrder: FlowEndReason[] = [];
  /** Flows ended per application id (the pipeline's app names give the names at the end). */
  private appCounts = new Float64Array(0);
  // Packets per transport, counted in a small array indexed by IP protocol (0 = not IP, 256 = ARP).
  private readonly perProto = new Float64Array(258);
  /** Time span of the file being read (a run's span across unrelated captures means nothing). */
  private fileFirstTs = Infinity;
  private fileLastTs = -Infinity;

  start(): void {
    this.startNs = process.hrtime.bigint();
  }

  packet(ts: number, origLen: number, caplen: number): void {
    this.packets++;
    if (ts < this.fileFirstTs) this.fileFirstTs = ts;
    if (ts > this.fileLastTs) this.fileLastTs = ts;
    this.bytes += origLen;
    this.captured += caplen;
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
  }

  transport(view: PacketView): void {
    if (view.l3 === L3.ARP) this.perProto[256]++;
    else if (view.l3 === L3.IPV4 || view.l3 === L3.IPV6) this.perProto[view.ipProto]++;
    else this.perProto[257]++;
  }

  anomaly(id: string): void {
    inc(this.anomalies, id);
  }

  event(type: string): void {
    this.eventCounter(type).n++;
  }

  /** The counter of one event type, to count into directly (the same object for the whole run). */
  eventCounter(type: string): EventCounter {
    let c = this.events.get(type);
    if (c === undefined) {
      c = { n: 0 };
      this.events.set(type, c);
    }
    return c;
  }

  /** A flow ended with the application of id `appId` (0: none); finish's `appNames` by id give the summary's names. */
  flowEnded(reason: FlowEndReason, appId: number): void {
    this.countEnd(reason);
    if (appId <= 0) return;
    if (appId >= this.appCounts.length) {
      const grown = new Float64Array(Math.max(64, appId + 1));
      grown.set(this.appCounts);
      this.appCounts = grown;
    }
    this.appCounts[appId]++;
  }

  private countEnd(reason: FlowEndReason): void {
    const i = endReasonIndex(reason);
    if (this.endedCounts[i]++ === 0) this.endedOrder.push(reason);
  }

  file(summary: CaptureSummary): void {
    const f: FileSummary = { file: summary.file, format: summary.format, gzip: summary.gzip, packets: summary.packets };
    if (this.fileFirstTs <= this.fileLastTs) {
      f.first_ts = this.fileFirstTs;
      f.last_ts = this.fileLastTs;
    }
    this.fileFirstTs = Infinity;
    this.fileLastTs = -Infinity;
    if (summary.error) f.error = { offset: summary.error.offset, reason: summary.error.reason, message: summary.error.message };
    if (summary.interfaceStats) f.capture = summary.interfaceStats;
    this.files.push(f);
    if (summary.skippedBlocks > 0) inc(this.anomalies, 'capture.pcapng.unknown_block', summary.skippedBlocks);
  }

  finish(table: FlowTable, reasm: TcpReassembler, defrag: Defragmenter, violations: Map<string, number>, appNames: readonly string[] = []): RunSummary {
    const wall = Number(process.hrtime.bigint() - this.startNs) / 1e9;
    const transports: Record<string, number> = {};
    for (let p = 0; p < 256; p++) {
      if (this.perProto[p] > 0) transports[transportNames[p] ?? `ip-${p}`] = this.perProto[p];
    }
    if (this.perProto[256] > 0) transports.arp = this.perProto[256];
    if (this.perProto[257] > 0) transports.other = this.perProto[257];
    const ts = table.stats;
    const has = this.packets > 0;
    const ended: Partial<Record<FlowEndReason, number>> = {};
    for (const reason of this.endedOrder) ended[reason] = this.endedCounts[endReasonIndex(reason)];
    const apps = new Map<string, number>();
    for (let id = 1; id < this.appCounts.length; id++) {
      const name = appNames[id];
      if (this.appCounts[id] > 0 && name) apps.set(name, (apps.get(name) ?? 0) + this.appCounts[id]);
    }
    const events = new Map<string, number>();
    for (const [type, c] of this.events) if (c.n > 0) events.set(type, c.n);
    return {
      files: this.files,
      partial: this.files.some((f) => f.error !== undefined),
      packets: this.packets,
      bytes: this.bytes,
      captured_bytes: this.captured,
      first_ts: has ? this.firstTs : null,
      last_ts: has ? this.lastTs : null,
      span_s: has ? this.lastTs - this.firstTs : 0,
      flows: {
        total: ts.created,
        max_live: ts.maxLive,
        evicted: ts.evicted,
        continued: ts.continued,
        ended,
        bytes_per_flow: Math.round(table.allocatedBytes() / Math.max(1, ts.capacity)),
      },
      transports,
      apps: sortedObject(apps),
      events: sortedObject(events),
      anomalies: sortedObject(this.anomalies),
      reassembly: { ...reasm.stats },
      defrag: { ...defrag.stats },
      analyzer_violations: Object.fromEntries(violations),
      wall_s: wall,
      packets_per_s: wall > 0 ? this.packets / wall : 0,
    };
  }
}

function sortedObject(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1] || byName(a[0], b[0])));
}

const plainName = /^[._0-9a-z]*$/;

/**
 * The order of `localeCompare` for event and anomaly names without its cost: the first `localeCompare` of a
 * process loads the ICU collator (about 15 ms of a short run). For names of lowercase letters, digits, '.'
 * and '_' the collator's order is code-point order with '_' first; any other name goes to `localeCompare`.
 */
export function byName(a: string, b: string): number {
  if (!plainName.test(a) || !plainName.test(b)) return a.localeCompare(b);
  const x = a.replaceAll('_', ' ');
  const y = b.replaceAll('_', ' ');
  return x < y ? -1 : x > y ? 1 : 0;
}
