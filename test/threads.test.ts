// --threads: the pipeline in a worker thread must give exactly what one thread gives — the same events in
// the same order, the same flows, devices, findings, cases, assessments and run summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisSession, type AnalysisResult } from '../src/engine/session.ts';
import { ThreadedPipeline, WORKER_BUNDLE } from '../src/engine/threaded-pipeline.ts';
import { buildCliBundle, WORKER_BUNDLE_SCRIPT } from '../scripts/cli-bundle.ts';
import type { EventRecord } from '../src/pipeline/analyze.ts';
import type { FlowRecord } from '../src/flow/types.ts';

const root = join(import.meta.dirname, '..');
const traces = join(root, 'test/traces');

// Several captures in one run (flows continue across files, the clock jumps back at each file): real IoT
// set-up traffic, a Mirai brute force and a scan, MQTT with credentials, and a capture that is not a capture.
const inputs = [
  join(root, 'samples/dlink-camera-setup.pcap'),
  join(traces, 'detect/mirai-bruteforce.generated.pcap'),
  join(traces, 'detect/scan-order-horizontal.generated.pcap'),
  join(traces, 'pipeline/mqtt311-pub-userpass.pcap'),
];

interface Run {
  result: AnalysisResult;
  events: EventRecord[];
  flows: FlowRecord[];
  threaded: boolean;
}

/** `outputs`: subscribe to every event and flow as outputs do (plain records); else only the later stages do. */
async function analyse(files: string[], threads: number, outputs = true): Promise<Run> {
  const events: EventRecord[] = [];
  const flows: FlowRecord[] = [];
  const session = new AnalysisSession({
    threads,
    minThreadBytes: 0,
    resolveEvidence: false,
    ...(outputs ? { onEvent: (ev: EventRecord) => events.push(ev), onFlow: (f: FlowRecord) => flows.push(f) } : {}),
  });
  const result = await session.run(files);
  const threaded = session.pipeline instanceof ThreadedPipeline && session.pipeline.threaded;
  return { result, events, flows, threaded };
}

/** Every input of the comparisons: the runs above, the inventory traces, and a file that is not a capture. */
function allInputs(dir: string): string[] {
  const notCapture = join(dir, 'not-a-capture.pcap');
  writeFileSync(notCapture, 'this is text, not a capture\n');
  const inventoryTraces = execFileSync('find', [join(traces, 'inventory'), '-name', '*.pcap*'], { encoding: 'utf8' }).trim().split('\n').sort();
  return [...inputs, ...inventoryTraces, notCapture];
}

/** The summary without the run's wall time (it differs between any two runs). */
function timeless(r: AnalysisResult): unknown {
  return { ...r.summary, wall_s: 0, packets_per_s: 0 };
}

