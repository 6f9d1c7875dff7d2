/**
 * MISP core format export: one event per case, with attributes for the Internet addresses that attacked
 * or controlled the devices (to_ids), the devices themselves (pseudonymised unless identifying, never
 * to_ids), Community IDs, C2 domains and one comment per finding; TLP, RSIT (Reference Security Incident
 * Taxonomy) and MITRE ATT&CK tags; the malware family as a botnet galaxy cluster. Optionally
 * network-connection objects (MISP accepts them; the schema shipped with PyMISP has no `Object` key, so
 * they are off by default). Whatever a case holds that MISP cannot carry is listed in `unmapped`.
 * @module
 */
import { isLocalIp } from '../../detect/lib/net.ts';
import type { Case, Finding } from '../types.ts';
import { attackNames, malwareFamilies } from './attack.ts';
import type { Pseudonymiser } from './privacy.ts';
import { bulwarkNamespace, uuidV5 } from './uuid.ts';

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  comment?: string;
  timestamp: string;
  distribution: string;
  disable_correlation?: boolean;
}

export interface MispEvent {
  Event: Record<string, unknown> & { uuid: string; info: string; Attribute: MispAttribute[] };
}

export interface Unmapped {
  case: string;
  finding?: string;
  field: string;
  reason: string;
}

export interface MispInput {
  findings: readonly Finding[];
  cases: readonly Case[];
  sensor: string;
  pseudo: Pseudonymiser;
  tlp?: 'clear' | 'green' | 'amber' | 'red';
  /** Add network-connection objects (outside the PyMISP schema). */
  objects?: boolean;
}

const threatLevel: Record<string, string> = { critical: '1', high: '1', medium: '2', low: '3', info: '4' };

/** RSIT (misp-taxonomies/rsit) tag of a case classification. */
export function rsitTag(c: Case): string {
  const [kind, detail] = c.classification.split(':');
  switch (kind) {
    case 'botnet':
      return c.devices.some((d) => d.subject && d.role === 'infected') ? 'rsit:malicious-code="infected-system"' : c.compromised ? 'rsit:intrusions="system-compromise"' : 'rsit:intrusion-attempts="brute-force"';
    case 'bruteforce':
      return c.compromised ? 'rsit:intrusions="system-compromise"' : 'rsit:intrusion-attempts="brute-force"';
    case 'ddos':
      return 'rsit:availability="ddos"';
    case 'scan':
      return 'rsit:information-gathering="scanner"';
    case 'insecure':
      return detail === 'crypto' ? 'rsit:vulnerable="weak-crypto"' : detail === 'exposure' ? 'rsit:vulnerable="potentially-unwanted-accessible"' : 'rsit:vulnerable="vulnerable-system"';
    default:
      return 'rsit:other="other"';
  }
}

const malicious = new Set(['attacker', 'infected']);

