/**
 * `kill -9` of a live sensor must not leave dumpcap capturing: on a quiet link dumpcap never writes, so it
 * never meets the closed pipe, and no handler of the killed process runs to stop it. The test runs
 * `bulwark analyze --interface` and `bulwark serve --interface` on a veth pair in a namespace of its own
 * (nothing is sent; the link stays quiet), kills each with SIGKILL once dumpcap runs, and expects the kernel
 * to have ended dumpcap within a few seconds (its parent-death signal). Needs root; skipped otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTestBlocker, sleep, VethNamespace, waitFor } from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bulwarkJs = join(root, 'bin/bulwark.js');
const blocker = liveTestBlocker();

/** Parent pid and command name of a process, from /proc (undefined once it is gone). */
function procStat(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) };
  } catch {
    return undefined;
  }
}

/** dumpcap processes descended from `ancestor`. */
function dumpcapsUnder(ancestor: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || procStat(pid)?.comm !== 'dumpcap') continue;
    for (let p = procStat(pid)?.ppid; p !== undefined && p > 1; p = procStat(p)?.ppid) {
      if (p === ancestor) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

const alive = (pid: number): boolean => procStat(pid) !== undefined && procStat(pid)?.comm !== undefined && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

/** Waits for dumpcap under `child`, kills `child` with SIGKILL and expects dumpcap to end within 10 s. */
async function expectDumpcapEndsWithParent(child: ChildProcess, what: string, stderr: () => string): Promise<void> {
  let dumpcap: number[] = [];
  try {
    dumpcap = await waitFor(`dumpcap under ${what}`, 30_000, () => {
      const found = dumpcapsUnder(child.pid!);
      return found.length > 0 ? found : undefined;
    });
    await sleep(500); // dumpcap is capturing (it opened the interface), the link stays quiet
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const gone = await waitFor('dumpcap to end', 10_000, () => (dumpcap.every((pid) => !alive(pid)) ? true : undefined)).catch(() => false);
    assert.equal(gone, true, `dumpcap ${dumpcap.join(', ')} still running after kill -9 of ${what}; stderr: ${stderr()}`);
  } finally {
    for (const pid of dumpcap) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function started(ns: VethNamespace, argv: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn('ip', ns.argv(argv), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout!.resume();
  return { child, stderr: () => err };
}

for (const command of ['analyze', 'serve'] as const) {
  test(`kill -9 of \`bulwark ${command} --interface\` ends its dumpcap`, { skip: blocker, timeout: 60_000 }, async () => {
    const ns = new VethNamespace(`orphan-${command}`);
    const work = mkdtempSync(join(tmpdir(), 'bulwark-orphan-'));
    try {
      const args = command === 'analyze'
        ? ['analyze', '--interface', ns.captureIf, '--out', join(work, 'out'), '--no-ring', '--quiet']
        : ['serve', '--interface', ns.captureIf, '--port', '0', '--db', join(work, 'b.db'), '--no-profiles', '--no-ring'];
      const { child, stderr } = started(ns, [process.execPath, bulwarkJs, ...args]);
      await expectDumpcapEndsWithParent(child, `bulwark ${command}`, stderr);
    } finally {
      ns.remove();
      rmSync(work, { recursive: true, force: true });
    }
  });
}

// The documented way to capture without root gives dumpcap file capabilities, and the kernel drops a
// parent-death signal when executing such a program raises the caller's capabilities (prctl(2),
// PR_SET_PDEATHSIG): so the capture runs as an unprivileged user (nobody), as a user of that set-up does.
const setcapBlocker = blocker ?? (spawnSync('sh', ['-c', 'command -v setcap']).status === 0 ? undefined : 'needs setcap (libcap2-bin)');
test('kill -9 ends dumpcap also when dumpcap has file capabilities (setcap cap_net_raw)', { skip: setcapBlocker, timeout: 60_000 }, async () => {
  const ns = new VethNamespace('orphan-caps');
  const work = mkdtempSync(join(tmpdir(), 'bulwark-orphan-caps-'));
  try {
    spawnSync('chmod', ['755', work]);
    const bin = join(work, 'bin');
    mkdirSync(bin);
    const program = join(bin, 'dumpcap');
    copyFileSync(spawnSync('sh', ['-c', 'command -v dumpcap'], { encoding: 'utf8' }).stdout.trim(), program);
    spawnSync('chmod', ['755', program]);
    const setcap = spawnSync('setcap', ['cap_net_raw,cap_net_admin+eip', program], { encoding: 'utf8' });
    assert.equal(setcap.status, 0, setcap.stderr);
    const script = join(work, 'capture.ts');
    writeFileSync(script, `import { captureLive } from ${JSON.stringify(join(root, 'src/capture/dumpcap.ts'))};\n` +
      `await captureLive({ interface: ${JSON.stringify(ns.captureIf)}, program: ${JSON.stringify(program)} }, () => {});\n`);
    const nobody = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', '--inh-caps=-all'];
    const { child, stderr } = started(ns, [...nobody, process.execPath, script]);
    await expectDumpcapEndsWithParent(child, 'a capture with a dumpcap that has file capabilities', stderr);
  } finally {
    ns.remove();
    rmSync(work, { recursive: true, force: true });
  }
});
