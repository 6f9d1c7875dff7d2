// End to end: the real API server, the built dashboard, Debian's Chromium. Upload two real captures, see their
// devices and findings appear, acknowledge a finding, open a device's label; no console errors. Screenshots are
// written under os.tmpdir() (the path is printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { chromiumAvailable, launchBrowser, type Browser } from './support/browser.ts';
import { startServer, type RunningServer } from './support/server.ts';

const root = resolve(import.meta.dirname, '..', '..');
const dlink = join(root, 'samples', 'dlink-camera-setup.pcap');
const telnet = join(root, 'test', 'traces', 'pipeline', 'telnet-raw.pcap');
const skip = chromiumAvailable() ? false : 'Chromium not installed at /usr/bin/chromium';

let server: RunningServer;
let browser: Browser;
let shots: string;
let webOut: string | undefined;

async function shot(name: string): Promise<void> {
  await browser.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: server.token ? { Authorization: `Bearer ${server.token}` } : {} });
  assert.equal(res.status, 200, `${path} → ${res.status}`);
  return await res.json() as T;
}

/**
 * Polls from the test side: Playwright's string predicates are evaluated with eval in the page, which the
 * dashboard's CSP (rightly) forbids.
 */
async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pageUrl = (hash: string): string => `${server.url}/${server.token ? `?token=${encodeURIComponent(server.token)}` : ''}#${hash}`;

// With a token the dashboard must carry it on every call (fetch, SSE, the label <img>): the harder path.
const token = 'e2e-token-0123456789abcdef';

before(async () => {
  if (skip) return;
  const web = await buildWeb({ outdir: mkdtempSync(join(tmpdir(), 'bulwark-e2e-web-')) });
  webOut = web.outdir;
  shots = mkdtempSync(join(tmpdir(), 'bulwark-e2e-shots-'));
  console.log(`# screenshots: ${shots}`);
  server = await startServer({ webRoot: web.outdir, token });
  browser = await launchBrowser();
  browser.page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
  if (shots) console.log(`# screenshots: ${shots}`);
});

test('the dashboard loads under its strict Content-Security-Policy', { skip }, async () => {
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<script type="module" src="app\.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<style|style="/, 'no inline script or style in index.html');
  const header = res.headers.get('content-security-policy') ?? '';
  assert.match(header, /default-src 'self'/);
  assert.doesNotMatch(header, /unsafe-inline|unsafe-eval/);
  await browser.page.goto(pageUrl('/'));
  await browser.page.getByRole('heading', { name: 'Network overview' }).waitFor();
  assert.equal(await browser.page.title(), 'Overview · Bulwark');
});

test('upload two real captures and follow their progress to done', { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/upload'));
  await page.getByRole('heading', { name: 'Upload a capture' }).waitFor();
  await page.setInputFiles('#capture-file', [dlink, telnet]);
  await page.locator('li.upload').nth(1).waitFor();
  await until(async () => await page.locator('li.upload[data-phase="done"]').count() === 2, 60_000);
  await shot('01-upload-done');
  const ids: string[] = [];
  for (const li of await page.locator('li.upload').all()) ids.push(await li.getAttribute('data-capture-id') ?? '');
  const summaries: Record<string, { devices: number; findings: number; packets: number }> = {};
  for (const id of ids) {
    const c = await api<{ status: string; filename: string; summary: { devices: number; findings: number; packets: number } }>(`/api/captures/${id}`);
    assert.equal(c.status, 'done');
    summaries[c.filename] = c.summary;
  }
  // Packet counts of the two files (tshark agrees); devices and findings need the engine's inventory and detectors.
  assert.equal(summaries['dlink-camera-setup.pcap'].packets, 624);
  assert.equal(summaries['telnet-raw.pcap'].packets, 272);
  assert.ok(summaries['dlink-camera-setup.pcap'].devices > 0, 'no devices: is the inventory wired into src/engine/analyze-captures.ts?');
  assert.ok(summaries['telnet-raw.pcap'].findings > 0, 'no findings: are the detectors wired into src/engine/analyze-captures.ts?');
  // The upload page shows the summary with links onwards.
  assert.match(await page.locator('li.upload[data-phase="done"]').first().innerText(), /Analysed [\d,]+ packets/);
  const failed = await page.locator('li.upload .notice-error').count();
  assert.equal(failed, 0);
});

