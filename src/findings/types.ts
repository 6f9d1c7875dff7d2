/**
 * Findings stage contract: the Finding type (defined by the detection stage, re-exported here so users of
 * findings, cases and evidence import one place), evidence references and cases.
 * @module
 */
import type { EvidenceRef, Finding, Role, Severity } from '../detect/types.ts';

export type { EvidenceRef, Finding, Role, Severity };

/**
 * Where a finding's proof lives, precisely enough to cut the packets out without rescanning: the capture
 * by SHA-256 and path, the byte offset of the packet record (pcap record header or pcapng block; for a
 * gzip-compressed capture the offset is in the decompressed stream), packet number, time, flow and
 * Community ID.
 */
export interface ResolvedEvidence extends EvidenceRef {
  sha256?: string;
  offset?: number;
}

/** Kill-chain phase of a timeline step (MITRE ATT&CK tactics, in the order an intrusion moves). */
export type Phase =
  | 'weakness'
  | 'reconnaissance'
  | 'initial-access'
  | 'execution'
  | 'command-and-control'
  | 'lateral-movement'
  | 'impact';

export interface TimelineStep {
  ts: number;
  /** Last time this step was seen. */
  last_ts: number;
  phase: Phase;
  /** One line: what happened (the finding's title). */
  what: string;
  finding: string;
}

export interface CaseDevice {
  /** The device's role in the case (the most telling of its roles in the findings). */
  role: Role;
  ip: string;
  mac?: string;
  device_id?: string;
  /** Name, type and vendor from the inventory, when known. */
  name?: string;
  type?: string;
  vendor?: string;
  /** True for the device(s) the case is about: a device on this network. */
  subject: boolean;
  /** How many of the case's findings name it. */
  findings: number;
}

/** An incident: the findings that share a device and a cause, told as one story. */
export interface Case {
  /** Stable: `case:<hash of subject device and cause>`. */
  id: string;
  /** `botnet:mirai`, `botnet:c2`, `bruteforce`, `ddos:flood`, `ddos:reflection`, `scan`, `insecure:credentials`, … */
  classification: string;
  /** The most severe finding, raised one level when the timeline shows a completed compromise. */
  severity: Severity;
  /** 0..100, ranks cases for a person: severity first, then compromise, spread and confidence. */
  score: number;
  title: string;
  /** One paragraph for a person: what happened, in kill-chain order. */
  summary: string;
  /** The intrusion completed (credentials accepted, C2 reached, the device attacking others). */
  compromised: boolean;
  first_ts: number;
  last_ts: number;
  devices: CaseDevice[];
  devices_dropped?: number;
  /** Finding ids, in timeline order. */
  findings: string[];
  timeline: TimelineStep[];
  /** Steps left out at the per-case cap. */
  timeline_dropped?: number;
  /** MITRE ATT&CK technique ids of its findings. */
  attack: string[];
}
