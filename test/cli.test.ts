// `bulwark analyze` end to end, as a user runs it: summary, output files, redaction, exit codes, bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { trace } from './support/run.ts';
import { tsharkFields } from './support/tshark.ts';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
const sample = new URL('../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const bulwark = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(join(tmpdir(), 'bulwark-cli-'));
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('analyze prints a summary of the sample capture and exits 0', () => {
  const r = bulwark('analyze', sample);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^packets\s+624\b/m);
  assert.match(r.stdout, /^time\s+2016-04-15T15:08:38\.274Z/m);
  assert.match(r.stdout, /^apps\s+.*\bmdns\b/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('--out writes flows, events and summary; passwords are redacted unless --show-secrets', () => {
  const dir = tmp();
  const r = bulwark('analyze', '--quiet', '--out', dir, trace('telnet-raw.pcap'));
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.equal(summary.packets, 272);
  const flows = lines(join(dir, 'flows.jsonl'));
  assert.equal(flows.length, summary.flows.total);
  assert.ok(flows.every((f) => f.type === 'flow' && /^1:[A-Za-z0-9+/]{27}=$/.test(String(f.community_id))));
  const login = lines(join(dir, 'events.jsonl')).find((e) => e.type === 'telnet.login');
  assert.equal(login?.username, 'fake');
  assert.equal(login?.password, '[redacted 4 chars]');
  const shown = bulwark('analyze', '--json', '--show-secrets', '--quiet', trace('telnet-raw.pcap'));
  const shownLogin = shown.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'telnet.login');
  assert.equal(shownLogin.password, 'user');
});

test('a gzip-compressed capture is recognised by its magic, not its name', () => {
  const path = join(tmp(), 'sample.cap');
  writeFileSync(path, gzipSync(readFileSync(sample)));
  const r = bulwark('analyze', path);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(pcap\+gzip, 624 packets\)/);
});

test('a truncated capture: packets before the fault are analysed, the error names file and offset, exit 3', () => {
  const bytes = readFileSync(sample);
  const path = join(tmp(), 'truncated.pcap');
  writeFileSync(path, bytes.subarray(0, 50_001));
  const complete = tsharkFields(path, '', ['frame.number']).length; // tshark reads the same complete records
  const r = bulwark('analyze', path);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`^packets\\s+${complete}\\b`, 'm'));
  assert.match(r.stderr, new RegExp(`${path.replace(/[.]/g, '\\.')}.*offset \\d+`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('missing file and non-capture file: clear error, exit 4, no stack trace', () => {
  const missing = bulwark('analyze', '/nonexistent/x.pcap');
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /\/nonexistent\/x\.pcap/);
  const notCapture = bulwark('analyze', new URL('../package.json', import.meta.url).pathname);
  assert.equal(notCapture.status, 4);
  assert.match(notCapture.stderr, /package\.json.*offset 0/);
  for (const r of [missing, notCapture]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('usage errors exit 2', () => {
  assert.equal(bulwark('analyze').status, 2);
  assert.equal(bulwark('analyze', '--max-flows', 'x', sample).status, 2);
  assert.equal(bulwark('frobnicate').status, 2);
});

test('devices: the sample camera with its evidence; --set keeps a name across runs and it shows as set by user', () => {
  const dir = tmp();
  const overrides = join(dir, 'overrides.json');
  const json = bulwark('devices', '--json', '--quiet', '--overrides', overrides, sample);
  assert.equal(json.status, 0, json.stderr);
  const devices = JSON.parse(json.stdout) as { id: string; identification: { type: string; decided_by: string }; evidence: unknown[]; user?: { name?: string } }[];
  const camera = devices.find((d) => d.id === 'mac:b0:c5:54:25:5b:0e');
  assert.equal(camera?.identification.type, 'camera');
  assert.ok((camera?.evidence.length ?? 0) > 5);
  const set = bulwark('devices', '--overrides', overrides, '--set', 'mac:b0:c5:54:25:5b:0e', '--name', 'Hall camera', '--type', 'camera');
  assert.equal(set.status, 0, set.stderr);
  const again = JSON.parse(bulwark('devices', '--json', '--quiet', '--overrides', overrides, sample).stdout) as typeof devices;
  const named = again.find((d) => d.id === 'mac:b0:c5:54:25:5b:0e');
  assert.equal(named?.user?.name, 'Hall camera');
  assert.equal(named?.identification.decided_by, 'user');
  assert.equal(bulwark('devices', '--overrides', overrides, '--set', 'mac:b0:c5:54:25:5b:0e', '--type', 'toaster').status, 2);
});

test('analyze --out also writes devices, findings (with packet evidence) and assessments', () => {
  const dir = tmp();
  const r = bulwark('analyze', '--quiet', '--out', dir, trace('telnet-raw.pcap'));
  assert.equal(r.status, 0, r.stderr);
  const findings = lines(join(dir, 'findings.jsonl'));
  const cleartext = findings.find((f) => f.detector === 'credentials.cleartext');
  assert.ok(cleartext, 'cleartext credentials finding');
  assert.doesNotMatch(JSON.stringify(cleartext), /"user"|:user\b/); // the password 'user' is never printed
  const evidence = cleartext.evidence as { file: string; packet: number }[];
  assert.ok(evidence.length > 0 && evidence.every((e) => e.file.endsWith('telnet-raw.pcap') && e.packet > 0));
  const devices = JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8')) as { ips: { ip: string }[] }[];
  assert.ok(devices.some((d) => d.ips.some((b) => b.ip === '192.168.0.1')));
  const assessments = JSON.parse(readFileSync(join(dir, 'assessments.json'), 'utf8')) as { grade: string }[];
  assert.ok(assessments.length > 0 && assessments.every((a) => /^[A-E]$/.test(a.grade)));
});
