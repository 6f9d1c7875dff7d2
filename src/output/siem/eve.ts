/**
 * Suricata EVE JSON for alerts and flows, so tools that read Suricata's eve.json (Filebeat's and Elastic
 * Agent's Suricata modules, Wazuh, Splunk's Suricata add-on, Graylog, SELKS/Evebox) take Bulwark's as well.
 * Field names, types and value conventions follow Suricata's EVE format documentation: `timestamp` with
 * microseconds, `event_type`, `src_ip`/`dest_ip`, `proto` in capitals, a 64-bit `flow_id` shared by a flow's
 * alerts and its flow record, `alert.signature`/`signature_id`/`severity` (1 = most severe)/`category`.
 * @module
 */
import type { Category, Finding, Severity } from '../../detect/types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { eveTime, id53, tcpFlagByte } from './common.ts';

/** Suricata alert severity (its classification priority): 1 is the most severe. */
export const eveSeverity: Record<Severity, number> = { critical: 1, high: 1, medium: 2, low: 3, info: 4 };

/** Categories as Suricata's classification.config words them (the classtype descriptions SIEMs know). */
export const eveCategory: Record<Category, string> = {
  botnet: 'A Network Trojan was detected',
  c2: 'A Network Trojan was detected',
  scan: 'Detection of a Network Scan',
  bruteforce: 'Attempted User Privilege Gain',
  credentials: 'Potential Corporate Privacy Violation',
  ddos: 'Attempted Denial of Service',
  p2p: 'Potential Corporate Privacy Violation',
  crypto: 'Crypto Currency Mining Activity Detected',
  exposure: 'Potentially Bad Traffic',
  policy: 'Potential Corporate Privacy Violation',
};

const protoNames: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmp6: 'IPv6-ICMP', igmp: 'IGMP', gre: 'GRE', sctp: 'SCTP' };

/** Signature ids in the range Suricata leaves for local rules (1,000,000–1,999,999), stable per detector. */
export function signatureId(detector: string): number {
  return 1_000_000 + (id53(`bulwark:${detector}`) % 999_999);
}

const endReasons: Record<FlowRecord['end_reason'], string> = {
  idle: 'timeout', active: 'timeout', tcp_closed: 'timeout', tcp_reset: 'timeout', evicted: 'forced', end_of_input: 'shutdown',
};

const maxRemembered = 200_000;

/**
 * Writes EVE documents. Keeps a bounded index of flows by Community ID so an alert carries the flow_id of
 * the flow its evidence packet belongs to (Suricata's join key); past the bound, or for a flow not seen,
 * the id is derived from the Community ID alone.
 */
export class EveFormatter {
  private readonly sensor: string;
  private readonly flows = new Map<string, { first: number; last: number; id: number }[]>();
  private remembered = 0;
  /** Flows not indexed because the index was full (alerts then use the Community-ID-derived id). */
  unindexed = 0;

  constructor(sensor: string) {
    this.sensor = sensor;
  }

  flowId(communityId: string, firstTs: number): number {
    return id53(`${this.sensor}|${communityId}|${firstTs}`);
  }

