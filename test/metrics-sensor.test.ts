// `analyze --metrics`: a running sensor (reading a capture pipe that stays open) serves Prometheus metrics
// whose packet and byte totals reach tshark's for the bundled real capture (624 frames), in a form
// `promtool check metrics` accepts; the server goes away with the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/receivers.ts';
import { tsharkFields } from './support/tshark.ts';

const main = join(import.meta.dirname, '../src/cli/main.ts');
const sample = join(import.meta.dirname, '../samples/dlink-camera-setup.pcap');

function value(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('analyze --metrics on a live pipe: totals equal tshark\'s while it runs; promtool accepts the exposition', async () => {
  const frames = tsharkFields(sample, '', ['frame.len']).map((r) => Number(r[0]));
  const port = await freePort();
  const child = spawn(process.execPath, [main, 'analyze', '--quiet', '--metrics', `127.0.0.1:${port}`, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  try {
    child.stdin.write(readFileSync(sample));
    let text = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        if (value(text, 'bulwark_packets_total') === frames.length) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(value(text, 'bulwark_packets_total'), frames.length, stderr);
    assert.equal(value(text, 'bulwark_bytes_total'), frames.reduce((a, b) => a + b, 0));
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  } finally {
    child.stdin.end();
  }
  assert.equal(await exited, 0, stderr);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the endpoint closes with the run');
});
