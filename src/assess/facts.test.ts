/**
 * The assessment's fact collector is bounded as a whole, not only per host (issue #11): per-host caps multiply
 * (10,000 hosts × 5,000 flow times would not fit in the heap), so flow times, example strings and TLS version
 * names also have run-wide caps, and what they turn away is counted. Flows and events here are built by the
 * test with known counts; the expected figures follow from those counts and the caps given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssessmentFacts } from './facts.ts';
import { deviceFlowTimes } from './facts-rules.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { EventRecord } from '../pipeline/analyze.ts';
import { FlowTable } from '../flow/table.ts';
import { FlowIds } from '../flow/lazy-record.ts';
import { view } from '../flow/test-util.ts';

function flow(orig: string, resp: string, ts: number): FlowRecord {
  return {
    type: 'flow', flow_id: 0, community_id: '', transport: 'udp', ip_version: 4, orig_ip: orig, orig_port: 40000, resp_ip: resp, resp_port: 53,
    first_ts: ts, last_ts: ts, duration: 0, orig_pkts: 1, orig_bytes: 60, resp_pkts: 0, resp_bytes: 0, orig_payload_bytes: 18, resp_payload_bytes: 0,
    end_reason: 'idle', file: 'f.pcap', first_packet: 1, last_packet: 1,
  } as FlowRecord;
}

test('flow times: 200 local hosts × 50 flows through a run-wide cap of 1,000; the rest counted per host and in all', () => {
  const facts = new AssessmentFacts({ maxFlowTimes: 40, maxFlowTimesTotal: 1000 });
  let n = 0;
  for (let h = 0; h < 200; h++) {
    for (let i = 0; i < 50; i++) facts.onFlow(flow(`10.0.${h >> 8}.${h & 255}`, '8.8.8.8', 1_700_000_000 + n++));
  }
  const stats = facts.stats();
  assert.equal(stats.flow_times, 1000);
  assert.equal(stats.dropped_flow_times, 200 * 50 - 1000);
  let kept = 0;
  let dropped = 0;
  for (let h = 0; h < 200; h++) {
    const host = facts.host(`10.0.${h >> 8}.${h & 255}`);
    assert.ok(host);
    assert.ok(host.flow_times.length <= 40);
    kept += host.flow_times.length;
    dropped += host.flow_times_dropped;
  }
  assert.equal(kept, 1000);
  assert.equal(dropped, 200 * 50 - 1000);
  // The first 25 hosts filled the budget (40 each), in arrival order.
  assert.equal(facts.host('10.0.0.24')?.flow_times.length, 40);
  assert.equal(facts.host('10.0.0.25')?.flow_times.length, 0);
});

function serverHello(src: string, dst: string, version: number, packet: number): EventRecord {
  return { type: 'tls.server_hello', ts: 1_700_000_000 + packet, file: 'f.pcap', packet, src_ip: src, dst_ip: dst, version } as unknown as EventRecord;
}

test('TLS versions: a server answering with 100 different unknown versions keeps 8 names per host; the rest counted', () => {
  const facts = new AssessmentFacts({ maxTlsVersions: 8 });
  for (let v = 0; v < 100; v++) facts.onEvent(serverHello('192.168.1.10', '192.168.1.20', 0x7f00 + v, v + 1));
  assert.equal(Object.keys(facts.host('192.168.1.10')?.tls ?? {}).length, 8);
  assert.equal(Object.keys(facts.host('192.168.1.20')?.tls ?? {}).length, 8);
  // Both ends of each of the 92 sessions past the cap.
  assert.equal(facts.stats().dropped_tls_versions, 2 * 92);
});

test('examples: a run-wide character budget; examples past it are counted, counts still kept', () => {
  const facts = new AssessmentFacts({ maxExampleChars: 1000 });
  for (let i = 0; i < 100; i++) {
    const uri = `/firmware/${String(i).padStart(3, '0')}${'x'.repeat(80)}.bin`;
    facts.onEvent({ type: 'http.request', ts: 1_700_000_000 + i, file: 'f.pcap', packet: i + 1, src_ip: `192.168.2.${i}`, dst_ip: '192.168.2.200', method: 'GET', host: 'fw.local', uri } as unknown as EventRecord);
  }
  const stats = facts.stats();
  const exampleLength = 'GET http://fw.local/firmware/000'.length + 80 + '.bin'.length;
  assert.equal(stats.example_chars, Math.floor(1000 / exampleLength) * exampleLength);
  assert.equal(stats.dropped_examples, 100 - Math.floor(1000 / exampleLength));
  let count = 0;
  for (let i = 0; i < 100; i++) count += facts.host(`192.168.2.${i}`)?.firmware_http.count ?? 0;
  assert.equal(count, 100);
});

test('a device’s flow times: those of each of its addresses once (an address bound twice counted once), local sides only', () => {
  const facts = new AssessmentFacts();
  facts.onFlow(flow('10.0.0.1', '8.8.8.8', 100)); // 8.8.8.8 is not local: only 10.0.0.1 keeps a time
  facts.onFlow(flow('10.0.0.2', '10.0.0.1', 200)); // both local
  facts.onFlow(flow('10.0.0.3', '8.8.4.4', 300));
  const device = { ips: [{ ip: '10.0.0.1' }, { ip: 'fe80::1' }, { ip: '10.0.0.1' }, { ip: '10.0.0.3' }] } as unknown as DeviceRecord;
  assert.deepEqual(deviceFlowTimes(device, facts).sort((a, b) => a - b), [100, 200, 300]);
  assert.equal(facts.host('8.8.8.8'), undefined);
  assert.deepEqual(facts.host('10.0.0.2')?.flow_times, [200]);
});

test('flow times from lazy records (addresses as numbers, the last host remembered) count as from plain ones, the host cap too', () => {
  // Three local addresses under a cap of two hosts, flows interleaved (the remembered host changes and is
  // asked again), and a remote peer: the numbers' path must keep and turn away exactly what the text path does.
  const lazy = new AssessmentFacts({ maxHosts: 2 });
  const plain = new AssessmentFacts({ maxHosts: 2 });
  const ids = new FlowIds({ flowUid: () => 'u' });
  const table: FlowTable = new FlowTable({}, (slot, reason) => {
    lazy.onFlow(table.toLazyRecord(slot, ids, ['f.pcap'], [], reason));
    plain.onFlow(table.toRecord(slot, ['f.pcap'], [], reason, '', 'u'));
  });
  const order = ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.3', '10.0.0.2', '10.0.0.2'];
  order.forEach((src, i) => table.track(view({ src, dst: '8.8.8.8', proto: 17, sp: 40000 + i, dp: 53 }), 100 + i, 60, i + 1, 0));
  table.endAll();
  assert.deepEqual(lazy.stats(), plain.stats());
  assert.equal(lazy.stats().dropped_hosts, 2);
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) assert.deepEqual(lazy.host(ip)?.flow_times, plain.host(ip)?.flow_times, ip);
  assert.deepEqual(lazy.host('10.0.0.2')?.flow_times, [102, 106, 107]);
});
