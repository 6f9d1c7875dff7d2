/**
 * The human-readable run summary printed by `bulwark analyze`.
 * @module
 */
import type { RunSummary } from '../pipeline/stats.ts';
import { isoTime } from '../capture/time-range.ts';

/**
 * A whole number with commas between groups of three digits, as `toLocaleString('en-US')` writes it. Not that
 * call: its first use loads ICU's locale data, 20 ms of a short run (CPU profile of analyze on a 10-packet capture).
 */
export function groupDigits(value: number): string {
  const n = Math.round(value);
  if (!Number.isFinite(n)) return String(n);
  const digits = String(Math.abs(n));
  if (digits.length <= 3 || digits.includes('e')) return n < 0 ? `-${digits}` : digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

const fmt = groupDigits;

function iso(ts: number | null): string {
  return isoTime(ts);
}

function top(record: Record<string, number>, limit: number): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none';
  const shown = entries.slice(0, limit).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  return entries.length > limit ? `${shown}, … (${entries.length - limit} more)` : shown;
}

export function summaryText(s: RunSummary): string {
  const lines: string[] = [];
  for (const f of s.files) {
    const kind = `${f.format}${f.gzip ? '+gzip' : ''}`;
    lines.push(`file      ${f.file} (${kind}, ${fmt(f.packets)} packets)${f.error ? `  ERROR: ${f.error.message}` : ''}`);
  }
  lines.push(`packets   ${fmt(s.packets)}  (${fmt(s.bytes)} bytes on the wire)`);
  lines.push(`time      ${iso(s.first_ts)} → ${iso(s.last_ts)}  (${s.span_s.toFixed(1)} s)`);
  const ended = Object.entries(s.flows.ended).map(([k, v]) => `${k} ${fmt(v ?? 0)}`).join(', ');
  lines.push(`flows     ${fmt(s.flows.total)}  (max live ${fmt(s.flows.max_live)}, evicted ${fmt(s.flows.evicted)}; ended: ${ended || 'none'})`);
  lines.push(`transport ${top(s.transports, 8)}`);
  lines.push(`apps      ${top(s.apps, 12)}`);
  lines.push(`events    ${top(s.events, 12)}`);
  lines.push(`anomalies ${top(s.anomalies, 8)}`);
  const violations = Object.values(s.analyzer_violations).reduce((a, b) => a + b, 0);
  if (violations > 0) lines.push(`analyzer errors contained: ${top(s.analyzer_violations, 8)}`);
  lines.push(`speed     ${fmt(s.packets_per_s)} packets/s  (${s.wall_s.toFixed(2)} s wall, ${s.flows.bytes_per_flow} bytes/flow)`);
  return lines.join('\n');
}
