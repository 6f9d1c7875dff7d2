/**
 * Issue #11, fault 3: pcapng times that no date can hold (if_tsoffset of ±9e15 s, if_tsresol of whole seconds
 * with a raw count of 2^64 - 1) made every command exit with "RangeError: Invalid time value". Each such packet
 * is now an anomaly and keeps the time of the packet before it; every formatter answers for any number.
 * Packets: DHCP frames of test/traces/capture/dhcp.pcap (Zeek's dhcp.pcap), re-framed in a written pcapng.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapngWriter, pcapRecords } from '../../src/capture/test-support.ts';
import { isoTime, MAX_TIME_SEC, TIMESTAMP_OUT_OF_RANGE } from '../../src/capture/time-range.ts';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { buildReportData } from '../../src/output/report/data.ts';
import { renderHtml } from '../../src/output/report/html.ts';
import { summaryText } from '../../src/output/summary-text.ts';
import { deviceTable } from '../../src/output/devices-text.ts';
import { findingsTable, timeSpan } from '../../src/output/findings-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-ts-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const frames = pcapRecords(readFileSync(join(import.meta.dirname, '../traces/capture/dhcp.pcap'))).map((r) => r.data);

/** Interface 0: offset +9.007e15 s; 1: resolution 1 s; 2: offset -9e15 s; 3: ordinary microseconds. */
function hostilePcapng(): string {
  const w = new PcapngWriter().section(true)
    .interface(1, 65535, { tsoffset: 9007199254740000n })
    .interface(1, 65535, { tsresol: 0 })
    .interface(1, 65535, { tsoffset: -9000000000000000n })
    .interface(1, 65535);
  w.enhanced(3, 1_700_000_000_000_000n, frames[0]);
  w.enhanced(0, 1_000_000n, frames[1]);
  w.enhanced(1, 0xffffffffffffffffn, frames[2]);
  w.enhanced(2, 5n, frames[3]);
  w.enhanced(3, 1_700_000_001_000_000n, frames[0]);
  const path = join(dir, 'hostile-times.pcapng');
  writeFileSync(path, w.bytes());
  return path;
}

test('isoTime answers for any number', () => {
  assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
  assert.equal(isoTime(MAX_TIME_SEC), '+275760-09-13T00:00:00.000Z');
  for (const v of [NaN, Infinity, -Infinity, 1e300, -1e300, MAX_TIME_SEC + 1, null, undefined]) assert.equal(isoTime(v as number), '-');
  assert.doesNotThrow(() => timeSpan(1e300, Infinity));
});

test('out-of-range packet times: one anomaly per packet, times stay in range, every output renders', async () => {
  const path = hostilePcapng();
  // tshark reads all five frames (its own view of the odd times aside).
  const tshark = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.equal(tshark.length, 5);
  const r = await analyzeCaptures([path]);
  assert.equal(r.summary.packets, 5);
  assert.equal(r.summary.anomalies[TIMESTAMP_OUT_OF_RANGE], 3);
  assert.equal(r.summary.first_ts, 1_700_000_000);
  assert.equal(r.summary.last_ts, 1_700_000_001);
  for (const d of r.devices) assert.ok(Math.abs(d.first_ts) <= MAX_TIME_SEC && Math.abs(d.last_ts) <= MAX_TIME_SEC);
  const data = buildReportData({ summary: r.summary, devices: r.devices, findings: r.findings, facts: r.facts, assessments: r.assessments });
  assert.doesNotThrow(() => renderHtml(data));
  assert.doesNotThrow(() => summaryText(r.summary));
  // Records built elsewhere (an old store, a merge) may still carry absurd times: formatting must not throw.
  const absurd = r.devices.map((d) => ({ ...d, first_ts: 1e300, last_ts: NaN }));
  assert.doesNotThrow(() => deviceTable(absurd));
  assert.doesNotThrow(() => findingsTable(r.findings.map((f) => ({ ...f, first_ts: -1e300, last_ts: Infinity }))));
  assert.doesNotThrow(() => renderHtml(buildReportData({ summary: { ...r.summary, first_ts: -1e300, last_ts: 1e300 }, devices: absurd, findings: [], facts: r.facts })));
});

test('the CLI commands exit 0 on it, never "internal error"', () => {
  const path = hostilePcapng();
  const bin = join(import.meta.dirname, '../../bin/bulwark.js');
  for (const args of [['analyze', '--quiet', path], ['report', '-q', '-o', join(dir, 'r.html'), path]]) {
    const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    assert.doesNotMatch(run.stderr, /internal error|RangeError/);
    assert.equal(run.status, 0, run.stderr);
  }
});
