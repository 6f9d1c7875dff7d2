// One palette, WCAG AA: the contrast formula checked against published reference ratios, every colour pair of the
// palette ≥ 4.5:1, every piece of text on the label readable on what it is drawn on, and no output with colours
// of its own for grades, severities or verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  contrastRatio, gradeColours, ink, muted, noGradeColour, paletteCssVariables, paper, paperTint, severityColours, verdictColours,
  type Swatch,
} from './palette.ts';
import { layoutLabel, type Shape } from './label/layout.ts';
import { reportCss } from './report/style.ts';
import type { DeviceAssessment, Verdict } from '../assess/types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { grades } from '../assess/grade.ts';

const root = resolve(import.meta.dirname, '..', '..');
const AA = 4.5;

test('contrast ratio follows WCAG 2.x (reference values from the WCAG definition and WebAIM\'s checker)', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
  // WebAIM: #767676 on white is 4.54:1 (the lightest grey passing AA), #777777 4.47:1.
  assert.equal(contrastRatio('#767676', '#ffffff').toFixed(2), '4.54');
  assert.equal(contrastRatio('#777777', '#ffffff').toFixed(2), '4.48');
  // WebAIM: pure red on white 4.0:1, blue on white 8.59:1.
  assert.equal(contrastRatio('#ff0000', '#ffffff').toFixed(2), '4.00');
  assert.equal(contrastRatio('#0000ff', '#ffffff').toFixed(2), '8.59');
  assert.equal(contrastRatio('#ffffff', '#0000ff'), contrastRatio('#0000ff', '#ffffff'));
});

test('every swatch\'s text meets AA on its fill; verdict colours also read as text on the page', () => {
  const all: [string, Swatch][] = [
    ...Object.entries(gradeColours).map(([k, s]): [string, Swatch] => [`grade ${k}`, s]),
    ['no grade', noGradeColour],
    ...Object.entries(severityColours).map(([k, s]): [string, Swatch] => [`severity ${k}`, s]),
    ...Object.entries(verdictColours).map(([k, s]): [string, Swatch] => [`verdict ${k}`, s]),
  ];
  for (const [name, s] of all) assert.ok(contrastRatio(s.fg, s.bg) >= AA, `${name}: ${s.fg} on ${s.bg} is ${contrastRatio(s.fg, s.bg).toFixed(2)}:1`);
  for (const [k, s] of Object.entries(verdictColours)) {
    for (const page of [paper, paperTint]) assert.ok(contrastRatio(s.bg, page) >= AA, `verdict ${k} as text on ${page}`);
  }
  for (const text of [ink, muted]) for (const page of [paper, paperTint]) assert.ok(contrastRatio(text, page) >= AA, `${text} on ${page}`);
});

/** The fill under a point: the last rectangle or polygon drawn before the text that contains it. */
function fillUnder(shapes: readonly Shape[], index: number, x: number, y: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const s = shapes[i];
    if (s.kind === 'rect' && x >= s.x && x <= s.x + s.w && y >= s.y && y <= s.y + s.h) return s.fill;
    if (s.kind === 'poly') {
      const xs = s.points.map((p) => p[0]);
      const ys = s.points.map((p) => p[1]);
      if (x >= Math.min(...xs) && x <= Math.max(...xs) && y >= Math.min(...ys) && y <= Math.max(...ys)) return s.fill;
    }
  }
  return paper;
}

test('every text on the label meets AA against what it is drawn on, for every grade and verdict', () => {
  const device = { id: 'mac:02:00:00:00:00:01', mac: '02:00:00:00:00:01', ips: [{ ip: '192.168.1.20' }] } as unknown as DeviceRecord;
  const verdicts: Verdict[] = ['pass', 'fail', 'not_observed', 'not_assessable'];
  for (const grade of grades) {
    for (const [i, v] of verdicts.entries()) {
      const a = {
        device_id: device.id, name: 'Camera', noun: 'camera', grade, provisional: i % 2 === 0, headline: 'Headline',
        advice: ['One.', 'Two.', 'Three.'], observed_s: 600, flows: 40, assessed_ts: 1_460_000_000,
        groups: { passwords: v, encryption: verdicts[(i + 1) % 4], updates: verdicts[(i + 2) % 4], exposure: verdicts[(i + 3) % 4], behaviour: v },
      } as unknown as DeviceAssessment;
      const shapes = layoutLabel(a, device).shapes;
      shapes.forEach((s, idx) => {
        if (s.kind !== 'text' || s.text === '') return;
        // A point inside the glyphs: a third of the font size above the baseline, just after the anchor.
        const x = s.anchor === 'middle' ? s.x : s.anchor === 'end' ? s.x - 1 : s.x + 1;
        const under = fillUnder(shapes, idx, x, s.y - s.size / 3);
        assert.ok(contrastRatio(s.fill, under) >= AA, `grade ${grade}, '${s.text}': ${s.fill} on ${under} is ${contrastRatio(s.fill, under).toFixed(2)}:1`);
      });
    }
  }
});

test('report and dashboard take grade, severity and verdict colours from the palette only', () => {
  const dashboard = readFileSync(join(root, 'web/src/style.css'), 'utf8');
  for (const [name, css] of [['report', reportCss], ['dashboard', dashboard]] as const) {
    // Rules for .grade-X, .sev-X, .fill-…, .verdict…, .check-… colour with var(--…) only, never a literal colour.
    for (const m of css.matchAll(/(\.(?:grade|sev|fill-grade|fill-sev|verdict|check-pass|check-fail|finding\.border)[-\w. ]*)\{([^}]*)\}/g)) {
      assert.doesNotMatch(m[2], /#[0-9a-f]{3,8}\b|rgb\(/i, `${name}: ${m[1].trim()} { ${m[2].trim()} }`);
    }
  }
  // The variables those rules use exist in the palette.
  const vars = paletteCssVariables();
  for (const css of [reportCss, dashboard]) {
    for (const m of css.matchAll(/var\(--((?:grade|sev|verdict)-[\w-]+)\)/g)) assert.ok(`--${m[1]}` in vars, m[1]);
  }
  assert.ok(reportCss.includes(`--sev-high: ${severityColours.high.bg};`));
});
