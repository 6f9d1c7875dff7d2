/**
 * Issue #11, faults 5 and 7 (gzip): a decompression bomb is read only up to the decompressed-size and ratio
 * limits (a fault says so; what came before is analysed), and a damaged CRC trailer keeps every packet before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openCapture } from '../../src/capture/open.ts';
import type { CaptureSummary } from '../../src/capture/types.ts';
import { pcapFile } from './floods.ts';
import { dhcpDiscover, floodMac } from './floods.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-gzip-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ftp = join(import.meta.dirname, '../traces/pipeline/ftp.pcap');

async function read(path: string, options = {}): Promise<CaptureSummary> {
  return openCapture(path, options).read(() => undefined);
}

/** 20,000 identical DHCP DISCOVERs at one instant: ~6 MB that DEFLATE squeezes several hundred times. */
function bomb(): { path: string; packets: number; size: number; inflated: number } {
  const frame = dhcpDiscover(floodMac(1), 1, 'bomb');
  const raw = pcapFile(Array.from({ length: 20_000 }, () => ({ ts: 1704067200, bytes: frame })));
  const gz = gzipSync(raw, { level: 9 });
  const path = join(dir, 'bomb.pcap.gz');
  writeFileSync(path, gz);
  return { path, packets: 20_000, size: gz.length, inflated: raw.length };
}

test('a gzip past the decompressed-size limit stops there with a fault; the packets before it count', async () => {
  const b = bomb();
  assert.ok(b.inflated / b.size > 200, `ratio ${b.inflated / b.size}`);
  const whole = await read(b.path);
  assert.equal(whole.packets, b.packets);
  const capped = await read(b.path, { maxDecompressedBytes: 1 << 20 });
  assert.match(capped.error?.message ?? '', /gzip expands past the limit \(1048576 bytes\)/);
  const perRecord = 16 + dhcpDiscover(floodMac(1), 1, 'bomb').length;
  assert.ok(capped.packets > 0 && capped.packets <= Math.floor(((1 << 20) - 24) / perRecord) + 1, `${capped.packets} packets`);
});

test('a gzip expanding more than the ratio allows stops past the floor', async () => {
  const b = bomb();
  const capped = await read(b.path, { maxGzipRatio: 100, gzipRatioFloorBytes: 1 << 20 });
  assert.match(capped.error?.message ?? '', /100 times the \d+ compressed bytes read/);
  assert.ok(capped.packets < b.packets);
  assert.equal((await read(b.path, { maxGzipRatio: 2000, gzipRatioFloorBytes: 1 << 20 })).packets, b.packets);
});

test('a damaged gzip CRC trailer keeps every packet (tshark refuses the file; the packets are intact)', async () => {
  const gz = gzipSync(readFileSync(ftp));
  gz[gz.length - 8] ^= 0xff; // CRC-32 of the member
  const path = join(dir, 'bad-crc.pcap.gz');
  writeFileSync(path, gz);
  const frames = spawnSync('tshark', ['-r', ftp, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout.trim().split('\n').length;
  const s = await read(path);
  assert.equal(s.packets, frames);
  assert.match(s.error?.message ?? '', /incorrect data check/);
});
