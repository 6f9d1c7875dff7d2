/**
 * Baseline assessment of one device: every row of the baseline table gets a verdict with its evidence, then
 * the grade, the headline and three pieces of advice.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding, Role, Severity } from '../detect/types.ts';
import { absenceFacts, baseline, detectorMatches, type BaselineRow, type FactId } from './baseline.ts';
import { deviceFacts, evalFact, formatDuration, type DeviceFacts } from './facts-rules.ts';
import { adviceFor, adviceTable, fillNoun, genericAdvice } from './advice.ts';
import { defaultGradeOptions, gradeOf, minSeverity, observationOf, severityRankOf, type FailedCause, type GradeOptions } from './grade.ts';
import type { AssessmentFacts } from './facts.ts';
import type { AssessmentEvidence, AssessmentItem, CheckGroup, DeviceAssessment, Observation, Verdict } from './types.ts';

export interface AssessOptions {
  grade: GradeOptions;
  /** Packets listed per finding in the evidence. */
  maxRefsPerFinding: number;
}

export const defaultAssessOptions: AssessOptions = { grade: defaultGradeOptions, maxRefsPerFinding: 5 };

/** The device's roles in a finding (empty when the finding does not name it). */
export function rolesOf(device: DeviceRecord, f: Finding): Role[] {
  const out: Role[] = [];
  for (const d of f.devices) {
    const me = d.device_id !== undefined ? d.device_id === device.id
      : (d.mac !== undefined && d.mac === device.mac) || device.ips.some((b) => b.ip === d.ip);
    if (me && !out.includes(d.role)) out.push(d.role);
  }
  return out;
}

/** Findings that name the device (any role). */
export function findingsOf(device: DeviceRecord, findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => rolesOf(device, f).length > 0);
}

/**
 * Which findings name which device id, MAC and address, built once for a run's assessment: scanning every
 * finding for every device grew with devices × findings (a Mirai capture has thousands of each).
 */
export class FindingIndex {
  private readonly byId = new Map<string, number[]>();
  private readonly byMac = new Map<string, number[]>();
  private readonly byIp = new Map<string, number[]>();
  private readonly findings: readonly Finding[];

  constructor(findings: readonly Finding[]) {
    this.findings = findings;
    findings.forEach((f, i) => {
      for (const d of f.devices) {
        // As rolesOf matches: by device id when the finding names one, else by MAC or by address.
        if (d.device_id !== undefined) add(this.byId, d.device_id, i);
        else {
          if (d.mac !== undefined) add(this.byMac, d.mac, i);
          add(this.byIp, d.ip, i);
        }
      }
    });
  }

  /** findingsOf(device, findings): the same findings in the same order. */
  of(device: DeviceRecord): Finding[] {
    const candidates = new Set<number>(this.byId.get(device.id));
    if (device.mac !== undefined) for (const i of this.byMac.get(device.mac) ?? []) candidates.add(i);
    for (const b of device.ips) for (const i of this.byIp.get(b.ip) ?? []) candidates.add(i);
    return [...candidates].sort((a, b) => a - b).map((i) => this.findings[i]).filter((f) => rolesOf(device, f).length > 0);
  }
}

function add(m: Map<string, number[]>, key: string, i: number): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [i]);
  else if (list.at(-1) !== i) list.push(i);
}

/** Display name and noun of a device. */
export function deviceName(d: DeviceRecord): { name: string; noun: string } {
  const type = d.user?.type ?? d.identification.type;
  const noun = type === 'unknown' ? 'device' : type;
  // The identification's vendor already falls back to the OUI's brand (never to a module maker's name).
  const vendor = d.user?.vendor ?? d.identification.vendor;
  const model = d.identification.model;
  const name = d.user?.name ?? ([vendor, model ?? (noun === 'device' ? undefined : noun)].filter(Boolean).join(' ') || d.hostnames[0] || d.id);
  return { name, noun };
}

/**
 * The assessment under the device's current name and type (after a user renamed or retyped it): the name, the
 * noun, and the advice that names the noun ("This plug…"). Verdicts and grade stay: they rest on traffic.
 */
