import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs, { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { openCapture } from './open.ts';
import { asFrames, collector, expectedCut, expectedFrames, layout, trace, tracePath } from './test-support.ts';
import type { CaptureProgress, CaptureSummary } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-capture-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tmpFile(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const TRACES = ['dhcp.pcap', 'dhcp-nsec.pcap', 'dominate-300.pcap', 'mqtt.pcap', 'sonos.pcapng', 'two-links.pcapng', 'two-sections.pcapng'];

test('openCapture: every trace read from its file agrees with tshark, whatever the read size', async () => {
  for (const name of TRACES) {
    for (const readBytes of [undefined, 1000, 4093]) {
      const { seen, onPacket } = collector();
      const s = await openCapture(tracePath(name), { readBytes }).read(onPacket);
      assert.equal(s.error, undefined, `${name} ${readBytes}`);
      assert.equal(s.gzip, false);
      assert.deepEqual(asFrames(seen), expectedFrames(name), `${name} ${readBytes}`);
    }
  }
});

test('openCapture: gzip detected by magic (no .gz name), single and multi-member; progress counts compressed bytes', async () => {
  const raw = trace('sonos.pcapng');
  const gz = gzipSync(raw);
  const progress: CaptureProgress[] = [];
  const { seen, onPacket } = collector();
  const s = await openCapture(tmpFile('sonos.bin', gz)).read(onPacket, (p) => progress.push(p));
  assert.deepEqual([s.error, s.gzip, s.format, s.packets], [undefined, true, 'pcapng', 61]);
  assert.deepEqual(asFrames(seen), expectedFrames('sonos.pcapng'));
  assert.deepEqual(progress.at(-1), { bytesRead: gz.length, totalBytes: gz.length });
  // Two gzip members (as `cat a.gz b.gz` makes) are one stream.
  const half = 10_000;
  const multi = Buffer.concat([gzipSync(raw.subarray(0, half)), gzipSync(raw.subarray(half))]);
  const again = collector();
  const s2 = await openCapture(tmpFile('multi.gz', multi)).read(again.onPacket);
  assert.equal(s2.error, undefined);
  assert.deepEqual(asFrames(again.seen), expectedFrames('sonos.pcapng'));
});

test('openCapture: truncated gzip stream keeps the packets before and names the first undelivered record', async () => {
  const raw = trace('sonos.pcapng');
  const l = layout(raw);
  const gz = gzipSync(raw);
  for (const cut of [10, 100, 5000, 12345, gz.length - 9, gz.length - 1]) {
    const { seen, onPacket } = collector();
    const s = await openCapture(tmpFile(`cut${cut}.gz`, gz.subarray(0, cut))).read(onPacket);
    assert.equal(s.error?.reason, 'truncated gzip stream', `cut ${cut}`);
    assert.deepEqual(asFrames(seen), expectedFrames('sonos.pcapng').slice(0, seen.length));
    // What zlib can decompress of the cut stream decides the exact fault: the first block not wholly inside it.
    const prefix = gunzipSync(gz.subarray(0, cut), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
    const want = expectedCut(l, prefix);
    assert.deepEqual([s.packets, s.error?.offset], [want.packets, want.errorOffset ?? prefix], `cut ${cut}`);
  }
  // The last 8 bytes (CRC, size) missing: every packet was decompressed, the stream is still truncated.
  const s = await openCapture(tmpFile('nocrc.gz', gz.subarray(0, gz.length - 8))).read(() => {});
  assert.deepEqual([s.packets, s.error?.reason, s.error?.offset], [61, 'truncated gzip stream', raw.length]);
});

test('openCapture: gzip of a truncated capture reports the capture truncation at the exact record', async () => {
  const raw = trace('dhcp.pcap');
  const l = layout(raw);
  for (const cut of [0, 3, 23, 24, 30, 1000, raw.length - 1]) {
    const s = await openCapture(tmpFile(`t${cut}.gz`, gzipSync(raw.subarray(0, cut)))).read(() => {});
    const want = expectedCut(l, cut);
    assert.deepEqual([s.packets, s.error?.offset], [want.packets, want.errorOffset], `cut ${cut}`);
  }
});

test('openCapture: corrupt gzip data resolves with an error, never throws', async () => {
  const gz = gzipSync(trace('dominate-300.pcap'));
  for (const at of [3, 12, 100, 2000, gz.length - 5]) {
    const bad = Buffer.from(gz);
    bad[at] ^= 0x55;
    const s: CaptureSummary = await openCapture(tmpFile(`bad${at}.gz`, bad)).read(() => {});
    assert.ok(s.error, `flip at ${at}`);
    assert.ok(s.packets <= 300);
  }
});

test('openCapture: truncated plain file through the file descriptor path (small reads)', async () => {
  const raw = trace('two-sections.pcapng');
  const l = layout(raw);
  for (const cut of [5, 28, 100, 3000, 5248, 5300, raw.length - 4]) {
    const s = await openCapture(tmpFile(`p${cut}`, raw.subarray(0, cut)), { readBytes: 777 }).read(() => {});
    const want = expectedCut(l, cut);
    assert.deepEqual([s.packets, s.error?.offset], [want.packets, want.errorOffset], `cut ${cut}`);
  }
});

test('openCapture: missing file, directory, bad magic, empty file: a CaptureError at offset 0, no exception', async () => {
  const missing = await openCapture(join(dir, 'nope.pcap')).read(() => {});
  assert.equal(missing.error?.offset, 0);
  assert.match(missing.error?.reason ?? '', /ENOENT/);
  assert.equal(missing.error?.name, 'CaptureError');
  assert.match((await openCapture(dir).read(() => {})).error?.reason ?? '', /directory/);
  assert.match((await openCapture(tmpFile('text.txt', Buffer.from('hello world\n'))).read(() => {})).error?.reason ?? '', /not a pcap or pcapng file \(magic 68656c6c\)/);
  assert.equal((await openCapture(tmpFile('empty', new Uint8Array(0))).read(() => {})).error?.reason, 'empty file');
});

test('openCapture: progress reaches the file size; an exception in the consumer rejects (a bug, not bad input)', async () => {
  const progress: CaptureProgress[] = [];
  const path = tracePath('dominate-300.pcap');
  await openCapture(path).read(() => {}, (p) => progress.push(p));
  assert.deepEqual(progress.at(-1), { bytesRead: 22824, totalBytes: 22824 });
  assert.ok(progress.length <= 2);
  const boom = new Error('consumer bug');
  await assert.rejects(
    openCapture(path).read(() => {
      throw boom;
    }),
    (err) => err === boom,
  );
  await assert.rejects(
    openCapture(tmpFile('boom.gz', gzipSync(trace('dhcp.pcap')))).read(() => {
      throw boom;
    }),
    (err) => err === boom,
  );
});

test('openCapture: a named pipe (mkfifo) is read as a stream, plain and gzip', async () => {
  for (const [label, bytes] of [['plain', trace('mqtt.pcap')], ['gzip', gzipSync(trace('mqtt.pcap'))]] as const) {
    const fifo = join(dir, `fifo-${label}`);
    execFileSync('mkfifo', [fifo]);
    const { seen, onPacket } = collector();
    const reading = openCapture(fifo).read(onPacket);
    createWriteStream(fifo).end(bytes);
    const s = await reading;
    assert.deepEqual([s.error, s.gzip], [undefined, label === 'gzip']);
    assert.deepEqual(asFrames(seen), expectedFrames('mqtt.pcap'));
  }
});

/** Runs openCapture('-') in a child node with `bytes` on its standard input. */
function readStdinInChild(bytes: Uint8Array): Promise<{ summary: CaptureSummary & { errorMessage?: string }; first: number[] }> {
  const script = `
    import { openCapture } from ${JSON.stringify(new URL('./open.ts', import.meta.url).href)};
    const first = [];
    const s = await openCapture('-').read((r) => { if (first.length === 0) first.push(r.tsSec, r.tsNsec, r.caplen); });
    process.stdout.write(JSON.stringify({ summary: { ...s, errorMessage: s.error?.message }, first }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out)));
    child.stdin.end(bytes);
  });
}

test("openCapture('-'): standard input, plain and gzip, as from `tcpdump -w - | bulwark`", async () => {
  const plain = await readStdinInChild(trace('dhcp.pcap'));
  assert.deepEqual([plain.summary.packets, plain.summary.gzip, plain.summary.file], [9, false, 'stdin']);
  assert.deepEqual(plain.first, [1370200442, 323173000, 307]);
  const gz = await readStdinInChild(gzipSync(trace('sonos.pcapng')));
  assert.deepEqual([gz.summary.packets, gz.summary.gzip, gz.summary.format], [61, true, 'pcapng']);
  const cut = await readStdinInChild(trace('dhcp.pcap').subarray(0, 1000));
  assert.equal(cut.summary.packets, 2);
  assert.match(cut.summary.errorMessage ?? '', /^stdin: record runs past end of file .* at byte offset 772$/);
});

test('openCapture: a corrupt stream on a pipe that stays open resolves at once (no wait for the writer)', async () => {
  for (const [label, bytes] of [['plain', Buffer.from('not a capture at all')], ['gzip', gzipSync(Buffer.from('not a capture at all'))]] as const) {
    const fifo = join(dir, `open-${label}`);
    execFileSync('mkfifo', [fifo]);
    const reading = openCapture(fifo).read(() => {});
    const writer = createWriteStream(fifo);
    writer.on('error', () => undefined); // its write callback may land after the destroy below
    writer.write(bytes);
    const s = await reading; // the writer is still open here
    assert.match(s.error?.reason ?? '', /not a pcap or pcapng file/, label);
    writer.destroy();
  }
});

test('openCapture: a gzip read closes its file once, however it ends (no descriptor left open, none closed twice)', async () => {
  // Every descriptor node:fs opens and closes while each capture is read (the module's imports see the
  // patched functions after syncBuiltinESMExports; the read streams call the module object's own).
  const gz = gzipSync(trace('sonos.pcapng'));
  const files = [tmpFile('whole.gz', gz), tmpFile('cut.gz', gz.subarray(0, 5000)), tmpFile('nocrc.gz', gz.subarray(0, gz.length - 8)), tracePath('dhcp.pcap')];
  const realOpen = fs.open;
  const realClose = fs.close;
  const opened: number[] = [];
  const closed: number[] = [];
  const patchedOpen = (...args: unknown[]): void => {
    const cb = args[args.length - 1] as (err: Error | null, fd: number) => void;
    (realOpen as (...a: unknown[]) => void)(...args.slice(0, -1), (err: Error | null, fd: number) => {
      if (!err) opened.push(fd);
      cb(err, fd);
    });
  };
  const patchedClose = (fd: number, cb?: (err: Error | null) => void): void => {
    closed.push(fd);
    realClose(fd, cb ?? (() => {}));
  };
  Object.assign(fs, { open: patchedOpen, close: patchedClose });
  syncBuiltinESMExports();
  try {
    for (const file of files) {
      opened.length = 0;
      closed.length = 0;
      await openCapture(file).read(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20)); // a stream's close is asynchronous
      assert.equal(opened.length, 1, file);
      assert.deepEqual(closed, opened, file);
    }
  } finally {
    Object.assign(fs, { open: realOpen, close: realClose });
    syncBuiltinESMExports();
  }
});
