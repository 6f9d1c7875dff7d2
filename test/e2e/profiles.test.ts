// End to end: the dashboard's MUD profile review on a real capture (samples/dlink-camera-setup.pcap, the D-Link
// camera b0:c5:54:25:5b:0e): the learned profile is listed, its rules read in words with counts, Lock locks it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { chromiumAvailable, launchBrowser, type Browser } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

const root = resolve(import.meta.dirname, '..', '..');
const skip = chromiumAvailable() ? false : 'Chromium not installed at /usr/bin/chromium';
let server: RunningServer;
let browser: Browser;
let webOut: string | undefined;
let shots: string;

before(async () => {
  if (skip) return;
  const web = await buildWeb({ outdir: mkdtempSync(join(tmpdir(), 'bulwark-e2e-web-')) });
  webOut = web.outdir;
  shots = mkdtempSync(join(tmpdir(), 'bulwark-e2e-mud-shots-'));
  server = await startServer({ webRoot: web.outdir, profiles: mkdtempSync(join(tmpdir(), 'bulwark-e2e-mud-')) });
  browser = await launchBrowser();
  browser.page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
  if (shots) console.log(`# screenshots: ${shots}`);
});

test('learn → review → lock in the dashboard', { skip }, async () => {
  const up = await fetch(`${server.url}/api/captures`, {
    method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': 'dlink.pcap' },
    body: readFileSync(join(root, 'samples', 'dlink-camera-setup.pcap')),
  });
  assert.equal(up.status, 202);
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const list = (await (await fetch(`${server.url}/api/mud/profiles`)).json()) as { items: { mac: string }[] };
    if (list.items.some((p) => p.mac === 'b0:c5:54:25:5b:0e')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const page = browser.page;
  await page.goto(`${server.url}/#/profiles`);
  await page.getByRole('heading', { name: 'Device profiles' }).waitFor();
  await page.getByRole('link', { name: 'b0:c5:54:25:5b:0e' }).click();
  await page.getByRole('heading', { name: 'Profile of b0:c5:54:25:5b:0e' }).waitFor();
  // The camera's cloud connection (tshark: TCP SYN to 52.8.178.58:443 after resolving signal.mydlink.com).
  await page.getByText('allow device → signal.mydlink.com TCP to port 443, device initiates').first().waitFor();
  await page.screenshot({ path: join(shots, 'profile.png'), fullPage: true });
  await page.getByRole('button', { name: 'Lock (enforce and watch)' }).click();
  await page.getByRole('button', { name: 'Unlock' }).waitFor();
  const p = (await (await fetch(`${server.url}/api/mud/profiles/b0c554255b0e`)).json()) as { state: string };
  assert.equal(p.state, 'locked');
  assert.deepEqual(browser.errors, []);
});
