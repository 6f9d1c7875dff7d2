/**
 * Opening a capture: a regular file is read in big chunks straight into the driver's buffer through
 * its file descriptor; gzip (by magic), named pipes and standard input ('-') are read as streams.
 * Bad input never throws: `read` resolves with `summary.error` set.
 * @module
 */
import { close, createReadStream, fstat, open as openFd, read, stat, type ReadStream, type Stats } from 'node:fs';
import type * as NodeNet from 'node:net';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type * as NodeZlib from 'node:zlib';
import type { Gunzip } from 'node:zlib';
import { ChunkDriver, isGzipMagic } from './driver.ts';
import type { Fault } from './format-parser.ts';
import { CHUNK_BYTES, GZIP_RATIO_FLOOR, MAX_DECOMPRESSED_BYTES, MAX_GZIP_RATIO } from './limits.ts';
import type { CaptureProgress, CaptureSource, CaptureSummary, PacketRecord } from './types.ts';

export interface OpenCaptureOptions {
  /** Largest single read (default: the whole free buffer). Tests lower it to force carry-over. */
  readBytes?: number;
  /** Size of the reused buffer (default 8 MiB). */
  bufferBytes?: number;
  /** Decompressed bytes a gzip capture may expand to (default MAX_DECOMPRESSED_BYTES). */
  maxDecompressedBytes?: number;
  /** Decompressed / compressed bytes allowed past GZIP_RATIO_FLOOR (default MAX_GZIP_RATIO). */
  maxGzipRatio?: number;
  /** Decompressed bytes before the ratio applies (default GZIP_RATIO_FLOOR). */
  gzipRatioFloorBytes?: number;
  /** Stop reading (Ctrl-C): resolves with what was delivered, without a truncation fault. */
  signal?: AbortSignal;
  /**
   * Sees the bytes as stored (compressed for gzip), in order, as each read returns them — to hash the file in
   * the same read. Reading stops at a fault that ends the records: the bytes after it are not seen.
   */
  onRawBytes?: (bytes: Uint8Array) => void;
}

type OnPacket = (rec: PacketRecord) => void;
type OnProgress = ((p: CaptureProgress) => void) | undefined;

/** A source for `path`, or standard input when `path` is '-'. Nothing is opened until `read`. */
export function openCapture(path: string, options: OpenCaptureOptions = {}): CaptureSource {
  const name = path === '-' ? 'stdin' : path;
  return { name, read: (onPacket, onProgress) => readCapture(path, name, options, onPacket, onProgress) };
}

