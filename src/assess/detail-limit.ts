/**
 * How many devices get the full treatment (baseline assessment, label, a section of the report). A LAN attacker
 * can make thousands of MACs appear at will (DHCP starvation, ARP floods); each assessed device costs about
 * 10 kB of verdicts and a label of several kB, so past this bound devices are counted and summarised instead.
 * Chosen first: devices that findings name, then the busiest (flows, bytes), then the earliest seen, so flood
 * MACs that sent one packet each are the ones summarised.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';

/** Default number of devices assessed, labelled and detailed in a report. */
export const DEFAULT_MAX_DETAILED_DEVICES = 1000;

/** What the devices beyond the bound were, in a few lines. */
export interface UndetailedDevices {
  count: number;
  /** Device types (automatic identification) and how many of each, most frequent first, at most 10. */
  by_type: { type: string; devices: number }[];
  /** Vendors (identified or from the MAC's OUI; "unknown" for none), most frequent first, at most 10. */
  by_vendor: { vendor: string; devices: number }[];
  /** Every undetailed device together. */
  flows: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
}

const TOP = 10;

/** Splits devices into those detailed (input order kept) and the summary of the rest. */
export function selectDetailed(
  devices: readonly DeviceRecord[], findings: readonly Finding[], max = DEFAULT_MAX_DETAILED_DEVICES,
): { detailed: DeviceRecord[]; rest: UndetailedDevices } {
  if (devices.length <= max) return { detailed: [...devices], rest: summarise([]) };
  const named = new Set<string>();
  for (const f of findings) {
    for (const d of f.devices) {
      if (d.device_id !== undefined) named.add(d.device_id);
      if (d.mac !== undefined) named.add(`mac:${d.mac}`);
      if (d.ip !== undefined) named.add(`ip:${d.ip}`);
    }
  }
  const isNamed = (d: DeviceRecord): boolean =>
    named.has(d.id) || (d.mac !== undefined && named.has(`mac:${d.mac}`)) || d.ips.some((b) => named.has(`ip:${b.ip}`));
  const ranked = devices.map((d, i) => ({ d, i, named: isNamed(d), flows: d.flows_in + d.flows_out, bytes: d.bytes_in + d.bytes_out }));
  ranked.sort((a, b) => Number(b.named) - Number(a.named) || b.flows - a.flows || b.bytes - a.bytes || a.d.first_ts - b.d.first_ts || a.i - b.i);
  const keep = ranked.slice(0, max).sort((a, b) => a.i - b.i).map((r) => r.d);
  return { detailed: keep, rest: summarise(ranked.slice(max).map((r) => r.d)) };
}

export function summarise(devices: readonly DeviceRecord[]): UndetailedDevices {
  const types = new Map<string, number>();
  const vendors = new Map<string, number>();
  let flows = 0;
  let bytes = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const d of devices) {
    types.set(d.identification.type, (types.get(d.identification.type) ?? 0) + 1);
    const vendor = d.identification.vendor ?? d.oui_vendor ?? 'unknown';
    vendors.set(vendor, (vendors.get(vendor) ?? 0) + 1);
    flows += d.flows_in + d.flows_out;
    bytes += d.bytes_in + d.bytes_out;
    first = Math.min(first, d.first_ts);
    last = Math.max(last, d.last_ts);
  }
  const top = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP);
  return {
    count: devices.length,
    by_type: top(types).map(([type, n]) => ({ type, devices: n })),
    by_vendor: top(vendors).map(([vendor, n]) => ({ vendor, devices: n })),
    flows, bytes,
    first_ts: Number.isFinite(first) ? first : null,
    last_ts: Number.isFinite(last) ? last : null,
  };
}