export function renameAssessment(a: DeviceAssessment, device: DeviceRecord): DeviceAssessment {
  const { name, noun } = deviceName(device);
  if (name === a.name && noun === a.noun) return a;
  const templates = [...adviceTable.map((e) => e.advice), ...genericAdvice];
  const advice = a.advice.map((text) => {
    const template = templates.find((t) => fillNoun(t, a.noun) === text);
    return template === undefined ? text : fillNoun(template, noun);
  });
  return { ...a, name, noun, advice };
}

interface Cause {
  cause: string;
  role?: Role;
  severity: Severity;
  rowIds: string[];
}

const emptyCounts = (): Record<Verdict, number> => ({ pass: 0, fail: 0, not_observed: 0, not_assessable: 0 });

function findingEvidence(f: Finding, maxRefs: number): AssessmentEvidence {
  return { kind: 'finding', text: f.title, finding_id: f.id, detector: f.detector, severity: f.severity, refs: f.evidence.slice(0, maxRefs) };
}

/** Assess one device against the baseline table. `facts` may be undefined (fact-based rules then never hold). */
export function assessDevice(
  device: DeviceRecord, findings: readonly Finding[], facts: AssessmentFacts | undefined, options: Partial<AssessOptions> = {},
  index?: FindingIndex,
): DeviceAssessment {
  const opts = { ...defaultAssessOptions, ...options };
  const obs = observationOf(device, opts.grade);
  const f = deviceFacts(device, facts);
  const mine = index !== undefined ? index.of(device) : findingsOf(device, findings);
  // Roles once per finding, not once per baseline row that asks (a Mirai victim is named in thousands).
  const mineRoles = mine.map((finding) => rolesOf(device, finding));
  const causes = new Map<string, Cause>();
  const items: AssessmentItem[] = [];
  const counts = emptyCounts();
  let positivePasses = 0;

  for (const row of baseline) {
    const item = assessRow(row, mine, mineRoles, device, f, obs, opts, causes);
    if (item.verdict === 'pass' && (row.pass ?? []).some((id) => !absenceFacts.includes(id))) positivePasses++;
    counts[item.verdict]++;
    items.push(item);
  }

  const fails: FailedCause[] = [...causes.values()].map((c) => ({ cause: c.cause, severity: c.severity, label: `${c.cause} (${c.rowIds.join(', ')})` }));
  const g = gradeOf(fails, positivePasses, obs, opts.grade);
  const { name, noun } = deviceName(device);
  const ranked = [...causes.values()].sort((a, b) => severityRankOf(b.severity) - severityRankOf(a.severity) || b.rowIds.length - a.rowIds.length);

  let headline: string;
  const worst = ranked[0];
  if (worst) headline = adviceFor(worst.cause, worst.role)?.headline ?? `Fails ${worst.rowIds.join(', ')}`;
  else if (obs.coverage === 'good') headline = `No problem seen in ${formatDuration(obs.observed_s)} of traffic`;
  else headline = `No problem seen yet, but only ${formatDuration(obs.observed_s)} of traffic observed`;

  const advice: string[] = [];
  for (const c of ranked) {
    const a = adviceFor(c.cause, c.role);
    const text = a ? fillNoun(a.advice, noun) : undefined;
    if (text && !advice.includes(text)) advice.push(text);
    if (advice.length === 3) break;
  }
  const generic = obs.coverage === 'good' ? genericAdvice.slice(0, 3) : [genericAdvice[3], ...genericAdvice.slice(0, 3)];
  for (const gtext of generic) {
    if (advice.length === 3) break;
    const text = fillNoun(gtext, noun);
    if (!advice.includes(text)) advice.push(text);
  }

  return {
    device_id: device.id,
    name,
    noun,
    items,
    grade: g.grade,
    grade_reasons: g.reasons,
    provisional: g.provisional,
    headline,
    advice,
    observed_s: obs.observed_s,
    flows: obs.flows,
    coverage: obs.coverage,
    counts,
    groups: groupVerdicts(items),
    assessed_ts: device.last_ts,
  };
}

