/**
 * The report's timeline plot as inline SVG, drawn here (no library, no script): one lane for all traffic, one
 * per device with its flow activity as bars and its findings as coloured segments (hover: <title>).
 * @module
 */
import type { Finding, Severity } from '../../detect/types.ts';
import type { ReportData } from './data.ts';
import { inTimeRange, isoTime } from '../../capture/time-range.ts';
import { xmlEscape as esc } from '../label/svg.ts';
import { severityColours } from '../palette.ts';

/** A severity's colour (the one palette). */
export const severityColour = (s: Severity): string => severityColours[s].bg;

const maxLanes = 40;

function clock(ts: number): string {
  return inTimeRange(ts) ? new Date(ts * 1000).toISOString().slice(11, 19) : '--:--:--';
}

/** Axis tick text: the time of day, with the date whenever the plot spans more than one UTC day. */
export function tickText(ts: number, startTs: number, endTs: number): string {
  if (!inTimeRange(ts) || !inTimeRange(startTs) || !inTimeRange(endTs)) return clock(ts);
  const iso = new Date(ts * 1000).toISOString();
  const sameDay = new Date(startTs * 1000).toISOString().slice(0, 10) === new Date(endTs * 1000).toISOString().slice(0, 10);
  return sameDay ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function timelineSvg(data: ReportData): string {
  const tl = data.timeline;
  const lanes = tl.devices.slice(0, maxLanes);
  const nameOf = new Map(data.devices.map((d) => [d.device.id, d.assessment.name]));
  const labelW = 190;
  const plotW = 760;
  const laneH = 24;
  const top = 10;
  const height = top + (lanes.length + 1) * laneH + 44;
  const width = labelW + plotW + 10;
  const span = Math.max(tl.end_ts - tl.start_ts, 1e-9);
  const xOf = (t: number): number => labelW + Math.min(plotW, Math.max(0, ((t - tl.start_ts) / span) * plotW));
  const binW = plotW / Math.max(tl.total.length, 1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Timeline of activity and findings">`,
  ];
  const lane = (i: number, label: string, counts: number[], colour: string): void => {
    const y = top + i * laneH;
    const max = Math.max(1, ...counts);
    out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="tl-label">${esc(label.length > 28 ? `${label.slice(0, 27)}…` : label)}</text>`);
    out.push(`<rect x="${labelW}" y="${y + 2}" width="${plotW}" height="${laneH - 4}" class="tl-lane"/>`);
    counts.forEach((c, b) => {
      if (c === 0) return;
      const h = Math.max(1.5, ((laneH - 6) * c) / max);
      const t0 = tl.start_ts + b * tl.bin_s;
      out.push(`<rect x="${(labelW + b * binW).toFixed(1)}" y="${(y + laneH - 3 - h).toFixed(1)}" width="${Math.max(1, binW - 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${esc(`${label}: ${c} flow${c === 1 ? '' : 's'} from ${clock(t0)}`)}</title></rect>`);
    });
  };
  lane(0, 'All devices (flows)', tl.total, '#374151');
  lanes.forEach((d, i) => {
    lane(i + 1, nameOf.get(d.device_id) ?? d.device_id, d.counts, '#60a5fa');
  });
  // Findings: a segment from first to last sighting on each named device's lane (and on the top lane).
  const laneOf = new Map(lanes.map((d, i) => [d.device_id, i + 1]));
  const mark = (f: Finding, laneIndex: number): void => {
    const y = top + laneIndex * laneH + laneH / 2;
    const x1 = Math.min(xOf(f.first_ts), labelW + plotW - 6);
    const x2 = Math.max(xOf(f.last_ts), x1 + 6);
    out.push(`<line x1="${x1.toFixed(1)}" y1="${y}" x2="${x2.toFixed(1)}" y2="${y}" stroke="${severityColour(f.severity)}" stroke-width="6" stroke-linecap="round" class="tl-finding"><title>${esc(`${f.severity}: ${f.title} (${clock(f.first_ts)}–${clock(f.last_ts)}, ${f.count}×)`)}</title></line>`);
  };
  for (const f of data.findings) {
    mark(f, 0);
    for (const d of f.devices) {
      const i = d.device_id !== undefined ? laneOf.get(d.device_id) : undefined;
      if (i !== undefined) mark(f, i);
    }
  }
  const axisY = top + (lanes.length + 1) * laneH + 6;
  out.push(`<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" class="tl-axis"/>`);
  for (let k = 0; k <= 4; k++) {
    const t = tl.start_ts + (span * k) / 4;
    const x = labelW + (plotW * k) / 4;
    out.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" class="tl-axis"/>`);
    out.push(`<text x="${x}" y="${axisY + 16}" text-anchor="${k === 0 ? 'start' : k === 4 ? 'end' : 'middle'}" class="tl-tick">${tickText(t, tl.start_ts, tl.end_ts)}</text>`);
  }
  out.push(`<text x="${labelW}" y="${axisY + 28}" class="tl-tick">UTC, ${isoTime(tl.start_ts, '(date out of range)').slice(0, 10)}; bars: flows started per ${tl.bin_s < 1 ? tl.bin_s.toFixed(2) : Math.round(tl.bin_s)} s; coloured lines: findings</text>`);
  out.push('</svg>');
  return out.join('\n');
}