test('devices appear, with the D-Link camera of the sample', { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/devices'));
  const rows = page.locator('table.devices tbody tr');
  await rows.first().waitFor();
  // The camera of samples/README.md: MAC b0:c5:54:25:5b:0e (D-Link OUI), DHCP host name dcs-935l5b0e.
  const camera = rows.filter({ hasText: 'b0:c5:54:25:5b:0e' });
  await camera.waitFor();
  assert.match(await camera.innerText(), /D-Link/i);
  // The telnet server of telnet-raw.pcap is there too.
  assert.ok(await rows.filter({ hasText: '192.168.0.1' }).count() >= 1, 'telnet server 192.168.0.1 listed');
  await shot('02-devices');

  // Filters: a search narrows the table to the camera.
  await page.getByLabel('Search').fill('b0:c5:54');
  await until(async () => await rows.count() === 1);
  assert.match(await rows.first().innerText(), /b0:c5:54:25:5b:0e/);
});

test('findings appear and one can be acknowledged', { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/findings'));
  const items = page.locator('li.finding');
  await items.first().waitFor();
  // telnet-raw.pcap: user 'fake' logs in to 192.168.0.1:23 with a cleartext password (packet 70).
  const telnetFinding = items.filter({ hasText: /credentials/i }).filter({ hasText: '192.168.0.1' }).first();
  await telnetFinding.waitFor();
  const id = await telnetFinding.getAttribute('data-finding-id');
  assert.ok(id);
  // Details (explanation, evidence packets) are one click away.
  await telnetFinding.locator('summary').click();
  await telnetFinding.locator('table.evidence').waitFor();
  // Evidence names the upload (not the server's stored file) and the login packet: frame 70 of telnet-raw.pcap.
  const evidence = await telnetFinding.locator('table.evidence tbody').innerText();
  assert.match(evidence, /telnet-raw\.pcap\s+70\s/);
  await shot('03-findings');

  await telnetFinding.locator('button[data-action="acknowledge"]').click();
  const acked = page.locator(`li.finding[data-finding-id="${id}"]`);
  await acked.locator('.status-acknowledged').waitFor();
  const stored = await api<{ status: string }>(`/api/findings/${encodeURIComponent(id)}`);
  assert.equal(stored.status, 'acknowledged');
  await shot('04-finding-acknowledged');

  // The status filter sees it.
  await page.goto(pageUrl('/findings?status=acknowledged'));
  await page.locator(`li.finding[data-finding-id="${id}"]`).waitFor();
});

test('overview shows grades, findings over time, top talkers and protocols', { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/'));
  await page.locator('.stat-value').first().waitFor();
  await until(async () => await page.locator('.stat-value').first().innerText() !== '—' && await page.locator('.bars li').count() > 0);
  const devices = Number((await page.locator('.stat-value').first().innerText()).replace(/\D/g, ''));
  assert.ok(devices >= 2, `device count ${devices}`);
  assert.ok(await page.locator('.uplot canvas').count() >= 1, 'a uPlot chart is drawn');
  assert.ok(await page.locator('text=Top talkers').count() >= 1);
  await shot('05-overview');
});

