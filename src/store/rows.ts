/**
 * The narrow row a device is listed by (effective name, type and vendor after the user's overrides, the search
 * text) and the JSON documents the API answers with: one definition for every store.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import { autoName } from './merge.ts';

export interface OverrideRow {
  name?: string | null;
  type?: string | null;
  vendor?: string | null;
}

export interface DeviceColumns {
  autoName: string;
  autoType: string;
  autoVendor: string | null;
  model: string | null;
  name: string;
  type: string;
  vendor: string | null;
  /** The fields the user set (`null` when none). */
  user: Record<string, string> | null;
  /** Lower-case text the `q=` filter searches (names, addresses, vendor, model, type). */
  search: string;
  /** The record without evidence and user fields (stored apart), and the evidence. */
  record: Omit<DeviceRecord, 'evidence' | 'user'>;
  evidence: DeviceRecord['evidence'];
}

export function deviceColumns(d: DeviceRecord, o: OverrideRow | undefined): DeviceColumns {
  const { evidence, user: _user, ...record } = d;
  const autoVendor = d.identification.vendor ?? d.oui_vendor ?? null;
  const auto = autoName(d);
  const user: Record<string, string> = {};
  for (const k of ['name', 'type', 'vendor'] as const) if (typeof o?.[k] === 'string') user[k] = o[k];
  const name = user.name ?? auto;
  const type = user.type ?? d.identification.type;
  const vendor = user.vendor ?? autoVendor;
  const search = [d.id, d.mac, name, auto, vendor, d.oui_vendor, d.identification.model, type, ...d.hostnames, ...d.ips.map((i) => i.ip)]
    .filter((x) => x).join('\n').toLowerCase();
  return {
    autoName: auto, autoType: d.identification.type, autoVendor, model: d.identification.model ?? null, name, type, vendor,
    user: Object.keys(user).length ? user : null, search, record, evidence,
  };
}

/** The effective columns a device document is patched with (absent or null members are left out, as JSON merge patch does). */
export interface DeviceShown {
  name: string;
  type: string;
  vendor: string | null;
  model: string | null;
  grade: string | null;
  findings_open: number;
  captures: number;
  user: Record<string, string> | null;
}

/** DeviceSummary JSON (with `evidenceJson`: the Device JSON). */
export function deviceJson(recordJson: string, shown: DeviceShown, evidenceJson?: string): string {
  const doc = JSON.parse(recordJson) as Record<string, unknown>;
  patch(doc, { ...shown, evidence: evidenceJson === undefined ? undefined : JSON.parse(evidenceJson) as unknown });
  return JSON.stringify(doc);
}

export interface FindingShown {
  status: string;
  note: string | null;
  status_changed_at: string | null;
}

/** Finding JSON with its workflow fields; the summary leaves evidence and community ids out. */
export function findingJson(recordJson: string, shown: FindingShown, full: boolean): string {
  const doc = JSON.parse(recordJson) as Partial<Finding> & Record<string, unknown>;
  if (!full) {
    delete doc.evidence;
    delete doc.community_ids;
  }
  patch(doc, { ...shown });
  return JSON.stringify(doc);
}

/** RFC 7396 merge patch of top-level members: null removes, undefined leaves alone. */
function patch(doc: Record<string, unknown>, members: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(members)) {
    if (v === undefined) continue;
    if (v === null) delete doc[k];
    else doc[k] = v;
  }
}
