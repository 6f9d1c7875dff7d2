/**
 * The grade scale (A best … E worst) and how evidence moves a device on it. Documented in docs/assessment.md.
 *
 * 1. Start at A. The worst failed check sets the ceiling: critical → E, high → D, medium → C, low → B (a
 *    check's severity is its table weight, lowered to the finding's severity when a detector rated it low/info).
 * 2. Two or more distinct high-or-worse causes: one more step down.
 * 3. Not observed is not pass: coverage 'partial' caps at B, 'brief' at C (the grade is then provisional), and
 *    an A also needs at least `minPassesForA` checks passed on positive evidence.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import type { Severity } from '../detect/types.ts';
import type { Grade, Observation } from './types.ts';
import { formatDuration } from './facts-rules.ts';

export interface GradeOptions {
  /** Observation needed for coverage 'good' (any grade possible). */
  goodObservationS: number;
  goodFlows: number;
  /** Below these: coverage 'brief' (capped at C); between: 'partial' (capped at B). */
  partialObservationS: number;
  partialFlows: number;
  minPassesForA: number;
  /** Traffic the captures cover (sum of each capture's own span); a device is never observed longer. */
  coveredS?: number;
}

export const defaultGradeOptions: GradeOptions = {
  goodObservationS: 900, goodFlows: 50, partialObservationS: 60, partialFlows: 10, minPassesForA: 2,
};

export const grades: readonly Grade[] = ['A', 'B', 'C', 'D', 'E'];

/** What each grade means (its colours are the output stage's: src/output/palette.ts). */
export const gradeScale: Record<Grade, { meaning: string }> = {
  A: { meaning: 'No problem seen over a long enough observation, with positive evidence of good practice' },
  B: { meaning: 'Minor weaknesses only, or no problem seen but limited evidence' },
  C: { meaning: 'A weakness worth fixing, or too little traffic seen to vouch for it' },
  D: { meaning: 'A serious weakness: passwords exposed or guessable, updates unprotected' },
  E: { meaning: 'Compromised or attacking others: act now' },
};

const ceilingBySeverity: Record<Severity, Grade> = { info: 'A', low: 'B', medium: 'C', high: 'D', critical: 'E' };
const severityOrder: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function severityRankOf(s: Severity): number {
  return severityOrder.indexOf(s);
}

export function minSeverity(a: Severity, b: Severity): Severity {
  return severityRankOf(a) <= severityRankOf(b) ? a : b;
}

const worse = (a: Grade, b: Grade): Grade => (grades.indexOf(a) >= grades.indexOf(b) ? a : b);
const stepDown = (g: Grade): Grade => grades[Math.min(grades.length - 1, grades.indexOf(g) + 1)];

/** How much of a device was seen. */
export function observationOf(device: DeviceRecord, opts: GradeOptions = defaultGradeOptions): Observation {
  // Across captures from different days, last - first counts the days between them: cap at what was captured.
  const observed_s = Math.min(Math.max(0, device.last_ts - device.first_ts), opts.coveredS ?? Infinity);
  const flows = device.flows_in + device.flows_out;
  const coverage = observed_s >= opts.goodObservationS && flows >= opts.goodFlows ? 'good'
    : observed_s >= opts.partialObservationS && flows >= opts.partialFlows ? 'partial' : 'brief';
  return { observed_s, flows, coverage };
}

export interface FailedCause {
  cause: string;
  severity: Severity;
  /** What failed, for the reasons list: "credentials.cleartext (5.5-7, GP-TM-40)". */
  label: string;
}

export interface GradeResult {
  grade: Grade;
  reasons: string[];
  provisional: boolean;
}

export function gradeOf(fails: readonly FailedCause[], passes: number, obs: Observation, opts: GradeOptions = defaultGradeOptions): GradeResult {
  let grade: Grade = 'A';
  const reasons: string[] = [];
  const sorted = [...fails].sort((a, b) => severityRankOf(b.severity) - severityRankOf(a.severity));
  if (sorted.length > 0) {
    const worst = sorted[0];
    grade = ceilingBySeverity[worst.severity];
    reasons.push(`worst problem (${worst.severity}): ${worst.label} → at best ${grade}`);
    const serious = new Set(sorted.filter((f) => severityRankOf(f.severity) >= severityRankOf('high')).map((f) => f.cause));
    if (serious.size >= 2) {
      grade = stepDown(grade);
      reasons.push(`${serious.size} distinct serious problems → one step down to ${grade}`);
    }
  }
  let provisional = false;
  if (obs.coverage !== 'good') {
    const cap: Grade = obs.coverage === 'partial' ? 'B' : 'C';
    if (worse(grade, cap) !== grade) {
      provisional = true;
      grade = cap;
      reasons.push(`only ${formatDuration(obs.observed_s)} and ${obs.flows} flows observed → at best ${cap} (provisional)`);
    }
  }
  if (grade === 'A' && passes < opts.minPassesForA) {
    grade = 'B';
    reasons.push(`only ${passes} check(s) passed on positive evidence (A needs ${opts.minPassesForA}) → B`);
  }
  if (reasons.length === 0) reasons.push('no problem seen over a good observation');
  return { grade, reasons, provisional };
}

/** Seconds of traffic some captures cover: each capture's own span, added up (not first to last across them). */
export function coveredSeconds(summary: { files: readonly { first_ts?: number; last_ts?: number }[] }): number {
  let total = 0;
  for (const f of summary.files) if (f.first_ts !== undefined && f.last_ts !== undefined) total += f.last_ts - f.first_ts;
  return total;
}
