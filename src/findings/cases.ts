/**
 * Cases (incidents): the findings that share a device and a cause, told as one story with a
 * classification, a kill-chain timeline, the devices and their roles, and a severity that ranks them.
 * A Mirai-infected (or Mirai-attacked) device yields one case, not dozens of findings.
 * @module
 */
import { severityRank } from '../detect/engine.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { classify, roleRank, subjectsOf, type Cause } from './case-rules.ts';
import type { Case, CaseDevice, Finding, Phase, Role, Severity, TimelineStep } from './types.ts';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export interface CaseOptions {
  /** Devices listed per case; the rest are counted in `devices_dropped`. */
  maxDevicesPerCase: number;
  /** Timeline steps per case (one per finding); the rest are counted in `timeline_dropped`. */
  maxTimelinePerCase: number;
}

export const defaultCaseOptions: CaseOptions = { maxDevicesPerCase: 50, maxTimelinePerCase: 200 };

const phaseOrder: Record<Phase, number> = {
  weakness: 0, reconnaissance: 1, 'initial-access': 2, execution: 3, 'command-and-control': 4, 'lateral-movement': 5, impact: 6,
};
const severities: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

interface Member {
  finding: Finding;
  phase: Phase;
  outbound: boolean;
  remoteLogin: boolean;
  family?: string;
  subjectRole?: Role;
}

interface Group {
  subject: string;
  cause: Cause;
  members: Map<string, Member>;
}

