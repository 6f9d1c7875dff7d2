/**
 * Issue #11, fault 7 (smaller faults): slow and aborted uploads, partial uploads left by kill -9, the server's
 * path in failure messages, output and database paths that cannot be used, the token on the OpenAPI document and
 * the case of 'Bearer', a missing --overrides file. (caplen > snaplen: src/capture/pcap.test.ts; a damaged gzip
 * CRC trailer: gzip.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveUpload, removeStaleUploads } from '../../src/api/upload.ts';
import { ApiError } from '../../src/api/http-errors.ts';
import { fixture } from '../api/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-small-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(import.meta.dirname, '../../bin/bulwark.js');
const ftp = join(import.meta.dirname, '../traces/pipeline/ftp.pcap');
const pcapHead = Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex');

function cli(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

/** A body that sends `first` and then nothing (a stalled client) or an error (a client that went away). */
function body(first: Uint8Array, then: 'stall' | 'abort'): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(first);
        return;
      }
      if (then === 'abort') c.error(new TypeError('terminated'));
      return new Promise(() => undefined);
    },
  });
}

test('a stalled upload ends with 408 and leaves no partial file', async () => {
  const uploads = join(dir, 'stall');
  const t0 = performance.now();
  await assert.rejects(receiveUpload(body(pcapHead, 'stall'), uploads, 1 << 20, 'x.pcap', { idleMs: 200, graceMs: 60_000, minRate: 1 }),
    (e: unknown) => e instanceof ApiError && e.status === 408);
  assert.ok(performance.now() - t0 < 5000);
  assert.deepEqual(readdirSync(uploads), []);
});

test('a trickling upload ends with 408 after the grace period', async () => {
  let n = 0;
  const trickle = new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 20));
      c.enqueue(n++ === 0 ? pcapHead : new Uint8Array(1));
    },
  });
  await assert.rejects(receiveUpload(trickle, join(dir, 'trickle'), 1 << 20, 'x.pcap', { idleMs: 1000, graceMs: 200, minRate: 10_000 }),
    (e: unknown) => e instanceof ApiError && e.status === 408 && /too slow/.test(e.message));
});

test('an aborted upload is a 400 answer, not a logged stack trace', async () => {
  const f = fixture();
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => { logged.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    const res = await f.app.request('/api/captures', { method: 'POST', headers: { 'x-filename': 'a.pcap' }, body: body(pcapHead, 'abort'), duplex: 'half' } as RequestInit);
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { error: { code: string } }).error.code, 'upload_aborted');
  } finally {
    process.stderr.write = write;
    await f.close();
  }
  assert.deepEqual(logged, []);
});

test('partial uploads left by a killed server are removed at start-up; finished ones stay', () => {
  const uploads = join(dir, 'parts');
  mkdirSync(uploads);
  writeFileSync(join(uploads, '.upload-0123456789abcdef.part'), 'x');
  writeFileSync(join(uploads, `${'a'.repeat(64)}.pcap`), 'x');
  assert.equal(removeStaleUploads(uploads), 1);
  assert.deepEqual(readdirSync(uploads), [`${'a'.repeat(64)}.pcap`]);
  assert.equal(removeStaleUploads(join(dir, 'none')), 0);
});

test("a failed capture's reason names the capture, never the server's folders", async () => {
  const f = fixture();
  try {
    const path = join(f.dir, 'uploads-x', 'broken.pcap');
    mkdirSync(join(f.dir, 'uploads-x'));
    writeFileSync(path, Buffer.concat([pcapHead, Buffer.from('ffffffffffffffffffffffffffffffff', 'hex')]));
    const { capture } = await f.queue.submitFile(path, 'mine.pcap');
    await f.queue.idle();
    const row = await f.store.getCapture(capture.id);
    assert.equal(row?.status, 'failed');
    assert.match(row?.error ?? '', /mine\.pcap/);
    assert.doesNotMatch(row?.error ?? '', new RegExp(f.dir));
  } finally {
    await f.close();
  }
});

test("'bearer' in any case is the Bearer scheme", async () => {
  const token = 'synthetic-test-token-0123456789';
  const f = fixture({ token });
  try {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      assert.equal((await f.app.request('/api/health', { headers: { Authorization: `${scheme} ${token}` } })).status, 200, scheme);
    }
    assert.equal((await f.app.request('/api/openapi.json')).status, 401);
  } finally {
    await f.close();
  }
});

test('output and database paths that cannot be used are clear errors (exit 2), /proc included, never a hang', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['analyze', '--quiet', '--out', file, ftp], /cannot use '.*a-file': it exists and is not a folder/],
    [['analyze', '--quiet', '--out', '/proc/bulwark-test/out', ftp], /cannot use '\/proc\/bulwark-test\/out'/],
    [['report', '-q', '-o', dir, ftp], /it is a folder, not a file/],
    [['serve', '--db', dir, '--port', '0'], /is a folder; name a database file/],
    [['analyze', '--quiet', '--overrides', join(dir, 'missing.json'), ftp], /no such overrides file/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /internal error|\n {4}at /);
  }
  assert.equal(existsSync('/proc/bulwark-test'), false);
});
