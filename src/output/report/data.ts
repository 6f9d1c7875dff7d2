/**
 * The report as data: what `bulwark report --json` writes and what html.ts renders. Built from one analysis
 * (run summary, devices, findings, assessment facts).
 * @module
 */
import { basename } from 'node:path';
import type { RunSummary } from '../../pipeline/stats.ts';
import type { DeviceRecord } from '../../inventory/types.ts';
import type { Finding, Severity } from '../../detect/types.ts';
import type { DeviceAssessment, Grade } from '../../assess/types.ts';
import { assessDevice, findingsOf, type AssessOptions } from '../../assess/assess.ts';
import { deviceFlowTimes } from '../../assess/facts-rules.ts';
import type { AssessmentFacts } from '../../assess/facts.ts';
import { baseline } from '../../assess/baseline.ts';
import { coveredSeconds, defaultGradeOptions, gradeScale, grades } from '../../assess/grade.ts';
import { gradeColours } from '../palette.ts';
import { buildCases } from '../../findings/cases.ts';
import type { Case } from '../../findings/types.ts';
import { DEFAULT_MAX_DETAILED_DEVICES, selectDetailed, type UndetailedDevices } from '../../assess/detail-limit.ts';

export interface ReportDevice {
  device: DeviceRecord;
  assessment: DeviceAssessment;
  /** Ids of the findings naming this device. */
  finding_ids: string[];
}

export interface Timeline {
  start_ts: number;
  end_ts: number;
  bin_s: number;
  /** Flows started per bin, all devices. */
  total: number[];
  /** Flows started per bin, per device (devices with at least one flow). */
  devices: { device_id: string; counts: number[] }[];
}

export interface ReportData {
  format: 'bulwark-report';
  version: 1;
  generated_at: string;
  captures: { file: string; format: string; packets: number; first_ts?: number; last_ts?: number; span_s?: number; error?: string }[];
  partial: boolean;
  /** span_s: first to last packet over all captures; observed_s: each capture's own span, added up. */
  period: { first_ts: number | null; last_ts: number | null; span_s: number; observed_s: number };
  summary: {
    packets: number;
    bytes: number;
    flows: number;
    devices: number;
    findings: number;
    findings_by_severity: Record<Severity, number>;
    grades: Record<Grade, number>;
    apps: Record<string, number>;
  };
  /** The detailed devices (at most maxDetailedDevices; summary.devices counts them all). */
  devices: ReportDevice[];
  /** Incidents, most important first: the report leads with them. */
  cases: Case[];
  /** Devices past the bound, summarised (count 0 when every device is detailed). */
  undetailed: UndetailedDevices;
  findings: Finding[];
  timeline: Timeline;
  /** The grade scale and the baseline table, so the data explains itself. */
  scale: Record<Grade, { meaning: string; colour: string }>;
  baseline: { id: string; standard: string; title: string; checkability: string }[];
}

export interface ReportInput {
  summary: RunSummary;
  devices: readonly DeviceRecord[];
  findings: readonly Finding[];
  /** Cases of the findings (built here when absent). */
  cases?: readonly Case[];
  facts?: AssessmentFacts;
  /** Already computed assessments (by device id); computed here when absent. */
  assessments?: readonly DeviceAssessment[];
  assess?: Partial<AssessOptions>;
  /** Report time (default now). */
  now?: Date;
  /** Devices detailed (assessed, labelled, a section each); default DEFAULT_MAX_DETAILED_DEVICES. */
  maxDetailedDevices?: number;
  /** Number of timeline bins (default 120). */
  timelineBins?: number;
}

const severityOrder: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const gradeRank = (g: Grade): number => grades.indexOf(g);

export function buildReportData(input: ReportInput): ReportData {
  const { summary, findings } = input;
  const byId = new Map((input.assessments ?? []).map((a) => [a.device_id, a]));
  const { detailed, rest } = selectDetailed(input.devices, findings, input.maxDetailedDevices ?? DEFAULT_MAX_DETAILED_DEVICES);
  const devices: ReportDevice[] = detailed.map((device) => ({
    device,
    assessment: byId.get(device.id) ?? assessDevice(device, findings, input.facts, { ...input.assess, grade: { ...defaultGradeOptions, ...input.assess?.grade, coveredS: input.assess?.grade?.coveredS ?? coveredSeconds(summary) } }),
    finding_ids: findingsOf(device, findings).map((f) => f.id),
  }));
  // Worst grade first, then busiest: the reader's attention goes where it is needed.
  devices.sort((a, b) => gradeRank(b.assessment.grade) - gradeRank(a.assessment.grade) || b.assessment.flows - a.assessment.flows);
  const bySeverity = Object.fromEntries(severityOrder.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  const gradeCounts = Object.fromEntries(grades.map((g) => [g, 0])) as Record<Grade, number>;
  for (const d of devices) gradeCounts[d.assessment.grade]++;
  return {
    format: 'bulwark-report',
    version: 1,
    generated_at: (input.now ?? new Date()).toISOString(),
    captures: summary.files.map((f) => ({
      file: basename(f.file), format: f.format, packets: f.packets, ...(f.first_ts !== undefined ? { first_ts: f.first_ts, last_ts: f.last_ts, span_s: (f.last_ts ?? f.first_ts) - f.first_ts } : {}),
      ...(f.error ? { error: f.error.message } : {}),
    })),
    partial: summary.partial,
    period: { first_ts: summary.first_ts, last_ts: summary.last_ts, span_s: summary.span_s, observed_s: coveredSeconds(summary) },
    summary: {
      packets: summary.packets,
      bytes: summary.bytes,
      flows: summary.flows.total,
      devices: devices.length + rest.count,
      findings: findings.length,
      findings_by_severity: bySeverity,
      grades: gradeCounts,
      apps: summary.apps,
    },
    devices,
    cases: [...(input.cases ?? buildCases(findings, input.devices))],
    undetailed: rest,
    findings: [...findings],
    timeline: buildTimeline(summary, devices, input.facts, input.timelineBins ?? 120),
    scale: Object.fromEntries(grades.map((g) => [g, { meaning: gradeScale[g].meaning, colour: gradeColours[g].bg }])) as ReportData['scale'],
    baseline: baseline.map((r) => ({ id: r.id, standard: r.standard, title: r.title, checkability: r.checkability })),
  };
}

function buildTimeline(summary: RunSummary, devices: readonly ReportDevice[], facts: AssessmentFacts | undefined, bins: number): Timeline {
  const start = summary.first_ts ?? 0;
  const end = Math.max(summary.last_ts ?? start, start);
  const span = Math.max(end - start, 1);
  const bin_s = span / bins;
  const total = new Array<number>(bins).fill(0);
  const out: Timeline = { start_ts: start, end_ts: end, bin_s, total, devices: [] };
  if (!facts) return out;
  const binOf = (t: number): number => Math.min(bins - 1, Math.max(0, Math.floor((t - start) / bin_s)));
  for (const d of devices) {
    const times = deviceFlowTimes(d.device, facts);
    if (times.length === 0) continue;
    const counts = new Array<number>(bins).fill(0);
    for (const t of times) counts[binOf(t)]++;
    out.devices.push({ device_id: d.device.id, counts });
  }
  for (const d of out.devices) d.counts.forEach((c, i) => { total[i] += c; });
  return out;
}
