import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureBytes } from './driver.ts';
import { asFrames, collector, expectedFrames, swapPcapByteOrder, trace } from './test-support.ts';
import { LinkType } from './types.ts';

for (const name of ['dhcp.pcap', 'dhcp-nsec.pcap', 'dominate-300.pcap']) {
  test(`classic pcap ${name}: every frame agrees with tshark (time ns, caplen, len, bytes md5)`, () => {
    const { seen, onPacket } = collector();
    const summary = readCaptureBytes(name, trace(name), onPacket);
    assert.equal(summary.error, undefined);
    assert.equal(summary.format, 'pcap');
    assert.deepEqual(asFrames(seen), expectedFrames(name));
    assert.equal(summary.packets, seen.length);
    assert.equal(summary.capturedBytes, seen.reduce((n, s) => n + s.caplen, 0));
    assert.ok(seen.every((s, i) => s.linkType === LinkType.ETHERNET && s.packetNo === i + 1 && s.interfaceId === 0));
  });
}

test('classic pcap: dhcp.pcap known values (9 frames, first 1370200442.323173000 307 B, record offsets)', () => {
  const { seen, onPacket } = collector();
  readCaptureBytes('dhcp.pcap', trace('dhcp.pcap'), onPacket);
  assert.equal(seen.length, 9);
  assert.deepEqual([seen[0].tsSec, seen[0].tsNsec, seen[0].caplen], [1370200442, 323173000, 307]);
  assert.deepEqual([seen[8].tsSec, seen[8].tsNsec, seen[8].caplen], [1370200447, 422207000, 313]);
  // Record headers follow one another: 24-byte file header, then 16 + caplen per record.
  assert.equal(seen[0].fileOffset, 24);
  assert.equal(seen[1].fileOffset, 24 + 16 + 307);
});

test('classic pcap: nanosecond magic keeps the full fraction (editcap -F nsecpcap)', () => {
  const bytes = trace('dhcp-nsec.pcap');
  assert.equal(bytes.readUInt32LE(0), 0xa1b23c4d);
  const { seen, onPacket } = collector();
  readCaptureBytes('dhcp-nsec.pcap', bytes, onPacket);
  assert.equal(seen[1].tsNsec, 328120000);
  // A sub-microsecond fraction survives as is.
  const patched = Buffer.from(bytes);
  patched.writeUInt32LE(323173123, 24 + 4);
  const again = collector();
  readCaptureBytes('ns', patched, again.onPacket);
  assert.deepEqual([again.seen[0].tsSec, again.seen[0].tsNsec], [1370200442, 323173123]);
});

test('classic pcap: big-endian file (byte-swapped dhcp.pcap and dominate-300.pcap) reads the same', () => {
  for (const name of ['dhcp.pcap', 'dominate-300.pcap']) {
    const be = swapPcapByteOrder(trace(name));
    assert.equal(be.readUInt32BE(0), 0xa1b2c3d4);
    const { seen, onPacket } = collector();
    const summary = readCaptureBytes(`${name}-be`, be, onPacket);
    assert.equal(summary.error, undefined);
    assert.deepEqual(asFrames(seen), expectedFrames(name));
  }
});

test('classic pcap: big-endian nanosecond file', () => {
  const be = swapPcapByteOrder(trace('dhcp-nsec.pcap'));
  const { seen, onPacket } = collector();
  readCaptureBytes('be-ns', be, onPacket);
  assert.deepEqual(asFrames(seen), expectedFrames('dhcp-nsec.pcap'));
});

test('classic pcap: link type comes from the header (LINUX_SLL, FCS bits ignored)', () => {
  const bytes = Buffer.from(trace('dhcp.pcap'));
  bytes.writeUInt32LE(0x10000000 | LinkType.LINUX_SLL, 20); // FCS-length bits set above the type
  const { seen, onPacket } = collector();
  readCaptureBytes('sll', bytes, onPacket);
  assert.ok(seen.length === 9 && seen.every((s) => s.linkType === LinkType.LINUX_SLL));
});

test('classic pcap: any snaplen accepts every caplen up to 256 KiB, as tshark does (issue #11); over snaplen is counted', () => {
  const bytes = Buffer.from(trace('dhcp.pcap'));
  bytes.writeUInt32LE(0, 16);
  assert.equal(readCaptureBytes('s0', bytes, () => {}).packets, 9);
  bytes.writeUInt32LE(308, 16); // the second frame has 409 bytes
  const s = readCaptureBytes('s308', bytes, () => {});
  const path = join(mkdtempSync(join(tmpdir(), 'bulwark-snaplen-')), 's308.pcap');
  writeFileSync(path, bytes);
  const tshark = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.cap_len'], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
  assert.equal(s.error, undefined);
  assert.equal(s.packets, tshark.length);
  assert.equal(s.caplenOverSnaplen, tshark.filter((n) => n > 308).length);
  assert.ok((s.caplenOverSnaplen ?? 0) > 0);
});

test('classic pcap: caplen > origLen is tolerated and counted', () => {
  const bytes = Buffer.from(trace('dhcp.pcap'));
  bytes.writeUInt32LE(300, 24 + 12); // frame 1: caplen 307, len 300
  const { seen, onPacket } = collector();
  const s = readCaptureBytes('over', bytes, onPacket);
  assert.equal(s.error, undefined);
  assert.equal(s.packets, 9);
  assert.equal(s.caplenOverOrigLen, 1);
  assert.deepEqual([seen[0].caplen, seen[0].origLen], [307, 300]);
});

test('classic pcap: a fraction of a second >= 1 s is carried into the seconds', () => {
  const bytes = Buffer.from(trace('dhcp.pcap'));
  bytes.writeUInt32LE(2_500_000, 24 + 4); // 2.5 s worth of microseconds
  const { seen, onPacket } = collector();
  readCaptureBytes('frac', bytes, onPacket);
  assert.deepEqual([seen[0].tsSec, seen[0].tsNsec], [1370200442 + 2, 500_000_000]);
});

test('classic pcap: header only is an empty, clean capture', () => {
  const s = readCaptureBytes('hdr', trace('dhcp.pcap').subarray(0, 24), () => {});
  assert.equal(s.error, undefined);
  assert.equal(s.packets, 0);
});