/** Build the cases of one run, most important first. */
export function buildCases(findings: readonly Finding[], devices: readonly DeviceRecord[] = [], options: Partial<CaseOptions> = {}): Case[] {
  const opts = { ...defaultCaseOptions, ...options };
  const groups = new Map<string, Group>();
  for (const f of findings) {
    for (const subject of subjectsOf(f)) {
      const c = classify(f, subject);
      const key = `${subject}\u0000${c.cause}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { subject, cause: c.cause, members: new Map() }));
      g.members.set(f.id, { finding: f, phase: c.phase, outbound: c.outbound, remoteLogin: c.remoteLogin, family: c.family, subjectRole: c.subjectRole });
    }
  }
  // Reconnaissance and weaknesses of a device that was attacked belong to that attack's story.
  for (const g of [...groups.values()]) {
    if (g.cause !== 'scan' && g.cause !== 'posture') continue;
    const target = groups.get(`${g.subject}\u0000compromise`);
    if (target === undefined) continue;
    for (const [id, m] of g.members) if (!target.members.has(id)) target.members.set(id, m);
    groups.delete(`${g.subject}\u0000${g.cause}`);
  }
  const byIp = deviceIndex(devices);
  const cases = [...groups.values()].map((g) => toCase(g, byIp, opts));
  cases.sort((a, b) => b.score - a.score || a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
  return cases;
}

function deviceIndex(devices: readonly DeviceRecord[]): Map<string, DeviceRecord> {
  const out = new Map<string, DeviceRecord>();
  for (const d of devices) for (const b of d.ips) if (!out.has(b.ip)) out.set(b.ip, d);
  return out;
}

function classification(g: Group, compromised: boolean, members: Member[]): string {
  const detectors = members.map((m) => m.finding.detector);
  switch (g.cause) {
    case 'compromise': {
      const fam = members.find((m) => m.family)?.family;
      if (fam) return `botnet:${fam}`;
      if (detectors.some((d) => d.startsWith('p2p.'))) return 'botnet:p2p';
      if (detectors.some((d) => d.startsWith('c2.'))) return 'botnet:c2';
      if (detectors.some((d) => d.startsWith('ddos.'))) return 'botnet:ddos';
      if (members.some((m) => m.outbound)) return detectors.some((d) => d.startsWith('bruteforce.')) ? 'bruteforce' : 'botnet';
      return compromised || detectors.some((d) => d.startsWith('bruteforce.') || d.startsWith('credentials.')) ? 'bruteforce' : 'intrusion';
    }
    case 'ddos':
      return detectors.some((d) => d === 'ddos.reflection') ? 'ddos:reflection' : 'ddos:flood';
    case 'scan':
      return 'scan';
    case 'posture': {
      const worst = [...members].sort((a, b) => severityRank[b.finding.severity] - severityRank[a.finding.severity])[0];
      return `insecure:${worst.finding.category}`;
    }
  }
}

function toCase(g: Group, byIp: Map<string, DeviceRecord>, opts: CaseOptions): Case {
  const members = [...g.members.values()].sort((a, b) => a.finding.first_ts - b.finding.first_ts || phaseOrder[a.phase] - phaseOrder[b.phase] || (a.finding.id < b.finding.id ? -1 : 1));
  const findings = members.map((m) => m.finding);
  const attackedInbound = members.some((m) => !m.outbound && (m.phase === 'initial-access' || m.phase === 'reconnaissance'));
  const compromised = g.cause === 'compromise' &&
    (members.some((m) => m.outbound || m.subjectRole === 'infected') || (attackedInbound && members.some((m) => m.remoteLogin)));
  const worst = Math.max(...findings.map((f) => severityRank[f.severity]));
  const rank = Math.min(4, worst + (compromised && g.cause === 'compromise' ? 1 : 0));
  const severity = severities[rank];
  const cls = classification(g, compromised, members);
  const { devices, dropped } = caseDevices(g, members, byIp, compromised, opts.maxDevicesPerCase);
  const confidence = Math.max(...findings.map((f) => f.confidence));
  const score = Math.min(100, rank * 20 + (compromised ? 10 : 0) + Math.min(5, devices.length) + Math.round(confidence * 4));
  const timeline: TimelineStep[] = members.slice(0, opts.maxTimelinePerCase).map((m) => ({
    ts: m.finding.first_ts, last_ts: m.finding.last_ts, phase: m.phase, what: m.finding.title, finding: m.finding.id,
  }));
  const subject = devices.find((d) => d.subject);
  const who = subject?.name ? `${g.subject} (${subject.name})` : g.subject;
  const out: Case = {
    id: `case:${nodeCrypto().createHash('sha256').update(`${g.subject}\u0000${g.cause}`).digest('hex').slice(0, 12)}`,
    classification: cls,
    severity,
    score,
    title: titleOf(cls, who, compromised, members.some((m) => m.outbound)),
    summary: summaryOf(members),
    compromised,
    first_ts: Math.min(...findings.map((f) => f.first_ts)),
    last_ts: Math.max(...findings.map((f) => f.last_ts)),
    devices,
    findings: findings.map((f) => f.id),
    timeline,
    attack: [...new Set(findings.flatMap((f) => f.references.attack ?? []))].sort(),
  };
  if (dropped > 0) out.devices_dropped = dropped;
  if (members.length > timeline.length) out.timeline_dropped = members.length - timeline.length;
  return out;
}

function titleOf(cls: string, who: string, compromised: boolean, outbound: boolean): string {
  const [kind, detail] = cls.split(':');
  switch (kind) {
    case 'botnet':
      return compromised ? `${who}: ${detail && detail !== 'ddos' ? detail[0].toUpperCase() + detail.slice(1) : 'botnet'} compromise` : `${who}: ${detail ? detail[0].toUpperCase() + detail.slice(1) : 'botnet'} infection attempts`;
    case 'bruteforce':
      if (outbound) return `${who}: guessing passwords of others`;
      return compromised ? `${who}: broken into by password guessing` : `${who}: password guessing`;
    case 'ddos':
      return `${who}: ${detail === 'reflection' ? 'reflection/amplification DDoS' : 'flood DDoS'}`;
    case 'scan':
      return outbound ? `${who}: scanning others` : `${who}: scanned`;
    case 'insecure':
      return `${who}: insecure ${detail}`;
    default:
      return `${who}: ${cls}`;
  }
}

const phaseWords: Record<Phase, string> = {
  weakness: 'weakness', reconnaissance: 'reconnaissance', 'initial-access': 'initial access', execution: 'execution',
  'command-and-control': 'command and control', 'lateral-movement': 'attacks others', impact: 'impact',
};

/** "initial access: X (+3 more) → command and control: Y": one step per kill-chain phase, in chain order. */
function summaryOf(members: Member[]): string {
  const byPhase = new Map<Phase, Member[]>();
  for (const m of members) {
    const list = byPhase.get(m.phase);
    if (list) list.push(m);
    else byPhase.set(m.phase, [m]);
  }
  const phases = [...byPhase.keys()].sort((a, b) => phaseOrder[a] - phaseOrder[b]);
  return phases.map((p) => {
    const list = byPhase.get(p) ?? [];
    const lead = [...list].sort((a, b) => Number(b.remoteLogin) - Number(a.remoteLogin) || severityRank[b.finding.severity] - severityRank[a.finding.severity])[0];
    const login = list.some((m) => m.remoteLogin) ? ' (logged in)' : '';
    return `${phaseWords[p]}${login}: ${lead.finding.title}${list.length > 1 ? ` (+${list.length - 1} more)` : ''}`;
  }).join(' → ');
}

function caseDevices(g: Group, members: Member[], byIp: Map<string, DeviceRecord>, compromised: boolean, max: number): { devices: CaseDevice[]; dropped: number } {
  const seen = new Map<string, CaseDevice>();
  for (const m of members) {
    for (const d of m.finding.devices) {
      let entry = seen.get(d.ip);
      if (entry === undefined) {
        entry = { role: d.role, ip: d.ip, subject: d.ip === g.subject, findings: 0 };
        if (d.mac) entry.mac = d.mac;
        if (d.device_id) entry.device_id = d.device_id;
        const rec = byIp.get(d.ip);
        if (rec) {
          const name = rec.user?.name ?? rec.hostnames[0];
          if (name) entry.name = name;
          const type = rec.user?.type ?? rec.identification.type;
          if (type && type !== 'unknown') entry.type = type;
          const vendor = rec.user?.vendor ?? rec.identification.vendor ?? rec.oui_vendor;
          if (vendor) entry.vendor = vendor;
          entry.device_id ??= rec.id;
          if (!entry.mac && rec.mac) entry.mac = rec.mac;
        }
        seen.set(d.ip, entry);
      } else if (roleRank[d.role] > roleRank[entry.role]) entry.role = d.role;
      entry.findings++;
    }
  }
  const subject = seen.get(g.subject);
  if (subject && compromised && members.some((m) => m.outbound)) subject.role = 'infected';
  const all = [...seen.values()].sort((a, b) => Number(b.subject) - Number(a.subject) || roleRank[b.role] - roleRank[a.role] || b.findings - a.findings || (a.ip < b.ip ? -1 : 1));
  return { devices: all.slice(0, max), dropped: Math.max(0, all.length - max) };
}
