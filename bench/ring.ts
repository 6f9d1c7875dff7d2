/**
 * `npm run bench:ring`: the cost of the live packet ring (src/findings/evidence/ring.ts) per packet. The real
 * SpiderLabs Mirai capture is read `--rounds` times (default 60) once into the ring (16 MiB segments,
 * 8 + 8 kept, as a 256 MiB ring) and once without it; the difference per packet is the ring's cost (encoding
 * and writing to disk). Prints one line.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openCapture } from '../src/capture/open.ts';
import { PacketRing } from '../src/findings/evidence/ring.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '60' } } });
const rounds = Number(values.rounds);
const capture = join(import.meta.dirname, '../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');

async function pass(onPacket: Parameters<ReturnType<typeof openCapture>['read']>[0]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await openCapture(capture).read(onPacket);
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-ring-'));
try {
  const ring = new PacketRing(dir, { segmentBytes: 16 << 20, maxSegments: 8, maxPinnedSegments: 8 });
  let packets = 0;
  await pass(() => void packets++); // warm the reader and the page cache
  packets = 0;
  const readOnly = await pass(() => void packets++);
  const withRing = await pass((rec) => ring.record('bench', rec));
  ring.close();
  const perPacket = ((withRing - readOnly) / packets) * 1000;
  console.log(`ring: ${packets} packets, ${(ring.stats.bytes / 1e6).toFixed(1)} MB; read ${readOnly.toFixed(0)} ms, read + ring ${withRing.toFixed(0)} ms: ${perPacket.toFixed(2)} µs per packet (${Math.round(1e6 / perPacket).toLocaleString('en')} packets/s of ring alone), ${ring.files().length} segments kept`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
