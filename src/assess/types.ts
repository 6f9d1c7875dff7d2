/**
 * Assessment stage contract: per device, a verdict on every baseline provision the network can speak to
 * (ETSI EN 303 645, ENISA GP-TM), with the evidence behind it, a grade, a headline and advice.
 * @module
 */
import type { EvidenceRef, Severity } from '../detect/types.ts';

export type Verdict = 'pass' | 'fail' | 'not_observed' | 'not_assessable';

/** How the network can speak to a provision (key of the research reference): a passive, b active probing. */
export type Checkability = 'a' | 'a(p)' | 'a/b' | 'b' | 'b(p)';

export type Standard = 'ETSI EN 303 645' | 'ENISA GP-TM';

/** Label groups: what a non-expert reads on the sticker. */
export type CheckGroup = 'passwords' | 'encryption' | 'updates' | 'exposure' | 'behaviour';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';

/** One piece of evidence behind a verdict: a finding, or an observed fact with the packets that show it. */
export interface AssessmentEvidence {
  kind: 'finding' | 'fact';
  /** Plain-language statement: the finding's title, or the fact ("TLS 1.0 negotiated with 52.8.178.58"). */
  text: string;
  finding_id?: string;
  detector?: string;
  severity?: Severity;
  /** Packets that show it (bounded). */
  refs: EvidenceRef[];
}

export interface AssessmentItem {
  id: string;
  standard: Standard;
  title: string;
  checkability: Checkability;
  group: CheckGroup;
  verdict: Verdict;
  /** Why this verdict, in one sentence. */
  reason: string;
  evidence: AssessmentEvidence[];
}

/** How much of the device was seen: grades are capped when this is little (not observed is not pass). */
export interface Observation {
  observed_s: number;
  flows: number;
  /** 'good' (enough for any grade), 'partial' (capped at B), 'brief' (capped at C). */
  coverage: 'good' | 'partial' | 'brief';
}

export interface DeviceAssessment {
  device_id: string;
  /** Name shown on the label: user name, else vendor + model/type, else the id. */
  name: string;
  /** 'camera', 'plug', ... or 'device'. */
  noun: string;
  items: AssessmentItem[];
  grade: Grade;
  /** Plain-language reasons the grade is what it is, strongest first. */
  grade_reasons: string[];
  /** True when the grade was capped because little traffic was seen. */
  provisional: boolean;
  headline: string;
  /** Exactly three pieces of advice for a non-expert, most important first. */
  advice: string[];
  observed_s: number;
  flows: number;
  coverage: Observation['coverage'];
  counts: Record<Verdict, number>;
  /** Per label group: fail if any item fails, pass if one passes and none fails, else not_observed. */
  groups: Record<CheckGroup, Verdict>;
  /** Time of the last traffic considered (epoch seconds): the label's date. */
  assessed_ts: number;
}
