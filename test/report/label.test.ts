// The printable label: PDF structure checked by parsing our own cross-reference table; hostile names escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { assessDevice } from '../../src/assess/assess.ts';
import { labelPdf, pdfString } from '../../src/output/label/pdf.ts';
import { labelSvg } from '../../src/output/label/svg.ts';
import { wrap, textWidth } from '../../src/output/label/metrics.ts';
import { analysis } from './support/analysis.ts';

const root = resolve(import.meta.dirname, '..', '..');

async function camera() {
  const a = await analysis(join(root, 'samples/dlink-camera-setup.pcap'));
  const device = a.devices.find((d) => d.id === 'mac:b0:c5:54:25:5b:0e')!;
  return { device, assessment: assessDevice(device, a.findings, a.facts) };
}

/** Parse the PDF's xref and check every entry points at "<n> 0 obj"; return the objects' text. */
function checkPdf(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(text.startsWith('%PDF-1.4\n'));
  assert.ok(text.endsWith('%%EOF\n'));
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  assert.equal(text.slice(startxref, startxref + 5), 'xref\n');
  const m = /^xref\n0 (\d+)\n/.exec(text.slice(startxref));
  assert.ok(m);
  const count = Number(m[1]);
  const entries = text.slice(startxref + m[0].length).split('\n').slice(0, count);
  assert.equal(entries[0], '0000000000 65535 f ');
  const objects: string[] = [];
  for (let i = 1; i < count; i++) {
    assert.match(entries[i], /^\d{10} 00000 n $/);
    const off = Number(entries[i].slice(0, 10));
    assert.equal(text.slice(off, off + `${i} 0 obj`.length), `${i} 0 obj`, `object ${i} at offset ${off}`);
    objects.push(text.slice(off, text.indexOf('endobj', off)));
  }
  assert.match(text, new RegExp(`trailer\\n<< /Size ${count} /Root 1 0 R`));
  // Stream length matches the bytes between "stream\n" and "\nendstream".
  for (const o of objects) {
    const len = /\/Length (\d+)/.exec(o);
    if (!len) continue;
    const body = o.slice(o.indexOf('stream\n') + 7, o.indexOf('\nendstream'));
    assert.equal(body.length, Number(len[1]));
  }
  return objects;
}

test('label PDF is well-formed and carries grade, device, date, checks and advice', async () => {
  const { device, assessment } = await camera();
  const pdf = labelPdf(assessment, device);
  const objects = checkPdf(pdf);
  const content = objects.find((o) => o.includes('stream\n'))!;
  for (const s of ['(D-Link DCS-935L)', '(C)', '(2016-04-15)', '(Encryption)', '(PROBLEM)', '(Signs of infection)', '(OK)', '(WHAT TO DO)']) {
    assert.ok(content.includes(s), s);
  }
  assert.ok(objects.some((o) => o.includes('/BaseFont /Helvetica-Bold')));
  assert.ok(/0 0 298 482/.test(objects[2]), 'MediaBox');
  // Reproducible: same input, same bytes.
  assert.deepEqual(labelPdf(assessment, device), pdf);
});

test('hostile device names are escaped in the SVG and the PDF', async () => {
  const { device, assessment } = await camera();
  const evil = { ...assessment, name: 'Cam</text><script>alert(1)</script> (x) \\ é ✓' };
  const svg = labelSvg(evil, device);
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&#60;script&#62;'));
  checkPdf(labelPdf(evil, device));
  assert.equal(pdfString('a(b)c\\d é ✓…'), '(a\\(b\\)c\\\\d \\351 ?\\205)');
});

test('text wrapping respects the width', () => {
  const lines = wrap('Change this camera\'s password: it is sent in clear text every time someone logs in, and anyone on the network can read it.', 8.5, 258, 3);
  assert.ok(lines.length >= 2 && lines.length <= 3);
  for (const l of lines) assert.ok(textWidth(l, 8.5) <= 258, l);
  assert.equal(wrap('word '.repeat(100), 10, 100, 2).length, 2);
  assert.ok(wrap('word '.repeat(100), 10, 100, 2)[1].endsWith('…'));
});
