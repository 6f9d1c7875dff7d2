/**
 * STIX 2.1 bundle of an analysis: the sensor (identity), what was seen (observed-data with ipv4/ipv6-addr,
 * mac-addr, domain-name and network-traffic SCOs), sightings, indicators with STIX patterns for the
 * Internet addresses that attacked or controlled devices, malware families, ATT&CK attack-patterns, C2
 * infrastructure, the relationships between them and one report per case. Ids are name-based UUIDs and
 * times come from the traffic, so the same analysis always gives the same bundle. Local identities are
 * pseudonymised by the Pseudonymiser the caller passes.
 * @module
 */
import { isLocalIp } from '../../detect/lib/net.ts';
import type { Case, Finding } from '../types.ts';
import { attackNames, attackUrl, malwareFamilies } from './attack.ts';
import type { Pseudonymiser } from './privacy.ts';
import { bulwarkNamespace, stixScoNamespace, uuidV5 } from './uuid.ts';

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface StixInput {
  findings: readonly Finding[];
  cases: readonly Case[];
  /** Name of the sensor (pseudonymised by the caller unless identifying). */
  sensor: string;
  pseudo: Pseudonymiser;
  /** TLP marking of every object (default amber). */
  tlp?: 'clear' | 'green' | 'amber' | 'red';
}

/** The TLP marking-definition objects of STIX 2.1 §7.2.1.4 (fixed ids and content). */
const tlpMarkings: Record<string, StixObject> = {
  clear: { type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: 'TLP:WHITE', definition: { tlp: 'white' } },
  green: { type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: 'TLP:GREEN', definition: { tlp: 'green' } },
  amber: { type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: 'TLP:AMBER', definition: { tlp: 'amber' } },
  red: { type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: 'TLP:RED', definition: { tlp: 'red' } },
};

const iso = (ts: number): string => new Date(Math.round(ts * 1000)).toISOString();
const sdoId = (type: string, key: string): string => `${type}--${uuidV5(bulwarkNamespace, `${type}|${key}`)}`;
const scoId = (type: string, contributing: Record<string, unknown>): string => `${type}--${uuidV5(stixScoNamespace, JSON.stringify(contributing))}`;

const maliciousRoles = new Set(['attacker', 'infected']);

