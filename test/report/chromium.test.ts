// The HTML report and a label rendered in Debian's Chromium with every non-data: request aborted: no console
// errors, no fetch attempted, content visible, a screenshot taken (under os.tmpdir(), path printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportCommand } from '../../src/cli/report.ts';
import { assessDevice } from '../../src/assess/assess.ts';
import { labelSvg } from '../../src/output/label/svg.ts';
import { chromiumAvailable, launchOffline, type OfflineBrowser } from './support/browser.ts';
import { analysis } from './support/analysis.ts';

const root = resolve(import.meta.dirname, '..', '..');
const skip = chromiumAvailable() ? false : 'Chromium not installed at /usr/bin/chromium';
const shots = mkdtempSync(join(tmpdir(), 'bulwark-report-screenshots-'));
let browser: OfflineBrowser;
let pageUrl = '';

before(async () => {
  if (skip) return;
  browser = await launchOffline((url) => url === pageUrl);
});

after(async () => {
  await browser?.close();
  console.log(`# report screenshots: ${shots}`);
});

test('the report renders offline without errors and shows devices, findings and grades', { skip }, async () => {
  const file = join(shots, 'report.html');
  assert.equal(await reportCommand([join(root, 'samples/dlink-camera-setup.pcap'), join(root, 'test/traces/report/dlink-siren-setup.pcap'), '-o', file, '-q']), 0);
  pageUrl = pathToFileURL(file).href;
  const page = browser.page;
  await page.goto(pageUrl);
  await page.getByRole('heading', { name: 'Network overview' }).waitFor();
  assert.equal(await page.locator('article.device').count() >= 2, true);
  assert.match(await page.locator('table.devices').innerText(), /D-Link DCS-935L/);
  assert.match(await page.locator('table.devices').innerText(), /D-Link DCH-S220/);
  // Labels are inline SVG that the browser parsed and laid out.
  const labelBox = await page.locator('article.device .label svg').first().boundingBox();
  assert.ok(labelBox && labelBox.width > 250 && labelBox.height > 350, JSON.stringify(labelBox));
  const timeline = await page.locator('svg.timeline').boundingBox();
  assert.ok(timeline && timeline.width > 500);
  // Expert details are one click away.
  const details = page.locator('details.assessment').first();
  assert.equal(await details.getAttribute('open'), null);
  await details.locator('summary').click();
  assert.match(await details.innerText(), /5\.5-1/);
  await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
  assert.deepEqual(browser.errors, []);
  assert.deepEqual(browser.blocked, [], 'no request beyond the file and data: URLs');
});

test('a label SVG parses and renders on its own', { skip }, async () => {
  const a = await analysis(join(root, 'test/traces/pipeline/telnet-raw.pcap'));
  const device = a.devices.find((d) => d.id === 'mac:00:00:c0:9f:a0:97')!;
  const svgFile = join(shots, 'label.svg');
  writeFileSync(svgFile, labelSvg(assessDevice(device, a.findings, a.facts), device));
  pageUrl = pathToFileURL(svgFile).href;
  await browser.page.goto(pageUrl);
  // An XML parse error would replace the document with an error page without an <svg> root.
  // The page function runs in the browser; the expression string keeps DOM types out of this Node project.
  assert.equal(await browser.page.evaluate('document.documentElement.nodeName'), 'svg');
  const text = String(await browser.page.evaluate('document.documentElement.textContent'));
  assert.match(text, /BULWARK SECURITY LABEL/);
  assert.match(text, /It sends passwords in clear text/);
  await browser.page.screenshot({ path: join(shots, 'label.png') });
  assert.deepEqual(browser.errors, []);
  assert.deepEqual(browser.blocked, []);
});

// In-page functions: this project's TypeScript has no DOM library, so page objects are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;

test('the report keeps table words whole at 1280 px and reads on a 375 px phone screen', { skip }, async () => {
  const file = join(shots, 'report-widths.html');
  assert.equal(await reportCommand([join(root, 'samples/dlink-camera-setup.pcap'), join(root, 'test/traces/pipeline/telnet-raw.pcap'), '-o', file, '-q']), 0);
  pageUrl = pathToFileURL(file).href;
  const page = browser.page;
  const split = (): Promise<string[]> => page.evaluate(() => {
    const doc: Dom = (globalThis as Dom).document;
    const out: string[] = [];
    for (const td of doc.querySelectorAll('main td') as Dom[]) {
      const walker = doc.createTreeWalker(td, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        // A break after a hyphen is ordinary typography ("per-|device"); anything else inside a word is not.
        for (const m of (n.data as string).matchAll(/[^\s-]+-?/g)) {
          const range = doc.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          if (new Set([...range.getClientRects()].filter((r: Dom) => r.width > 0).map((r: Dom) => Math.round(r.top as number))).size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
  const overflowing = (): Promise<string[]> => page.evaluate(() => {
    const doc: Dom = (globalThis as Dom).document;
    const width = doc.documentElement.clientWidth as number;
    const out: string[] = [];
    if (doc.documentElement.scrollWidth > width) out.push(`page ${doc.documentElement.scrollWidth} > ${width}`);
    for (const el of doc.querySelectorAll('main *') as Dom[]) {
      const r = el.getBoundingClientRect();
      // Visually hidden header rows (clipped to 1 px, for screen readers) are not seen.
      if (r.width > 0 && r.right > width + 1 && !el.closest('table.stack thead')) out.push(`${String(el.tagName).toLowerCase()}.${String(el.getAttribute('class') ?? '')} right ${Math.round(r.right as number)}`);
    }
    return out.slice(0, 10);
  });
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pageUrl);
    await page.getByRole('heading', { name: 'Network overview' }).waitFor();
    assert.deepEqual(await split(), [], 'words split over two lines at 1280 px');
    assert.deepEqual(await overflowing(), [], 'nothing off the page at 1280 px');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(pageUrl);
    await page.getByRole('heading', { name: 'Network overview' }).waitFor();
    assert.deepEqual(await overflowing(), [], 'nothing off the side at 375 px');
    await page.screenshot({ path: join(shots, 'report-375.png'), fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});