/** Reports compressed bytes consumed, at most once per half chunk and once at the end. */
class Progress {
  private last = 0;
  private readonly cb: OnProgress;
  private readonly total: number;
  constructor(cb: OnProgress, total: number) {
    this.cb = cb;
    this.total = total;
  }
  report(bytesRead: number): void {
    if (this.cb && bytesRead - this.last >= CHUNK_BYTES / 2) {
      this.last = bytesRead;
      this.cb({ bytesRead, totalBytes: this.total });
    }
  }
  final(bytesRead: number): void {
    this.cb?.({ bytesRead, totalBytes: this.total });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Read a capture from any byte stream (a child process's standard output, a socket): the same reader as
 * pipes and standard input use.
 */
export function readCaptureStream(stream: Readable, name: string, onPacket: OnPacket, options: OpenCaptureOptions = {}): Promise<CaptureSummary> {
  return readStream(stream, name, new ChunkDriver(onPacket, options.bufferBytes), new Progress(undefined, 0), options);
}

async function readCapture(path: string, name: string, options: OpenCaptureOptions, onPacket: OnPacket, onProgress: OnProgress): Promise<CaptureSummary> {
  const driver = new ChunkDriver(onPacket, options.bufferBytes);
  if (path === '-') return readStream(process.stdin, name, driver, new Progress(onProgress, 0), options);
  try {
    // A FIFO is read through a libuv pipe (as stdin is): a read blocked in the thread pool could not be cancelled.
    if ((await statPath(path)).isFIFO()) return await readStream(await openFifo(path), name, driver, new Progress(onProgress, 0), options);
  } catch (err) {
    if (driver.consumerError !== undefined) throw err;
    return driver.summary(name, false, { offset: 0, reason: `cannot open: ${errorText(err)}` });
  }
  let fd: number;
  try {
    fd = await openRead(path);
  } catch (err) {
    return driver.summary(name, false, { offset: 0, reason: `cannot open: ${errorText(err)}` });
  }
  // A stream read (a gzip file, a device) owns the descriptor from then on and closes it when it is destroyed:
  // closing it here as well raced the stream's own close (EBADF, or worse, a number reused by another open).
  let stream: ReadStream | undefined;
  const streamOf = (options: { start?: number; highWaterMark?: number }): ReadStream => (stream = createReadStream('', { ...options, fd, autoClose: true }));
  try {
    const st = await statFd(fd);
    if (st.isDirectory()) return driver.summary(name, false, { offset: 0, reason: 'cannot read: is a directory' });
    if (!st.isFile()) return await readStream(streamOf({}), name, driver, new Progress(onProgress, 0), options);
    return await readRegularFile(fd, streamOf, name, driver, options, new Progress(onProgress, st.size));
  } catch (err) {
    if (driver.consumerError !== undefined) throw err;
    return driver.summary(name, false, { offset: driver.base, reason: `read error: ${errorText(err)}` });
  } finally {
    if (stream === undefined) await closeFd(fd);
    else stream.destroy();
    driver.release();
  }
}

/*
 * node:fs's callbacks as promises, not node:fs/promises: loading that module (file handles, and the readline
 * and stream modules behind them) was 3 ms of every short run's start (CPU profile, 10-packet capture).
 */
const statPath = (path: string): Promise<Stats> => new Promise((ok, fail) => stat(path, (err, st) => (err ? fail(err) : ok(st))));
const openRead = (path: string): Promise<number> => new Promise((ok, fail) => openFd(path, 'r', (err, fd) => (err ? fail(err) : ok(fd))));
const statFd = (fd: number): Promise<Stats> => new Promise((ok, fail) => fstat(fd, (err, st) => (err ? fail(err) : ok(st))));
const closeFd = (fd: number): Promise<void> => new Promise((ok) => close(fd, () => ok()));
function readAt(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((ok, fail) => read(fd, buf, offset, length, position, (err, bytesRead) => (err ? fail(err) : ok(bytesRead))));
}

/**
 * node:net and node:zlib, loaded for the captures that need them (a named pipe, a gzip file): with node:fs/promises
 * they were 11 ms of a short run's start (CPU profile of analyze on a 10-packet capture).
 */
const nodeNet = (): typeof NodeNet => process.getBuiltinModule('node:net');
const nodeZlib = (): typeof NodeZlib => process.getBuiltinModule('node:zlib');

/** Opens a named pipe (waiting for its writer, like tcpdump -r does) as a socket that owns the descriptor. */
function openFifo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    openFd(path, 'r', (err, fd) => (err ? reject(err) : resolve(new (nodeNet().Socket)({ fd, readable: true, writable: false }))));
  });
}

/** The fast path: positional reads into the driver's buffer behind the carried-over bytes. */
async function readRegularFile(fd: number, streamOf: (options: { start?: number; highWaterMark?: number }) => ReadStream, name: string, driver: ChunkDriver,
  options: OpenCaptureOptions, progress: Progress): Promise<CaptureSummary> {
  const buf = driver.buf;
  const peeked = await readAt(fd, buf, 0, 2, 0);
  if (isGzipMagic(buf, peeked)) return readStream(streamOf({ start: 0, highWaterMark: 1 << 20 }), name, driver, progress, options);
  const maxRead = options.readBytes ?? buf.length;
  let position = 0;
  for (;;) {
    if (options.signal?.aborted) return driver.summary(name, false, null);
    const bytesRead = await readAt(fd, buf, driver.filled, Math.min(maxRead, buf.length - driver.filled), position);
    if (bytesRead === 0) break;
    options.onRawBytes?.(buf.subarray(driver.filled, driver.filled + bytesRead));
    position += bytesRead;
    progress.report(position);
    if (!driver.commit(bytesRead)) break;
  }
  driver.end();
  progress.final(position);
  return driver.summary(name, false);
}

/** Counts raw (compressed) bytes as they pass, for progress, and shows them to `onRawBytes`. */
async function* counted(raw: AsyncIterable<Uint8Array>, progress: Progress, seen: { bytes: number }, onRawBytes?: (bytes: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of raw) {
    onRawBytes?.(chunk);
    seen.bytes += chunk.length;
    progress.report(seen.bytes);
    yield chunk;
  }
}

/** Passes the stream on with its last 8 bytes held back and sent alone at the end (see gunzipInto). */
async function* trailerApart(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array = new Uint8Array(0);
  for await (const chunk of src) {
    const all = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    if (all.length <= 8) {
      carry = all.slice();
      continue;
    }
    yield all.subarray(0, all.length - 8);
    carry = all.slice(all.length - 8);
  }
  if (carry.length > 0) yield carry;
}