function assessRow(
  row: BaselineRow, mine: readonly Finding[], mineRoles: readonly Role[][], device: DeviceRecord, f: DeviceFacts, obs: Observation,
  opts: AssessOptions, causes: Map<string, Cause>,
): AssessmentItem {
  const base = { id: row.id, standard: row.standard, title: row.title, checkability: row.checkability, group: row.group };
  const failEvidence: AssessmentEvidence[] = [];
  const noteCause = (cause: string, severity: Severity, role?: Role): void => {
    const c = causes.get(cause);
    if (c === undefined) causes.set(cause, { cause, role, severity, rowIds: [row.id] });
    else {
      if (severityRankOf(severity) > severityRankOf(c.severity)) c.severity = severity;
      if (!c.rowIds.includes(row.id)) c.rowIds.push(row.id);
    }
  };
  const cited = new Set<string>(); // finding ids already in failEvidence (a list scan was quadratic in findings)
  for (const rule of row.fail.findings ?? []) {
    for (let i = 0; i < mine.length; i++) {
      const finding = mine[i];
      const role = mineRoles[i].find((r) => rule.roles.includes(r));
      if (role === undefined || !rule.detectors.some((p) => detectorMatches(p, finding.detector))) continue;
      if (cited.has(finding.id)) continue;
      cited.add(finding.id);
      failEvidence.push(findingEvidence(finding, opts.maxRefsPerFinding));
      // A detector that de-rated its own finding (anonymous FTP, refused logins) de-rates the check too.
      const sev = finding.severity === 'low' || finding.severity === 'info' ? minSeverity(row.weight, finding.severity) : row.weight;
      noteCause(finding.detector, sev, role);
    }
  }
  for (const id of row.fail.facts ?? []) {
    const r = evalFact(id, device, f, obs);
    if (!r.holds) continue;
    failEvidence.push(...r.evidence);
    noteCause(id, row.weight);
  }
  if (failEvidence.length > 0) {
    return { ...base, verdict: 'fail', reason: `Failed: ${failEvidence.map((e) => e.text).slice(0, 2).join('; ')}.`, evidence: failEvidence };
  }
  if (row.pass) {
    const results = row.pass.map((id: FactId) => evalFact(id, device, f, obs));
    if (results.every((r) => r.holds)) {
      return { ...base, verdict: 'pass', reason: `Passed for what was seen: ${row.passText ?? row.pass.join(', ')}.`, evidence: results.flatMap((r) => r.evidence) };
    }
  }
  if (row.checkability === 'b' || row.checkability === 'b(p)') {
    return { ...base, verdict: 'not_assessable', reason: 'Needs active probing of the device; passive monitoring saw nothing that decides it.', evidence: [] };
  }
  const reason = obs.coverage === 'brief' && row.pass?.includes('observed.enough')
    ? `Not observed: only ${formatDuration(obs.observed_s)} and ${obs.flows} flows seen, too little to rule problems out.`
    : `Not observed: no traffic of this device spoke to it${row.passText ? ` (a pass needs: ${row.passText})` : ''}.`;
  return { ...base, verdict: 'not_observed', reason, evidence: [] };
}

const groupOrder: CheckGroup[] = ['passwords', 'encryption', 'updates', 'exposure', 'behaviour'];

function groupVerdicts(items: readonly AssessmentItem[]): Record<CheckGroup, Verdict> {
  const out = {} as Record<CheckGroup, Verdict>;
  for (const g of groupOrder) {
    const mine = items.filter((i) => i.group === g);
    out[g] = mine.some((i) => i.verdict === 'fail') ? 'fail'
      : mine.some((i) => i.verdict === 'pass') ? 'pass'
        : mine.every((i) => i.verdict === 'not_assessable') ? 'not_assessable' : 'not_observed';
  }
  return out;
}

/** Assess every device. */
export function assessDevices(
  devices: readonly DeviceRecord[], findings: readonly Finding[], facts: AssessmentFacts | undefined, options: Partial<AssessOptions> = {},
): DeviceAssessment[] {
  const index = new FindingIndex(findings);
  return devices.map((d) => assessDevice(d, findings, facts, options, index));
}

export { groupOrder };
