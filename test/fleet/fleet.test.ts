// Many sensors, one store, with the real servers: private nats-server processes (own port, own storage)
// and `bulwark serve --consume` as a child process over SQLite and over PostgreSQL (a schema of its own on
// the test server). Sensors analyse the shared captures and publish; the central store must then hold
// exactly what each sensor's own analysis holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { AnalysisSession, type AnalysisResult } from '../../src/engine/session.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import { openTestPostgres, postgresUnavailable, testPostgresUrl } from '../../src/store/test-stores.ts';
import { withDefaultUser } from '../../src/store/pg.ts';
import type { DeviceRecord } from '../../src/inventory/types.ts';
import type { Finding } from '../../src/detect/types.ts';
import type { Case } from '../../src/findings/types.ts';
import { SensorLink, streamSettings } from '../../src/cli/nats-link.ts';
import { TestNatsServer, natsServerBinary } from '../support/nats-server.ts';
import { Central, assertSameAsSensor, assertSameCases, bulwarkBin } from '../support/central.ts';

const captures = new URL('../../../shared/captures/', import.meta.url).pathname;
const mirai = join(captures, 'malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');
const dlinkCam = join(captures, 'benign-iot/iot-sentinel/D-LinkCam');
const skip = natsServerBinary ? false : 'nats-server is not installed';