export function buildStixBundle(input: StixInput): StixBundle {
  const { pseudo } = input;
  const objects = new Map<string, StixObject>();
  const put = (o: StixObject): string => {
    if (!objects.has(o.id)) objects.set(o.id, o);
    return o.id;
  };
  const marking = tlpMarkings[input.tlp ?? 'amber'];
  put(marking);
  const markingRefs = [marking.id];
  const firstTs = input.findings.length > 0 ? Math.min(...input.findings.map((f) => f.first_ts)) : 0;
  const identity = put({
    type: 'identity', spec_version: '2.1', id: sdoId('identity', input.sensor), created: iso(firstTs), modified: iso(firstTs),
    name: input.sensor, identity_class: 'system', description: 'Bulwark network security monitor (passive sensor).', object_marking_refs: markingRefs,
  });
  const common = (ts: number, lastTs = ts): Record<string, unknown> => ({
    spec_version: '2.1', created: iso(ts), modified: iso(lastTs), created_by_ref: identity, object_marking_refs: markingRefs,
  });
  const ipSco = (ip: string): string => {
    const value = pseudo.ip(ip);
    const type = value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
    return put({ type, spec_version: '2.1', id: scoId(type, { value }), value });
  };
  const macSco = (mac: string): string => {
    const value = pseudo.identify ? mac.toLowerCase() : pseudo.pseudonym('mac', mac);
    return put({ type: 'mac-addr', spec_version: '2.1', id: scoId('mac-addr', { value }), value });
  };
  const relationship = (type: string, source: string, target: string, ts: number): string =>
    put({ type: 'relationship', id: sdoId('relationship', `${type}|${source}|${target}`), ...common(ts), relationship_type: type, source_ref: source, target_ref: target });
  const attackPattern = (tid: string, ts: number): string => put({
    type: 'attack-pattern', id: sdoId('attack-pattern', tid), ...common(ts), name: attackNames[tid] ?? tid,
    external_references: [{ source_name: 'mitre-attack', external_id: tid, url: attackUrl(tid) }],
  });
  const malware = (family: string, ts: number): string | undefined => {
    const m = malwareFamilies[family];
    if (!m) return undefined;
    return put({ type: 'malware', id: sdoId('malware', family), ...common(ts), name: m.name, is_family: true, malware_types: m.types, description: m.description });
  };

  const byFinding = new Map<string, string[]>();
  const familyOf = new Map<string, string>();
  for (const c of input.cases) {
    const fam = c.classification.startsWith('botnet:') ? c.classification.slice(7) : undefined;
    if (fam) for (const id of c.findings) familyOf.set(id, fam);
  }
  for (const f of input.findings) {
    const refs: string[] = [];
    const ts = f.first_ts;
    // What was seen: the devices, their MACs, the traffic between the attackers and the devices.
    const scos: string[] = [];
    for (const d of f.devices) {
      scos.push(ipSco(d.ip));
      if (d.mac) scos.push(macSco(d.mac));
    }
    const targets = f.devices.filter((d) => !maliciousRoles.has(d.role) && d.role !== 'peer');
    const sources = f.devices.filter((d) => maliciousRoles.has(d.role) || d.role === 'peer');
    const port = Number(f.facts?.server_port ?? f.facts?.port ?? NaN);
    for (const s of sources.slice(0, 20)) {
      for (const t of targets.slice(0, 5)) {
        const src = ipSco(s.ip);
        const dst = ipSco(t.ip);
        const nt: Record<string, unknown> = { src_ref: src, dst_ref: dst, protocols: [s.ip.includes(':') ? 'ipv6' : 'ipv4', ...transportOf(f)] };
        if (Number.isInteger(port) && port > 0 && port < 65536) nt.dst_port = port;
        scos.push(put({ type: 'network-traffic', spec_version: '2.1', id: scoId('network-traffic', nt), ...nt }));
      }
    }
    const indicatorValue = typeof f.facts?.indicator === 'string' && f.facts.kind === 'domain' ? f.facts.indicator : undefined;
    if (indicatorValue) scos.push(put({ type: 'domain-name', spec_version: '2.1', id: scoId('domain-name', { value: indicatorValue }), value: indicatorValue }));
    const observed = put({
      type: 'observed-data', id: sdoId('observed-data', f.id), ...common(ts, f.last_ts),
      first_observed: iso(f.first_ts), last_observed: iso(f.last_ts), number_observed: Math.min(999_999_999, Math.max(1, f.count)),
      object_refs: [...new Set(scos)],
    });
    refs.push(observed, ...new Set(scos));
    const patterns = (f.references.attack ?? []).map((t) => attackPattern(t, ts));
    refs.push(...patterns);
    const fam = familyOf.get(f.id);
    const mal = fam ? malware(fam, ts) : undefined;
    if (mal) {
      refs.push(mal);
      for (const p of patterns) refs.push(relationship('uses', mal, p, ts));
    }
    // Indicators: the Internet addresses acting against the devices (never local ones), and C2 domains.
    const bad = f.devices.filter((d) => maliciousRoles.has(d.role) && !isLocalIp(d.ip)).map((d) => d.ip);
    if (f.category === 'c2' || f.category === 'p2p') bad.push(...f.devices.filter((d) => d.role === 'peer' && !isLocalIp(d.ip)).map((d) => d.ip));
    const indicators: { id: string; ip?: string }[] = [];
    for (const ip of [...new Set(bad)].slice(0, 50)) {
      const type = ip.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
      indicators.push({ ip, id: put({
        type: 'indicator', id: sdoId('indicator', `${type}|${ip}`), ...common(ts), name: `${ip} (${f.category})`,
        indicator_types: ['malicious-activity'], pattern: `[${type}:value = '${ip}']`, pattern_type: 'stix', valid_from: iso(ts),
        description: `Seen by Bulwark: ${pseudo.text(f.title)}`,
      }) });
    }
    if (indicatorValue) {
      indicators.push({ id: put({
        type: 'indicator', id: sdoId('indicator', `domain-name|${indicatorValue}`), ...common(ts), name: indicatorValue,
        indicator_types: ['malicious-activity'], pattern: `[domain-name:value = '${indicatorValue.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`, pattern_type: 'stix', valid_from: iso(ts),
      }) });
    }
    for (const ind of indicators) {
      refs.push(ind.id);
      refs.push(put({
        type: 'sighting', id: sdoId('sighting', `${f.id}|${ind.id}`), ...common(ts, f.last_ts), sighting_of_ref: ind.id,
        observed_data_refs: [observed], where_sighted_refs: [identity], first_seen: iso(f.first_ts), last_seen: iso(f.last_ts),
        count: Math.min(999_999_999, f.count), description: pseudo.text(f.title),
      }));
      if (mal) refs.push(relationship('indicates', ind.id, mal, ts));
      for (const p of patterns) refs.push(relationship('indicates', ind.id, p, ts));
      // Command and control: the remote end is infrastructure.
      if (ind.ip && f.category === 'c2') {
        const infra = put({ type: 'infrastructure', id: sdoId('infrastructure', `c2|${ind.ip}`), ...common(ts), name: `C2 ${ind.ip}`, infrastructure_types: ['command-and-control'] });
        refs.push(infra, relationship('consists-of', infra, ipSco(ind.ip), ts));
        if (mal) refs.push(relationship('controls', infra, mal, ts));
      }
    }
    byFinding.set(f.id, refs);
  }
  for (const c of input.cases) {
    const refs = new Set<string>();
    for (const id of c.findings) for (const r of byFinding.get(id) ?? []) refs.add(r);
    if (refs.size === 0) continue;
    put({
      type: 'report', id: sdoId('report', c.id), ...common(c.first_ts, c.last_ts), name: pseudo.text(c.title),
      description: pseudo.text(`${c.classification}, severity ${c.severity}${c.compromised ? ', compromised' : ''}. ${c.summary}`),
      report_types: ['threat-report'], published: iso(c.last_ts), labels: [c.classification, `severity:${c.severity}`], object_refs: [...refs],
      external_references: [{ source_name: 'bulwark', external_id: c.id, description: `Bulwark case ${c.id}` }],
    });
  }
  // Last line of defence: every string scrubbed of local identities and every secret-named key dropped.
  const list = [...objects.values()].map((o) => pseudo.scrub(o)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { type: 'bundle', id: `bundle--${uuidV5(bulwarkNamespace, `bundle|${list.map((o) => o.id).join(',')}`)}`, objects: list };
}

function transportOf(f: Finding): string[] {
  const p = String(f.facts?.protocol ?? f.facts?.service ?? '').toLowerCase();
  if (['telnet', 'ssh', 'ftp', 'http', 'https', 'mqtt', 'rtsp', 'irc', 'tls', 'smtp'].includes(p)) return ['tcp'];
  if (['snmp', 'dns', 'ntp', 'coap', 'ssdp', 'dhcp'].includes(p)) return ['udp'];
  return [];
}
