import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { AnalysisSession } from '../engine/session.ts';
import { BatchBuilder } from '../store/batch-builder.ts';
import type { StoreBatch } from '../store/batch.ts';
import { TestNatsServer, natsServerBinary } from '../../test/support/nats-server.ts';
import { defaultStream } from './connect.ts';
import { decode } from './message.ts';
import { SensorPublisher } from './publisher.ts';
import { Spool } from './spool.ts';

const sample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const skip = natsServerBinary ? false : 'nats-server is not installed';

/** The batches one analysis of the sample makes (about one per publication, then the final one). */
async function sampleBatches(): Promise<StoreBatch[]> {
  const builder = new BatchBuilder({ site: 'north', sensor: 's1', segmentId: 'dlink' });
  const batches: StoreBatch[] = [];
  const session = new AnalysisSession({
    ...builder.hooks(), resolveEvidence: false, publishEveryMs: 0,
    onPublish: () => { if (!builder.empty) batches.push(builder.take(session.pipeline.summary())); },
  });
  const result = await session.run([sample]);
  batches.push(builder.take(result.summary, { final: true, devices: result.devices }));
  return batches;
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

test('batches reach the stream in order with their message ids; while NATS is down they wait in the spool, then drain', { skip, timeout: 60_000 }, async (t) => {
  const server = await TestNatsServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-pub-'));
  t.after(async () => {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const batches = await sampleBatches();
  assert.ok(batches.length >= 2);
  const stream = { ...defaultStream, name: 'BULWARK_TEST' };
  const links: boolean[] = [];
  const nats = { servers: [server.url], name: 'test-sensor' };
  const publisher = new SensorPublisher({ site: 'north', sensor: 's1', nats, stream, spool: new Spool({ dir: join(dir, 'spool') }), onLink: (up) => links.push(up) });
  publisher.start();
  const first = batches.slice(0, -1);
  for (const b of first) publisher.enqueue(b);
  await until('the first batches are acknowledged', () => publisher.drained);
  // Keep a copy of a spool that never heard the acknowledgements, to re-send everything later.
  publisher.enqueue({ site: 'north', sensor: 's1', seq: 0, status: { version: 'test', sent_at: 1, packets: 1, drops: 0, bytes: 1 } });
  await until('the heartbeat is acknowledged', () => publisher.drained);

  await server.stop();
  await until('the publisher notices', () => links.at(-1) === false);
  const last = batches.at(-1)!;
  publisher.enqueue(last);
  await sleep(300);
  assert.equal(publisher.stats().spool.pending >= 1, true, 'the final batch waits in the spool');
  cpSync(join(dir, 'spool'), join(dir, 'spool-copy'), { recursive: true });
  await server.start();
  await until('the spool drains after NATS is back', () => publisher.drained, 30_000);
  assert.equal(await publisher.close(1000), 0);

  const nc = await connect({ servers: server.url });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream.name);
  const total = first.length + 2;
  assert.equal(info.state.messages, total);
  const kinds: string[] = [];
  for (let seq = 1; seq <= total; seq++) {
    const m = await jsm.streams.getMessage(stream.name, { seq });
    assert.ok(m);
    const d = decode(m.data, m.subject);
    assert.ok(d.ok, d.ok ? '' : d.detail);
    assert.equal(d.message.seq, seq);
    assert.equal(d.message.prev, seq - 1);
    assert.equal(m.header?.get('Nats-Msg-Id'), `north/s1/${seq}`);
    kinds.push(d.message.kind);
    const sent = seq <= first.length ? first[seq - 1] : seq === total ? last : undefined;
    if (sent) assert.deepEqual(JSON.parse(JSON.stringify({ ...d.message.batch, seq: 0 })), JSON.parse(JSON.stringify({ ...sent, seq: 0 })));
  }
  assert.equal(kinds[first.length], 'status');
  assert.equal(kinds.filter((k) => k === 'batch').length, first.length + 1);

  // A sensor that crashed before it saw the acknowledgement sends the same message again: JetStream drops it.
  const again = new SensorPublisher({ site: 'north', sensor: 's1', nats, stream, spool: new Spool({ dir: join(dir, 'spool-copy') }) });
  again.start();
  await until('the copy is re-sent', () => again.drained);
  assert.equal(again.stats().published, again.stats().duplicates);
  assert.ok(again.stats().duplicates >= 1);
  await again.close(0);
  assert.equal((await jsm.streams.info(stream.name)).state.messages, total);
});