test('a pipeline worker gives the results of one thread: events, flows, devices, findings, summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-threads-'));
  try {
    const files = allInputs(dir);
    const one = await analyse(files, 1);
    const two = await analyse(files, 2);
    assert.equal(one.threaded, false);
    assert.equal(two.threaded, true, 'the second run used a worker');
    // Not a vacuous comparison: the single-threaded run found something in each stage.
    assert.ok(one.result.findings.length > 0 && one.result.devices.length > 0 && one.flows.length > 0 && one.events.length > 0);
    assert.equal(one.result.summary.files.at(-1)?.error !== undefined, true, 'the text file is reported as a bad capture');
    assert.equal(two.events.length, one.events.length, 'event count');
    assert.deepEqual(two.events, one.events, 'events, in order');
    // Outputs write the fields in the order they come: the records crossed in a binary form (src/engine/record-codec.ts),
    // so the key order is checked too (deepEqual does not look at it).
    assert.equal(JSON.stringify(two.events), JSON.stringify(one.events), 'events as written, key order included');
    assert.equal(JSON.stringify(two.flows), JSON.stringify(one.flows), 'flow records as written, key order included');
    assert.equal(two.result.summary.flows.total, one.result.summary.flows.total, 'flow count');
    assert.deepEqual(two.flows, one.flows, 'flow records, in order');
    assert.deepEqual(two.result.devices, one.result.devices, 'devices');
    assert.deepEqual(two.result.findings, one.result.findings, 'findings');
    assert.deepEqual(two.result.cases, one.result.cases, 'cases');
    assert.deepEqual(two.result.assessments, one.result.assessments, 'assessments');
    assert.deepEqual(timeless(two.result), timeless(one.result), 'run summary');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with only the later stages subscribed, records cross lazily and the results are still those of one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-threads-'));
  try {
    const files = allInputs(dir);
    const one = await analyse(files, 1, false);
    const two = await analyse(files, 2, false);
    assert.equal(two.threaded, true, 'the second run used a worker');
    const session = new AnalysisSession({ threads: 2 });
    assert.ok(session.pipeline.lazyFlows() && session.pipeline.lazyEvents('flow.start'), 'the later stages read by name: records cross lazily');
    assert.ok(one.result.findings.length > 0 && one.result.devices.length > 0);
    assert.deepEqual(two.result.devices, one.result.devices, 'devices');
    assert.deepEqual(two.result.findings, one.result.findings, 'findings');
    // Findings as written: their evidence names flows by Community ID, read from the lazy records where reported.
    assert.match(JSON.stringify(one.result.findings), /"community_id":"1:/, 'evidence with Community IDs');
    assert.equal(JSON.stringify(two.result.findings), JSON.stringify(one.result.findings), 'findings as written');
    assert.deepEqual(two.result.cases, one.result.cases, 'cases');
    assert.deepEqual(two.result.assessments, one.result.assessments, 'assessments');
    assert.deepEqual(timeless(two.result), timeless(one.result), 'run summary');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker bundled as the command line bundles it gives the results of its modules, and the run loads it', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-worker-bundle-'));
  const given = globalThis as Record<symbol, unknown>;
  t.after(() => {
    delete given[WORKER_BUNDLE];
    rmSync(dir, { recursive: true, force: true });
  });
  // The checkout's form, as bin/bulwark.js builds it and then names the worker's bundle to the run.
  await buildCliBundle({ root, outdir: dir, sourceRoot: join(root, 'src'), sourceExt: '.ts', format: 'cjs' });
  const one = await analyse(inputs, 1);
  given[WORKER_BUNDLE] = pathToFileURL(join(dir, WORKER_BUNDLE_SCRIPT)).href;
  const two = await analyse(inputs, 2);
  assert.equal(two.threaded, true);
  assert.ok(one.result.findings.length > 0 && one.flows.length > 0);
  assert.equal(JSON.stringify(two.events), JSON.stringify(one.events), 'events as written');
  assert.equal(JSON.stringify(two.flows), JSON.stringify(one.flows), 'flow records as written');
  assert.deepEqual(two.result.devices, one.result.devices, 'devices');
  assert.deepEqual(two.result.findings, one.result.findings, 'findings');
  assert.deepEqual(timeless(two.result), timeless(one.result), 'run summary');
  // The worker came from that URL: one that names no file fails the run.
  given[WORKER_BUNDLE] = pathToFileURL(join(dir, 'worker/none.mjs')).href;
  await assert.rejects(analyse(inputs, 2), /none\.mjs|Cannot find module/);
});

test('small inputs and standard input stay on one thread', async () => {
  const session = new AnalysisSession({ threads: 4, resolveEvidence: false });
  const result = await session.run([inputs[0]]);
  assert.ok(session.pipeline instanceof ThreadedPipeline);
  assert.equal(session.pipeline.threaded, false, 'a 147 kB capture is below the worker threshold');
  // tshark -r samples/dlink-camera-setup.pcap | wc -l → 624 frames.
  assert.equal(result.summary.packets, 624);
});

test('stopping a threaded run ends it with what was read, flushed and marked interrupted', async () => {
  const stop = new AbortController();
  stop.abort();
  const session = new AnalysisSession({ threads: 2, minThreadBytes: 0, resolveEvidence: false });
  const result = await session.run([inputs[0]], { signal: stop.signal });
  assert.equal(result.summary.interrupted, true);
});