async function* replay(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Pipes, stdin and gzip: sniff the first bytes, then feed the driver (through gunzip when compressed). */
async function readStream(raw: Readable, name: string, driver: ChunkDriver, progress: Progress, options: OpenCaptureOptions = {}): Promise<CaptureSummary> {
  const signal = options.signal;
  if (signal?.aborted) return driver.summary(name, false, null);
  // Stopping a stream read: destroying the source ends the iteration below.
  const stop = (): void => void raw.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  const seen = { bytes: 0 };
  const it = counted(raw, progress, seen, options.onRawBytes);
  let gzip = false;
  let fault: Fault | null = null;
  try {
    const head: Uint8Array[] = [];
    let headLen = 0;
    while (headLen < 2) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      headLen += r.value.length;
    }
    const first = head.length === 1 ? head[0] : Buffer.concat(head);
    gzip = isGzipMagic(first, first.length);
    if (gzip) {
      fault = await gunzipInto(replay(first, it), driver, seen, options);
    } else if (driver.push(first)) {
      for await (const chunk of replay(new Uint8Array(0), it)) if (!driver.push(chunk)) break;
    }
  } catch (err) {
    if (driver.consumerError !== undefined) throw err;
    fault = { offset: driver.base, reason: `read error: ${errorText(err)}` };
  } finally {
    // Destroy rather than await the iterator's return: gunzip may still be waiting on a quiet pipe.
    raw.destroy();
    void it.return(undefined).catch(() => undefined);
    signal?.removeEventListener('abort', stop);
  }
  // Stopped on purpose: a record cut in half by the stop is not a fault of the input.
  if (signal?.aborted) return driver.summary(name, gzip, null);
  if (fault === null) driver.end();
  progress.final(seen.bytes);
  return driver.summary(name, gzip, fault ?? driver.fault);
}

/**
 * Decompress into the driver; a zlib error (truncated or corrupt stream) is a fault at the first undelivered
 * record, and so is output past the decompression limits. The last 8 bytes (a member's CRC-32 and size trailer)
 * reach zlib on their own, so a damaged trailer fails only after every packet before it was delivered.
 */
async function gunzipInto(compressed: AsyncIterable<Uint8Array>, driver: ChunkDriver, seen: { bytes: number }, options: OpenCaptureOptions): Promise<Fault | null> {
  const gunzip = nodeZlib().createGunzip({ chunkSize: 1 << 20 });
  void feed(trailerApart(compressed), gunzip);
  const maxBytes = options.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const maxRatio = options.maxGzipRatio ?? MAX_GZIP_RATIO;
  const floor = options.gzipRatioFloorBytes ?? GZIP_RATIO_FLOOR;
  let out = 0;
  try {
    for await (const chunk of gunzip) {
      const bytes = chunk as Uint8Array;
      out += bytes.length;
      if (out > maxBytes || (out > floor && out > maxRatio * seen.bytes)) {
        const room = Math.max(0, bytes.length - (out - Math.min(maxBytes, out)));
        if (room > 0) driver.push(bytes.subarray(0, room));
        return {
          offset: driver.base,
          reason: `gzip expands past the limit (${out > maxBytes ? `${maxBytes} bytes` : `${maxRatio} times the ${seen.bytes} compressed bytes read`}): ` +
            'a decompression bomb? The rest was not read',
        };
      }
      if (!driver.push(bytes)) break;
    }
  } catch (err) {
    if (driver.consumerError !== undefined) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'Z_BUF_ERROR') return { offset: driver.base, reason: 'truncated gzip stream' };
    if (typeof code === 'string' && code.startsWith('Z_')) return { offset: driver.base, reason: `corrupt gzip stream: ${errorText(err)}` };
    return { offset: driver.base, reason: `read error: ${errorText(err)}` };
  } finally {
    gunzip.destroy();
  }
  return null;
}

/**
 * Writes the compressed chunks to zlib, and ends it only once the last one was processed: zlib runs the chunk
 * written together with end() as its final flush, and an error there (a cut stream, a bad CRC) drops the output
 * of that whole chunk, packets that were intact included.
 */
async function feed(chunks: AsyncIterable<Uint8Array>, gunzip: Gunzip): Promise<void> {
  const stopped = new Promise<void>((ok) => gunzip.once('close', ok));
  try {
    let last: Promise<void> = Promise.resolve();
    for await (const chunk of chunks) {
      if (gunzip.destroyed) return;
      last = new Promise<void>((ok) => gunzip.write(chunk, () => ok()));
      if (gunzip.writableNeedDrain) await Promise.race([new Promise((ok) => gunzip.once('drain', ok)), stopped]);
    }
    await Promise.race([last, stopped]);
    if (!gunzip.destroyed) gunzip.end();
  } catch (err) {
    gunzip.destroy(err as Error);
  }
}
