// The configuration file: the shipped example is valid; each kind of mistake is reported with its exact
// line, column and key; the checked-in JSON Schema is the one the registry generates; options reach the
// analysis (a detector switched off finds nothing, options override defaults, the CLI overrides the file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from './load.ts';
import { configSchema } from './schema.ts';

const root = join(import.meta.dirname, '../../..');
const main = join(root, 'src/cli/main.ts');

function problems(text: string): string[] {
  try {
    parseConfig(text, 'f.yaml');
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message.split('\n');
  }
}

test('the example configuration is valid', () => {
  assert.deepEqual(problems(readFileSync(join(root, 'docs/bulwark.example.yaml'), 'utf8')), []);
});

test('mistakes name file, line, column and key', () => {
  const text = [
    'site:', //                         1
    '  sensor: pi', //                  2
    '  local_netwroks: [10.0.0.0/8]', // 3
    'detectors:', //                    4
    '  scan.horizontal:', //            5
    '    options:', //                  6
    '      minHosts: many', //          7
    '  no.such-detector: {}', //        8
    'retention:', //                    9
    '  days: 0', //                     10
    'allowlist: [10.0.0.300]', //       11
    'site_name: x', //                  12
  ].join('\n');
  assert.deepEqual(problems(text), [
    "f.yaml:3:3: site.local_netwroks: unknown key 'local_netwroks' (did you mean 'local_networks'?)",
    'f.yaml:7:17: detectors["scan.horizontal"].options.minHosts: must be number',
    'f.yaml:8:3: detectors["no.such-detector"]: unknown key \'no.such-detector\'',
    'f.yaml:10:9: retention.days: must be >= 1',
    "f.yaml:11:13: allowlist[0]: '10.0.0.300' is not an IP address",
    "f.yaml:12:1: site_name: unknown key 'site_name'",
  ]);
  assert.match(problems('site:\n  sensor: a\n  sensor: b\n')[0], /^f\.yaml:3:3: .*unique/);
  assert.match(problems('site: [\n')[0], /^f\.yaml:\d+:\d+: /);
  assert.match(problems('site:\n  local_networks: [10.0.0.0/40]\n')[0], /^f\.yaml:2:20: site\.local_networks\[0\]: '10\.0\.0\.0\/40' is not a network/);
});

test('docs/schema/config.schema.json is the generated schema (run npm run docs after changing detectors)', () => {
  const checkedIn = JSON.parse(readFileSync(join(root, 'docs/schema/config.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(checkedIn, JSON.parse(JSON.stringify(configSchema())));
});

test('config check exits 0 on a valid file and 2 on a bad one; analyze --config applies detector settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-config-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'retention:\n  dayz: 3\n');
    const r = spawnSync(process.execPath, [main, 'config', 'check', bad], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), `${bad}:2:3: retention.dayz: unknown key 'dayz' (did you mean 'days'?)`);
    assert.equal(spawnSync(process.execPath, [main, 'config', 'check', join(root, 'docs/bulwark.example.yaml')]).status, 0);

    // The real telnet capture yields a cleartext-credential finding; switched off in the file, it does not.
    const trace = join(root, 'test/traces/app-login/telnet-raw.pcap');
    const off = join(dir, 'off.yaml');
    writeFileSync(off, 'detectors:\n  credentials.cleartext:\n    enabled: false\n');
    const findings = (args: string[]): string[] => {
      const out = join(dir, `out-${args.length}`);
      const run = spawnSync(process.execPath, [main, 'analyze', '--quiet', '--out', out, ...args, trace], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      return readFileSync(join(out, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { detector: string }).detector);
    };
    assert.ok(findings([]).includes('credentials.cleartext'));
    assert.ok(!findings(['--config', off]).includes('credentials.cleartext'));
    const bogus = spawnSync(process.execPath, [main, 'analyze', '--config', bad, trace], { encoding: 'utf8' });
    assert.equal(bogus.status, 2);
    assert.match(bogus.stderr, /retention\.dayz/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
