/**
 * The fact predicates the baseline table names: each says whether it holds for a device and which observed
 * packets show it. One function per fact id, all here.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import type { EvidenceRef } from '../detect/types.ts';
import type { FactId } from './baseline.ts';
import type { AssessmentEvidence, Observation } from './types.ts';
import { isWeakTlsName, type AssessmentFacts, type HostFacts, type Tally } from './facts.ts';

/** Facts of every address of one device, merged. */
export interface DeviceFacts {
  tls: Record<string, Tally>;
  firmware_http: Tally;
  update_tls: Tally;
  http_out_remote: Tally;
  ssdp_notify: Tally;
  ssdp_response: Tally;
  telnet_served: Tally;
  ssh: Tally;
}

const maxMergedRefs = 5;

function mergeTally(into: Tally, t: Tally): void {
  into.count += t.count;
  for (const r of t.refs) if (into.refs.length < maxMergedRefs) into.refs.push(r);
  for (const e of t.examples) if (into.examples.length < maxMergedRefs && !into.examples.includes(e)) into.examples.push(e);
}

const tally = (): Tally => ({ count: 0, refs: [], examples: [] });

export function deviceFacts(device: DeviceRecord, facts: AssessmentFacts | undefined): DeviceFacts {
  const out: DeviceFacts = {
    tls: {}, firmware_http: tally(), update_tls: tally(), http_out_remote: tally(), ssdp_notify: tally(), ssdp_response: tally(),
    telnet_served: tally(), ssh: tally(),
  };
  if (!facts) return out;
  const seen = new Set<string>();
  for (const b of device.ips) {
    if (seen.has(b.ip)) continue;
    seen.add(b.ip);
    const h: HostFacts | undefined = facts.host(b.ip);
    if (!h) continue;
    for (const [name, t] of Object.entries(h.tls)) mergeTally((out.tls[name] ??= tally()), t);
    for (const k of ['firmware_http', 'update_tls', 'http_out_remote', 'ssdp_notify', 'ssdp_response', 'telnet_served', 'ssh'] as const) mergeTally(out[k], h[k]);
  }
  return out;
}

/**
 * Start times of the flows of every address of one device (the report's timeline), in no particular order.
 * Apart from deviceFacts: no verdict reads them, and merging up to `maxFlowTimes` per address for every
 * assessed device cost more than the rest of its facts.
 */
export function deviceFlowTimes(device: DeviceRecord, facts: AssessmentFacts): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  for (const b of device.ips) {
    if (seen.has(b.ip)) continue;
    seen.add(b.ip);
    const h = facts.host(b.ip);
    if (h) for (const t of h.flow_times) out.push(t);
  }
  return out;
}

export interface FactResult {
  holds: boolean;
  evidence: AssessmentEvidence[];
}

const fact = (text: string, refs: EvidenceRef[] = []): AssessmentEvidence => ({ kind: 'fact', text, refs });
const examples = (t: Tally): string => (t.examples.length > 0 ? `: ${t.examples.slice(0, 3).join(', ')}` : '');
const times = (n: number): string => (n === 1 ? 'once' : `${n} times`);
const telnetPorts = new Set([23, 2323]);

