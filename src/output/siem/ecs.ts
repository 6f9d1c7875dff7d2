/**
 * Elastic Common Schema (ECS 8.x) documents for findings (alerts) and flows, ready for an Elasticsearch or
 * OpenSearch index, Elastic Agent's custom-logs input, or any ECS-aware SIEM. Field names, types and the
 * allowed categorisation values (event.kind / category / type) follow ECS's field reference; MAC addresses
 * in ECS's RFC 7042 notation (upper case, hyphens).
 * @module
 */
import type { Finding, Severity } from '../../detect/types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { ianaNumber, isoTime } from './common.ts';

export const ECS_VERSION = '8.11.0';

/** event.severity and event.risk_score as Elastic's detection rules use them (21 / 47 / 73 / 99). */
const riskScore: Record<Severity, number> = { info: 0, low: 21, medium: 47, high: 73, critical: 99 };

export function ecsMac(mac: string | undefined): string | undefined {
  return mac?.toUpperCase().replace(/:/g, '-');
}

function observer(sensor: string): Record<string, unknown> {
  return { name: sensor, hostname: sensor, type: 'ids', vendor: 'Bulwark', product: 'Bulwark', version: '0.1.0' };
}

export function ecsAlert(f: Finding, sensor: string): Record<string, unknown> {
  const subject = f.devices.find((d) => d.role === 'infected' || d.role === 'attacker' || d.role === 'insecure') ?? f.devices[0];
  const other = f.devices.find((d) => d !== subject);
  const attack = f.references.attack ?? [];
  return {
    '@timestamp': isoTime(f.first_ts),
    ecs: { version: ECS_VERSION },
    message: f.title,
    event: {
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['info'],
      module: 'bulwark',
      dataset: 'bulwark.finding',
      id: f.id,
      start: isoTime(f.first_ts),
      end: isoTime(f.last_ts),
      severity: riskScore[f.severity],
      risk_score: riskScore[f.severity],
      reason: f.explanation,
    },
    rule: { id: f.detector, name: f.title, category: f.category, description: f.explanation, ruleset: 'bulwark' },
    ...(subject ? { source: { ip: subject.ip, ...(subject.mac ? { mac: ecsMac(subject.mac) } : {}) } } : {}),
    ...(other ? { destination: { ip: other.ip, ...(other.mac ? { mac: ecsMac(other.mac) } : {}) } } : {}),
    ...(f.community_ids.length ? { network: { community_id: f.community_ids } } : {}),
    related: { ip: [...new Set(f.devices.map((d) => d.ip))] },
    ...(attack.length ? { threat: { framework: 'MITRE ATT&CK', technique: { id: attack } } } : {}),
    observer: observer(sensor),
    labels: { bulwark_role: subject?.role ?? 'unknown', bulwark_severity: f.severity, bulwark_count: String(f.count) },
  };
}

export function ecsFlow(f: FlowRecord, sensor: string): Record<string, unknown> {
  const iana = ianaNumber[f.transport];
  const endpoint = (ip: string, port: number, mac: string | undefined, bytes: number, packets: number): Record<string, unknown> => ({
    ip, ...(port ? { port } : {}), ...(mac ? { mac: ecsMac(mac) } : {}), bytes, packets,
  });
  return {
    '@timestamp': isoTime(f.first_ts),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['network'],
      type: ['connection', 'end'],
      module: 'bulwark',
      dataset: 'bulwark.flow',
      start: isoTime(f.first_ts),
      end: isoTime(f.last_ts),
      // ECS durations are nanoseconds.
      duration: Math.max(0, Math.round((f.last_ts - f.first_ts) * 1e9)),
    },
    source: endpoint(f.orig_ip, f.orig_port, f.orig_mac, f.orig_bytes, f.orig_pkts),
    destination: endpoint(f.resp_ip, f.resp_port, f.resp_mac, f.resp_bytes, f.resp_pkts),
    network: {
      ...(f.community_id ? { community_id: f.community_id } : {}),
      transport: f.transport,
      ...(iana !== undefined ? { iana_number: String(iana) } : {}),
      ...(f.ip_version ? { type: `ipv${f.ip_version}` } : {}),
      ...(f.app ? { protocol: f.app } : {}),
      bytes: f.orig_bytes + f.resp_bytes,
      packets: f.orig_pkts + f.resp_pkts,
      ...(f.vlan?.length ? { vlan: { id: String(f.vlan[0]) } } : {}),
    },
    related: { ip: [...new Set([f.orig_ip, f.resp_ip].filter(Boolean))] },
    observer: observer(sensor),
  };
}
