/**
 * The device table printed by `bulwark analyze` and `bulwark devices`, and a per-device explanation.
 * @module
 */
import type { DeviceRecord } from '../inventory/types.ts';
import { inTimeRange } from '../capture/time-range.ts';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** 'MM-DD HH:MM:SS' (UTC, packet time). */
function when(ts: number): string {
  if (!inTimeRange(ts)) return '-';
  const d = new Date(ts * 1000);
  return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** First → last seen; the date of the last is left out when it is the first's. */
function seen(d: DeviceRecord): string {
  const a = when(d.first_ts);
  const b = when(d.last_ts);
  return a.slice(0, 5) === b.slice(0, 5) ? `${a}–${b.slice(6)}` : `${a}–${b}`;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** What a device is called: the user's name, else its MAC or IP. */
export function deviceLabel(d: DeviceRecord): string {
  return d.user?.name ?? d.mac ?? d.id.replace(/^ip:/, '');
}

/** "camera 0.92", "plug (user)", "unknown". */
export function typeText(d: DeviceRecord): string {
  const id = d.identification;
  if (d.user?.type) return `${id.type} (user)`;
  return id.type === 'unknown' ? 'unknown' : `${id.type} ${id.type_confidence.toFixed(2)}`;
}

function vendorText(d: DeviceRecord): string {
  const v = d.identification.vendor ?? '';
  if (d.user?.vendor) return `${v} (user)`;
  return v || (d.mac_local ? '(random MAC)' : '');
}

function servicesText(d: DeviceRecord): string {
  return d.services.map((s) => `${s.port}/${s.transport}`).join(',');
}

/** Latest-bound IP first. */
function ipsText(d: DeviceRecord): string {
  return [...d.ips].sort((a, b) => b.last_ts - a.last_ts).map((b) => b.ip).join(',');
}

const columns: { head: string; max: number; right?: boolean; value: (d: DeviceRecord) => string }[] = [
  { head: 'DEVICE', max: 20, value: deviceLabel },
  { head: 'VENDOR', max: 16, value: vendorText },
  { head: 'TYPE', max: 16, value: typeText },
  { head: 'IP', max: 24, value: ipsText },
  { head: 'HOST', max: 18, value: (d) => d.hostnames[0] ?? '' },
  { head: 'SEEN (UTC)', max: 30, value: seen },
  { head: 'FLOWS', max: 11, right: true, value: (d) => `${d.flows_out}/${d.flows_in}` },
  { head: 'SERVICES', max: 24, value: servicesText },
];

/** Aligned device table, one line per device (FLOWS = out/in). */
export function deviceTable(devices: readonly DeviceRecord[]): string {
  if (devices.length === 0) return 'no devices seen';
  const rows = devices.map((d) => columns.map((c) => cut(c.value(d), c.max)));
  const widths = columns.map((c, i) => Math.max(c.head.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((s, i) => (columns[i].right ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.head)), ...rows.map(line)].join('\n');
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Several lines about one device: identification and why, addresses, traffic, services, evidence. */
export function deviceDetails(d: DeviceRecord): string {
  const id = d.identification;
  const head = [d.user?.name && d.mac ? `${d.user.name} (${d.mac})` : deviceLabel(d)];
  head.push(`type: ${id.type}${d.user?.type ? ' (set by user)' : id.type === 'unknown' ? '' : ` (${id.type_confidence.toFixed(2)})`}`);
  if (id.vendor) head.push(`vendor: ${id.vendor}${d.user?.vendor ? ' (set by user)' : ''}`);
  if (id.model) head.push(`model: ${id.model}`);
  if (id.firmware) head.push(`firmware: ${id.firmware}`);
  if (id.serial) head.push(`serial: ${id.serial}`);
  const lines = [head.join('  ')];
  if (id.roles && id.roles.length > 0) lines.push(`  industrial roles: ${id.roles.join(', ')}`);
  if (id.because.length > 0) lines.push(`  because: ${id.because.join(', ')}  [${id.decided_by}]`);
  if (d.oui_vendor || d.mac_local) lines.push(`  MAC: ${d.mac_local ? 'locally administered (randomised or virtual)' : `OUI ${d.oui_vendor}`}`);
  if (d.ips.length > 0) lines.push(`  IPs: ${d.ips.map((b) => `${b.ip} (${b.source})`).join(', ')}`);
  if (d.hostnames.length > 0) lines.push(`  host names: ${d.hostnames.join(', ')}`);
  lines.push(`  seen: ${seen(d)} UTC; flows out ${d.flows_out}, in ${d.flows_in}; ${human(d.bytes_out)} out, ${human(d.bytes_in)} in; peers ${d.peers_local} local, ${d.peers_remote} remote`);
  if (d.services.length > 0) lines.push(`  services: ${d.services.map((s) => `${s.port}/${s.transport}${s.app ? ` ${s.app}` : ''} (${s.flows})`).join(', ')}`);
  if (d.talks_to.ports.length > 0) lines.push(`  talks to ports: ${cut(d.talks_to.ports.join(', '), 200)}`);
  if (d.talks_to.domains.length > 0) lines.push(`  talks to: ${cut(d.talks_to.domains.join(', '), 200)}`);
  lines.push(`  evidence: ${d.evidence.length} item${d.evidence.length === 1 ? '' : 's'}${d.evidence_dropped > 0 ? ` (${d.evidence_dropped} more not kept)` : ''}`);
  return lines.join('\n');
}
