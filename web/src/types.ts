/** JSON shapes of the Bulwark API as the dashboard reads them (see docs/api.md). Kept loose: the API is the contract. */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

import type { DeviceRecord } from '../../src/inventory/types.ts';

export type { Evidence, IpBinding, ServiceRecord } from '../../src/inventory/types.ts';

/** A device as the API returns it: the inventory's record plus what the store adds. */
export interface Device extends Omit<DeviceRecord, 'identification' | 'user'> {
  identification: Omit<DeviceRecord['identification'], 'type'> & { type: string };
  user?: { name?: string; type?: string; vendor?: string };
  /** Security grade (A best) from the assessment; absent until assessed. */
  grade?: string;
  /** Effective fields computed by the API (user override, else identification). */
  name?: string;
  type?: string;
  vendor?: string;
  model?: string;
  /** Findings with status 'new' naming the device. */
  findings_open?: number;
  captures?: number;
  [extra: string]: unknown;
}

export interface EvidenceRef { file: string; packet: number; ts: number; community_id?: string }

export interface Finding {
  id: string;
  detector: string;
  category: string;
  severity: Severity;
  confidence: number;
  title: string;
  explanation: string;
  devices: { role: string; ip: string; mac?: string; device_id?: string }[];
  first_ts: number;
  last_ts: number;
  count: number;
  community_ids: string[];
  community_ids_dropped: number;
  evidence: EvidenceRef[];
  evidence_dropped: number;
  references: { etsi?: string[]; enisa?: string[]; attack?: string[]; iec62443?: string[]; other?: string[] };
  facts?: Record<string, unknown>;
  status?: string;
  [extra: string]: unknown;
}

export interface Capture {
  id?: string;
  capture_id?: string;
  filename?: string;
  sha256?: string;
  size?: number;
  created_at?: string;
  name?: string;
  status: 'queued' | 'ingesting' | 'done' | 'failed' | string;
  progress?: number;
  error?: string;
  summary?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A list answer: either a bare array or `{ items, total }` (both accepted). */
export interface Page<T> { items: T[]; total?: number }

export interface TimeSeries { t: number[]; series: Record<string, (number | null)[]> }

export const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
