import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { readCaptureBytes } from './driver.ts';
import { MAX_CAPLEN, MAX_INTERFACES } from './limits.ts';
import { asFrames, collector, expectedFrames, pcapRecords, PcapngWriter, trace } from './test-support.ts';
import { LinkType } from './types.ts';

for (const name of ['mqtt.pcap', 'sonos.pcapng', 'two-links.pcapng', 'two-sections.pcapng']) {
  test(`pcapng ${name}: every frame agrees with tshark (time ns, caplen, len, interface, bytes md5)`, () => {
    const { seen, onPacket } = collector();
    const summary = readCaptureBytes(name, trace(name), onPacket);
    assert.equal(summary.error, undefined);
    assert.equal(summary.format, 'pcapng');
    assert.deepEqual(asFrames(seen), expectedFrames(name));
    assert.ok(seen.every((s, i) => s.packetNo === i + 1));
  });
}

test('pcapng: detected by magic, not by name (mqtt.pcap is pcapng: 9 frames, 1643014009.283854 first)', () => {
  const { seen, onPacket } = collector();
  assert.equal(readCaptureBytes('mqtt.pcap', trace('mqtt.pcap'), onPacket).format, 'pcapng');
  assert.deepEqual([seen.length, seen[0].tsSec, seen[0].tsNsec, seen[0].caplen], [9, 1643014009, 283854000, 74]);
});

test('pcapng: two interfaces with different link types (mergecap of Ethernet and Linux-cooked)', () => {
  const { seen, onPacket } = collector();
  readCaptureBytes('two-links.pcapng', trace('two-links.pcapng'), onPacket);
  const byIf = (id: number) => seen.filter((s) => s.interfaceId === id);
  assert.equal(byIf(0).length, 9);
  assert.equal(byIf(1).length, 9);
  assert.ok(byIf(0).every((s) => s.linkType === LinkType.ETHERNET));
  assert.ok(byIf(1).every((s) => s.linkType === LinkType.LINUX_SLL));
});

test('pcapng: two sections, each with its own interface list (second section interface 0 is Ethernet again)', () => {
  const { seen, onPacket } = collector();
  const s = readCaptureBytes('two-sections.pcapng', trace('two-sections.pcapng'), onPacket);
  assert.equal(s.packets, 27);
  const tail = seen.slice(18);
  assert.ok(tail.every((r) => r.interfaceId === 0 && r.linkType === LinkType.ETHERNET));
  // The second section starts where two-links.pcapng ends; its first packet follows mqtt.pcap's SHB and IDB.
  const mqtt = trace('mqtt.pcap');
  const shbLen = mqtt.readUInt32LE(4);
  assert.equal(tail[0].fileOffset, trace('two-links.pcapng').length + shbLen + mqtt.readUInt32LE(shbLen + 4));
});

