import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { oidValue, readTlv } from './ber.ts';
import { parseMessage } from './parser.ts';
import { snmp } from './analyzer.ts';
import type { SnmpEvent } from './events.ts';

const trace = (name: string) => new URL(`../../../test/traces/app-udp/${name}`, import.meta.url).pathname;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const info = { transport: 'udp', origPort: 40000, respPort: 161 } as const;

// snmp-ndpi.pcap frame 17: SNMPv3 engine-discovery get (empty user name, reportable flag, no varbinds).
const v3Discovery = hex('303e020103301102046c9af56e020300ffe30401040201030410300e0400020100020100040004000400301404000400a00e0204750558880201000201003000');

test('parseMessage: SNMPv3 discovery request (snmp-ndpi.pcap frame 17)', () => {
  const m = parseMessage(v3Discovery, 0, v3Discovery.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.equal(m.value.version, 3);
  assert.equal(m.value.msgId, 0x6c9af56e);
  assert.equal(m.value.msgFlags, 4);
  assert.equal(m.value.securityModel, 3);
  assert.equal(m.value.userName, undefined);
  assert.equal(m.value.pdu?.type, 'get');
  assert.equal(m.value.pdu?.requestId, 1963284616);
  assert.equal(m.value.anomaly, undefined);
});

test('BER: indefinite and oversized lengths, bad OIDs and truncation are anomalies', () => {
  assert.deepEqual(readTlv(hex('3080'), 0, 2), { status: 'invalid', anomaly: 'app.snmp.bad_ber' });
  assert.deepEqual(readTlv(hex('3085ffffffffff'), 0, 7), { status: 'invalid', anomaly: 'app.snmp.bad_ber' });
  assert.deepEqual(readTlv(hex('3084ffffffff'), 0, 6), { status: 'invalid', anomaly: 'app.snmp.truncated' });
  assert.deepEqual(readTlv(hex('1f01'), 0, 2), { status: 'invalid', anomaly: 'app.snmp.bad_ber' });
  // 1.3.6.1.2.1.1.5.0 (sysName.0), then an arc that never ends.
  assert.deepEqual(oidValue(hex('2b06010201010500'), { tag: 6, valOff: 0, valLen: 8 }), { status: 'ok', value: '1.3.6.1.2.1.1.5.0', length: 8 });
  assert.equal(oidValue(hex('2b8181818181818181'), { tag: 6, valOff: 0, valLen: 9 }).status, 'invalid');
  // A v3 message cut inside its PDU keeps what was read.
  const cut = parseMessage(v3Discovery.subarray(0, 50), 0, 50);
  assert.equal(cut.status, 'invalid');
  const whole = Uint8Array.from(v3Discovery);
  whole[whole.length - 2] = 0x31; // varbind list tag SEQUENCE -> SET
  const bad = parseMessage(whole, 0, whole.length);
  assert.ok(bad.status === 'ok' && bad.value.anomaly === 'app.snmp.bad_ber' && bad.value.msgId === 0x6c9af56e);
});

function tsharkRows(path: string, fields: string[]): string[][] {
  const args = ['-r', path, '-Y', 'snmp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number'];
  for (const f of fields) args.push('-e', f);
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).map((l) => l.split('\t'));
}

test('snmp analyzer agrees with tshark on every packet (credslayer snmp-v1.pcap, nDPI snmp.pcap v1/v2c/v3)', () => {
  const pduIndex = ['get', 'getnext', 'response', 'set', 'trap', 'getbulk', 'inform', 'trapv2', 'report'];
  for (const file of ['snmp-v1.pcap', 'snmp-ndpi.pcap']) {
    const res = runAnalyzer(snmp, payloadsFromPcap(trace(file), 'snmp', 161), info);
    assert.deepEqual(res.anomalies, [], file);
    const rows = tsharkRows(trace(file), ['snmp.version', 'snmp.msgVersion', 'snmp.community', 'snmp.data', 'snmp.request_id', 'snmp.msgUserName', 'snmp.name']);
    assert.equal(res.events.length, rows.length, file);
    for (const [i, [frame, version, msgVersion, community, data, requestId, user, names]] of rows.entries()) {
      const e = res.events[i];
      const f = e.fields as unknown as SnmpEvent;
      const at = `${file} frame ${frame}`;
      assert.equal(e.frame, Number(frame), at);
      assert.equal(f.version, { '0': 'v1', '1': 'v2c', '3': 'v3' }[version || msgVersion], at);
      assert.equal(f.community ?? '', community, at);
      assert.equal(f.pdu_type ?? '', data === '' ? '' : pduIndex[Number(data)], at);
      assert.equal(String(f.request_id ?? ''), requestId, at);
      assert.equal(f.user_name ?? '', user, at);
      assert.equal(f.varbind_oids?.join(',') ?? '', names, at);
    }
    if (file === 'snmp-v1.pcap') {
      // protocols/credslayer/expected.json: 58 SNMP packets, all v1, community 'public'.
      assert.equal(res.events.length, 58);
      assert.ok(res.events.every((e) => e.fields.community === 'public' && e.fields.version === 'v1'));
    } else {
      assert.equal(res.events.filter((e) => e.fields.encrypted === true).length, 10);
      const trap = res.events.find((e) => e.frame === 55)!.fields;
      assert.deepEqual([trap.pdu_type, trap.enterprise, trap.agent_addr, trap.generic_trap], ['trap', '1.3.6.1.6.3.1.1.5', '10.1.30.1', 2]);
    }
  }
});

test('varbind cap: a 70-varbind reflected response keeps 64 OIDs and counts all (snmp-amp.pcap)', () => {
  const res = runAnalyzer(snmp, payloadsFromPcap(trace('snmp-amp.pcap'), 'snmp', 161), info);
  const f = res.events[0].fields as unknown as SnmpEvent;
  assert.equal(f.varbind_count, 70);
  assert.equal(f.varbind_oids?.length, 64);
  assert.equal(f.varbind_oids?.[0], '1.0.8802.1.1.2.1.1.6.1.1.1');
  assert.deepEqual(res.anomalies, ['app.snmp.too_many_varbinds']);
});

test('probe: SNMP message shape', () => {
  const v1 = payloadsFromPcap(trace('snmp-v1.pcap'), 'frame.number==1', 161)[0].bytes;
  assert.equal(snmp.probe(v1, 0, info), 'yes');
  assert.equal(snmp.probe(v3Discovery, 0, info), 'yes');
  assert.equal(snmp.probe(hex('3006020102040170'), 0, info), 'no');
  assert.equal(snmp.probe(new TextEncoder().encode('0\x06GET / HTTP'), 0, info), 'no');
});

test('fuzz: SNMP parser and analyzer never throw', () => {
  const seeds = [v3Discovery, ...payloadsFromPcap(trace('snmp-ndpi.pcap'), 'snmp', 161).map((d) => d.bytes)];
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz(seeds, (b) => {
    parseMessage(b, 0, b.length);
    snmp.probe(b, 0, info);
    snmp.data(null, 0, b, ctx);
  }, 3000);
});
