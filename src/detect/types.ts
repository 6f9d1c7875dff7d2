/**
 * Detection stage contract: detectors (policy) subscribe to neutral events and report findings through one
 * call; the framework aggregates repeats, names devices and keeps the evidence references.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { DeviceLookup } from '../inventory/types.ts';
import type { FirstPacket } from '../pipeline/first-packet.ts';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export type Category = 'botnet' | 'scan' | 'bruteforce' | 'credentials' | 'c2' | 'ddos' | 'p2p' | 'crypto' | 'exposure' | 'policy';

/** Role of a device in a finding. */
export type Role = 'attacker' | 'victim' | 'infected' | 'insecure' | 'peer';

export interface References {
  /** ETSI EN 303 645 provisions, e.g. '5.1-1'. */
  etsi?: string[];
  /** ENISA baseline measures, e.g. 'GP-TM-09'. */
  enisa?: string[];
  /** MITRE ATT&CK technique ids, e.g. 'T1110.001' (Enterprise) or 'T0855' (ATT&CK for ICS). */
  attack?: string[];
  /** IEC 62443-3-3 system requirements the finding bears on, e.g. 'SR 1.1', 'SR 3.1'. */
  iec62443?: string[];
  /** Other sources (URLs, advisories). */
  other?: string[];
}

export interface OptionSpec {
  default: number | string | boolean | string[];
  description: string;
}

/** A packet that proves the finding: enough to cut an evidence pcap later. */
export interface EvidenceRef {
  file: string;
  packet: number;
  ts: number;
  community_id?: string;
  /** The flow's id within the run (as in flows.jsonl), when the detector knows it. */
  flow_id?: number;
  /** Filled after the run (src/findings/evidence-refs.ts): SHA-256 of the capture file as stored. */
  sha256?: string;
  /** Filled after the run: byte offset of the packet record (in the decompressed stream for gzip). */
  offset?: number;
}

/** What a detector passes to `report`. */
export interface Report {
  /** Key of the message template in the detector's `messages`. */
  messageId: string;
  /** Values for the template's {placeholders}. */
  data: Record<string, string | number>;
  /** Repeats with the same aggregation key become one finding with a count. */
  key: string;
  devices: { role: Role; ip: string; mac?: string }[];
  ts: number;
  evidence?: EvidenceRef;
  /** Override the detector's default severity/confidence for this report. */
  severity?: Severity;
  confidence?: number;
  /** How much to add to the finding's count (default 1). */
  count?: number;
  /** Extra facts kept on the finding (bounded by the framework). */
  facts?: Record<string, unknown>;
}

export interface DetectorContext {
  report(r: Report): void;
  /** Device inventory, when it runs (undefined otherwise). */
  readonly devices?: DeviceLookup;
}

export interface DetectorInstance {
  onEvent?(ev: EventRecord): void;
  /**
   * A detector subscribed to 'flow.start' that has this gets each new flow's first packet as numbers here
   * (src/pipeline/first-packet.ts; valid during the call only) instead of the `flow.start` event.
   */
  onFirstPacket?(p: FirstPacket): void;
  /** A finished flow (valid during the call only: it may be refilled for the next one; keep holdFlow(flow)). */
  onFlow?(flow: FlowRecord): void;
  /** The clock advanced to `now` (packet time, or the live heartbeat): report or age what is due. */
  tick?(now: number): void;
  /** End of input: report what windows still hold. */
  finish?(): void;
}

/** One detector module: metadata + factory. Every field is checked by the detector meta-test. */
export interface Detector<O extends Record<string, unknown> = Record<string, unknown>> {
  /** Stable namespaced id: 'botnet.mirai-scan'. Equal to the module file name under detectors/. */
  id: string;
  description: string;
  category: Category;
  severity: Severity;
  /** Default confidence 0..1. */
  confidence: number;
  references: References;
  options: { [K in keyof O]: OptionSpec };
  /** Message templates with {placeholders}: the only source of finding titles and explanations. */
  messages: Record<string, { title: string; explanation: string }>;
  /**
   * Event types it needs (the pipeline builds only events someone subscribes to). 'flow.end' for flows;
   * 'flow.start' for new flows' first packets (as numbers when the instance has `onFirstPacket`).
   */
  subscribes: string[];
  /**
   * What it must see: 'flows' when flow records alone carry its facts, so it also runs on NetFlow/IPFIX
   * exports (src/flowrec); 'packets' when it needs payload or per-packet facts (its page says "needs
   * packets") and is skipped, silently, on flow exports. Absent means 'packets'.
   */
  needs?: 'packets' | 'flows';
  create(ctx: DetectorContext, options: O): DetectorInstance;
}