function tempDir(t: { after(fn: () => void | Promise<void>): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-fleet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bulwarkBin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/** Where the central service keeps its data: serve's arguments and configuration, and a handle to read it directly. */
interface CentralStore {
  args: string[];
  config: string;
  read(): Promise<{ store: Store; close(): Promise<void> }>;
}

const storeKinds: { name: string; skip: string | false; make(dir: string, t: { after(fn: () => Promise<void>): void }): Promise<CentralStore> }[] = [
  {
    name: 'SQLite', skip: false,
    make: async (dir) => {
      const db = join(dir, 'central.db');
      return { args: ['--db', db], config: '', read: async () => {
        const store = new SqliteStore(db);
        return { store, close: () => store.close() };
      } };
    },
  },
  {
    name: 'PostgreSQL', skip: (await postgresUnavailable()) ?? false,
    make: async (_dir, t) => {
      const schema = `bulwark_fleet_${randomBytes(6).toString('hex')}`;
      const opened = await openTestPostgres(schema);
      t.after(() => opened.drop());
      return { args: ['--store', withDefaultUser(testPostgresUrl)], config: `store:\n  postgres:\n    schema: ${schema}\n`, read: async () => ({ store: opened.store, close: async () => undefined }) };
    },
  },
];

/** Start serve --consume over the store, with `nats` configuration lines added to the store's. */
async function startCentral(dir: string, where: CentralStore, natsUrl: string, natsYaml = ''): Promise<Central> {
  const config = join(dir, 'central.yaml');
  writeFileSync(config, `${where.config}${natsYaml}`);
  return Central.start(natsUrl, [...where.args, '--config', config]);
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const readLines = <T>(path: string): T[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

for (const kind of storeKinds) test(`two sensors at two sites publish; the central ${kind.name} store holds exactly what each one's analysis holds`, { skip: skip || kind.skip, timeout: 180_000 }, async (t) => {
  const nats = await TestNatsServer.start();
  t.after(() => nats.dispose());
  const dir = tempDir(t);
  const central = await startCentral(dir, await kind.make(dir, t), nats.url);
  t.after(() => central.stop());

  // Two sensors at once, each with its own spool; each also writes its own analysis (--out) to compare with.
  const sensors = [
    { site: 'north', sensor: 'gw1', files: [mirai] },
    { site: 'south', sensor: 'gw2', files: [join(dlinkCam, 'Setup-A-1-STA.pcap'), join(dlinkCam, 'Setup-A-2-STA.pcap')] },
  ];
  const runs = await Promise.all(sensors.map((s) => runCli(['analyze', ...s.files, '--quiet', '--publish', nats.url, '--site', s.site, '--sensor', s.sensor,
    '--spool', join(dir, `spool-${s.sensor}`), '--out', join(dir, `out-${s.sensor}`)])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);

  for (const s of sensors) {
    const out = join(dir, `out-${s.sensor}`);
    const summary = readJson<{ stages: { publish: { published: number; spool: { first_seq: number; last_seq: number; pending: number; overflow: number } } } }>(join(out, 'summary.json'));
    const pub = summary.stages.publish;
    assert.equal(pub.spool.pending, 0);
    assert.equal(pub.spool.overflow, 0);
    assert.equal(pub.published, pub.spool.last_seq - pub.spool.first_seq);
    await central.until(s.site, s.sensor, pub.spool.last_seq);
    const devices = readJson<DeviceRecord[]>(join(out, 'devices.json'));
    const findings = readJson<Finding[]>(join(out, 'findings.json'));
    assert.ok(devices.length > 0 && findings.length > 0);
    await assertSameAsSensor(central, s.site, devices, findings, ['timestamp', 'end_timestamp']);
    await assertSameCases(central, s.site, readLines<Case>(join(out, 'cases.jsonl')));
  }

  // Facts from the captures' own documentation, in their site's namespace: the D-Link camera's MAC
  // (IoT Sentinel's _iotdevice-mac.txt) and the Mirai victim 192.168.0.2 with the brute force against it (MANIFEST).
  const camMac = readFileSync(join(dlinkCam, '_iotdevice-mac.txt'), 'utf8').trim().toLowerCase();
  assert.equal(camMac, 'b0:c5:54:25:5b:0e');
  const cam = await central.get<{ id: string; mac: string }>(`/api/devices/${encodeURIComponent(`south/mac:${camMac}`)}`);
  assert.equal(cam.mac, camMac);
  const north = (await central.get<{ items: { id: string; detector: string; devices: { ip: string; role: string }[] }[] }>('/api/findings?limit=500')).items.filter((f) => f.id.startsWith('north/'));
  assert.ok(north.some((f) => f.detector === 'bruteforce.login' && f.devices.some((d) => d.ip === '192.168.0.2')), 'the telnet brute force on 192.168.0.2');

  const listed = await central.sensors();
  assert.deepEqual(listed.map((s) => `${s.site}/${s.sensor}`).sort(), ['north/gw1', 'south/gw2']);
  for (const s of listed) assert.equal(s.version, '0.1.0');
});

/** An in-process sensor: one analysis session publishing through the same SensorLink the CLI uses, a batch at every publication. */
async function sensorRun(files: string[], link: SensorLink, onBatch?: (n: number) => void): Promise<AnalysisResult> {
  let n = 0;
  let session: AnalysisSession | undefined = undefined;
  session = new AnalysisSession({
    ...link.hooks(),
    publishEveryMs: 0,
    onPublish: () => {
      const before = link.publisher.stats().spool.last_seq;
      link.published(session!.pipeline.summary());
      if (link.publisher.stats().spool.last_seq !== before) onBatch?.(++n);
    },
  });
  link.start();
  return session.run(files);
}

function newLink(dir: string, natsUrl: string, site: string, sensor: string): SensorLink {
  return new SensorLink({ url: natsUrl, site, spoolDir: join(dir, `spool-${sensor}`), spoolMaxBytes: 256 << 20, waitS: 60 },
    { servers: [natsUrl], name: `test ${sensor}` }, streamSettings(undefined), sensor, `test ${sensor}`, false, () => undefined);
}

for (const kind of storeKinds) test(`kill -9 of the central consumer mid-stream (${kind.name}), then a restart: nothing acknowledged is lost, nothing is applied twice`, { skip: skip || kind.skip, timeout: 240_000 }, async (t) => {
  const nats = await TestNatsServer.start();
  t.after(() => nats.dispose());
  const dir = tempDir(t);
  const where = await kind.make(dir, t);
  // The sensor publishes everything first: the stream holds a backlog for the central service to work through.
  const link = newLink(dir, nats.url, 'east', 'gw3');
  const files = readdirSync(dlinkCam).filter((n) => n.endsWith('.pcap')).sort().slice(0, 6).map((n) => join(dlinkCam, n));
  const result = await sensorRun(files, link);
  const { left, stats } = await link.finish(result, 60);
  assert.equal(left, 0);
  // The spool numbers on from the sensor's clock: batch n of this run is first_seq + n.
  const firstSeq = stats.spool.first_seq;
  const total = stats.spool.last_seq - firstSeq;
  assert.ok(total >= 40, `a long enough stream (${total} batches)`);

  // What the killed process had pulled but not acknowledged goes to the next one after ack_wait_s.
  const natsYaml = 'nats:\n  ack_wait_s: 2\n';
  const first = await startCentral(dir, where, nats.url, natsYaml);
  // Kill it once it is well into the backlog, while batches are still being applied.
  for (;;) {
    const s = (await first.sensors())[0];
    if (s && s.last_seq - firstSeq >= total / 4) break;
    await sleep(5);
  }
  await first.kill9();
  const nc = await connect({ servers: nats.url });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const acked = (await jsm.consumers.info('BULWARK', 'bulwark-central')).ack_floor.stream_seq;
  // One sensor publishing alone: stream seq n is its batch n. Everything acknowledged is in the store.
  const reading = await where.read();
  const applied = (await reading.store.listSensors())[0].last_seq - firstSeq;
  await reading.close();
  assert.ok(acked < total, `killed mid-stream (${acked} of ${total} acknowledged)`);
  assert.ok(applied >= acked, `applied ${applied} ≥ acknowledged ${acked}`);

  const second = await startCentral(dir, where, nats.url, natsYaml);
  t.after(() => second.stop());
  await second.until('east', 'gw3', firstSeq + total);
  const settled = async (): Promise<boolean> => {
    const i = await jsm.consumers.info('BULWARK', 'bulwark-central');
    return i.num_pending === 0 && i.num_ack_pending === 0 && i.ack_floor.stream_seq === total;
  };
  for (let i = 0; i < 400 && !(await settled()); i++) await sleep(50);
  const info = await jsm.consumers.info('BULWARK', 'bulwark-central');
  assert.equal(info.num_pending, 0);
  assert.equal(info.num_ack_pending, 0);
  assert.equal(info.ack_floor.stream_seq, total);
  // Work queue: acknowledged messages leave the stream.
  assert.equal((await jsm.streams.info('BULWARK')).state.messages, 0);
  // Flow counts are added per batch: a batch applied twice would show here. The pipeline's own total.
  assert.equal(await second.flows(), result.summary.flows.total);
  await assertSameAsSensor(second, 'east', result.devices, result.findings);
});

for (const kind of storeKinds) test(`NATS stopped while a sensor runs and started again (${kind.name}): the spool drains in order, counts match`, { skip: skip || kind.skip, timeout: 240_000 }, async (t) => {
  const nats = await TestNatsServer.start();
  t.after(() => nats.dispose());
  const dir = tempDir(t);
  const central = await startCentral(dir, await kind.make(dir, t), nats.url);
  t.after(() => central.stop());
  const link = newLink(dir, nats.url, 'west', 'gw4');
  const files = readdirSync(dlinkCam).filter((n) => n.endsWith('.pcap')).sort().slice(0, 4).map((n) => join(dlinkCam, n));
  let stopping: Promise<void> | undefined;
  const result = await sensorRun(files, link, (n) => {
    // After the tenth batch, NATS goes away; the analysis goes on.
    if (n === 10) stopping = nats.stop();
  });
  await stopping;
  // The client notices the closed connection asynchronously (a busy machine may take a moment).
  for (let i = 0; i < 100 && link.publisher.stats().link !== 'down'; i++) await new Promise((r) => setTimeout(r, 100));
  const during = link.publisher.stats();
  assert.equal(during.link, 'down');
  assert.ok(during.spool.pending > 0, `batches wait in the spool (${during.spool.pending})`);
  assert.ok(during.spool.published_seq < during.spool.last_seq);

  await nats.start();
  const { left, stats } = await link.finish(result, 60);
  assert.equal(left, 0);
  assert.equal(stats.spool.overflow, 0);
  assert.ok(stats.retries > 0 || during.spool.pending > 0);
  await central.until('west', 'gw4', stats.spool.last_seq);
  assert.equal(await central.flows(), result.summary.flows.total);
  await assertSameAsSensor(central, 'west', result.devices, result.findings);
  const s = (await central.sensors()).find((x) => x.sensor === 'gw4');
  assert.equal(s?.last_seq, stats.spool.last_seq);
  assert.equal(s?.packets, result.summary.packets);
});

test('a sensor whose spool was lost (a fresh container, a wiped disk) is not taken for its earlier self: its new batches are applied', { skip: skip || storeKinds[0].skip, timeout: 180_000 }, async (t) => {
  const nats = await TestNatsServer.start();
  t.after(() => nats.dispose());
  const dir = tempDir(t);
  const central = await startCentral(dir, await storeKinds[0].make(dir, t), nats.url);
  t.after(() => central.stop());
  const runs = [
    { spool: join(dir, 'spool-before'), files: [join(dlinkCam, 'Setup-A-1-STA.pcap')] },
    { spool: join(dir, 'spool-after'), files: [join(dlinkCam, 'Setup-A-2-STA.pcap'), join(dlinkCam, 'Setup-A-3-STA.pcap')] },
  ];
  let flows = 0;
  for (const [i, run] of runs.entries()) {
    const out = join(dir, `out-${i}`);
    const r = await runCli(['analyze', ...run.files, '--quiet', '--publish', nats.url, '--site', 'east', '--sensor', 'gw5', '--spool', run.spool, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const summary = readJson<{ flows: { total: number }; stages: { publish: { spool: { last_seq: number; pending: number } } } }>(join(out, 'summary.json'));
    assert.equal(summary.stages.publish.spool.pending, 0);
    await central.until('east', 'gw5', summary.stages.publish.spool.last_seq);
    // Each run's flows are the pipeline's own count; the central adds them per applied batch.
    flows += summary.flows.total;
  }
  assert.equal(await central.flows(), flows);
});
