import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { SqliteStore } from '../store/sqlite.ts';
import type { BatchWriter, StoreBatch } from '../store/batch.ts';
import { TestNatsServer, natsServerBinary } from '../../test/support/nats-server.ts';
import { defaultStream, ensureStream } from './connect.ts';
import { encode, envelope, messageId, subjectOf } from './message.ts';
import { BatchConsumer } from './consumer.ts';

const skip = natsServerBinary ? false : 'nats-server is not installed';

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const batch = (seq: number): StoreBatch => ({ site: 'north', sensor: 'gw1', seq, flowBuckets: [{ t: 1_700_000_000 + seq * 10, flows: 1, bytes: 100 }], protocols: [{ name: 'dns', flows: 1, bytes: 100 }] });

test('invalid messages are refused by reason and never redelivered; a slow store slows the pulling (bounded in flight)', { skip, timeout: 60_000 }, async (t) => {
  const server = await TestNatsServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-consumer-'));
  const store = new SqliteStore(join(dir, 'c.db'));
  const nc = await connect({ servers: server.url });
  // A store that takes 30 ms per batch (a busy database).
  let applying = 0;
  const slow: BatchWriter = {
    applyBatch: async (b) => {
      applying++;
      await sleep(30);
      return store.applyBatch(b);
    },
    listSensors: () => store.listSensors(),
  };
  const problems: string[] = [];
  const consumer = new BatchConsumer({ nats: { servers: [server.url], name: 'test central' }, stream: defaultStream, store: slow, maxInFlight: 4, onProblem: (p) => problems.push(p) });
  t.after(async () => {
    await consumer.stop();
    await nc.close();
    await store.close();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  await ensureStream(nc, defaultStream);
  const js = jetstream(nc);
  const gz = headers();
  gz.set('Content-Encoding', 'gzip');
  const subject = subjectOf('north', 'gw1', 'batch');
  // Garbage first: not gzip, no header, a forged site, then 40 good batches.
  await js.publish(subject, new TextEncoder().encode('hello'), { headers: gz });
  await js.publish(subject, encode(envelope(batch(1), 0)));
  await js.publish(subjectOf('south', 'gw1', 'batch'), encode(envelope(batch(1), 0)), { headers: gz });
  await js.publish(subject, gzipSync(JSON.stringify({ ...envelope(batch(1), 0), version: 9 })), { headers: gz });
  const total = 40;
  for (let seq = 1; seq <= total; seq++) await js.publish(subject, encode(envelope(batch(seq), seq - 1)), { headers: gz, msgID: messageId('north', 'gw1', seq) });

  consumer.start();
  await consumer.ready;
  const jsm = await jetstreamManager(nc);
  let maxPending = 0;
  await until('every good batch is applied', async () => {
    const info = await jsm.consumers.info(defaultStream.name, 'bulwark-central');
    maxPending = Math.max(maxPending, info.num_ack_pending);
    return consumer.stats().applied === total;
  });
  // Pulled but not yet acknowledged stays bounded by what the consumer asks for: the client pulls again
  // when its buffer runs low, so at most about twice maxInFlight, whatever the backlog (40 here).
  assert.ok(maxPending >= 1 && maxPending <= 2 * 4 + 1, `bounded in flight (saw ${maxPending})`);
  const stats = consumer.stats();
  assert.deepEqual(stats.invalid, { gzip: 1, encoding: 1, subject: 1, version: 1 });
  assert.equal(stats.applied, total);
  assert.equal(applying, total, 'refused messages never reach the store');
  assert.equal(problems.filter((p) => p.startsWith('refused')).length, 4);
  await until('the stream is empty', async () => (await jsm.streams.info(defaultStream.name)).state.messages === 0);
  const [sensor] = await store.listSensors();
  assert.equal(sensor.last_seq, total);
});
