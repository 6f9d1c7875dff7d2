// The live packet ring on the real Mirai capture: bounded on disk, pinned packets survive rotation with
// their exact bytes and times, tshark reads the segment files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCapture } from '../../capture/open.ts';
import { PacketRing, readRing } from './ring.ts';
import { tsharkFields } from '../../../test/support/tshark.ts';

const mirai = join(import.meta.dirname, '../../../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');

test('ring: bounded, pinned packets survive with exact bytes, tshark reads the segments', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-ring-'));
  const segmentBytes = 64 << 10;
  const ring = new PacketRing(dir, { segmentBytes, maxSegments: 3, maxPinnedSegments: 2 });
  const original = new Map<number, { data: Buffer; tsSec: number; tsNsec: number }>();
  const keep = new Set([300, 933, 2042]);
  let total = 0;
  await openCapture(mirai).read((rec) => {
    ring.record('mirai', rec);
    total++;
    if (keep.has(rec.packetNo)) {
      original.set(rec.packetNo, { data: Buffer.from(rec.data.subarray(rec.offset, rec.offset + rec.caplen)), tsSec: rec.tsSec, tsNsec: rec.tsNsec });
      // An open finding needs it: pinned while still in the ring.
      assert.equal(ring.pin('mirai', rec.packetNo), true);
    }
  });
  ring.close();
  assert.equal(ring.stats.packets, 4519);
  // Disk stays bounded: at most 3 unpinned + 2 pinned segments, each at most one packet past the size.
  const files = readdirSync(dir);
  assert.ok(files.length <= 5, `${files.length} segments`);
  for (const f of files) assert.ok(statSync(join(dir, f)).size < segmentBytes + 2048);
  assert.ok(ring.stats.segments_deleted > 0);
  // Two pinned segments fit the budget: the third pin pushed out the oldest pinned one, and that is counted.
  assert.equal(ring.stats.pinned_evicted, 1);
  assert.equal(ring.read('mirai', 300), undefined, 'oldest pin evicted');
  for (const n of [933, 2042]) {
    const p = ring.read('mirai', n);
    assert.ok(p, `packet ${n}`);
    assert.deepEqual(Buffer.from(p.data), original.get(n)!.data);
    assert.equal(p.tsSec, original.get(n)!.tsSec);
    assert.equal(p.tsNsec, original.get(n)!.tsNsec);
  }
  assert.equal(ring.read('mirai', 1500), undefined, 'an unpinned old packet is gone');
  assert.ok(ring.read('mirai', 4519), 'the newest packet is there');
  assert.equal(ring.pin('mirai', 5), false);
  assert.equal(ring.stats.pins_missed, 1);
  // Another process reads the same packets from the directory alone (packet ids and source names in the
  // segments); what the ring no longer has is absent, not invented.
  const cut = readRing(dir, new Map([['mirai', new Set([300, 933, 2042, 4519])]]));
  assert.deepEqual([...cut.packets.get('mirai')!.keys()].sort((a, b) => a - b), [933, 2042, 4519]);
  for (const n of [933, 2042]) assert.deepEqual(Buffer.from(cut.packets.get('mirai')!.get(n)!.data), original.get(n)!.data);
  // tshark sees the packet ids and the source name the ring wrote.
  const ids = tsharkFields(ring.files().at(-1)!, '', ['frame.packet_id', 'frame.interface_name']);
  assert.equal(ids.at(-1)![0], '4519');
  assert.equal(ids.at(-1)![1], 'mirai');
  // tshark reads every segment; together they hold the packets the ring still has.
  const counts = ring.files().map((f) => tsharkFields(f, '', ['frame.number']).length);
  assert.ok(counts.every((c) => c > 0));
  assert.ok(counts.reduce((a, b) => a + b, 0) < total);
});

test('ring: a released pin lets its segment rotate out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-ring-release-'));
  const ring = new PacketRing(dir, { segmentBytes: 32 << 10, maxSegments: 2, maxPinnedSegments: 4 });
  let pinned = false;
  await openCapture(mirai).read((rec) => {
    ring.record('m', rec);
    if (rec.packetNo === 100) pinned = ring.pin('m', 100, 'finding-1');
    if (rec.packetNo === 2000) ring.release('finding-1');
    if (rec.packetNo === 1500) assert.ok(ring.read('m', 100), 'kept while pinned');
  });
  ring.close();
  assert.ok(pinned);
  assert.equal(ring.read('m', 100), undefined, 'rotated out once released');
  assert.equal(ring.stats.pinned_evicted, 0);
});
