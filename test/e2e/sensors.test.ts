// End to end: the dashboard's sensors list over the PostgreSQL store, in Debian's Chromium. Two sensors of a
// site report (one recently, one ten minutes ago); the page shows each with its version, the packet and drop
// rates between its last two reports, and which one is silent. Skipped without Chromium or PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { openTestPostgres, postgresUnavailable, type OpenedStore } from '../../src/store/test-stores.ts';
import { chromiumAvailable, launchBrowser, type Browser } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

const skip = chromiumAvailable() ? await postgresUnavailable() : 'Chromium not installed at /usr/bin/chromium';
let server: RunningServer;
let browser: Browser;
let opened: OpenedStore;
let webOut: string | undefined;

before(async () => {
  if (skip) return;
  const web = await buildWeb({ outdir: mkdtempSync(join(tmpdir(), 'bulwark-e2e-web-')) });
  webOut = web.outdir;
  opened = await openTestPostgres();
  server = await startServer({ webRoot: web.outdir, store: opened.store });
  browser = await launchBrowser();
  browser.page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await opened?.drop();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
});

test('the sensors page lists each sensor with last seen, version, packet and drop rates', { skip }, async () => {
  const now = Date.now();
  const status = (sent_at: number, packets: number, drops: number) => ({ version: '0.1.0', sent_at, packets, drops, bytes: packets * 100 });
  await opened.store.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, status: status(now - 7000, 10_000, 0) });
  await opened.store.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 2, status: status(now - 5000, 14_000, 50) });
  await opened.store.applyBatch({ site: 'berlin', sensor: 'gw2', seq: 1, status: { ...status(now - 600_000, 300, 0), version: '0.0.9' } });
  const page = browser.page;
  await page.goto(`${server.url}/#/sensors`);
  await page.getByRole('heading', { name: 'Sensors' }).waitFor();
  const gw1 = page.getByRole('row').filter({ hasText: 'gw1' });
  // 4,000 packets and 50 drops in the 2 s between gw1's two reports.
  await gw1.getByText('2,000 pkt/s').waitFor();
  await gw1.getByText('25 drops/s').waitFor();
  const gw2 = page.getByRole('row').filter({ hasText: 'gw2' });
  await gw2.getByText(/^Silent — 10 min ago$/).waitFor();
  await gw2.getByText('0.0.9').waitFor();
  assert.deepEqual(browser.errors, []);
});
