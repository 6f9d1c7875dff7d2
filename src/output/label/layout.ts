/**
 * The device label as a list of drawing primitives (rectangles, polygons, text) in points, y down. svg.ts and
 * pdf.ts render the same list, so the sticker looks the same in both. Size: 298 × 482 pt (about A6 wide).
 * @module
 */
import type { DeviceRecord } from '../../inventory/types.ts';
import type { CheckGroup, DeviceAssessment, Verdict } from '../../assess/types.ts';
import { grades } from '../../assess/grade.ts';
import { formatDuration } from '../../assess/facts-rules.ts';
import { wrap } from './metrics.ts';
import { inTimeRange } from '../../capture/time-range.ts';
import { gradeColours, ink, muted, verdictColours } from '../palette.ts';

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: string; stroke?: string }
  | { kind: 'poly'; points: [number, number][]; fill: string }
  | { kind: 'text'; x: number; y: number; text: string; size: number; bold?: boolean; fill: string; anchor?: 'start' | 'middle' | 'end' };

export interface LabelLayout {
  width: number;
  height: number;
  /** Accessible title: "Bulwark security label: D-Link DCS-935L, grade C". */
  title: string;
  shapes: Shape[];
}

export const labelWidth = 298;
export const labelHeight = 482;

const groupNames: Record<CheckGroup, string> = {
  passwords: 'Passwords and logins',
  encryption: 'Encryption',
  updates: 'Software updates',
  exposure: 'Open doors (services)',
  behaviour: 'Signs of infection',
};

const verdictPill: Record<Verdict, string> = { pass: 'OK', fail: 'PROBLEM', not_observed: 'NOT SEEN', not_assessable: 'NOT CHECKED' };

const grey = muted;
const dark = '#1f2937';
/** The "provisional" mark: amber text on white (7.1:1). */
const amber = '#92400e';

/** Label date: the day of the last traffic considered, UTC, YYYY-MM-DD. */
export function labelDate(ts: number): string {
  return inTimeRange(ts) ? new Date(ts * 1000).toISOString().slice(0, 10) : '';
}

export function layoutLabel(a: DeviceAssessment, device: DeviceRecord): LabelLayout {
  const W = labelWidth;
  const pad = 14;
  const s: Shape[] = [];
  const text = (x: number, y: number, t: string, size: number, opt: { bold?: boolean; fill?: string; anchor?: 'start' | 'middle' | 'end' } = {}): void => {
    s.push({ kind: 'text', x, y, text: t, size, bold: opt.bold, fill: opt.fill ?? ink, anchor: opt.anchor });
  };
  s.push({ kind: 'rect', x: 0, y: 0, w: W, h: labelHeight, fill: '#ffffff', stroke: dark });
  s.push({ kind: 'rect', x: 0, y: 0, w: W, h: 34, fill: dark });
  text(pad, 22, 'BULWARK SECURITY LABEL', 12, { bold: true, fill: '#ffffff' });
  text(W - pad, 22, labelDate(a.assessed_ts), 9, { fill: '#ffffff', anchor: 'end' });

  let y = 54;
  for (const line of wrap(a.name, 14, W - 2 * pad, 2, true)) {
    text(pad, y, line, 14, { bold: true });
    y += 17;
  }
  const ip = device.ips.length > 0 ? device.ips[device.ips.length - 1].ip : '';
  const sub = [a.noun, ip, device.mac].filter((v) => v !== undefined && v !== '').join(' · ');
  text(pad, y, sub, 8.5, { fill: grey });
  y += 12;

  // Energy-label style scale: A (short, green) … E (long, red), the grade marked by a big letter on the right.
  const barTop = y;
  const barH = 17;
  const gap = 3;
  grades.forEach((g, i) => {
    const by = barTop + i * (barH + gap);
    const bw = 70 + i * 22;
    s.push({ kind: 'poly', points: [[pad, by], [pad + bw, by], [pad + bw + 8, by + barH / 2], [pad + bw, by + barH], [pad, by + barH]], fill: gradeColours[g].bg });
    text(pad + 6, by + 13, g, 12, { bold: true, fill: gradeColours[g].fg });
    if (g === a.grade) {
      const ax = pad + bw + 14;
      s.push({ kind: 'poly', points: [[ax, by + barH / 2], [ax + 10, by], [ax + 10, by + barH]], fill: ink });
    }
  });
  const boxX = W - pad - 84;
  const boxY = barTop;
  s.push({ kind: 'rect', x: boxX, y: boxY, w: 84, h: 70, fill: gradeColours[a.grade].bg, stroke: ink });
  text(boxX + 42, boxY + 57, a.grade, 58, { bold: true, fill: gradeColours[a.grade].fg, anchor: 'middle' });
  text(boxX + 42, boxY + 84, a.provisional ? 'PROVISIONAL' : 'GRADE', 8, { bold: true, fill: a.provisional ? amber : grey, anchor: 'middle' });
  y = barTop + 5 * (barH + gap) + 14;

  for (const line of wrap(a.headline, 11, W - 2 * pad, 2, true)) {
    text(pad, y, line, 11, { bold: true });
    y += 14;
  }
  y += 6;
  text(pad, y, 'WHAT WAS CHECKED', 8, { bold: true, fill: grey });
  y += 5;
  for (const g of Object.keys(groupNames) as CheckGroup[]) {
    s.push({ kind: 'rect', x: pad, y, w: W - 2 * pad, h: 0.6, fill: '#d1d5db' });
    const verdict = a.groups[g];
    text(pad, y + 12.5, groupNames[g], 9.5);
    s.push({ kind: 'rect', x: W - pad - 66, y: y + 3, w: 66, h: 13, fill: verdictColours[verdict].bg });
    text(W - pad - 33, y + 12.8, verdictPill[verdict], 7.5, { bold: true, fill: verdictColours[verdict].fg, anchor: 'middle' });
    y += 18;
  }
  y += 10;
  text(pad, y, 'WHAT TO DO', 8, { bold: true, fill: grey });
  y += 12;
  a.advice.slice(0, 3).forEach((adv, i) => {
    const lines = wrap(adv, 8.5, W - 2 * pad - 12, 3);
    text(pad, y, `${i + 1}.`, 8.5, { bold: true });
    for (const line of lines) {
      text(pad + 12, y, line, 8.5);
      y += 10.5;
    }
    y += 3;
  });
  const foot = `Passive check of ${formatDuration(a.observed_s)} of traffic, ${a.flows} flow${a.flows === 1 ? '' : 's'}. Not seen is not safe.`;
  const footY = labelHeight - 22;
  for (const [i, line] of wrap(foot, 7, W - 2 * pad, 2).entries()) text(pad, footY + i * 9, line, 7, { fill: grey });
  return { width: W, height: labelHeight, title: `Bulwark security label: ${a.name}, grade ${a.grade}`, shapes: s };
}