export function buildMispEvents(input: MispInput): { events: MispEvent[]; unmapped: Unmapped[] } {
  const { pseudo } = input;
  const byId = new Map(input.findings.map((f) => [f.id, f]));
  const org = { uuid: uuidV5(bulwarkNamespace, `org|${input.sensor}`), name: input.sensor };
  const events: MispEvent[] = [];
  const unmapped: Unmapped[] = [];
  for (const c of input.cases) {
    const ts = String(Math.floor(c.last_ts));
    const attrs = new Map<string, MispAttribute>();
    const attr = (type: string, category: string, value: string, toIds: boolean, comment: string): void => {
      const key = `${type}|${value}`;
      if (attrs.has(key)) return;
      attrs.set(key, { uuid: uuidV5(bulwarkNamespace, `misp-attr|${c.id}|${key}`), type, category, value, to_ids: toIds, comment, timestamp: ts, distribution: '5' });
    };
    const objects: Record<string, unknown>[] = [];
    for (const d of c.devices) {
      const local = isLocalIp(d.ip);
      const ip = pseudo.ip(d.ip);
      const remoteBad = !local && malicious.has(d.role);
      attr(d.subject || d.role === 'victim' ? 'ip-dst' : 'ip-src', 'Network activity', ip, remoteBad, `${d.role}${d.subject ? ' (the case is about this device)' : ''}${local && !pseudo.identify ? ', pseudonymised' : ''}`);
      if (d.mac) attr('mac-address', 'Network activity', pseudo.identify ? d.mac : pseudo.pseudonym('mac', d.mac), false, `${d.role}${pseudo.identify ? '' : ', pseudonymised'}`);
      if (d.name || d.type || d.vendor) unmapped.push({ case: c.id, field: `devices[${ip}].name/type/vendor`, reason: 'MISP has no attribute for a device identification; kept in the Bulwark case' });
    }
    for (const id of c.findings) {
      const f = byId.get(id);
      if (!f) continue;
      attr('comment', 'Other', pseudo.text(`${f.title}. ${f.explanation}`), false, `Bulwark finding ${f.id} (${f.detector}, severity ${f.severity}, confidence ${f.confidence})`);
      for (const cid of f.community_ids) attr('community-id', 'Network activity', cid, false, `flow of finding ${f.id}`);
      const ind = f.facts?.indicator;
      if (typeof ind === 'string' && f.facts?.kind === 'domain') attr('domain', 'Network activity', ind, true, `listed indicator, finding ${f.id}`);
      if (input.objects) {
        const src = f.devices.find((d) => malicious.has(d.role) || d.role === 'peer');
        const dst = f.devices.find((d) => d.role === 'victim' || d.role === 'insecure');
        const port = Number(f.facts?.server_port ?? f.facts?.port ?? NaN);
        if (src && dst) {
          const oa = [
            { object_relation: 'ip-src', type: 'ip-src', value: pseudo.ip(src.ip) }, { object_relation: 'ip-dst', type: 'ip-dst', value: pseudo.ip(dst.ip) },
            ...(Number.isInteger(port) && port > 0 ? [{ object_relation: 'dst-port', type: 'port', value: String(port) }] : []),
            ...(f.community_ids[0] ? [{ object_relation: 'community-id', type: 'community-id', value: f.community_ids[0] }] : []),
            { object_relation: 'first-packet-seen', type: 'datetime', value: new Date(f.first_ts * 1000).toISOString() },
          ].map((a) => ({ ...a, uuid: uuidV5(bulwarkNamespace, `misp-obj-attr|${f.id}|${a.object_relation}`), category: 'Network activity', to_ids: false }));
          objects.push({ name: 'network-connection', meta_category: 'network', template_uuid: 'af16764b-f8e5-4603-9de1-de34d272f80b', uuid: uuidV5(bulwarkNamespace, `misp-obj|${f.id}`), timestamp: ts, distribution: '5', comment: `finding ${f.id}`, Attribute: oa });
        }
      }
      if (f.facts && Object.keys(f.facts).length > 0) unmapped.push({ case: c.id, finding: f.id, field: `facts.${Object.keys(f.facts).join(',')}`, reason: 'detector facts have no MISP attribute type; in the finding comment only as far as the explanation states them' });
      if (f.evidence.length > 0) unmapped.push({ case: c.id, finding: f.id, field: 'evidence', reason: 'packet references (capture SHA-256, offsets) belong to the evidence package, not to a shared event' });
    }
    unmapped.push({ case: c.id, field: 'timeline,score', reason: 'MISP events have no kill-chain timeline or ranking; the phases are in the event info and comments' });
    const fam = c.classification.startsWith('botnet:') ? malwareFamilies[c.classification.slice(7)] : undefined;
    const tags = [`tlp:${input.tlp ?? 'amber'}`, rsitTag(c), `bulwark:classification="${c.classification}"`,
      ...c.attack.map((t) => `misp-galaxy:mitre-attack-pattern="${attackNames[t] ?? t} - ${t}"`)];
    if (fam) tags.push(`misp-galaxy:botnet="${fam.name}"`);
    const event: MispEvent['Event'] = {
      uuid: uuidV5(bulwarkNamespace, `misp-event|${c.id}`),
      info: pseudo.text(`${c.title} [${c.classification}] — ${c.summary}`),
      date: new Date(c.first_ts * 1000).toISOString().slice(0, 10),
      threat_level_id: threatLevel[c.severity],
      analysis: '2',
      distribution: '0',
      published: false,
      timestamp: ts,
      Orgc: org,
      Tag: tags.map((name) => ({ name, exportable: true })),
      Attribute: [...attrs.values()],
    };
    if (fam) event.Galaxy = [{ name: 'Botnet', type: 'botnet', description: 'Botnet galaxy', GalaxyCluster: [{ type: 'botnet', value: fam.name, tag_name: `misp-galaxy:botnet="${fam.name}"`, description: fam.description }] }];
    if (objects.length > 0) event.Object = objects;
    events.push(pseudo.scrub({ Event: event }));
  }
  return { events, unmapped: pseudo.scrub(unmapped) };
}
