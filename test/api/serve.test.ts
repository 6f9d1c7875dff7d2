// `bulwark serve` command line: safe by default, clear refusals; the folder watch ingests a dropped real capture once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseServeArgs } from '../../src/cli/serve.ts';
import { CaptureWatcher } from '../../src/api/watch.ts';
import { fixture, samplePath } from './helpers.ts';

test('serve refuses a non-loopback address without a token, and short tokens', () => {
  const refusal = parseServeArgs(['--host', '0.0.0.0'], {});
  assert.equal(typeof refusal, 'string');
  assert.match(refusal as string, /refusing to listen on '0.0.0.0' without an access token/);
  assert.match(parseServeArgs(['--host', '0.0.0.0', '--token', 'short'], {}) as string, /at least 16 characters/);
  const ok = parseServeArgs(['--host', '0.0.0.0'], { BULWARK_TOKEN: 'synthetic-token-0123456789' });
  assert.equal(typeof ok, 'object');
  assert.equal((ok as { token: string }).token, 'synthetic-token-0123456789');
  const local = parseServeArgs([], {}) as { host: string; port: number; token?: string };
  assert.deepEqual([local.host, local.port, local.token], ['127.0.0.1', 8080, undefined]);
  assert.equal(typeof parseServeArgs(['--host', '::1'], {}), 'object');
  assert.match(parseServeArgs(['--port', '70000'], {}) as string, /--port/);
  assert.match(parseServeArgs(['--ingest', '/nonexistent.pcap'], {}) as string, /no such file/);
});

test('a capture dropped into the watched folder is ingested once; a copy under another name adds nothing', async () => {
  const f = fixture();
  const dir = join(f.dir, 'drop');
  mkdirSync(dir);
  const submitted: [string, boolean][] = [];
  let seen: () => void = () => undefined;
  const watcher = new CaptureWatcher(dir, f.queue, {
    settleMs: 50,
    onSubmit: (file, _id, created) => {
      submitted.push([file, created]);
      seen();
    },
  });
  try {
    watcher.start();
    const wait = (): Promise<void> => new Promise((r) => (seen = r));
    let next = wait();
    copyFileSync(samplePath, join(dir, 'cam.pcap'));
    await next;
    await f.queue.idle();
    next = wait();
    copyFileSync(samplePath, join(dir, 'cam-again.pcap'));
    await next;
    await f.queue.idle();
    assert.deepEqual(submitted.map(([file, created]) => [file.split('/').pop(), created]), [['cam.pcap', true], ['cam-again.pcap', false]]);
    const caps = await f.store.listCaptures({ limit: 10, offset: 0 });
    assert.equal(caps.total, 1);
    assert.equal(caps.items[0].status, 'done');
    assert.equal(caps.items[0].summary?.packets, 624);
  } finally {
    watcher.stop();
    await f.close();
  }
});
