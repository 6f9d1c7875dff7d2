/**
 * The envelope every published event carries, and the generic event record. The pipeline fills the
 * envelope; analyzers fill only their protocol's fields (see src/events/map.ts for the typed form).
 * @module
 */
import type { FlowRecord } from '../flow/types.ts';

/** Envelope fields (documented in `envelopeFields`, src/events/types.ts). */
export type EventEnvelope = {
  type: string;
  /** Packet time, epoch seconds. */
  ts: number;
  /** Capture file (or live source name) the packet came from. */
  file: string;
  /** 1-based packet number within that file or source. */
  packet: number;
  community_id?: string;
  /** Run-unique flow number (kept for joins within one run). */
  flow_id?: number;
  /** Flow uid unique across runs and sensors (Zeek's `uid` idea), joins events to flow records. */
  uid?: string;
  transport?: string;
  src_ip?: string;
  src_port?: number;
  dst_ip?: string;
  dst_port?: number;
  from_orig?: boolean;
};

/** An event as published, of any type: the envelope plus the producer's fields. */
export interface EventRecord extends EventEnvelope {
  [field: string]: unknown;
}

export type EventHandler = (ev: EventRecord) => void;
export type FlowHandler = (flow: FlowRecord) => void;
