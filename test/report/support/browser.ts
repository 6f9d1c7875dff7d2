/**
 * Debian's Chromium driven by playwright-core (never `npx playwright install`), fresh profile, and every
 * request that is not a data: URL or the page itself failed and recorded: the report must need no network.
 * @module
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const chromiumPath = '/usr/bin/chromium';
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

export interface OfflineBrowser {
  page: Page;
  /** Console errors and page errors. */
  errors: string[];
  /** URLs of requests other than data: and the file:// page itself (each was aborted). */
  blocked: string[];
  close(): Promise<void>;
}

export async function launchOffline(allowUrl: (url: string) => boolean): Promise<OfflineBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'bulwark-report-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args, viewport: { width: 1280, height: 900 }, timeout: 30_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || allowUrl(url)) await route.continue();
    else {
      blocked.push(url);
      await route.abort();
    }
  });
  return {
    page, errors, blocked,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
