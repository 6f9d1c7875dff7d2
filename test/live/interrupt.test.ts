/**
 * Ctrl-C during a file analysis: `tcpdump -w - | bulwark analyze --out DIR -` stopped while the pipe is
 * still open. Every record written must be a complete JSON line, summary.json must be written and account
 * for exactly the packets that were sent (counted here from the pcap record headers), and the exit code 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines, waitFor } from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The first 400 packets of Slips' SSH brute-force capture (test/traces/detect/PROVENANCE.md).
const trace = join(root, 'test/traces/detect/ssh-bruteforce.first-400.pcap');

/** Byte length of the pcapng blocks up to and including the `n`-th enhanced packet block (little-endian file). */
function prefixOfPackets(bytes: Buffer, n: number): number {
  assert.equal(bytes.readUInt32LE(0), 0x0a0d0d0a, 'pcapng section header');
  let off = 0;
  let packets = 0;
  while (packets < n) {
    const type = bytes.readUInt32LE(off);
    off += bytes.readUInt32LE(off + 4);
    if (type === 6) packets++;
  }
  return off;
}

test('SIGINT while reading a pipe: complete JSON lines, summary.json with every packet sent, exit 0', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'bulwark-int-'));
  let stopAtEnd: ChildProcess | undefined;
  try {
    const bytes = readFileSync(trace);
    const sent = 250;
    const child = spawn(process.execPath, [join(root, 'bin/bulwark.js'), 'analyze', '--quiet', '--out', out, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.resume();
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.write(bytes.subarray(0, prefixOfPackets(bytes, sent)));
    stopAtEnd = child;
    // The pipe stays open (the capture goes on); flows that ended are written within about a second.
    await waitFor('the first flows on disk', 20_000, () => (jsonLines(join(out, 'flows.jsonl')).length > 0 ? true : undefined));
    child.kill('SIGINT');
    assert.equal(await exit, 0, stderr);
    child.stdin.destroy();
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; interrupted?: boolean; partial: boolean; flows: { total: number } };
    assert.equal(summary.packets, sent);
    assert.equal(summary.interrupted, true);
    assert.equal(summary.partial, false);
    const flows = jsonLines(join(out, 'flows.jsonl'));
    assert.equal(flows.length, summary.flows.total);
    assert.equal(flows.reduce((n, f) => n + (f.orig_pkts as number) + (f.resp_pkts as number), 0), sent);
    jsonLines(join(out, 'events.jsonl'));
    const findings = jsonLines(join(out, 'findings.jsonl'));
    // Open findings are closed by the stop: every raised one has its closing line.
    const raised = findings.filter((f) => f.change === 'raised').map((f) => f.id).sort();
    assert.deepEqual(findings.filter((f) => f.change === 'closed').map((f) => f.id).sort(), raised);
    JSON.parse(readFileSync(join(out, 'devices.json'), 'utf8'));
    JSON.parse(readFileSync(join(out, 'assessments.json'), 'utf8'));
  } finally {
    if (stopAtEnd?.exitCode === null) stopAtEnd.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
});
