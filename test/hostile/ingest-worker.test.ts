/**
 * Issue #11, fault 4 (the API during ingest): the ingest worker is a child process whose every thread runs at a
 * lower CPU priority than the server, and which ends when the server does (even by kill -9), so no orphan keeps
 * writing to a store the next server has already marked. Priorities and parentage are read from the kernel
 * (/proc), not from Bulwark. Linux only (the test says so elsewhere).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_INGEST_NICE } from '../../src/api/ingest.ts';
import { writeDnsFlood } from './floods.ts';

const linux = existsSync('/proc/self/task');
const skip = linux ? false : 'needs Linux /proc to read thread priorities';
const dir = mkdtempSync(join(tmpdir(), 'bulwark-ingest-worker-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(import.meta.dirname, '../../bin/bulwark.js');

/** The nice value of a thread, field 19 of /proc/<pid>/task/<tid>/stat (proc(5)). */
function niceOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

function threads(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

// The suite may itself run under `nice`: priorities are compared with its own.
const ownNice = getPriority(0);

test('lowerPriority lowers every thread of the process by the amount given, V8 helpers included', { skip }, () => {
  const worker = join(import.meta.dirname, '../../src/api/ingest-worker.ts');
  const script = `const { lowerPriority } = await import(${JSON.stringify(worker)});
    lowerPriority(7);
    const { readdirSync, readFileSync } = await import('node:fs');
    const nice = readdirSync('/proc/self/task').map((t) => { const s = readFileSync('/proc/self/task/' + t + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]); });
    console.log(JSON.stringify(nice));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const nice = JSON.parse(r.stdout) as number[];
  assert.ok(nice.length > 4, `only ${nice.length} threads`);
  assert.deepEqual(nice, nice.map(() => Math.min(19, ownNice + 7)));
});

test('serve: the ingest runs in a lower-priority child that ends with the server (kill -9)', { skip, timeout: 120_000 }, async () => {
  const watch = join(dir, 'watch');
  mkdirSync(watch);
  const flood = join(dir, 'flood.pcap');
  writeDnsFlood(flood, 200_000);
  const server = spawn(process.execPath, [bin, 'serve', '--db', join(dir, 'b.db'), '--port', '0', '--watch', watch], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((ok, fail) => {
      server.stdout.on('data', (d: Buffer) => { if (/127\.0\.0\.1:\d+/.test(d.toString())) ok(); });
      server.once('exit', (code) => fail(new Error(`serve exited ${code}`)));
    });
    assert.equal(niceOf(server.pid!, server.pid!), ownNice);
    renameSync(flood, join(watch, 'flood.pcap'));
    let child = 0;
    for (let i = 0; i < 300 && child === 0; i++) {
      await sleep(100);
      // The ingest worker, not another child (the first run after a source change builds the CLI bundle with esbuild).
      const children = readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
      child = children.find((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--bulwark-ingest-worker');
        } catch {
          return false;
        }
      }) ?? 0;
    }
    assert.ok(child > 0, 'no ingest worker process appeared');
    // Every thread of the worker yields to the server (once it has its job); the server's keep their priority.
    let childNice: number[] = [];
    for (let i = 0; i < 100; i++) {
      childNice = threads(child).map((t) => niceOf(child, t));
      if (childNice.length > 4 && childNice.every((n) => n !== ownNice)) break;
      await sleep(100);
    }
    assert.deepEqual(childNice, childNice.map(() => Math.min(19, ownNice + DEFAULT_INGEST_NICE)));
    assert.deepEqual(threads(server.pid!).map((t) => niceOf(server.pid!, t)).filter((n) => n !== ownNice), []);
    server.kill('SIGKILL');
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await sleep(100);
      alive = existsSync(`/proc/${child}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, 'utf8'));
    }
    assert.equal(alive, false, 'the ingest worker outlived the server');
  } finally {
    server.kill('SIGKILL');
  }
});
