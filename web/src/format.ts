/** Plain-language formatting: times, sizes, severities, grades, device names. */
import type { Device, Severity } from './types.ts';

/** Timestamps in the API are seconds since the epoch (capture time). */
export function time(ts: number | undefined): string {
  // Beyond ±8.64e12 s no Date exists (toISOString would throw): a hostile capture can state such times.
  if (ts === undefined || !Number.isFinite(ts) || ts <= 0 || ts > 8.64e12) return '—';
  const d = new Date(ts * 1000);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function count(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en');
}

export function percent(p: number): string {
  return `${Math.round(Math.max(0, Math.min(1, p)) * 100)}%`;
}

export const severityWords: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/** What a grade means for a non-expert. */
export const gradeWords: Record<string, string> = {
  A: 'Good',
  B: 'Fair',
  C: 'Weak',
  D: 'Poor',
  E: 'Bad',
};

export function gradeOf(d: Device): string | undefined {
  return typeof d.grade === 'string' && d.grade !== '' ? d.grade : undefined;
}

export function deviceName(d: Device): string {
  const ident = d.identification;
  if (d.user?.name) return d.user.name;
  // Vendor and model read better than a host name ("D-Link DCS-935L" rather than "dcs-935l5b0e").
  const vendor = d.user?.vendor ?? ident?.vendor ?? d.oui_vendor;
  const model = ident?.model;
  if (vendor && model) return model.toLowerCase().startsWith(vendor.toLowerCase()) ? model : `${vendor} ${model}`;
  if (typeof d.name === 'string' && d.name) return d.name;
  if (d.hostnames?.length) return d.hostnames[0];
  if (vendor) return `${vendor} ${typeLabel(deviceType(d))}`.trim();
  return d.ips?.[0]?.ip ?? d.mac ?? d.id;
}

export function deviceType(d: Device): string {
  return d.user?.type ?? d.identification?.type ?? 'unknown';
}

export function typeLabel(type: string): string {
  return type === 'unknown' ? 'device' : type === 'tv' ? 'TV' : type.replaceAll('-', ' ');
}

export function vendorOf(d: Device): string | undefined {
  return d.user?.vendor ?? d.identification?.vendor ?? d.oui_vendor;
}

export function firstIp(d: Device): string {
  return d.ips?.[0]?.ip ?? '';
}

/** Severity → CSS class suffix. */
export function sevClass(s: string): string {
  return `sev-${/^(critical|high|medium|low|info)$/.test(s) ? s : 'info'}`;
}

export function gradeClass(g: string | undefined): string {
  return `grade-${g && /^[A-F]$/i.test(g[0]) ? g[0].toUpperCase() : 'none'}`;
}
