/**
 * Text of an alert as a person reads it (titles, one-line summaries) and as SIEMs parse it (CEF).
 * @module
 */
import type { Finding, Severity } from '../../detect/types.ts';
import type { Alert } from './types.ts';

export const TOOL_VERSION = '0.1.0';

/** ISO 8601 UTC with milliseconds for any number of epoch seconds; out-of-range times fall back to the epoch. */
export function isoTime(epochSeconds: number): string {
  const d = new Date(Math.round(epochSeconds * 1000));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/** The time an alert is about: when the finding was raised, or its latest activity for updates and closes. */
export function alertTime(alert: Alert): number {
  return alert.kind === 'raised' ? alert.finding.first_ts : alert.finding.last_ts;
}

/** The device the finding is about (the one that did the thing), else the first named. */
export function subjectOf(f: Finding): Finding['devices'][number] | undefined {
  return f.devices.find((d) => d.role === 'infected' || d.role === 'attacker' || d.role === 'insecure') ?? f.devices.find((d) => d.role !== 'peer') ?? f.devices[0];
}

export function deviceLabel(alert: Alert, ip: string | undefined): string {
  if (ip === undefined) return 'unknown host';
  const name = alert.deviceNames?.[ip];
  return name && name !== ip ? `${name} (${ip})` : ip;
}

const kindWords: Record<Alert['kind'], string> = { raised: '', updated: 'update: ', closed: 'resolved: ' };

/** One line: "[high] camera (192.168.1.20): Mirai-style telnet scanning". */
export function alertLine(alert: Alert): string {
  const f = alert.finding;
  return `${kindWords[alert.kind]}[${f.severity}] ${deviceLabel(alert, subjectOf(f)?.ip)}: ${f.title}`;
}

/** CEF severity 0–10. */
export const cefSeverity: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

function cefHeader(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function cefValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r?\n/g, '\\n').replace(/\r/g, '\\r');
}

/** ArcSight Common Event Format line (version 0): header fields escaped with `\|`, extension values with `\=`. */
export function cefMessage(alert: Alert): string {
  const f = alert.finding;
  const subject = subjectOf(f);
  const peer = f.devices.find((d) => d !== subject);
  const ext: [string, string | number | undefined][] = [
    ['rt', Math.round(alertTime(alert) * 1000)],
    ['start', Math.round(f.first_ts * 1000)],
    ['end', Math.round(f.last_ts * 1000)],
    ['src', subject?.ip],
    ['smac', subject?.mac],
    ['dst', peer?.ip],
    ['cnt', f.count],
    ['cat', f.category],
    ['act', alert.kind],
    ['dvchost', alert.sensor],
    ['cs1Label', 'findingId'],
    ['cs1', f.id],
    ['cs2Label', 'role'],
    ['cs2', subject?.role],
    ['msg', f.explanation],
  ];
  const extension = ext.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ');
  return `CEF:0|Bulwark|Bulwark|${TOOL_VERSION}|${cefHeader(f.detector)}|${cefHeader(f.title)}|${cefSeverity[f.severity]}|${extension}`;
}