/** Reference conversion with BigInt: ticks at a resolution to (sec, ns), plus the offset. */
function refTime(ticks: bigint, perSec: bigint, offset: bigint): [number, number] {
  return [Number(ticks / perSec + offset), Number(((ticks % perSec) * 1_000_000_000n) / perSec)];
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * A file the Debian tools do not write, built from dhcp.pcap's frames: a big-endian section with
 * if_tsresol 2^-20 and if_tsoffset, an SPB, an OPB on a nanosecond LINUX_SLL interface, NRB/ISB/custom
 * blocks; then a little-endian section with snaplen 200 and nanosecond ticks beyond 2^53.
 * (tshark 4.0 reads it with the same times, lengths and interfaces; it shows SPBs without a time.)
 */
function synthetic() {
  const recs = pcapRecords(trace('dhcp.pcap'));
  const us = (i: number) => BigInt(recs[i].sec) * 1_000_000n + BigInt(recs[i].frac);
  const w = new PcapngWriter();
  w.section(false);
  w.interface(LinkType.ETHERNET, 65535, { tsresol: 0x80 | 20, tsoffset: 1_000_000n });
  w.interface(LinkType.LINUX_SLL, 0, { tsresol: 9 });
  w.block(4, Buffer.from([0, 1, 0, 9, 192, 168, 1, 1, 104, 111, 115, 116, 0, 0, 0, 0, 0, 0, 0, 0])); // NRB
  const t0 = ((us(0) - 1_000_000_000_000n) << 20n) / 1_000_000n; // seconds shifted by -tsoffset, at 2^-20 s
  w.enhanced(0, t0, recs[0].data);
  w.block(0x00000bad, Buffer.from('custom block, skipped'));
  w.simple(recs[1].data);
  w.obsolete(1, us(2) * 1000n + 123n, recs[2].data);
  w.block(5, Buffer.alloc(20)); // ISB without options: read (interface statistics), not skipped
  w.section(true);
  w.interface(LinkType.ETHERNET, 200);
  w.interface(LinkType.RAW, 0, { tsresol: 9 });
  w.simple(recs[3].data.subarray(0, 200), recs[3].origLen); // SPB: caplen is min(origLen, snaplen of IDB 0)
  w.enhanced(0, us(4), recs[4].data.subarray(0, 200), recs[4].origLen);
  w.enhanced(1, us(5) * 1000n + 999n, recs[5].data);
  const [s0, n0] = refTime(t0, 1n << 20n, 1_000_000n);
  const expected = [
    { tsSec: s0, tsNsec: n0, caplen: recs[0].data.length, origLen: recs[0].origLen, interfaceId: 0, linkType: LinkType.ETHERNET, md5: md5(recs[0].data) },
    // SPB: no timestamp, keeps the previous packet's
    { tsSec: s0, tsNsec: n0, caplen: recs[1].data.length, origLen: recs[1].origLen, interfaceId: 0, linkType: LinkType.ETHERNET, md5: md5(recs[1].data) },
    { tsSec: recs[2].sec, tsNsec: recs[2].frac * 1000 + 123, caplen: recs[2].data.length, origLen: recs[2].origLen, interfaceId: 1, linkType: LinkType.LINUX_SLL, md5: md5(recs[2].data) },
    { tsSec: recs[2].sec, tsNsec: recs[2].frac * 1000 + 123, caplen: 200, origLen: recs[3].origLen, interfaceId: 0, linkType: LinkType.ETHERNET, md5: md5(recs[3].data.subarray(0, 200)) },
    { tsSec: recs[4].sec, tsNsec: recs[4].frac * 1000, caplen: 200, origLen: recs[4].origLen, interfaceId: 0, linkType: LinkType.ETHERNET, md5: md5(recs[4].data.subarray(0, 200)) },
    { tsSec: recs[5].sec, tsNsec: recs[5].frac * 1000 + 999, caplen: recs[5].data.length, origLen: recs[5].origLen, interfaceId: 1, linkType: LinkType.RAW, md5: md5(recs[5].data) },
  ];
  return { bytes: w.bytes(), expected };
}

test('pcapng (writer-made): BE+LE sections, SPB/OPB, 2^-20 resolution, tsoffset, skipped blocks counted', () => {
  const { bytes, expected } = synthetic();
  const { seen, onPacket } = collector();
  const s = readCaptureBytes('synthetic', bytes, onPacket);
  assert.equal(s.error, undefined);
  assert.equal(s.skippedBlocks, 2); // NRB and the custom block
  assert.deepEqual(s.interfaceStats, {}); // an ISB without counters
  assert.deepEqual(
    seen.map(({ tsSec, tsNsec, caplen, origLen, interfaceId, linkType, md5 }) => ({ tsSec, tsNsec, caplen, origLen, interfaceId, linkType, md5 })),
    expected,
  );
  // 2^-20 s ticks: the first frame's microseconds survive to within a tick (~954 ns).
  assert.equal(expected[0].tsSec, 1370200442);
  assert.ok(Math.abs(expected[0].tsNsec - 323173000) < 954);
});

test('pcapng: a block too big to buffer (2 MiB custom block) is skipped as it streams, in small chunks', () => {
  const recs = pcapRecords(trace('dhcp.pcap'));
  const w = new PcapngWriter().section(true).interface(LinkType.ETHERNET, 0);
  w.enhanced(0, 1n, recs[0].data).block(0x40000bad, Buffer.alloc(2 << 20, 0xab)).enhanced(0, 2n, recs[1].data);
  const bytes = w.bytes();
  for (const chunk of [bytes.length, 65536, 4099]) {
    const { seen, onPacket } = collector();
    const s = readCaptureBytes('big-skip', bytes, onPacket, chunk, 1 << 20);
    assert.equal(s.error, undefined, `chunk ${chunk}`);
    assert.deepEqual(seen.map((r) => r.md5), [md5(recs[0].data), md5(recs[1].data)]);
    assert.equal(s.skippedBlocks, 1);
  }
  // Its trailing length corrupted: the fault names the big block's header.
  const bad = Buffer.from(bytes);
  const bigAt = 28 + 20 + 32 + ((recs[0].data.length + 3) & ~3);
  bad.writeUInt32LE(12, bigAt + (2 << 20) + 8);
  const s = readCaptureBytes('big-skip-bad', bad, () => {}, 65536, 1 << 20);
  assert.equal(s.packets, 1);
  assert.equal(s.error?.offset, bigAt);
});

test('pcapng: a 256 KiB packet (the largest allowed) crossing chunk edges', () => {
  const data = Buffer.alloc(MAX_CAPLEN);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const bytes = new PcapngWriter().section(true).interface(LinkType.ETHERNET, 0).enhanced(0, 5n, data).enhanced(0, 6n, data.subarray(0, 60)).bytes();
  for (const chunk of [bytes.length, 100_000, 8191]) {
    const { seen, onPacket } = collector();
    const s = readCaptureBytes('huge', bytes, onPacket, chunk);
    assert.equal(s.error, undefined);
    assert.deepEqual(seen.map((r) => r.md5), [md5(data), md5(data.subarray(0, 60))]);
  }
  const tooBig = new PcapngWriter().section(true).interface(LinkType.ETHERNET, 0).enhanced(0, 5n, Buffer.alloc(MAX_CAPLEN + 4)).bytes();
  assert.match(readCaptureBytes('too-big', tooBig, () => {}).error?.reason ?? '', /exceeds 262144/);
});

/** dhcp frames 1-3 in one LE section; offsets of each block for the error tests. */
function small() {
  const recs = pcapRecords(trace('dhcp.pcap'));
  const w = new PcapngWriter().section(true).interface(LinkType.ETHERNET, 65535);
  const epb1 = w.bytes().length;
  w.enhanced(0, 1n, recs[0].data);
  const epb2 = w.bytes().length;
  w.enhanced(0, 2n, recs[1].data);
  const epb3 = w.bytes().length;
  w.enhanced(0, 3n, recs[2].data);
  return { bytes: w.bytes(), epb1, epb2, epb3 };
}

function faultOf(bytes: Uint8Array): { packets: number; offset?: number; reason?: string } {
  const s = readCaptureBytes('f', bytes, () => {});
  return { packets: s.packets, offset: s.error?.offset, reason: s.error?.reason };
}

test('pcapng faults: trailing length mismatch, bad total lengths, unknown interface, caplen overruns', () => {
  const { bytes, epb2 } = small();
  assert.deepEqual(faultOf(bytes), { packets: 3, offset: undefined, reason: undefined });
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['trailer', (b) => b.writeUInt32LE(0, epb2 + b.readUInt32LE(epb2 + 4) - 4), /trailing block length/],
    ['not multiple of 4', (b) => b.writeUInt32LE(b.readUInt32LE(epb2 + 4) + 2, epb2 + 4), /not a multiple of 4/],
    ['below 12', (b) => b.writeUInt32LE(8, epb2 + 4), /at least 12/],
    ['below EPB minimum', (b) => b.writeUInt32LE(28, epb2 + 4), /too short/],
    ['over 1 MiB', (b) => b.writeUInt32LE(2 << 20, epb2 + 4), /exceeds 1048576/],
    ['unknown interface', (b) => b.writeUInt32LE(1, epb2 + 8), /unknown interface 1/],
    ['caplen past block end', (b) => b.writeUInt32LE(2000, epb2 + 20), /runs past the block end/],
  ];
  for (const [label, patch, reason] of cases) {
    const b = Buffer.from(bytes);
    patch(b);
    const f = faultOf(b);
    assert.equal(f.packets, 1, label);
    assert.equal(f.offset, epb2, label);
    assert.match(f.reason ?? '', reason, label);
  }
});

