/**
 * How a device or finding seen again in a later capture is folded into what is stored. Pure functions,
 * bounded lists (the caps keep a long-lived store from growing per capture).
 * @module
 */
import type { DeviceRecord, IpBinding, ServiceRecord } from '../inventory/types.ts';
import type { Finding, Severity } from '../detect/types.ts';

const MAX_LIST = 64;
const MAX_EVIDENCE = 64;
const MAX_FINDING_REFS = 32;

const severityRank: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

function union(a: readonly string[], b: readonly string[], cap = MAX_LIST): string[] {
  return [...new Set([...a, ...b])].slice(0, cap);
}

function mergeIps(a: readonly IpBinding[], b: readonly IpBinding[]): IpBinding[] {
  const byIp = new Map<string, IpBinding>();
  for (const x of [...a, ...b]) {
    const old = byIp.get(x.ip);
    if (!old) byIp.set(x.ip, { ...x });
    else {
      old.first_ts = Math.min(old.first_ts, x.first_ts);
      if (x.last_ts >= old.last_ts) {
        old.last_ts = x.last_ts;
        old.source = x.source;
      }
    }
  }
  return [...byIp.values()].slice(0, MAX_LIST);
}

function mergeServices(a: readonly ServiceRecord[], b: readonly ServiceRecord[]): ServiceRecord[] {
  const byKey = new Map<string, ServiceRecord>();
  for (const s of [...a, ...b]) {
    const key = `${s.transport}/${s.port}`;
    const old = byKey.get(key);
    if (!old) byKey.set(key, { ...s });
    else {
      old.flows += s.flows;
      old.app ??= s.app;
    }
  }
  return [...byKey.values()].slice(0, MAX_LIST);
}

/** The device as stored after `next` (a later capture) is seen; identification from the more confident side. */
export function mergeDevice(prev: DeviceRecord, next: DeviceRecord): DeviceRecord {
  const evidence = [...prev.evidence, ...next.evidence];
  const keptEvidence = evidence.slice(0, MAX_EVIDENCE);
  return {
    ...prev,
    ...next,
    mac: next.mac ?? prev.mac,
    oui_vendor: next.oui_vendor ?? prev.oui_vendor,
    ips: mergeIps(prev.ips, next.ips),
    hostnames: union(prev.hostnames, next.hostnames),
    first_ts: Math.min(prev.first_ts, next.first_ts),
    last_ts: Math.max(prev.last_ts, next.last_ts),
    local: prev.local || next.local,
    services: mergeServices(prev.services, next.services),
    talks_to: {
      ports: union(prev.talks_to.ports, next.talks_to.ports),
      domains: union(prev.talks_to.domains, next.talks_to.domains),
    },
    flows_out: prev.flows_out + next.flows_out,
    flows_in: prev.flows_in + next.flows_in,
    bytes_out: prev.bytes_out + next.bytes_out,
    bytes_in: prev.bytes_in + next.bytes_in,
    peers_local: Math.max(prev.peers_local, next.peers_local),
    peers_remote: Math.max(prev.peers_remote, next.peers_remote),
    evidence: keptEvidence,
    evidence_dropped: prev.evidence_dropped + next.evidence_dropped + (evidence.length - keptEvidence.length),
    identification: next.identification.type_confidence >= prev.identification.type_confidence ? next.identification : prev.identification,
  };
}

/** The finding as stored after it is reported again: counts add, time range widens, references stay bounded. */
export function mergeFinding(prev: Finding, next: Finding): Finding {
  const evidence = [...prev.evidence, ...next.evidence];
  const keptEvidence = evidence.slice(0, MAX_FINDING_REFS);
  const allIds = [...new Set([...prev.community_ids, ...next.community_ids])];
  const ids = allIds.slice(0, MAX_FINDING_REFS);
  const devices = [...prev.devices];
  for (const d of next.devices) {
    if (!devices.some((x) => x.role === d.role && x.ip === d.ip) && devices.length < MAX_LIST) devices.push(d);
  }
  return {
    ...prev,
    ...next,
    severity: severityRank[next.severity] >= severityRank[prev.severity] ? next.severity : prev.severity,
    confidence: Math.max(prev.confidence, next.confidence),
    devices,
    first_ts: Math.min(prev.first_ts, next.first_ts),
    last_ts: Math.max(prev.last_ts, next.last_ts),
    count: prev.count + next.count,
    community_ids: ids,
    community_ids_dropped: prev.community_ids_dropped + next.community_ids_dropped + (allIds.length - ids.length),
    evidence: keptEvidence,
    evidence_dropped: prev.evidence_dropped + next.evidence_dropped + (evidence.length - keptEvidence.length),
  };
}

/** Device ids a finding names: the inventory's id when the detector framework set it, else derived the same way. */
export function findingDeviceIds(f: Finding): string[] {
  const ids = new Set<string>();
  for (const d of f.devices) ids.add(d.device_id ?? (d.mac ? `mac:${d.mac}` : `ip:${d.ip}`));
  return [...ids];
}

/** Shown name: first host name, else model, else vendor and type, else the id. */
export function autoName(d: DeviceRecord): string {
  const vendor = d.identification.vendor ?? d.oui_vendor;
  if (d.hostnames.length > 0) return d.hostnames[0];
  if (d.identification.model) return d.identification.model;
  if (vendor) return d.identification.type === 'unknown' ? vendor : `${vendor} ${d.identification.type}`;
  return d.id;
}
