/**
 * The outputs of `bulwark analyze`, written as the run goes: each flow when it ends, each event, each
 * finding change (raised / updated / closed) and device change within about a second of becoming final,
 * JSON lines flushed at every publication (about once a second). At the end (or on Ctrl-C) the result
 * files and summary.json are written. SIGHUP reopens the files (logrotate).
 * @module
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRecord } from '../events/record.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding, FindingChange } from '../detect/types.ts';
import type { AnalysisResult } from '../engine/session.ts';
import { JsonLinesWriter } from './jsonl.ts';
import { redact } from './redact.ts';
import { jsonForm } from './json-form.ts';
import { EveFormatter } from './siem/eve.ts';
import { ecsAlert, ecsFlow } from './siem/ecs.ts';

/** JSON-lines dialect: Bulwark's own, Suricata EVE (alerts and flows) or Elastic Common Schema. */
export type JsonFormat = 'bulwark' | 'eve' | 'ecs';
export const jsonFormats: readonly JsonFormat[] = ['bulwark', 'eve', 'ecs'];

export interface RunOutputOptions {
  /** Directory for flows.jsonl, events.jsonl, findings.jsonl, devices.json, assessments.json, summary.json. */
  dir?: string;
  /** JSON lines on standard output too. */
  stdout: boolean;
  /** Event types to keep (prefix match); all when undefined. */
  events?: readonly string[];
  showSecrets: boolean;
  /** 'eve' or 'ecs': standard output carries that dialect, and DIR/eve.json or DIR/ecs.ndjson is written. */
  format?: JsonFormat;
  /** Sensor name for the SIEM dialects' observer/host fields. */
  sensor?: string;
}

/** A file replaced whole, never seen half-written (write to a temporary name, then rename). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export class RunOutputs {
  private readonly opts: RunOutputOptions;
  private readonly stdout?: JsonLinesWriter;
  private readonly flowsOut?: JsonLinesWriter;
  private readonly eventsOut?: JsonLinesWriter;
  private readonly findingsOut?: JsonLinesWriter;
  private readonly devicesOut?: JsonLinesWriter;
  private readonly siemOut?: JsonLinesWriter;
  private readonly native: boolean;
  private readonly eve?: EveFormatter;
  private devicesDirty = false;
  private latestDevices: (() => DeviceRecord[]) | undefined;

  constructor(options: RunOutputOptions) {
    this.opts = options;
    if (options.stdout) this.stdout = new JsonLinesWriter(1);
    this.native = (options.format ?? 'bulwark') === 'bulwark';
    if (options.format === 'eve') this.eve = new EveFormatter(options.sensor ?? 'bulwark');
    const dir = options.dir;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      this.flowsOut = new JsonLinesWriter(join(dir, 'flows.jsonl'));
      this.eventsOut = new JsonLinesWriter(join(dir, 'events.jsonl'));
      this.findingsOut = new JsonLinesWriter(join(dir, 'findings.jsonl'));
      this.devicesOut = new JsonLinesWriter(join(dir, 'device-changes.jsonl'));
      if (!this.native) this.siemOut = new JsonLinesWriter(join(dir, options.format === 'eve' ? 'eve.json' : 'ecs.ndjson'));
    }
  }

  get active(): boolean {
    return this.stdout !== undefined || this.opts.dir !== undefined;
  }

  private secret<T extends object>(r: T): T {
    return this.opts.showSecrets ? r : (redact(r) as T);
  }

  private keep(type: string): boolean {
    const list = this.opts.events;
    return !list || list.some((p) => type === p || type.startsWith(p));
  }

  flow = (f: FlowRecord): void => {
    const out = jsonForm(f as unknown as Record<string, unknown>);
    this.flowsOut?.write(out);
    if (this.native) this.stdout?.write(out);
    else {
      const doc = this.eve ? this.eve.flow(f) : ecsFlow(f, this.opts.sensor ?? 'bulwark');
      this.siemOut?.write(doc);
      this.stdout?.write(doc);
    }
  };

  event = (ev: EventRecord): void => {
    if (ev.type === 'flow.end' || !this.keep(ev.type)) return;
    const out = jsonForm(this.secret(ev) as unknown as Record<string, unknown>);
    this.eventsOut?.write(out);
    if (this.native) this.stdout?.write(out);
  };

  /** findings.jsonl is the change log: one line per raised / updated / closed, the last line of an id its latest state. */
  finding = (f: Finding, change: FindingChange): void => {
    const out = jsonForm(this.secret({ change, ...f }) as unknown as Record<string, unknown>);
    this.findingsOut?.write(out);
    if (this.native) this.stdout?.write({ type: 'finding', ...out });
    else if (change === 'raised') {
      // SIEM dialects have no update: one alert when the finding is raised.
      const doc = this.eve ? this.eve.alert(f) : ecsAlert(f, this.opts.sensor ?? 'bulwark');
      this.siemOut?.write(doc);
      this.stdout?.write(doc);
    }
  };

  /** Device changes: one line each in device-changes.jsonl; devices.json is rewritten at the next publication. */
  devices = (changes: { device: DeviceRecord; change: 'new' | 'changed' }[], all: () => DeviceRecord[]): void => {
    for (const { device, change } of changes) {
      const out = this.secret({ change, ...device });
      this.devicesOut?.write(out);
      this.stdout?.write({ type: 'device', ...out });
    }
    this.devicesDirty = true;
    this.latestDevices = all;
  };

  /** A publication ended: flush every JSON-lines buffer, rewrite devices.json when devices changed. */
  published = (): void => {
    for (const w of this.writers()) w.flush();
    if (this.devicesDirty && this.opts.dir && this.latestDevices) {
      this.devicesDirty = false;
      writeFileAtomic(join(this.opts.dir, 'devices.json'), JSON.stringify(this.latestDevices(), null, 2) + '\n');
    }
  };

  /** SIGHUP: reopen the JSON-lines files (after logrotate moved them). */
  reopen(): void {
    for (const w of [this.flowsOut, this.eventsOut, this.findingsOut, this.devicesOut, this.siemOut]) w?.reopen();
  }

  /**
   * The run ended (or was stopped): write the result files — findings.json (the final findings, evidence
   * naming each capture by SHA-256), cases.jsonl, devices.json, assessments.json — and summary.json.
   */
  close(r: AnalysisResult): void {
    if (this.native && this.stdout) for (const c of r.cases) this.stdout.write({ type: 'case', ...c });
    for (const w of this.writers()) w.close();
    const dir = this.opts.dir;
    if (!dir) return;
    writeFileAtomic(join(dir, 'findings.json'), JSON.stringify(r.findings.map((f) => jsonForm(this.secret({ ...f }) as unknown as Record<string, unknown>)), null, 2) + '\n');
    writeFileAtomic(join(dir, 'cases.jsonl'), r.cases.map((c) => JSON.stringify(c)).join('\n') + (r.cases.length ? '\n' : ''));
    writeFileAtomic(join(dir, 'devices.json'), JSON.stringify(r.devices, null, 2) + '\n');
    writeFileAtomic(join(dir, 'assessments.json'), JSON.stringify(r.assessments, null, 2) + '\n');
    writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ ...r.summary, stages: r.stats }, null, 2) + '\n');
  }

  private writers(): JsonLinesWriter[] {
    return [this.flowsOut, this.eventsOut, this.findingsOut, this.devicesOut, this.siemOut, this.stdout].filter((w): w is JsonLinesWriter => w !== undefined);
  }
}
