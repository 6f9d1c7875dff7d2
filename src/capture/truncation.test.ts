import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCaptureBytes } from './driver.ts';
import { MAX_CAPLEN } from './limits.ts';
import { asFrames, collector, expectedCut, expectedFrames, layout, trace } from './test-support.ts';
import type { PacketRecord } from './types.ts';
import { fuzz } from '../../test/support/mutate.ts';

const TRACES = ['dhcp.pcap', 'dominate-300.pcap', 'mqtt.pcap', 'sonos.pcapng', 'two-sections.pcapng'];

for (const name of TRACES) {
  test(`truncation of ${name} at every offset: packets before the cut delivered, error at the cut record's header`, () => {
    const bytes = trace(name);
    const l = layout(bytes);
    const frames = expectedFrames(name);
    for (let cut = 0; cut <= bytes.length; cut++) {
      // md5 per frame is slow: the full frame check runs at every 97th cut, a count elsewhere.
      const full = cut % 97 === 0;
      const { seen, onPacket } = collector();
      const s = readCaptureBytes(name, bytes.subarray(0, cut), full ? onPacket : () => {}, undefined, 64 * 1024);
      const want = expectedCut(l, cut);
      assert.equal(s.packets, want.packets, `cut ${cut}`);
      assert.equal(s.error?.offset, want.errorOffset, `cut ${cut}: ${s.error?.message}`);
      if (s.error) assert.equal(s.error.file, name);
      if (full) assert.deepEqual(asFrames(seen), frames.slice(0, want.packets));
    }
  });
}

test('chunk edges anywhere: the same frames whatever the chunk size (1 byte to whole file)', () => {
  for (const name of TRACES) {
    const bytes = trace(name);
    for (const chunk of [1, 3, 16, 17, 100, 1500, 4096, 65536]) {
      const { seen, onPacket } = collector();
      const s = readCaptureBytes(name, bytes, onPacket, chunk);
      assert.equal(s.error, undefined, `${name} chunk ${chunk}`);
      assert.deepEqual(asFrames(seen), expectedFrames(name), `${name} chunk ${chunk}`);
    }
  }
});

test('faults: bad magic, empty, too short, caplen > 256 KiB with snaplen 0', () => {
  const bad = Buffer.from(trace('dhcp.pcap'));
  bad[0] ^= 0xff;
  const s1 = readCaptureBytes('bad', bad, () => {});
  assert.deepEqual([s1.packets, s1.error?.offset, s1.error?.reason], [0, 0, 'not a pcap or pcapng file (magic 2bc3b2a1)']);
  assert.equal(readCaptureBytes('empty', new Uint8Array(0), () => {}).error?.reason, 'empty file');
  assert.match(readCaptureBytes('short', trace('dhcp.pcap').subarray(0, 3), () => {}).error?.reason ?? '', /too short \(3 bytes\)/);
  assert.match(readCaptureBytes('hdr', trace('dhcp.pcap').subarray(0, 20), () => {}).error?.reason ?? '', /truncated file header \(20 of 24/);
  const big = Buffer.from(trace('dhcp.pcap'));
  big.writeUInt32LE(0, 16); // snaplen 0
  const third = 24 + 16 + 307 + 16 + 409;
  big.writeUInt32LE(MAX_CAPLEN + 1, third + 8);
  const s2 = readCaptureBytes('big', big, () => {});
  assert.deepEqual([s2.packets, s2.error?.offset, s2.error?.reason], [2, third, 'caplen 262145 exceeds 262144 bytes']);
});

/** Reader invariants a consumer relies on; throwing here fails the fuzz run. */
function checkRecord(r: PacketRecord): void {
  if (!(r.caplen <= MAX_CAPLEN && r.offset >= 0 && r.offset + r.caplen <= r.data.length)) throw new Error(`record out of bounds: ${r.offset}+${r.caplen}`);
  if (!(r.tsNsec >= 0 && r.tsNsec < 1e9 && Number.isInteger(r.tsNsec))) throw new Error(`tsNsec ${r.tsNsec}`);
}

test('robustness: mutated and random whole captures never throw, always yield a summary', () => {
  const seeds = TRACES.map((n) => new Uint8Array(trace(n)));
  let faults = 0;
  fuzz(seeds, (bytes) => {
    const s = readCaptureBytes('fuzz', bytes, checkRecord);
    if (s.error) faults++;
    if (s.error && !(s.error.offset >= 0 && s.error.offset <= bytes.length)) throw new Error(`error offset ${s.error.offset} outside the input`);
  }, 3000);
  assert.ok(faults > 0);
  // Same inputs pushed in odd chunk sizes through a small buffer: carry-over paths under mutation.
  fuzz(seeds, (bytes) => void readCaptureBytes('fuzz', bytes, checkRecord, 1009, 1 << 20), 1500, 2);
});
