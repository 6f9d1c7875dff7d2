// `bulwark analyze --alert …` end to end: the real telnet capture (CredSLayer telnet-raw.pcap) analysed by
// the CLI, its findings delivered to a real rsyslogd on loopback; bad alert URLs are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRsyslog, startRsyslog } from './support/receivers.ts';
import { parseAlertTarget } from '../src/output/alerts/spec.ts';

const main = join(import.meta.dirname, '../src/cli/main.ts');
const trace = join(import.meta.dirname, 'traces/app-login/telnet-raw.pcap');

function run(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (status) => done({ status, stderr }));
  });
}

test('analyze --alert syslog+udp: every finding at or above min_severity reaches rsyslog; counters in summary.json', async (t) => {
  if (!hasRsyslog()) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const rs = await startRsyslog();
  const out = mkdtempSync(join(tmpdir(), 'bulwark-alerts-'));
  try {
    const r = await run(['analyze', '--quiet', '--out', out, '--sensor', 'lab-1', '--alert', `syslog+udp://127.0.0.1:${rs.udpPort}?min_severity=info&rate=0`, trace]);
    assert.equal(r.status, 0, r.stderr);
    const findings = readFileSync(join(out, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string });
    assert.ok(findings.length > 0);
    const lines = await rs.waitFor(findings.length);
    assert.equal(lines.length, findings.length);
    assert.deepEqual(new Set(lines.map((l) => /id="([^"]+)"/.exec(l)?.[1])), new Set(findings.map((f) => f.id)));
    assert.ok(lines.every((l) => l.startsWith('lab-1|bulwark|')));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { stages: { alerts: { syslog: { sent: number } } } };
    assert.equal(summary.stages.alerts.syslog.sent, findings.length);
  } finally {
    await rs.stop();
    rmSync(out, { recursive: true, force: true });
  }
});

test('bad alert URLs are errors that say what is wrong; on the command line, a usage error', () => {
  const cases: [string, RegExp][] = [
    ['nope', /not a URL/],
    ['ftp://x', /unknown alert output 'ftp:'/],
    ['syslog+udp://h?format=xml', /plain or cef/],
    ['mqtt://h?min_severity=urgent', /min_severity must be one of/],
    ['webhook+https://h/?secret_env=BULWARK_NO_SUCH_VAR', /BULWARK_NO_SUCH_VAR is not set/],
  ];
  for (const [spec, why] of cases) {
    const target = parseAlertTarget(spec, 'lab-1', {});
    assert.equal(typeof target, 'string', spec);
    assert.match(target as string, why, spec);
  }
  const r = spawnSync(process.execPath, [main, 'analyze', '--alert', 'syslog+udp://h?format=xml', trace], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--alert syslog\+udp:\/\/h\?format=xml: syslog format must be plain or cef/);
});
