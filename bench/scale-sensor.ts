/**
 * One sensor process of `npm run bench:scale`: analyses its captures into store batches first (a batch per
 * publication tick, untimed), says `ready` with what it holds, waits for `go` on standard input, then
 * publishes every batch through the real path (spool with fsync, JetStream with message ids) as fast as the
 * link takes them, each stamped with the wall-clock time it was handed to the publisher. Says `done` at the end.
 *
 * argv: NATS_URL SITE SENSOR SPOOL_DIR CAPTURE...
 * @module
 */
import { createInterface } from 'node:readline';
import { AnalysisSession } from '../src/engine/session.ts';
import { BatchBuilder } from '../src/store/batch-builder.ts';
import type { StoreBatch } from '../src/store/batch.ts';
import { defaultStream } from '../src/fleet/connect.ts';
import { SensorPublisher } from '../src/fleet/publisher.ts';
import { Spool } from '../src/fleet/spool.ts';

const [natsUrl, site, sensor, spoolDir, ...files] = process.argv.slice(2);
const say = (o: object): void => void process.stdout.write(JSON.stringify(o) + '\n');

const builder = new BatchBuilder({ site, sensor, segmentId: `bench ${sensor}` });
const batches: StoreBatch[] = [];
let session: AnalysisSession | undefined = undefined;
session = new AnalysisSession({
  ...builder.hooks(), publishEveryMs: 0, resolveEvidence: false,
  onPublish: () => { if (!builder.empty) batches.push(builder.take(session!.pipeline.summary())); },
});
const result = await session.run(files);
batches.push(builder.take(result.summary, { final: true, devices: result.devices }));
const count = (f: (b: StoreBatch) => number): number => batches.reduce((n, b) => n + f(b), 0);
say({
  ready: true, batches: batches.length,
  findings: count((b) => b.findings?.length ?? 0),
  rows: count((b) => (b.devices?.length ?? 0) + (b.findings?.length ?? 0) + (b.flowBuckets?.length ?? 0) + (b.protocols?.length ?? 0) + (b.removedDevices?.length ?? 0)),
});

// Connected before the start signal: the timed part is the hand-over, not the connection.
const publisher = new SensorPublisher({ site, sensor, nats: { servers: [natsUrl], name: `bench ${sensor}` }, stream: defaultStream, spool: new Spool({ dir: spoolDir }) });
publisher.start();
while (publisher.stats().link !== 'up') await new Promise((r) => setTimeout(r, 20));
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
const started = Date.now();
for (const b of batches) {
  publisher.enqueue({ ...b, status: { version: 'bench', sent_at: Date.now(), packets: result.summary.packets, drops: 0, bytes: result.summary.bytes } });
  // Let the publishing loop run between appends (a real sensor hands over a batch a second).
  await new Promise((r) => setImmediate(r));
}
const left = await publisher.close(120_000);
say({ done: true, ms: Date.now() - started, left, last_seq: publisher.stats().spool.last_seq, ...publisher.stats() });
process.exit(0);
