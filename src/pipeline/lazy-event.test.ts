import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Pipeline, type EventRecord } from './analyze.ts';
import { Site } from './site.ts';
import type { FlowRecord } from '../flow/types.ts';
import { FlowIds, holdFlow } from '../flow/lazy-record.ts';
import { LazyFlowEvent } from './lazy-event.ts';

const capture = fileURLToPath(new URL('../../samples/dlink-camera-setup.pcap', import.meta.url));

/** A site that counts the flow uids it makes. */
class CountingSite extends Site {
  uids = 0;
  override flowUid(communityId: string, firstTs: number, flowId: number): string {
    this.uids++;
    return super.flowUid(communityId, firstTs, flowId);
  }
  override flowUidWords(communityId: string, firstTs: number, flowId: number, out: Uint32Array, off: number): void {
    this.uids++;
    super.flowUidWords(communityId, firstTs, flowId, out, off);
  }
}

/** Every event and flow of the sample, each subscriber plain or lazy (`{ lazy: true }`). */
async function run(lazy: boolean, site = new CountingSite({ sensor: 'test' })) {
  const events: EventRecord[] = [];
  const flows: FlowRecord[] = [];
  const p = new Pipeline({ site });
  // Flows on their own: a '*' subscriber wants flow.end, whose events are built from plain flow records.
  for (const type of ['flow.start', 'dns.query', 'dns.response', 'arp.request', 'arp.reply', 'http.request', 'tls.client_hello']) {
    p.on(type, (ev) => events.push(ev), { lazy });
  }
  // Kept past the call: a lazy record is refilled for the next flow (LazyFlowRecord.view).
  p.onFlow((f) => flows.push(holdFlow(f)), { lazy });
  await p.run([capture]);
  return { events, flows, site };
}

test('lazy events and flow records: nothing hashed unless read; read after the run (slots reused), each has its own flow\'s values; JSON as plain', async () => {
  const plain = await run(false);
  const lazy = await run(true);
  assert.ok(lazy.events.length > 50 && lazy.flows.length > 20, `${lazy.events.length} events, ${lazy.flows.length} flows`);
  assert.ok(lazy.events.some((e) => e.type === 'arp.request') && lazy.events.some((e) => e.type === 'dns.query'));
  assert.equal(lazy.site.uids, 0, 'no uid made for lazy records nobody read');
  assert.ok(plain.site.uids > 0);
  assert.equal(lazy.events.length, plain.events.length);
  for (let i = 0; i < plain.events.length; i++) {
    assert.equal(JSON.stringify(lazy.events[i]), JSON.stringify(plain.events[i]), `event ${i}`);
    assert.deepEqual([lazy.events[i].uid, lazy.events[i].community_id], [plain.events[i].uid, plain.events[i].community_id]);
  }
  assert.equal(lazy.flows.length, plain.flows.length);
  for (let i = 0; i < plain.flows.length; i++) assert.equal(JSON.stringify(lazy.flows[i]), JSON.stringify(plain.flows[i]), `flow ${i}`);
  // The uids are the site's real ones (a hash of the sensor, Community ID, first time and flow number).
  const f = plain.flows[0];
  assert.equal(lazy.flows[0].uid, new Site({ sensor: 'test' }).flowUid(f.community_id, f.first_ts, f.flow_id));
});

test('one subscriber that did not declare it reads by name: every subscriber of that record gets the plain record (spread keeps every field)', async () => {
  const p = new Pipeline({ site: new Site({ sensor: 'test' }) });
  const byName: EventRecord[] = [];
  const spread: Record<string, unknown>[] = [];
  const flows: FlowRecord[] = [];
  p.on('dns.query', (ev) => byName.push(ev), { lazy: true });
  p.on('dns.query', (ev) => spread.push({ ...ev }));
  p.onFlow((rec) => flows.push(holdFlow(rec)), { lazy: true });
  p.onFlow((rec) => spread.push({ ...rec }));
  await p.run([capture]);
  assert.ok(byName.length > 0);
  for (const ev of byName) assert.equal(Object.getPrototypeOf(ev), Object.prototype, 'a plain event');
  for (const rec of flows) assert.equal(Object.getPrototypeOf(rec), Object.prototype, 'a plain flow record');
  for (const copy of spread) {
    assert.match(String(copy.uid), /^C[0-9A-Za-z]{17}$/);
    assert.match(String(copy.community_id), /^1:/);
  }
});

test('a payload field named __proto__ is a plain field of a lazy event, as of a plain one', () => {
  const tuple = { flowId: 1, firstTs: 1, ipVersion: 4, proto: 17, origPort: 1, respPort: 2, orig: 0x0a000001, resp: 0x0a000002, v6: undefined };
  const fields = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
  const ev = new LazyFlowEvent(new FlowIds(new Site({ sensor: 't' })), tuple, 'x.y', 1, 'f', 1, 'udp', true, '10.0.0.1', '10.0.0.2', fields);
  const plain = { type: 'x.y', ...fields };
  assert.equal(Object.getPrototypeOf(ev), LazyFlowEvent.prototype);
  assert.equal((ev as unknown as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(ev)).__proto__, JSON.parse(JSON.stringify(plain)).__proto__);
  assert.equal((ev as unknown as Record<string, unknown>).x, 1);
});