  flow(f: FlowRecord): Record<string, unknown> {
    const id = this.flowId(f.community_id, f.first_ts);
    this.index(f.community_id, f.first_ts, f.last_ts, id);
    const doc: Record<string, unknown> = {
      timestamp: eveTime(f.first_ts),
      flow_id: id,
      event_type: 'flow',
      src_ip: f.orig_ip,
      ...(f.orig_port ? { src_port: f.orig_port } : {}),
      dest_ip: f.resp_ip,
      ...(f.resp_port ? { dest_port: f.resp_port } : {}),
      proto: protoNames[f.transport] ?? f.transport.toUpperCase(),
      ...(f.app ? { app_proto: f.app } : {}),
      ...(f.community_id ? { community_id: f.community_id } : {}),
      ...(f.vlan?.length ? { vlan: f.vlan } : {}),
      host: this.sensor,
      flow: {
        pkts_toserver: f.orig_pkts,
        pkts_toclient: f.resp_pkts,
        bytes_toserver: f.orig_bytes,
        bytes_toclient: f.resp_bytes,
        start: eveTime(f.first_ts),
        end: eveTime(f.last_ts),
        age: Math.max(0, Math.round(f.last_ts - f.first_ts)),
        state: f.tcp_state === 'closed' || f.tcp_state === 'reset' || f.tcp_state === 'rejected' ? 'closed' : f.tcp_state === 'established' ? 'established' : 'new',
        reason: endReasons[f.end_reason],
        alerted: false,
      },
    };
    if (f.transport === 'tcp') {
      const ts = tcpFlagByte(f.orig_tcp_flags);
      const tc = tcpFlagByte(f.resp_tcp_flags);
      const all = ts | tc;
      doc.tcp = {
        tcp_flags: all.toString(16).padStart(2, '0'),
        tcp_flags_ts: ts.toString(16).padStart(2, '0'),
        tcp_flags_tc: tc.toString(16).padStart(2, '0'),
        ...(all & 0x02 ? { syn: true } : {}),
        ...(all & 0x01 ? { fin: true } : {}),
        ...(all & 0x04 ? { rst: true } : {}),
        ...(all & 0x08 ? { psh: true } : {}),
        ...(all & 0x10 ? { ack: true } : {}),
        ...(all & 0x20 ? { urg: true } : {}),
        ...(all & 0x40 ? { ecn: true } : {}),
        ...(all & 0x80 ? { cwr: true } : {}),
        ...(f.tcp_state ? { state: f.tcp_state } : {}),
      };
    }
    return doc;
  }

  /** One alert for a finding: addressed from the device that did it to the first other party. */
  alert(f: Finding): Record<string, unknown> {
    const subject = f.devices.find((d) => d.role === 'infected' || d.role === 'attacker' || d.role === 'insecure') ?? f.devices[0];
    const other = f.devices.find((d) => d !== subject);
    const ev = f.evidence[0];
    const communityId = ev?.community_id ?? f.community_ids[0];
    const doc: Record<string, unknown> = {
      timestamp: eveTime(f.first_ts),
      ...(communityId ? { flow_id: this.lookup(communityId, ev?.ts ?? f.first_ts) } : {}),
      ...(ev ? { pcap_cnt: ev.packet, pcap_filename: ev.file } : {}),
      event_type: 'alert',
      ...(subject ? { src_ip: subject.ip } : {}),
      ...(other ? { dest_ip: other.ip } : {}),
      ...(communityId ? { community_id: communityId } : {}),
      host: this.sensor,
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: signatureId(f.detector),
        rev: 1,
        signature: `BULWARK ${f.title}`,
        category: eveCategory[f.category],
        severity: eveSeverity[f.severity],
        metadata: {
          bulwark_finding_id: [f.id],
          bulwark_detector: [f.detector],
          bulwark_severity: [f.severity],
          ...(f.references.attack?.length ? { mitre_technique_id: f.references.attack } : {}),
          ...(subject ? { bulwark_role: [subject.role] } : {}),
          bulwark_count: [String(f.count)],
        },
      },
    };
    return doc;
  }

  private index(communityId: string, first: number, last: number, id: number): void {
    if (!communityId) return;
    const list = this.flows.get(communityId);
    if (list) {
      // A 5-tuple reused many times (a flood from one source port) keeps only its latest flows.
      if (list.length >= 16) list.shift();
      list.push({ first, last, id });
      return;
    }
    if (this.remembered >= maxRemembered) {
      this.unindexed++;
      return;
    }
    this.remembered++;
    this.flows.set(communityId, [{ first, last, id }]);
  }

  private lookup(communityId: string, ts: number): number {
    const list = this.flows.get(communityId);
    const hit = list?.find((x) => ts >= x.first && ts <= x.last) ?? list?.[0];
    return hit ? hit.id : id53(`${this.sensor}|${communityId}`);
  }
}
