/**
 * Findings as a plain-text table for the terminal: severity, title, device, count, time span.
 * @module
 */
import type { Finding } from '../detect/types.ts';
import { isoTime } from '../capture/time-range.ts';

const maxTitle = 72;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** "2023-11-14 22:13:20 +1.9 s" (UTC). */
export function timeSpan(first: number, last: number): string {
  const start = isoTime(first, '(time out of range)').replace('T', ' ').slice(0, 19);
  const d = last - first;
  if (d < 0.05) return start;
  const dur = d < 60 ? `${d.toFixed(1)} s` : d < 3600 ? `${(d / 60).toFixed(1)} min` : d < 86400 ? `${(d / 3600).toFixed(1)} h` : `${(d / 86400).toFixed(1)} d`;
  return `${start} +${dur}`;
}

/**
 * The device a finding is mainly about: the first infected/insecure/attacker one, else the first listed; by its
 * name when the inventory knows it ("D-Link DCS-935L (10.10.10.37, insecure)"), by address otherwise.
 */
export function mainDevice(f: Finding, names: ReadonlyMap<string, string> = new Map()): string {
  const d = f.devices.find((x) => x.role === 'infected' || x.role === 'insecure' || x.role === 'attacker') ?? f.devices[0];
  if (d === undefined) return '-';
  const more = f.devices.length - 1 + (f.devices_dropped ?? 0);
  const name = d.device_id !== undefined ? names.get(d.device_id) : undefined;
  const who = name !== undefined ? `${clip(name, 28)} (${d.ip}, ${d.role})` : `${d.ip} (${d.role})`;
  return `${who}${more > 0 ? ` +${more}` : ''}`;
}

/**
 * A finding's title (or text) with each known device's address replaced by its name and the address as detail:
 * "10.10.10.37 offers at most TLS 1.0" → "D-Link DCS-935L (10.10.10.37) offers at most TLS 1.0".
 */
export function namedText(text: string, f: Finding, names: ReadonlyMap<string, string>): string {
  let out = text;
  for (const d of f.devices) {
    const name = d.device_id !== undefined ? names.get(d.device_id) : undefined;
    if (name === undefined || name === d.ip) continue;
    const escaped = d.ip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(^|[^\\w.:])${escaped}(?![\\w.:])(?! \\()`, 'g'), (_m, pre: string) => `${pre}${name} (${d.ip})`);
  }
  return out;
}

/** `names`: device id → display name (see assess deviceName), for naming devices rather than addresses. */
export function findingsTable(findings: readonly Finding[], names: ReadonlyMap<string, string> = new Map()): string {
  if (findings.length === 0) return 'no findings\n';
  const rows = findings.map((f) => [f.severity.toUpperCase(), clip(namedText(f.title, f, names), maxTitle), mainDevice(f, names), String(f.count), timeSpan(f.first_ts, f.last_ts)]);
  const head = ['SEVERITY', 'FINDING', 'DEVICE', 'COUNT', 'TIME (UTC)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
