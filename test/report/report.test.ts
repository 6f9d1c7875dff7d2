// `bulwark report` on real captures: the HTML and the JSON contain the expected devices, findings and grades,
// and the HTML references nothing outside itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseReportArgs, reportCommand } from '../../src/cli/report.ts';
import type { ReportData } from '../../src/output/report/data.ts';

const root = resolve(import.meta.dirname, '..', '..');
const dlink = join(root, 'samples/dlink-camera-setup.pcap');
const telnet = join(root, 'test/traces/pipeline/telnet-raw.pcap');
const ftp = join(root, 'test/traces/pipeline/ftp.pcap');
const siren = join(root, 'test/traces/report/dlink-siren-setup.pcap');
const out = mkdtempSync(join(tmpdir(), 'bulwark-report-test-'));

test('argument parsing', () => {
  assert.deepEqual(parseReportArgs(['a.pcap', '-o', 'r.html']), { files: ['a.pcap'], out: 'r.html', json: false, overrides: undefined, labels: undefined, quiet: false });
  assert.equal((parseReportArgs(['a.pcap', '--json']) as { out: string }).out, '-');
  assert.equal((parseReportArgs(['a.pcap']) as { out: string }).out, 'report.html');
  assert.equal(parseReportArgs([]), 'no capture file given');
  assert.match(parseReportArgs(['--bogus', 'a.pcap']) as string, /bogus/);
});

test('JSON report of the D-Link camera sample: devices, grades, assessment per device', async () => {
  const file = join(out, 'dlink.json');
  assert.equal(await reportCommand([dlink, '--json', '-o', file, '-q']), 0);
  const data = JSON.parse(readFileSync(file, 'utf8')) as ReportData;
  assert.equal(data.format, 'bulwark-report');
  assert.equal(data.summary.packets, 624);
  assert.deepEqual(data.captures.map((c) => c.file), ['dlink-camera-setup.pcap']);
  const cam = data.devices.find((d) => d.device.id === 'mac:b0:c5:54:25:5b:0e');
  assert.ok(cam);
  assert.equal(cam.assessment.name, 'D-Link DCS-935L');
  assert.equal(cam.assessment.grade, 'C');
  assert.equal(cam.assessment.items.find((i) => i.id === '5.5-1')?.verdict, 'fail');
  assert.equal(cam.assessment.advice.length, 3);
  assert.equal(data.summary.devices, data.devices.length);
  assert.equal(data.timeline.total.reduce((a, b) => a + b, 0) > 0, true);
  // Worst grade first.
  const order = data.devices.map((d) => 'ABCDE'.indexOf(d.assessment.grade));
  assert.deepEqual(order, [...order].sort((a, b) => b - a));
});

test('HTML report of credential captures: findings with evidence, grades, labels; nothing external', async () => {
  const file = join(out, 'creds.html');
  const labels = join(out, 'labels');
  assert.equal(await reportCommand([telnet, ftp, '-o', file, '-q', '--labels', labels]), 0);
  const html = readFileSync(file, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /TELNET credentials sent in clear to 192\.168\.0\.1/);
  assert.match(html, /Anonymous FTP login in clear to 129\.21\.171\.72/);
  assert.match(html, /credentials\.cleartext/);
  assert.match(html, /telnet-raw\.pcap packet \d+/, 'evidence packets listed');
  assert.match(html, /<details class="assessment"><summary>Baseline assessment: \d+ fail/);
  assert.match(html, /It sends passwords in clear text/);
  assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="298pt"/, 'label embedded');
  assert.match(html, /href="data:application\/pdf;base64,JVBERi0xLj/, 'PDF label embedded as data: URL');
  // No external reference: the only http(s) URLs are SVG namespaces and text from the captures.
  const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  for (const u of urls) assert.ok(u.startsWith('#') || u.startsWith('data:'), u);
  assert.doesNotMatch(html, /<script|<link|@import|url\(/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  const written = readdirSync(labels).sort();
  assert.ok(written.includes('mac_00_00_c0_9f_a0_97.pdf') && written.includes('mac_00_00_c0_9f_a0_97.svg'), written.join(','));
});

test('firmware over HTTP shows in the report as the device headline', async () => {
  const file = join(out, 'siren.json');
  assert.equal(await reportCommand([siren, '--json', '-o', file, '-q']), 0);
  const data = JSON.parse(readFileSync(file, 'utf8')) as ReportData;
  const d = data.devices[0];
  assert.equal(d.device.id, 'mac:90:8d:78:dd:0d:60', 'worst device first');
  assert.equal(d.assessment.grade, 'D');
  assert.equal(d.assessment.headline, 'It downloads updates without encryption');
});

test('a missing capture is a no-input error', async () => {
  assert.equal(await reportCommand([join(out, 'nope.pcap'), '-o', join(out, 'x.html'), '-q']), 4);
});
