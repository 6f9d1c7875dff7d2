/**
 * Live capture with real components: dumpcap capturing on one end of a veth pair, tcpreplay (Debian)
 * replaying a real capture into the other end, both ends inside a network namespace this test creates
 * (nothing is sent anywhere else). Needs root; skipped with the reason otherwise.
 *
 * Trace: test/traces/app-login/telnet-raw.pcap (CredSLayer's test sample, 272 packets): a telnet login
 * from 192.168.0.2 to 192.168.0.1 with user 'fake' and password 'user' (CredSLayer's expected output), at
 * frame 70 (the server's answer); the session goes on to frame 272 and closes with FINs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import type { FlowRecord } from '../../src/flow/types.ts';
import { jsonLines, liveTestBlocker, sleep, VethNamespace, waitFor } from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bulwarkJs = join(root, 'bin/bulwark.js');
const trace = join(root, 'test/traces/app-login/telnet-raw.pcap');
const tracePackets = 272; // capinfos: 272 packets
const blocker = liveTestBlocker();

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startBulwark(ns: VethNamespace, out: string, extra: string[] = []): Running {
  const child = spawn('ip', ns.argv([process.execPath, bulwarkJs, 'analyze', '--interface', ns.captureIf, '--out', out, '--sensor', 'ns-test', ...extra]), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exit };
}

function startReplay(ns: VethNamespace, pps: number): { done: boolean; exit: Promise<number | null>; stdout: () => string } {
  const child = spawn('ip', ns.argv(['tcpreplay', '-i', ns.replayIf, '--pps', String(pps), trace]), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.resume();
  const r = { done: false, stdout: () => out, exit: new Promise<number | null>((resolve) => child.once('exit', (code) => { r.done = true; resolve(code); })) };
  return r;
}

const flowKey = (f: Record<string, unknown>): string =>
  [f.transport, f.orig_ip, f.orig_port, f.resp_ip, f.resp_port, f.orig_pkts, f.resp_pkts, f.orig_wire_bytes ?? f.orig_bytes, f.resp_wire_bytes ?? f.resp_bytes, f.tcp_state, f.app ?? ''].join(' ');

test('live: findings while tcpreplay is still sending, quiet link closes flows and findings, SIGINT writes everything', { skip: blocker, timeout: 150_000 }, async () => {
  const ns = new VethNamespace('live');
  const out = mkdtempSync(join(tmpdir(), 'bulwark-live-'));
  let run: Running | undefined;
  try {
    const r = startBulwark(ns, out, ['--close-after', '4']);
    run = r;
    await waitFor('dumpcap to start', 20_000, () => (/capturing on/.test(r.stderr()) ? true : undefined));
    // 272 packets at 20/s: about 14 s; the login completes at frame 70 (3.5 s in).
    const replay = startReplay(ns, 20);
    const raised = await waitFor('a credentials.cleartext finding', 30_000, () =>
      jsonLines(join(out, 'findings.jsonl')).find((f) => f.detector === 'credentials.cleartext' && f.change === 'raised'));
    const stillSending = !replay.done;
    assert.ok(stillSending, 'the finding appeared before the replay ended');
    const devices = raised.devices as { ip: string }[];
    assert.deepEqual(devices.map((d) => d.ip).sort(), ['192.168.0.1', '192.168.0.2']);
    assert.match(String(raised.explanation), /user 'fake'/);
    assert.doesNotMatch(JSON.stringify(raised), /password u?ser\b|"user"/); // redacted in outputs
    assert.equal(await replay.exit, 0);
    assert.match(replay.stdout(), /Successful packets:\s+272/);

    // Quiet link: no packet arrives any more. The heartbeat ends the closed telnet flow (5 s after its FINs)
    // and closes the finding (--close-after 4) while the sensor keeps running.
    const file = await analyzeCaptures([trace]);
    await waitFor('the flow and the finding to close on the heartbeat', 30_000, () => {
      const flows = jsonLines(join(out, 'flows.jsonl')).filter((f) => f.end_reason === 'tcp_closed');
      const closed = jsonLines(join(out, 'findings.jsonl')).some((f) => f.detector === 'credentials.cleartext' && f.change === 'closed');
      return flows.length === 1 && closed ? true : undefined;
    });
    assert.equal(r.child.exitCode, null, 'still running');

    r.child.kill('SIGINT');
    assert.equal(await r.exit, 0, r.stderr());
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      packets: number; interrupted?: boolean; files: { capture?: { received?: number; dropped_kernel?: number; dropped_interface?: number } }[];
    };
    const capture = summary.files[0].capture;
    assert.ok(capture, 'dumpcap interface statistics read from its pcapng ISB');
    const dropped = (capture.dropped_kernel ?? 0) + (capture.dropped_interface ?? 0);
    // Every packet tcpreplay sent is accounted for: analysed, or reported as dropped.
    assert.equal(summary.packets + dropped, tracePackets, JSON.stringify(summary));
    assert.equal(summary.interrupted, true);

    if (dropped === 0) {
      // The same traffic as a file: the same flows (tuple, packets, bytes each way, state, app) and devices.
      const liveFlows = jsonLines(join(out, 'flows.jsonl')).map(flowKey).sort();
      const fileFlows = (await collectFlows()).map((f) => flowKey(f as unknown as Record<string, unknown>)).sort();
      assert.deepEqual(liveFlows, fileFlows);
      const liveDevices = (JSON.parse(readFileSync(join(out, 'devices.json'), 'utf8')) as { id: string; ips: { ip: string }[] }[])
        .map((d) => `${d.id} ${d.ips.map((b) => b.ip).sort().join(',')}`).sort();
      assert.deepEqual(liveDevices, file.devices.map((d) => `${d.id} ${d.ips.map((b) => b.ip).sort().join(',')}`).sort());
      assert.deepEqual(
        jsonLines(join(out, 'findings.jsonl')).filter((f) => f.change === 'closed').map((f) => `${f.detector} ${f.count}`).sort(),
        // exposure.service is raised when the flow ends: in the live run that is on the heartbeat, too.
        file.findings.map((f) => `${f.detector} ${f.count}`).sort(),
      );
    }
  } finally {
    if (run?.child.exitCode === null) run.child.kill('SIGKILL');
    ns.remove();
    rmSync(out, { recursive: true, force: true });
  }
});

test('live: Ctrl-C in the middle of a replay leaves complete JSON lines and summary.json, exit 0', { skip: blocker, timeout: 60_000 }, async () => {
  const ns = new VethNamespace('stop');
  const out = mkdtempSync(join(tmpdir(), 'bulwark-live-stop-'));
  let run: Running | undefined;
  try {
    const r = startBulwark(ns, out);
    run = r;
    await waitFor('dumpcap to start', 20_000, () => (/capturing on/.test(r.stderr()) ? true : undefined));
    const replay = startReplay(ns, 50); // 4 s
    await sleep(1500);
    r.child.kill('SIGINT');
    assert.equal(await r.exit, 0, r.stderr());
    await replay.exit;
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; interrupted?: boolean; flows: { total: number } };
    assert.equal(summary.interrupted, true);
    assert.ok(summary.packets > 0 && summary.packets < tracePackets, `${summary.packets}`);
    for (const f of ['flows.jsonl', 'events.jsonl', 'findings.jsonl']) jsonLines(join(out, f)); // throws on a cut line
    // Every flow seen was written (ended at the stop).
    assert.equal(jsonLines(join(out, 'flows.jsonl')).length, summary.flows.total);
  } finally {
    if (run?.child.exitCode === null) run.child.kill('SIGKILL');
    ns.remove();
    rmSync(out, { recursive: true, force: true });
  }
});

async function collectFlows(): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  await analyzeCaptures([trace], { onFlow: (f) => flows.push(f), detectors: [], assess: false });
  return flows as FlowRecord[];
}
