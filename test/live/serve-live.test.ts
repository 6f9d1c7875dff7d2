/**
 * `serve --interface` end to end with real components: the server captures (dumpcap) on one end of a veth
 * pair while tcpreplay (Debian) replays a real capture into the other end, both inside a network namespace
 * this test creates; Debian's Chromium (playwright-core), started inside the same namespace, shows the
 * dashboard. The finding must appear in the open findings list while the replay is still running, without
 * a reload; after SIGINT the final batch is stored (exit 0) and the store holds the replay's devices and
 * the finding; its evidence package, cut from serve's packet ring, holds the replayed bytes. Needs root and Chromium; skipped with the reason otherwise.
 *
 * Trace: test/traces/app-login/telnet-raw.pcap (CredSLayer sample, 272 packets): a telnet login from
 * 192.168.0.2 to 192.168.0.1, user 'fake', at frame 70.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildWeb } from '../../web/build.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { chromiumArgs, chromiumAvailable, chromiumPath } from '../e2e/support/browser.ts';
import { liveTestBlocker, sleep, VethNamespace, waitFor } from './support.ts';
import { tsharkFields } from '../support/tshark.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bulwarkJs = join(root, 'bin/bulwark.js');
const trace = join(root, 'test/traces/app-login/telnet-raw.pcap');
const blocker = liveTestBlocker() ?? (chromiumAvailable() ? undefined : `Chromium not installed at ${chromiumPath}`);

/** Raw bytes of every frame of a capture, by tshark (hex), in file order. */
function frameBytes(path: string): string[] {
  const r = spawnSync('tshark', ['-r', path, '-T', 'json', '-x'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return (JSON.parse(r.stdout) as { _source: { layers: { frame_raw: [string] } } }[]).map((p) => p._source.layers.frame_raw[0]);
}

test('serve --interface: a finding appears in the dashboard while the replay runs, no reload; SIGINT stores the final state', { skip: blocker, timeout: 180_000 }, async () => {
  await buildWeb(); // web/dist, which serve uses
  const ns = new VethNamespace('serve');
  const work = mkdtempSync(join(tmpdir(), 'bulwark-serve-live-'));
  const db = join(work, 'bulwark.db');
  ns.exec(['ip', 'link', 'set', 'lo', 'up']);
  // Chromium runs inside the namespace too: the server listens on the namespace's loopback.
  const wrapper = join(work, 'chromium-in-ns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${chromiumPath} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const server = spawn('ip', ns.argv([process.execPath, bulwarkJs, 'serve', '--interface', ns.captureIf, '--port', '0', '--db', db, '--no-profiles', '--sensor', 'ns-serve']), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  server.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  server.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const profile = mkdtempSync(join(tmpdir(), 'bulwark-chromium-'));
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    const url = await waitFor('the server to listen and capture', 30_000, () => /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] && /capturing on/.test(out) ? /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1] : undefined);
    context = await chromium.launchPersistentContext(profile, { executablePath: wrapper, headless: true, args: chromiumArgs, timeout: 30_000 });
    const page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let loads = 0;
    page.on('load', () => void loads++);
    await page.goto(`${url}/#/findings`);
    await page.getByText('No findings yet').waitFor({ timeout: 15_000 });
    const loadsBefore = loads;

    // 272 packets at 20/s: about 14 s; the login completes at frame 70 (3.5 s in).
    const replay = spawn('ip', ns.argv(['tcpreplay', '-i', ns.replayIf, '--pps', '20', trace]), { stdio: 'ignore' });
    let replayDone = false;
    const replayExit = new Promise<number | null>((resolve) => replay.once('exit', (code) => { replayDone = true; resolve(code); }));
    const item = page.locator('ul.findings li').filter({ hasText: /telnet|cleartext|password/i });
    await item.first().waitFor({ timeout: 30_000 });
    assert.equal(replayDone, false, 'the finding appeared while the replay was still running');
    assert.equal(loads, loadsBefore, 'no reload: the list updated itself');
    const text = await item.first().innerText();
    assert.match(text, /192\.168\.0\.(1|2)/);

    // The devices list follows too: the client at once, the server once its flow ends (5 s after the FINs).
    await page.goto(`${url}/#/devices`);
    const loadsOnDevices = loads;
    await page.locator('table.devices').getByText('192.168.0.2', { exact: true }).waitFor({ timeout: 15_000 });
    assert.equal(await replayExit, 0);
    await page.locator('table.devices').getByText('192.168.0.1', { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(loads, loadsOnDevices, 'no reload');
    assert.deepEqual(errors, []);

    // While serve runs: the finding's evidence package, cut from its packet ring (beside the store) by
    // another process, holds the replayed bytes.
    const reader = new SqliteStore(db);
    const live = (await reader.listFindings({ limit: 100, offset: 0 })).items.map((j) => JSON.parse(j) as { id: string; detector: string });
    await reader.close();
    const credId = live.find((f) => f.detector === 'credentials.cleartext')!.id;
    const pkg = join(work, 'pkg');
    const env = { ...process.env, BULWARK_KEYS: join(work, 'keys') };
    const made = spawnSync(process.execPath, [bulwarkJs, 'evidence', '--finding', credId, '--ring', join(work, 'bulwark-ring'), '--db', db, '--out', pkg], { encoding: 'utf8', env });
    assert.equal(made.status, 0, made.stderr);
    const packed = tsharkFields(join(pkg, 'evidence.pcapng'), '', ['frame.comment']).map(([c]) => Number(/packet (\d+)/.exec(c)?.[1]));
    assert.ok(packed.length > 0);
    const original = frameBytes(trace);
    frameBytes(join(pkg, 'evidence.pcapng')).forEach((hex, i) => assert.equal(hex, original[packed[i] - 1], `packet ${packed[i]}`));
    await sleep(1500);
    server.kill('SIGINT');
    assert.equal(await exit, 0, err);
    assert.match(err, /live capture stopped: 272 packets, 0 dropped/);
    assert.match(err, /API event-loop delay p99 [\d.]+ ms/);
  } finally {
    await context?.close().catch(() => undefined);
    if (server.exitCode === null) server.kill('SIGKILL');
    ns.remove();
    rmSync(profile, { recursive: true, force: true });
  }
  try {
    // The final batch: the sensor's segment ended, every finding closed at the stop, the replay's devices.
    const store = new SqliteStore(db);
    const findings = (await store.listFindings({ limit: 100, offset: 0 })).items.map((j) => JSON.parse(j) as { id: string; detector: string; state?: string; closed_ts?: number });
    const cred = findings.find((f) => f.detector === 'credentials.cleartext');
    assert.ok(cred, JSON.stringify(findings));
    // Replaced, not summed: the stored finding is the sensor's final state, as the same capture analysed as a file.
    const stored = JSON.parse((await store.getFinding(cred.id, true))!) as { count: number; state: string; occurrence: number };
    const fileCred = (await analyzeCaptures([trace])).findings.find((f) => f.detector === 'credentials.cleartext')!;
    assert.deepEqual([stored.count, stored.occurrence, stored.state], [fileCred.count, fileCred.occurrence, 'closed']);
    const sensors = await store.listSensors();
    assert.equal(sensors.length, 1);
    assert.equal(sensors[0].sensor, 'ns-serve');
    assert.equal(sensors[0].status?.packets, 272);
    const devices = (await store.listDevices({ limit: 100, offset: 0 })).items.map((j) => JSON.parse(j) as { ips?: { ip: string }[] });
    const ips = devices.flatMap((d) => (d.ips ?? []).map((b) => b.ip)).sort();
    assert.deepEqual(ips, ['192.168.0.1', '192.168.0.2']);
    await store.close();

  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