/** Evaluate one fact for a device. */
export function evalFact(id: FactId, device: DeviceRecord, f: DeviceFacts, obs: Observation): FactResult {
  const no: FactResult = { holds: false, evidence: [] };
  const tlsNames = Object.keys(f.tls).sort();
  switch (id) {
    case 'tls.weak_negotiated': {
      const weak = tlsNames.filter(isWeakTlsName);
      return weak.length === 0 ? no : {
        holds: true,
        evidence: weak.map((n) => fact(`${n} negotiated ${times(f.tls[n].count)} (peers${examples(f.tls[n])})`, f.tls[n].refs)),
      };
    }
    case 'tls.modern_only': {
      if (tlsNames.length === 0 || tlsNames.some(isWeakTlsName)) return no;
      return { holds: true, evidence: tlsNames.map((n) => fact(`${n} negotiated ${times(f.tls[n].count)}`, f.tls[n].refs)) };
    }
    case 'encrypted.sessions': {
      const tlsCount = tlsNames.reduce((s, n) => s + f.tls[n].count, 0);
      if (tlsCount + f.ssh.count === 0) return no;
      const ev: AssessmentEvidence[] = [];
      if (tlsCount > 0) ev.push(fact(`${tlsCount} TLS session${tlsCount === 1 ? '' : 's'} (${tlsNames.join(', ')})`, tlsNames.flatMap((n) => f.tls[n].refs).slice(0, maxMergedRefs)));
      if (f.ssh.count > 0) ev.push(fact(`SSH seen ${times(f.ssh.count)}`, f.ssh.refs));
      return { holds: true, evidence: ev };
    }
    case 'http.cleartext_remote':
      return f.http_out_remote.count === 0 ? no : {
        holds: true,
        evidence: [fact(`${f.http_out_remote.count} plain HTTP request(s) to Internet hosts${examples(f.http_out_remote)}`, f.http_out_remote.refs)],
      };
    case 'no_cleartext_http_remote':
      return f.http_out_remote.count === 0 ? { holds: true, evidence: [fact('no plain HTTP request to Internet hosts')] } : no;
    case 'http.firmware':
      return f.firmware_http.count === 0 ? no : {
        holds: true,
        evidence: [fact(`firmware-like download over plain HTTP ${times(f.firmware_http.count)}${examples(f.firmware_http)}`, f.firmware_http.refs)],
      };
    case 'update.tls':
      return f.update_tls.count === 0 ? no : {
        holds: true,
        evidence: [fact(`update server contacted over TLS ${times(f.update_tls.count)}${examples(f.update_tls)}`, f.update_tls.refs)],
      };
    case 'update.seen': {
      const n = f.update_tls.count + f.firmware_http.count;
      if (n === 0) return no;
      return { holds: true, evidence: [fact(`update traffic seen ${times(n)}${examples(f.update_tls.count > 0 ? f.update_tls : f.firmware_http)}`, [...f.update_tls.refs, ...f.firmware_http.refs].slice(0, maxMergedRefs))] };
    }
    case 'service.telnet': {
      const svc = device.services.filter((s) => s.app === 'telnet' || (s.transport === 'tcp' && telnetPorts.has(s.port)));
      if (svc.length === 0 && f.telnet_served.count === 0) return no;
      const ev: AssessmentEvidence[] = svc.map((s) => fact(`answers telnet on ${s.transport}/${s.port} (${s.flows} connection${s.flows === 1 ? '' : 's'})`));
      if (f.telnet_served.count > 0) ev.push(fact(`served a telnet login or banner ${times(f.telnet_served.count)}`, f.telnet_served.refs));
      return { holds: true, evidence: ev };
    }
    case 'upnp.answering': {
      const svc = device.services.filter((s) => s.transport === 'udp' && s.port === 1900);
      if (svc.length === 0 && f.ssdp_response.count === 0) return no;
      const ev: AssessmentEvidence[] = svc.map((s) => fact(`answers SSDP on udp/1900 (${s.flows} flow${s.flows === 1 ? '' : 's'})`));
      if (f.ssdp_response.count > 0) ev.push(fact(`answered UPnP searches ${times(f.ssdp_response.count)}${examples(f.ssdp_response)}`, f.ssdp_response.refs));
      return { holds: true, evidence: ev };
    }
    case 'upnp.announcing':
      return f.ssdp_notify.count === 0 ? no : {
        holds: true,
        evidence: [fact(`announced itself over UPnP/SSDP ${times(f.ssdp_notify.count)}${examples(f.ssdp_notify)}`, f.ssdp_notify.refs)],
      };
    case 'no_upnp_announcing':
      return f.ssdp_notify.count === 0 ? { holds: true, evidence: [fact('no UPnP/SSDP announcement')] } : no;
    case 'web.plain_only': {
      const http = device.services.filter((s) => s.app === 'http');
      const tls = device.services.some((s) => s.app === 'tls' || s.port === 443);
      if (http.length === 0 || tls) return no;
      return { holds: true, evidence: http.map((s) => fact(`serves plain HTTP on ${s.transport}/${s.port}, no HTTPS seen (${s.flows} connection${s.flows === 1 ? '' : 's'})`)) };
    }
    case 'observed.enough':
      return obs.coverage === 'brief' ? no : { holds: true, evidence: [fact(`observed ${formatDuration(obs.observed_s)}, ${obs.flows} flows`)] };
  }
}

/** "2 min 5 s", "1 h 3 min", "4 s". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '0 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${Math.round(s % 60) > 0 ? ` ${Math.round(s % 60)} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) > 0 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${Math.floor((s % 86400) / 3600) > 0 ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}
