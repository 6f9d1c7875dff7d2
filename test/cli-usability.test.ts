// The command line as a new user meets it: typos get "did you mean", 'analyse' works, a missing file is named
// without a summary of zeros, a folder is analysed in one run, --indicators reaches the indicator detector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkFields } from './support/tshark.ts';
import { closest, editDistance } from '../src/cli/suggest.ts';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
const bulwark = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'bulwark-cfg-')) } });
const sample = new URL('../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const net = (n: string): string => new URL(`./traces/detect-net/${n}`, import.meta.url).pathname;
const packets = (path: string): number => tsharkFields(path, '', ['frame.number']).length;

test('did you mean: edit distance with transpositions, only within a typo\'s reach', () => {
  assert.equal(editDistance('anlayze', 'analyze'), 1);
  assert.equal(closest('anlayze', ['analyze', 'devices', 'report']), 'analyze');
  assert.equal(closest('jsn', ['json', 'out', 'quiet']), 'json');
  assert.equal(closest('show-secret', ['show-secrets', 'json']), 'show-secrets');
  assert.equal(closest('frobnicate', ['analyze', 'devices', 'report', 'serve']), undefined);
});

test('❌ unknown command and option: exit 2 with a suggestion', () => {
  const cmd = bulwark('anlyze', sample);
  assert.equal(cmd.status, 2);
  assert.match(cmd.stderr, /unknown command 'anlyze'; did you mean 'analyze'\?/);
  const opt = bulwark('analyze', '--jsn', sample);
  assert.equal(opt.status, 2);
  assert.match(opt.stderr, /unknown option '--jsn'; did you mean '--json'\?/);
  assert.match(bulwark('analyze', '--show-secret', sample).stderr, /did you mean '--show-secrets'/);
});

test('❌ analyse is analyze', () => {
  const r = bulwark('analyse', '--quiet', sample);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^packets=${packets(sample)} `));
});

test('❌ a missing file: its error, exit 4, and no summary of zeros', () => {
  const r = bulwark('analyze', '/nonexistent/capture.pcap');
  assert.equal(r.status, 4);
  assert.match(r.stderr, /\/nonexistent\/capture\.pcap: no such file/);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /packets\s+0|flows\s+0/);
  // With a readable capture beside it, the capture is analysed and the run is partial (exit 3).
  const mixed = bulwark('analyze', '--quiet', '/nonexistent/capture.pcap', sample);
  assert.equal(mixed.status, 3);
  assert.match(mixed.stdout, new RegExp(`^packets=${packets(sample)} `));
});

test('❌ analyze DIR: every capture under the folder, in one run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-dir-'));
  mkdirSync(join(dir, 'sub'));
  copyFileSync(sample, join(dir, 'a.pcap'));
  copyFileSync(net('hakai-c2-cut.pcap'), join(dir, 'sub', 'b.pcap'));
  copyFileSync(new URL('../package.json', import.meta.url), join(dir, 'notes.json'));
  const r = bulwark('analyze', '--quiet', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^packets=${packets(sample) + packets(net('hakai-c2-cut.pcap'))} `));
});

for (const list of ['hakai-c2.txt', 'iocs.stix.json', 'hakai-c2.misp.json']) {
  test(`❌ --indicators ${list} reaches c2.indicator`, () => {
    const r = bulwark('analyze', '--json', '--quiet', '--indicators', net(`indicators/${list}`), net('hakai-c2-cut.pcap'));
    assert.equal(r.status, 0, r.stderr);
    const findings = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((x) => x.type === 'finding' && x.detector === 'c2.indicator');
    // The list names 178.128.185.250; tshark: the cut's SYNs to port 50 go to it and to 128.185.250.50.
    assert.ok(findings.some((f) => String(f.title).includes('178.128.185.250')), JSON.stringify(findings.map((f) => f.title)));
  });
}

test('--indicators with a missing list is a usage error', () => {
  const r = bulwark('analyze', '--indicators', '/nonexistent/list.txt', sample);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /list\.txt: no such file/);
});
