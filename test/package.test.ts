// The package as a user installs it: `npm pack` builds and packs (compiled JavaScript, the dashboard, no
// tests or traces); the tarball installs into a temporary prefix with `npm install -g`; the installed
// `bulwark` analyses the bundled real capture from a directory outside the checkout (tshark counts 624
// frames in it) and serves the API and dashboard. An older Node gets one sentence, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const sample = join(root, 'samples/dlink-camera-setup.pcap');

test('npm pack → npm install -g into a prefix → bulwark analyze and serve from elsewhere', { timeout: 600_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'bulwark-pkg-'));
  // The installed command's `#!/usr/bin/env node` must find this Node, not an older system one.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false' };
  try {
    const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const paths = info.files.map((f) => f.path);
    assert.ok(paths.includes('dist/src/cli/main.js'), 'compiled JavaScript');
    assert.ok(paths.includes('dist/cli/main.cjs') && paths.includes('dist/cli/analyze.cjs'), 'the command line bundled (start-up)');
    assert.ok(paths.includes('dist/cli/build-id'), 'the build id that names its code caches');
    assert.ok(paths.includes('dist/cli/worker/pipeline-worker.mjs'), 'the pipeline worker bundled');
    assert.ok(paths.includes('dist/web/dist/index.html'), 'the dashboard, prebuilt');
    assert.ok(paths.includes('dist/src/inventory/model-data.json'), 'data files modules read');
    assert.deepEqual(paths.filter((p) => /(^|\/)test\/|\.test\.js$|\.pcap$|^src\//.test(p)), [], 'no tests, traces or TypeScript sources');

    const prefix = join(work, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', join(work, info.filename)], { cwd: work, env, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    const bulwark = join(prefix, 'bin/bulwark');
    copyFileSync(sample, join(work, 'camera.pcap'));

    // The installed scripts' code caches go to the user's cache folder (the package's may not be writable).
    const cacheDir = join(work, 'cache');
    const userEnv = { ...env, BULWARK_CACHE_DIR: cacheDir };
    // Code caches of other builds: one last written eight days ago (an upgrade's leftover) and one an hour ago.
    const stale = join(cacheDir, 'code-00000000000000000000000000000001');
    const recent = join(cacheDir, 'code-00000000000000000000000000000002');
    for (const dir of [stale, recent]) mkdirSync(dir, { recursive: true });
    utimesSync(stale, new Date(Date.now() - 8 * 86_400_000), new Date(Date.now() - 8 * 86_400_000));
    utimesSync(recent, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const analyze = spawnSync(bulwark, ['analyze', '--quiet', 'camera.pcap'], { cwd: work, env: userEnv, encoding: 'utf8' });
    assert.equal(analyze.status, 0, analyze.stderr);
    assert.match(analyze.stdout, /^packets=624 flows=\d+ /);
    // The bundled command line counts what the modules count (the checkout's, run unbundled).
    const modules = spawnSync(process.execPath, [join(root, 'bin/bulwark.js'), 'analyze', '--quiet', 'camera.pcap'], { cwd: work, env: { ...env, BULWARK_NO_BUNDLE: '1' }, encoding: 'utf8' });
    const counts = (out: string): string => out.replace(/ wall_s=.*/s, '');
    assert.equal(counts(analyze.stdout), counts(modules.stdout));
    const buildId = readFileSync(join(prefix, 'lib/node_modules/bulwark/dist/cli/build-id'), 'utf8').trim();
    const codeCache = join(cacheDir, `code-${buildId}`, 'analyze.cjs.cache');
    assert.ok(existsSync(codeCache), 'the first run wrote its code cache under the build id');
    assert.ok(!existsSync(stale) && existsSync(recent), "another build's cache folder is removed a week after it was last written");
    // A damaged cache is refused and written again; the run is the same either way.
    writeFileSync(codeCache, Buffer.alloc(4096, 0x5a));
    for (let run = 0; run < 2; run++) {
      const again = spawnSync(bulwark, ['analyze', '--quiet', 'camera.pcap'], { cwd: work, env: userEnv, encoding: 'utf8' });
      assert.equal(again.status, 0, again.stderr);
      assert.equal(counts(again.stdout), counts(modules.stdout));
    }
    assert.notEqual(readFileSync(codeCache).readUInt32LE(0), 0x5a5a5a5a, 'the damaged cache was replaced');

    const server = spawn(bulwark, ['serve', '--port', '0', '--db', join(work, 'store.db')], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        server.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (m) ok(m[0]);
        });
        server.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
      });
      assert.equal((await fetch(`${url}api/health`)).status, 200);
      assert.match(await (await fetch(url)).text(), /<title>Bulwark/);
      assert.equal((await fetch(`${url}metrics`)).status, 200);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }

    const oldNode = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
    if (oldNode.status === 0 && Number(oldNode.stdout.slice(1).split('.')[0]) < 22) {
      const r = spawnSync('/usr/bin/node', [bulwark, '--version'], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^bulwark needs Node\.js 22\.13 or newer \(this is [\d.]+\); install a current LTS/);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, 'one sentence');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the systemd unit passes systemd-analyze verify', (t) => {
  const probe = spawnSync('systemd-analyze', ['--version']);
  if (probe.status !== 0) return t.skip('systemd-analyze is not installed');
  const r = spawnSync('systemd-analyze', ['verify', join(root, 'packaging/bulwark.service')], { encoding: 'utf8' });
  // Only problems with the unit itself count: the user and binary exist on the target machine, not here.
  const problems = r.stderr.split('\n').filter((l) => l.trim() && !/bulwark\.service: Command .*is not executable|No such file|Failed to resolve user|user.*bulwark/i.test(l));
  assert.deepEqual(problems, []);
});