test("a device's page and its label open", { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/devices'));
  const camera = page.locator('table.devices tbody tr', { hasText: 'b0:c5:54:25:5b:0e' });
  await camera.locator('a').first().click();
  await page.locator('.device-head h1').waitFor();
  await page.getByRole('heading', { name: 'Why we think so' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Evidence/);
  await page.locator('img.label-img').waitFor();
  await shot('06-device');

  await page.getByRole('link', { name: 'Open label' }).click();
  const label = page.locator('img.label-full');
  await label.waitFor();
  await until(async () => await label.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0));
  await shot('07-label');

  // Naming the device sticks (PATCH /api/devices/:id).
  await page.goBack();
  await page.locator('#dev-name').fill('Hall camera');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Hall camera' }).waitFor();
  // The label on the page is the re-rendered one (a new URL, not the image the browser already holds).
  const img = page.locator('img.label-img');
  await until(async () => (await img.getAttribute('src') ?? '').includes('Hall%20camera'));
  const svg = await fetch(new URL(await img.getAttribute('src') ?? '', server.url)).then((r) => r.text());
  assert.ok(svg.includes('Hall camera'), 'the label SVG carries the new name');
});

test('pages keep basic accessibility: one h1, labelled controls, images with alt text', { skip }, async () => {
  const page = browser.page;
  for (const hash of ['/', '/devices', '/findings', '/upload']) {
    await page.goto(pageUrl(hash));
    await page.locator('main h1').first().waitFor();
    await page.locator('main [aria-busy="true"]').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('main h1').count(), 1, `${hash}: one h1`);
    for (const control of await page.locator('main input, main select, main button').all()) {
      const name = await control.evaluate((el) => {
        const e = el as unknown as { id: string; labels?: { length: number } | null; getAttribute(n: string): string | null; textContent: string | null; tagName: string };
        return (e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && (e.textContent ?? '').trim()) ? 'ok' : `${e.tagName}#${e.id}`;
      });
      assert.equal(name, 'ok', `${hash}: control without a label: ${name}`);
    }
    for (const img of await page.locator('main img').all()) assert.ok((await img.getAttribute('alt')) !== null, `${hash}: img without alt`);
  }
});

/** Words (whitespace-separated runs inside one text node) of the table cells under `root` that the browser split
 * over two lines. A long token split at a separator is several text nodes (softBreaks), each checked alone. */
// In-page functions: the test's TypeScript has no DOM library, so page objects are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;

