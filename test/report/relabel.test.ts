// Renaming or retyping a device re-renders its label and assessment: through the API (PATCH, then the label SVG,
// the label PDF as poppler's pdftotext reads it, and the assessment) and through the CLI ('devices --set', then
// 'report --labels'). The capture is samples/dlink-camera-setup.pcap (IoT Sentinel's D-Link DCS-935L camera).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixture, samplePath } from '../api/helpers.ts';

const camera = 'mac:b0:c5:54:25:5b:0e';
const newName = 'Küchen-Kamera Ωμέγα № 2';
const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-relabel-'));
  try {
    writeFileSync(join(dir, 'l.pdf'), pdf);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'l.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const upload = (body: Uint8Array, name: string): RequestInit =>
  ({ method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': name } });

test('API: a rename and retype re-render the label (SVG and PDF) and the assessment; clearing restores them; a later ingest keeps them', async () => {
  const f = fixture();
  try {
    assert.equal((await f.app.request('/api/captures', upload(readFileSync(samplePath), 'cam.pcap'))).status, 202);
    await f.queue.idle();
    const get = async (path: string): Promise<Response> => f.app.request(`/api/devices/${encodeURIComponent(camera)}${path}`);
    const before = await (await get('/assessment')).json() as { name: string; noun: string; advice: string[] };
    assert.equal(before.name, 'D-Link DCS-935L');
    assert.equal(before.noun, 'camera');
    assert.ok(before.advice.some((a) => a.includes('This camera')), before.advice.join(' | '));
    // The ingest stores the SVG; the PDF is made on first request.
    const firstPdf = await get('/label.pdf');
    assert.equal(firstPdf.status, 200);
    assert.ok(pdfText(new Uint8Array(await firstPdf.arrayBuffer())).includes('D-Link DCS-935L'));

    const patch = await f.app.request(`/api/devices/${encodeURIComponent(camera)}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: newName, type: 'plug' }),
    });
    assert.equal(patch.status, 200);
    const svg = await (await get('/label.svg')).text();
    assert.ok(svg.includes(newName), 'SVG label shows the new name');
    assert.ok(!svg.includes('D-Link DCS-935L'));
    assert.match(svg, /plug · 10\.10\.10\.37/);
    const pdf = pdfText(new Uint8Array(await (await get('/label.pdf')).arrayBuffer()));
    assert.ok(pdf.includes(newName), `PDF label shows the new name: ${pdf.slice(0, 200)}`);
    assert.ok(pdf.includes('This plug'), 'advice speaks of a plug');
    const after = await (await get('/assessment')).json() as { name: string; noun: string; advice: string[]; grade: string };
    assert.equal(after.name, newName);
    assert.equal(after.noun, 'plug');
    assert.ok(after.advice.every((a) => !a.includes('camera')), after.advice.join(' | '));
    assert.equal(after.advice.length, before.advice.length);

    // A later capture of the same device (the same bytes gzipped: a new capture) is assessed again: the name stays.
    assert.equal((await f.app.request('/api/captures', upload(gzipSync(readFileSync(samplePath)), 'cam.pcap.gz'))).status, 202);
    await f.queue.idle();
    assert.ok((await (await get('/label.svg')).text()).includes(newName), 'label after a second ingest');
    assert.equal((await (await get('/assessment')).json() as { name: string }).name, newName);

    // Clearing the override brings back the analysis' own name and type.
    await f.app.request(`/api/devices/${encodeURIComponent(camera)}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: null, type: null }),
    });
    assert.ok(pdfText(new Uint8Array(await (await get('/label.pdf')).arrayBuffer())).includes('D-Link DCS-935L'));
    assert.deepEqual((await (await get('/assessment')).json() as { advice: string[] }).advice, before.advice);
  } finally {
    await f.close();
  }
});

test('CLI: devices --set renames and retypes; report and its labels use the name without being told where the overrides are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-relabel-cli-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
    const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env });
    const set = run('devices', '--set', camera, '--name', newName, '--type', 'plug');
    assert.equal(set.status, 0, set.stderr);
    const report = run('report', samplePath, '-o', join(dir, 'report.html'), '--labels', join(dir, 'labels'), '-q');
    assert.equal(report.status, 0, report.stderr);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(html.includes(`>${newName}</a>`), 'report names the device by its new name');
    const label = pdfText(readFileSync(join(dir, 'labels', 'mac_b0_c5_54_25_5b_0e.pdf')));
    assert.ok(label.includes(newName), label.slice(0, 200));
    assert.ok(label.includes('This plug'), label);
    assert.ok(readFileSync(join(dir, 'labels', 'mac_b0_c5_54_25_5b_0e.svg'), 'utf8').includes(newName));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