/** JSON form of a finding (findings.jsonl, the store, the report). */
export interface Finding {
  /** Stable within a run: `<detector>:<hash of key>`. */
  id: string;
  detector: string;
  category: Category;
  severity: Severity;
  confidence: number;
  title: string;
  explanation: string;
  devices: { role: Role; ip: string; mac?: string; device_id?: string }[];
  /** Devices left out at the per-finding cap (added field; absent when none). */
  devices_dropped?: number;
  first_ts: number;
  last_ts: number;
  count: number;
  /** Community IDs of the flows involved (bounded; `community_ids_dropped` counts the rest). */
  community_ids: string[];
  community_ids_dropped: number;
  /** Packets that prove it (bounded; first ones kept). */
  evidence: EvidenceRef[];
  evidence_dropped: number;
  references: References;
  facts?: Record<string, unknown>;
  /**
   * Lifecycle (added fields): 'open' from the report that raised it until `closeAfterS` of quiet (packet
   * time), then 'closed'. A later report of the same key raises it again with the next `occurrence`.
   */
  state?: 'open' | 'closed';
  /** 1 for the first time this key was raised in the run, 2 after it closed and was raised again, ... */
  occurrence?: number;
  /** Packet time the finding closed (quiet for `closeAfterS`, or the end of input). */
  closed_ts?: number;
}

/** What happened to a finding: each is one line of findings.jsonl in a live run (`change` field). */
export type FindingChange = 'raised' | 'updated' | 'closed';

/**
 * Silences a known cause (per detector, device, peer) without losing the count: matching reports make no
 * finding and are counted per rule in the detection stats. Every given field must match.
 */
export interface SuppressionRule {
  detector?: string;
  /** IP, CIDR prefix or MAC of a device the report names. */
  device?: string;
  /** IP, CIDR prefix or MAC of another party the report names (the peer of `device`). */
  peer?: string;
  /** Why (shown in the stats). */
  reason?: string;
}

/** Options of the detection engine (src/detect/engine.ts). */
export interface DetectionOptions {
  /** Per detector id: option overrides (unknown names are a configuration error). */
  options: Record<string, Record<string, unknown>>;
  devices?: DeviceLookup;
  /** Distinct findings kept; reports for new keys beyond it are dropped and counted. */
  maxFindings: number;
  maxEvidencePerFinding: number;
  maxCommunityIdsPerFinding: number;
  maxDevicesPerFinding: number;
  /** Packet-time seconds without a report after which an open finding closes. */
  closeAfterS: number;
  /** Least packet-time seconds between two `updated` changes of one finding. */
  updateIntervalS: number;
  /** Closed findings kept for the run's result (they were already published); the oldest go first, counted. */
  maxClosedFindings: number;
  suppress: readonly SuppressionRule[];
}

/** Counters of one detection run. */
export interface DetectionStats {
  reports: number;
  findings: number;
  /** Reports folded into an existing finding (repeat suppression). */
  suppressed: number;
  /** Reports dropped because maxFindings was reached. */
  dropped_findings: number;
  evidence_dropped: number;
  community_ids_dropped: number;
  /** Reports per detector id. */
  by_detector: Record<string, number>;
  /** Detector bugs: unknown messageId or a {placeholder} without data ("<detector>/<message>/<name>"). */
  template_errors: string[];
  /** Exceptions thrown by detectors (caught, counted per detector id). */
  detector_errors: Record<string, number>;
  /** Findings raised, updates published, findings closed (lifecycle). */
  raised?: number;
  updated?: number;
  closed?: number;
  /** Closed findings dropped from the in-memory result at maxClosedFindings (they were published). */
  closed_dropped?: number;
  /** Per suppression rule (same order as configured): reports silenced and their summed count. */
  suppressed_by_rule?: { rule: SuppressionRule; reports: number; count: number }[];
}