async function splitWords(root: string): Promise<string[]> {
  return browser.page.locator(root).first().evaluate((host: Dom) => {
    const out: string[] = [];
    const doc: Dom = host.ownerDocument;
    for (const td of host.querySelectorAll('td')) {
      const walker = doc.createTreeWalker(td, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        const text: Dom = n;
        for (const m of (text.data as string).matchAll(/\S+/g)) {
          const range = doc.createRange();
          range.setStart(text, m.index);
          range.setEnd(text, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((r: Dom) => r.width > 0).map((r: Dom) => Math.round(r.top as number)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
}

/** Elements under main whose box ends right of the viewport (a page that scrolls sideways). */
async function overflowing(): Promise<string[]> {
  return browser.page.evaluate(() => {
    const document: Dom = (globalThis as Dom).document;
    const width = document.documentElement.clientWidth as number;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`page ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of document.querySelectorAll('main *') as Dom[]) {
      // Visually hidden text (clipped to 1 px, for screen readers) lies where it would be; it is not seen.
      if (el.closest('.visually-hidden, .chart-summary, table.stack thead, .skip')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} right ${Math.round(r.right)}`);
    }
    return out.slice(0, 10);
  });
}

const longName = 'Living-room-ceiling-camera-upstairs-backup-unit.example.local';

test('tables keep words whole at 1280 px; a long device name wraps at its separators, never off the page', { skip }, async () => {
  const page = browser.page;
  const devices = await api<{ items: { id: string; ips: { ip: string }[] }[] }>('/api/devices');
  const server01 = devices.items.find((d) => d.ips.some((b) => b.ip === '192.168.0.1'));
  assert.ok(server01, 'telnet server 192.168.0.1');
  const res = await fetch(`${server.url}/api/devices/${encodeURIComponent(server01.id)}`, {
    method: 'PATCH', body: JSON.stringify({ name: longName }),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  await page.setViewportSize({ width: 1280, height: 900 });
  for (const hash of ['/devices', '/']) {
    await page.goto(pageUrl(hash));
    await page.locator('table.data tbody tr').first().waitFor();
    await page.locator('main [aria-busy="true"]').first().waitFor({ state: 'detached' });
    assert.deepEqual(await splitWords('main'), [], `${hash}: words split over two lines`);
    assert.deepEqual(await overflowing(), [], `${hash}: nothing off the page`);
  }
  await page.goto(pageUrl('/devices'));
  const cell = page.locator('table.devices td', { hasText: 'upstairs' });
  await cell.waitFor();
  assert.equal((await cell.innerText()).replace(/\s+/g, ''), longName);
  await shot('08-long-name-1280');
});

test('a narrow (phone) screen: one column, table rows as labelled cards, nothing off the side', { skip }, async () => {
  const page = browser.page;
  await page.setViewportSize({ width: 375, height: 800 });
  try {
    for (const hash of ['/', '/devices', '/findings', `/devices/${encodeURIComponent('mac:b0:c5:54:25:5b:0e')}`, '/upload']) {
      await page.goto(pageUrl(hash));
      await page.locator('main h1').first().waitFor();
      await page.locator('main [aria-busy="true"]').first().waitFor({ state: 'detached' });
      await until(async () => await page.locator('main .loading:visible').count() === 0);
      assert.deepEqual(await overflowing(), [], `${hash} at 375 px`);
      await shot(`09-narrow${hash.replace(/[^a-z0-9]+/gi, '-')}`);
    }
    await page.goto(pageUrl('/devices'));
    const first = page.locator('table.devices tbody tr').first();
    await first.waitFor();
    // Each cell shows its column's name before the value; the header row is for screen readers only.
    const cells = await first.locator('td').evaluateAll((tds) => tds.map((td: Dom) => {
      const g: Dom = globalThis;
      return [td.getAttribute('data-label'), g.getComputedStyle(td, '::before').content, g.getComputedStyle(td).display] as string[];
    }));
    assert.deepEqual(cells.map((c) => c[0]), ['Grade', 'Device', 'Type', 'Vendor', 'Address', 'MAC', 'New findings', 'Data', 'Last seen']);
    for (const [label, before, display] of cells) {
      assert.equal(before, `"${label}"`);
      assert.equal(display, 'grid');
    }
    const head = await page.locator('table.devices thead').boundingBox();
    assert.ok(head !== null && head.width <= 1 && head.height <= 1, 'header row visually hidden');
    assert.deepEqual(await splitWords('table.devices'), [], 'words split at 375 px');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('count charts have whole-number ticks; colours come from the one palette', { skip }, async () => {
  const page = browser.page;
  await page.goto(pageUrl('/'));
  await until(async () => await page.locator('[data-y-ticks]').count() >= 2);
  const ticks = await page.locator('[data-y-ticks]').evaluateAll((els) => els.map((e) => e.getAttribute('data-y-ticks') ?? ''));
  for (const list of ticks) {
    const values = list.split(' ').map(Number);
    assert.ok(values.length >= 2, list);
    for (const v of values) assert.ok(Number.isInteger(v), `tick ${v} in ${list}`);
  }
  // Computed colours of a severity pill and a grade badge: the palette's (src/output/palette.ts).
  const rgb = (hex: string): string => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  const { severityColours, gradeColours } = await import('../../src/output/palette.ts');
  await page.goto(pageUrl('/findings'));
  const pill = page.locator('.sev-medium').first();
  await pill.waitFor();
  const colours = (e: Dom): string[] => {
    const style: Dom = (globalThis as Dom).getComputedStyle(e);
    return [style.backgroundColor, style.color];
  };
  assert.deepEqual(await pill.evaluate(colours),
    [rgb(severityColours.medium.bg), rgb(severityColours.medium.fg)]);
  await page.goto(pageUrl('/devices'));
  const badge = page.locator('table.devices .grade-C').first();
  await badge.waitFor();
  assert.deepEqual(await badge.evaluate(colours),
    [rgb(gradeColours.C.bg), rgb(gradeColours.C.fg)]);
});

test('no console errors, page errors or failed requests', { skip }, () => {
  assert.deepEqual(browser.errors, []);
});
