// The printable label: the PDF read back with poppler's pdftotext, pdffonts and pdfinfo (a real PDF reader,
// not our own parser); any Unicode name prints and extracts as written; hostile names escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assessDevice } from '../../src/assess/assess.ts';
import { labelPdf } from '../../src/output/label/pdf.ts';
import { labelSvg } from '../../src/output/label/svg.ts';
import { wrap, textWidth } from '../../src/output/label/metrics.ts';
import { analysis } from './support/analysis.ts';

const root = resolve(import.meta.dirname, '..', '..');

async function camera() {
  const a = await analysis(join(root, 'samples/dlink-camera-setup.pcap'));
  const device = a.devices.find((d) => d.id === 'mac:b0:c5:54:25:5b:0e')!;
  return { device, assessment: assessDevice(device, a.findings, a.facts) };
}

/** Run a poppler tool on PDF bytes. */
function poppler(tool: 'pdftotext' | 'pdffonts' | 'pdfinfo', pdf: Uint8Array, ...args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-label-'));
  try {
    const file = join(dir, 'label.pdf');
    writeFileSync(file, pdf);
    return execFileSync(tool, tool === 'pdftotext' ? [...args, file, '-'] : [...args, file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Text as pdftotext extracts it, whitespace runs collapsed. */
const pdfText = (pdf: Uint8Array): string => poppler('pdftotext', pdf, '-enc', 'UTF-8').replace(/\s+/g, ' ');

test('label PDF: a PDF reader extracts grade, device, date, checks and advice; fonts embedded with a Unicode map', async () => {
  const { device, assessment } = await camera();
  const pdf = labelPdf(assessment, device);
  const text = pdfText(pdf);
  for (const s of ['BULWARK SECURITY LABEL', 'D-Link DCS-935L', '2016-04-15', 'Encryption', 'PROBLEM', 'Signs of infection', 'OK', 'WHAT TO DO', assessment.advice[0].slice(0, 30)]) {
    assert.ok(text.includes(s), `${s} in: ${text}`);
  }
  assert.match(text, new RegExp(`\\b${assessment.grade}\\b`));
  // pdffonts: name type encoding emb sub uni — both faces embedded (subset) with a ToUnicode map.
  const fonts = poppler('pdffonts', pdf).split('\n').slice(2).filter((l) => l.trim() !== '');
  assert.deepEqual(fonts.map((l) => l.split(/\s+/)[0].replace(/^[A-Z]{6}\+/, '')).sort(), ['DejaVuSans', 'DejaVuSans-Bold']);
  for (const l of fonts) assert.match(l, /yes\s+yes\s+yes\s+\d+\s+\d+\s*$/, l);
  const info = poppler('pdfinfo', pdf);
  assert.match(info, /Page size:\s+298 x 482 pts/);
  assert.match(info, /Pages:\s+1\n/);
  assert.match(info, /Title:\s+Bulwark security label: D-Link DCS-935L, grade/);
  // Reproducible: same input, same bytes.
  assert.deepEqual(labelPdf(assessment, device), pdf);
});

test('label PDF prints any name in the scripts its font covers, as written (Latin, Greek, Cyrillic, symbols)', async () => {
  const { device, assessment } = await camera();
  for (const name of ['Küchen-Kamera „Süd“', 'Κάμερα σαλονιού', 'Камера в прихожей', 'Øresund Ærø Šibenik Łódź', 'Caméra № 2 — €5']) {
    const pdf = labelPdf({ ...assessment, name }, device);
    assert.ok(pdfText(pdf).includes(name), `${name} in: ${pdfText(pdf).slice(0, 120)}`);
    assert.ok(labelSvg({ ...assessment, name }, device).includes(name));
  }
});

test('hostile device names are escaped in the SVG and harmless in the PDF', async () => {
  const { device, assessment } = await camera();
  const evil = { ...assessment, name: 'Cam</text><script>alert(1)</script> (x) \\ é ✓' };
  const svg = labelSvg(evil, device);
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&#60;script&#62;'));
  const text = pdfText(labelPdf(evil, device));
  // The name is cut to two lines with an ellipsis; the reader gets the characters back.
  assert.ok(text.includes('Cam</text><script>alert(1)</s…'), text.slice(0, 160));
});

test('text wrapping respects the width, with the label font\'s own metrics', () => {
  const lines = wrap('Change this camera\'s password: it is sent in clear text every time someone logs in, and anyone on the network can read it.', 8.5, 258, 3);
  assert.ok(lines.length >= 2 && lines.length <= 3);
  for (const l of lines) assert.ok(textWidth(l, 8.5) <= 258, l);
  assert.equal(wrap('word '.repeat(100), 10, 100, 2).length, 2);
  assert.ok(wrap('word '.repeat(100), 10, 100, 2)[1].endsWith('…'));
});

test('the PDF reader places right-aligned and centred text where the layout measured it', async () => {
  const { device, assessment } = await camera();
  // pdftotext -bbox: each word's box as poppler computes it from the embedded font's widths.
  const html = poppler('pdftotext', labelPdf(assessment, device), '-bbox');
  const box = (word: string): { xMin: number; xMax: number } => {
    const m = new RegExp(`<word xMin="([\\d.]+)" yMin="[\\d.]+" xMax="([\\d.]+)" yMax="[\\d.]+">${word}</word>`).exec(html);
    assert.ok(m, `${word} in ${html.slice(0, 400)}`);
    return { xMin: Number(m[1]), xMax: Number(m[2]) };
  };
  // The date is right-aligned to the label's edge less its 14 pt padding (298 - 14 = 284).
  assert.ok(Math.abs(box('2016-04-15').xMax - 284) < 0.5, JSON.stringify(box('2016-04-15')));
  // "GRADE" is centred under the grade box (x 200 … 284, centre 242).
  const g = box('GRADE');
  assert.ok(Math.abs((g.xMin + g.xMax) / 2 - 242) < 0.5, JSON.stringify(g));
});

test('characters DejaVu Sans lacks come from the fallback fonts named in BULWARK_LABEL_FONTS', () => {
  // U+2900 '⤀' is in DejaVu Serif but not in DejaVu Sans: with Serif as the fallback, it prints and extracts.
  const serif = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf');
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const name = 'Tür ⤀ Ost';
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-fallback-'));
  try {
    const label = (fallback: string | undefined): Uint8Array => {
      const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), BULWARK_LABEL_FONTS: fallback ?? '' };
      const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env });
      assert.equal(run('devices', '--set', 'mac:b0:c5:54:25:5b:0e', '--name', name).status, 0);
      const r = run('report', join(root, 'samples/dlink-camera-setup.pcap'), '-o', join(dir, 'r.html'), '--labels', join(dir, 'labels'), '-q');
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(join(dir, 'labels', 'mac_b0_c5_54_25_5b_0e.pdf'));
    };
    const withFallback = label(serif);
    assert.ok(pdfText(withFallback).includes(name), pdfText(withFallback).slice(0, 120));
    const fonts = poppler('pdffonts', withFallback);
    assert.match(fonts, /\+DejaVuSerif\s/, fonts);
    // Without it the character has no glyph: DejaVu Sans only, and the reader cannot give '⤀' back.
    const without = label(undefined);
    assert.doesNotMatch(poppler('pdffonts', without), /DejaVuSerif/);
    assert.ok(pdfText(without).includes('Tür'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
