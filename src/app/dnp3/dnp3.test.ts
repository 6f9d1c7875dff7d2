import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { Pipeline, type EventRecord } from '../../pipeline/analyze.ts';
import { createDnp3, defaultDnp3Options, dnp3, probeDnp3 } from './analyzer.ts';
import { anomalies, events } from './events.ts';
import { parseObjects } from './objects.ts';
import { dnp3Crc, parseAppHeader, parseLinkFrame } from './parser.ts';

const traces = fileURLToPath(new URL('../../../test/traces/ot/', import.meta.url));
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const tcp20000 = { transport: 'tcp' as const, origPort: 49404, respPort: 20000 };

// zeek dnp3_select_operate.pcap frame 4: SELECT of a CROB (g12v1, index 1, latch on, 100 ms).
const SELECT = hex('05641ac40200030040f2c6c7030c0128010001000301640000008fda6400000000005b');

async function pipelineEvents(file: string): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  const p = new Pipeline();
  for (const t of events.map((e) => e.type)) p.on(t, (ev) => out.push(ev));
  await p.run([file]);
  return out;
}

/** The filters of a suricata-verify test.yaml: each a count and a flat map of dotted keys to values. */
function svFilters(path: string): { count: number; match: Record<string, string> }[] {
  const out: { count: number; match: Record<string, string> }[] = [];
  let cur: { count: number; match: Record<string, string> } | undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^- filter:/.test(line)) out.push((cur = { count: 0, match: {} }));
    const m = /^\s+([\w.[\]]+): (.*)$/.exec(line);
    if (!cur || !m) continue;
    if (m[1] === 'count') cur.count = Number(m[2]);
    else cur.match[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** Value at a Suricata EVE path in one of our events ('dnp3.application.objects[0].points[1].state'). */
function ourValue(ev: EventRecord, path: string): unknown {
  const p = path.replace(/^dnp3\.application\.control\./, 'application_control.').replace(/^dnp3\.application\./, '').replace(/^dnp3\.iin\.indicators/, 'iin_indicators')
    .replace(/^dnp3\.src$/, 'source').replace(/^dnp3\.dst$/, 'destination').replace(/^dnp3\./, '');
  let v: unknown = ev;
  for (const part of p.split(/\.|(?=\[)/)) {
    if (v === undefined || v === null) return undefined;
    const idx = /^\[(\d+)\]$/.exec(part);
    v = idx ? (v as unknown[])[Number(idx[1])] : (v as Record<string, unknown>)[part];
  }
  return v;
}

describe('dnp3 parser (real bytes)', () => {
  it('link frame CRCs, transport and application header, CROB (zeek select_operate frame 4)', () => {
    const l = parseLinkFrame(SELECT, 0, SELECT.length);
    assert.equal(l.status, 'ok');
    if (l.status !== 'ok') return;
    // Zeek: dnp3_header_block, T, 26, 196, 2, 3 (length, control, destination, source).
    assert.deepEqual([l.value.length, l.value.dir, l.value.prm, l.value.functionCode, l.value.destination, l.value.source], [26, true, true, 4, 2, 3]);
    const app = l.value.userData.subarray(1);
    const h = parseAppHeader(app, 0, app.length);
    assert.equal(h.status === 'ok' && h.value.functionCode, 3);
    const objs = parseObjects(app, 2, app.length, { withData: true, maxObjects: 8, maxPoints: 8 });
    // Zeek: dnp3_object_header obj_type 3073 (g12v1), qualifier 40; dnp3_crob 3, 1, 100, 100, 0.
    const crob = objs.objects[0].points![0];
    assert.deepEqual([objs.objects[0].group, objs.objects[0].variation, objs.objects[0].qualifier, crob.index], [12, 1, 40, 1]);
    assert.deepEqual([crob.control_code, crob.count, crob.on_time, crob.off_time, crob.status_code], [3, 1, 100, 100, 0]);
    const bad = SELECT.slice();
    bad[20] ^= 1;
    assert.deepEqual(parseLinkFrame(bad, 0, bad.length), { status: 'invalid', anomaly: 'app.dnp3.bad_block_crc' });
    bad[4] ^= 1;
    assert.deepEqual(parseLinkFrame(bad, 0, bad.length), { status: 'invalid', anomaly: 'app.dnp3.bad_header_crc' });
  });

  it('CRC-16/DNP check value (catalogue of CRC algorithms: "123456789" -> 0xEA82)', () => {
    assert.equal(dnp3Crc(Buffer.from('123456789'), 0, 9), 0xea82);
  });

  it('probe: a link header with a valid CRC says yes', () => {
    assert.equal(probeDnp3(SELECT, 0), 'yes');
    assert.equal(probeDnp3(hex('0564ffffffffffffffff'), 0), 'no');
  });

  it('fuzz: parsers never throw', () => {
    fuzz([SELECT, SELECT.subarray(10)], (b) => {
      parseLinkFrame(b, 0, b.length);
      parseAppHeader(b, 0, b.length);
      parseObjects(b, 0, b.length, { withData: true, maxObjects: 16, maxPoints: 16 });
      parseObjects(b, 2, b.length, { withData: false, maxObjects: 16, maxPoints: 16 });
      probeDnp3(b, 0);
    });
  });
});

describe('dnp3 analyzer (real captures)', () => {
  it('suricata-verify dnp3-eve: 55 events besides confirms, and every field test.yaml lists for each', async () => {
    const evs = await pipelineEvents(traces + 'sv-dnp3-eve.pcap');
    const filters = svFilters(traces + 'sv-dnp3-eve.test.yaml');
    assert.equal(filters[0].count, 55);
    // Suricata folds application confirms (function 0) into the transaction they confirm; tshark counts 17.
    assert.equal(evs.filter((e) => e.function_code !== 0).length, 55);
    assert.equal(evs.filter((e) => e.function_code === 0).length, 17);
    const typeOf: Record<string, string> = { request: 'dnp3.request', response: 'dnp3.response', unsolicited_response: 'dnp3.unsolicited_response' };
    // Suricata logs a record when the packet after it is processed (pcap_cnt is a later packet than the
    // message's own), so records are paired with ours in capture order; the type must agree at each step.
    const records = filters.filter((f) => f.match.pcap_cnt !== undefined).sort((a, b) => Number(a.match.pcap_cnt) - Number(b.match.pcap_cnt));
    const ours = evs.filter((e) => e.function_code !== 0);
    let fields = 0;
    records.forEach((f, i) => {
      const ev = ours[i];
      assert.equal(ev.type, typeOf[f.match['dnp3.type']], `pcap_cnt ${f.match.pcap_cnt}`);
      assert.ok(ev.packet < Number(f.match.pcap_cnt), `pcap_cnt ${f.match.pcap_cnt}`);
      // Suricata names the flow's originator src for every record of the flow.
      const [origIp, origPort] = ev.from_orig ? [ev.src_ip, ev.src_port] : [ev.dst_ip, ev.dst_port];
      for (const [key, want] of Object.entries(f.match)) {
        if (['event_type', 'proto', 'pcap_cnt', 'dnp3.type', 'dest_ip', 'dest_port'].includes(key)) continue;
        let got = key === 'src_ip' ? origIp : key === 'src_port' ? origPort : ourValue(ev, key);
        // Suricata reports the whole flag octet of g2v1 (binary input event) as its 'state'; ours is bit 7 and 'flags' is the octet.
        const obj = /^(dnp3\.application\.objects\[\d+\])\.points\[\d+\]\.state$/.exec(key);
        if (obj && ourValue(ev, `${obj[1]}.group`) === 2 && ourValue(ev, `${obj[1]}.variation`) === 1) got = ourValue(ev, key.replace(/state$/, 'flags'));
        // YAML writes floats as 1.0: compare numbers as numbers.
        if (/^-?\d+(\.\d+)?$/.test(want)) assert.equal(got, Number(want), `pcap_cnt ${f.match.pcap_cnt} ${key}`);
        else assert.equal(String(got), want, `pcap_cnt ${f.match.pcap_cnt} ${key}`);
        fields++;
      }
    });
    assert.ok(fields > 2000, `${fields} fields compared`);
  });

  it('zeek dnp3 baselines: request/response function codes, IIN and object headers', async () => {
    const names: Record<string, string> = { READ: 'read', WRITE: 'write', SELECT: 'select', OPERATE: 'operate', RESPONSE: 'response' };
    for (const trace of ['read', 'write', 'select_operate']) {
      const evs = await pipelineEvents(`${traces}zeek-dnp3_${trace}.pcap`);
      const log = readFileSync(`${traces}zeek-dnp3_${trace}.dnp3.log.baseline`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      const responses = evs.filter((e) => e.type === 'dnp3.response');
      assert.equal(responses.length, log.length, trace);
      log.forEach((line, i) => {
        const [,,,,,, fcRequest, fcReply, iin] = line.split('\t');
        assert.deepEqual([responses[i].request_function, responses[i].function, responses[i].iin], [names[fcRequest], names[fcReply], Number(iin)], line);
      });
      // events.zeek output: every object header as (group << 8 | variation, qualifier) in message order.
      const headers = readFileSync(`${traces}zeek-dnp3_${trace}.output.baseline`, 'utf8').split('\n').filter((l) => l.startsWith('dnp3_object_header'))
        .map((l) => l.split(', ').slice(2, 4).map(Number).join('/'));
      const ours = evs.flatMap((e) => (e.objects as { group: number; variation: number; qualifier: number }[]).map((o) => `${(o.group << 8) | o.variation}/${o.qualifier}`));
      assert.deepEqual(ours, headers, trace);
    }
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(traces + 'sv-dnp3-eve.pcap', 'tcp', 20000);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    const info = { transport: 'tcp' as const, origPort: 59602, respPort: 20000 };
    const whole = runAnalyzer(dnp3, d, info);
    assert.equal(whole.events.length, 72);
    assert.deepEqual(runAnalyzer(dnp3, split, info).events.map((e) => e.fields), whole.events.map((e) => e.fields));
  });

  it('a gateway multiplexing two outstations: interleaved transport segments are assembled per source (frames built per IEEE 1815)', () => {
    const frame = (source: number, transport: number, app: number[]): Uint8Array => {
      const user = [transport, ...app];
      const head = [0x05, 0x64, 5 + user.length, 0x44, 1, 0, source, 0];
      const crc = (b: number[]) => { const c = dnp3Crc(Uint8Array.from(b), 0, b.length); return [c & 0xff, c >> 8]; };
      return Uint8Array.from([...head, ...crc(head), ...user, ...crc(user)]);
    };
    // Response (129) with IIN 0x8000 (device restart) from 10 and 0x0000 from 11, each in two segments.
    const out = runAnalyzer(dnp3, [
      { dir: 1, bytes: frame(10, 0x40, [0xc0, 0x81]) }, { dir: 1, bytes: frame(11, 0x40, [0xc0, 0x81]) },
      { dir: 1, bytes: frame(10, 0x81, [0x80, 0x00]) }, { dir: 1, bytes: frame(11, 0x81, [0x00, 0x00]) },
    ], tcp20000);
    assert.deepEqual(out.anomalies, []);
    assert.deepEqual(out.events.map((e) => [e.fields.source, e.fields.iin_indicators]), [[10, ['device_restart']], [11, []]]);
    const one = createDnp3({ ...defaultDnp3Options, maxAssemblies: 1 });
    assert.ok(runAnalyzer(one, [{ dir: 1, bytes: frame(10, 0x40, [0xc0, 0x81]) }, { dir: 1, bytes: frame(11, 0x40, [0xc0, 0x81]) }], tcp20000).anomalies.includes('app.dnp3.too_many_assemblies'));
  });

  it('UDP datagrams carry whole frames; fragment cap is enforced', () => {
    const udp = { transport: 'udp' as const, origPort: 20000, respPort: 20000 };
    const out = runAnalyzer(dnp3, [{ dir: 0, bytes: SELECT }], udp);
    assert.deepEqual(out.events.map((e) => e.fields.function), ['select']);
    const tiny = createDnp3({ maxFragment: 8, maxObjects: 4, maxPoints: 4, maxAssemblies: 2 });
    assert.deepEqual(runAnalyzer(tiny, [{ dir: 0, bytes: SELECT }], tcp20000).anomalies, ['app.dnp3.fragment_too_large']);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const d = payloadsFromPcap(traces + 'zeek-dnp3_read.pcap', 'tcp', 20000);
    const seeds = [Buffer.concat(d.map((x) => x.bytes)), SELECT];
    const small = createDnp3({ maxFragment: 64, maxObjects: 4, maxPoints: 4, maxAssemblies: 1 });
    fuzz(seeds, (b) => {
      for (const proto of [dnp3, small]) {
        for (const info of [tcp20000, { ...tcp20000, transport: 'udp' as const }]) {
          const s = proto.newState();
          const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
          proto.data(s, 0, b.subarray(0, b.length >> 1), ctx);
          proto.data(s, 0, b.subarray(b.length >> 1), ctx);
          proto.data(s, 1, b, ctx);
        }
      }
    });
  });

  it('catalogue lists every anomaly id used', () => {
    const ids = new Set(anomalies.map((a) => a.id));
    for (const id of ['app.dnp3.bad_header_crc', 'app.dnp3.bad_block_crc', 'app.dnp3.transport_sequence', 'app.dnp3.fragment_too_large', 'app.dnp3.unknown_object', 'app.dnp3.frame_too_large']) assert.ok(ids.has(id), id);
  });
});