test('pcapng faults: section header (bad byte-order magic, version 2), SPB before any IDB, IDB option overrun, tsresol', () => {
  const sec = new PcapngWriter().section(true).bytes();
  const badBom = Buffer.from(sec);
  badBom.writeUInt32LE(0x11223344, 8);
  assert.deepEqual(faultOf(badBom), { packets: 0, offset: 0, reason: 'bad section byte-order magic' });
  assert.match(faultOf(new PcapngWriter().section(true, 2).bytes()).reason ?? '', /major version 2/);
  const spb = new PcapngWriter().section(true).simple(Buffer.alloc(60)).bytes();
  assert.deepEqual(faultOf(spb), { packets: 0, offset: 28, reason: 'simple packet block before any interface' });
  const idb = Buffer.from(new PcapngWriter().section(true).interface(1, 0, { tsresol: 6 }).bytes());
  idb.writeUInt16LE(200, 28 + 16 + 2); // if_tsresol option length past the block
  assert.deepEqual(faultOf(idb).offset, 28);
  assert.match(faultOf(new PcapngWriter().section(true).interface(1, 0, { tsresol: 20 }).bytes()).reason ?? '', /if_tsresol 0x14/);
});

test('pcapng faults: more than 65536 interfaces in a section', () => {
  const w = new PcapngWriter().section(true);
  for (let i = 0; i <= MAX_INTERFACES; i++) w.interface(1, 0);
  const f = faultOf(w.bytes());
  assert.equal(f.offset, 28 + MAX_INTERFACES * 20);
  assert.match(f.reason ?? '', /more than 65536 interfaces/);
});
