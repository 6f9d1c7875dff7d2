// JSON lines as other tools read them: ISO 8601 timestamps that agree with tshark's packet times, no float
// noise, enumerations named beside their numbers, no field with a Zeek name and another meaning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tsharkFields } from './support/tshark.ts';
import { isoTime, jsonForm } from '../src/output/json-form.ts';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
const sample = new URL('../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const run = spawnSync(process.execPath, [main, 'analyze', '--json', '--quiet', sample], { encoding: 'utf8', maxBuffer: 64 << 20 });
const records = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('❌ every event has an ISO 8601 UTC timestamp equal to tshark\'s time of its packet', () => {
  assert.equal(run.status, 0, run.stderr);
  const times = new Map(tsharkFields(sample, '', ['frame.number', 'frame.time_epoch']).map(([n, t]) => [Number(n), t]));
  const events = records.filter((r) => !['flow', 'finding', 'device', 'case'].includes(String(r.type)));
  assert.ok(events.length > 100);
  for (const e of events) {
    const epoch = times.get(Number(e.packet))!; // "1460732918.942161000"
    const [sec, frac] = epoch.split('.');
    const expected = `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.slice(0, 6)}Z`;
    assert.equal(e.timestamp, expected, `packet ${e.packet}`);
  }
  assert.ok(records.filter((r) => r.type === 'flow' || r.type === 'finding').every((r) => typeof r.timestamp === 'string' && typeof r.end_timestamp === 'string'));
});

test('❌ no float noise: no number with more than 6 decimals', () => {
  assert.doesNotMatch(run.stdout, /[:,[]-?\d+\.\d{7,}[,}\]]/);
  assert.equal(isoTime(1704067200.1200001), '2024-01-01T00:00:00.120000Z');
});

test('❌ enumerations as names beside their numbers (tshark: dns.flags.rcode, tls.handshake.version)', () => {
  const rcodes = records.filter((r) => r.type === 'dns.response');
  assert.ok(rcodes.length > 0 && rcodes.every((r) => typeof r.rcode === 'number' && typeof r.rcode_name === 'string'));
  assert.ok(rcodes.every((r) => r.rcode !== 0 || r.rcode_name === 'NOERROR'));
  const hello = records.find((r) => r.type === 'tls.server_hello')!;
  const version = tsharkFields(sample, `frame.number==${hello.packet}`, ['tls.handshake.version'])[0][0];
  assert.equal(version, '0x0301');
  assert.equal(hello.version_name ?? hello.selected_version_name, 'TLSv1.0');
});

test('❌ enumerations inside lists are named too: DNS record types in every section, as tshark lists them', () => {
  // tshark: dns.resp.type lists the types of every record of a response (answer, authority, additional) in order.
  const tshark = spawnSync('tshark', ['-r', sample, '-Y', 'dns.flags.response==1', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
    '-e', 'frame.number', '-e', 'dns.resp.type'], { encoding: 'utf8' });
  const byFrame = new Map(tshark.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')).map(([n, t]) => [Number(n), t]));
  // IANA DNS RR TYPEs (RFC 1035, 3596, 2782): the names tshark's numbers stand for.
  const iana: Record<number, string> = { 1: 'A', 5: 'CNAME', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 47: 'NSEC' };
  const responses = records.filter((r) => r.type === 'dns.response');
  let checked = 0;
  for (const r of responses) {
    const items = ['answers', 'authority', 'additional'].flatMap((k) => (r[k] as { type: number; type_name: string }[] | undefined) ?? []);
    const expected = (byFrame.get(Number(r.packet)) ?? '').split(',').filter((t) => t !== '' && t !== '41').map(Number);
    assert.deepEqual(items.map((i) => i.type), expected, `packet ${r.packet}`);
    for (const i of items) {
      assert.equal(typeof i.type_name, 'string');
      if (iana[i.type] !== undefined) assert.equal(i.type_name, iana[i.type], `packet ${r.packet} type ${i.type}`);
      checked++;
    }
  }
  assert.ok(checked > 50, `${checked} records checked`);
  // TLS supported_versions (RFC 8446 4.2.1: 0x0304 TLS 1.3, 0x0303 TLS 1.2); unknown values say so.
  const hello = jsonForm({ type: 'tls.client_hello', ts: 1, versions: [0x0304, 0x0303, 0x7f1c] });
  assert.deepEqual(hello.versions_names, ['TLSv1.3', 'TLSv1.2', 'unknown(32540)']);
  assert.deepEqual(hello.versions, [0x0304, 0x0303, 0x7f1c]);
});

test('❌ flows: frame bytes are orig_wire_bytes (Zeek\'s orig_bytes means payload), and equal tshark\'s frame lengths', () => {
  const flows = records.filter((r) => r.type === 'flow');
  assert.ok(flows.length > 0 && flows.every((f) => !('orig_bytes' in f) && !('resp_bytes' in f) && typeof f.orig_wire_bytes === 'number'));
  const f = flows.find((x) => x.transport === 'tcp' && x.orig_port !== undefined)!;
  const filter = `ip.src==${f.orig_ip} && ip.dst==${f.resp_ip} && tcp.srcport==${f.orig_port} && tcp.dstport==${f.resp_port}`;
  const bytes = tsharkFields(sample, filter, ['frame.len']).reduce((n, [len]) => n + Number(len), 0);
  assert.equal(f.orig_wire_bytes, bytes);
});
