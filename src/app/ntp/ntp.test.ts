import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { parseMessage } from './parser.ts';
import { ntp } from './analyzer.ts';
import type { NtpEvent } from './events.ts';

const trace = new URL('../../../test/traces/app-udp/ntp-hakai.pcap', import.meta.url).pathname;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const info = { transport: 'udp', origPort: 40000, respPort: 123 } as const;

// ntp-hakai.pcap frame 1 (IoT-23 Hakai capture frame 1): NTPv4 client request from the infected Raspberry Pi.
const clientRequest = hex('230208ed0000007b000000fa93e76405df0adf277a399f3edf0ade527a7329c0df0ade729813541bdf0adf5f79bfa9a3');

test('parsePacket: NTPv4 client request (ntp-hakai.pcap frame 1)', () => {
  const m = parseMessage(clientRequest, 0, clientRequest.length);
  assert.ok(m.status === 'ok' && m.value.kind === 'packet');
  if (m.status !== 'ok' || m.value.kind !== 'packet') return;
  assert.equal(m.value.version, 4);
  assert.equal(m.value.mode, 3);
  assert.equal(m.value.stratum, 2);
  assert.equal(m.value.poll, 8);
  // tshark prints the precision byte unsigned (237); it is a signed log2: 2^-19 s.
  assert.equal(m.value.precision, -19);
  assert.equal(m.value.referenceId, '147.231.100.5');
  // tshark: ntp.xmt "Jul 31, 2018 13:15:11.475580789 UTC".
  assert.equal(Math.floor(m.value.transmitTime), Date.UTC(2018, 6, 31, 13, 15, 11) / 1000);
  assert.ok(Math.abs(m.value.transmitTime - 1533042911.47558) < 1e-5);
});

test('control and private (monlist) requests: mode, opcode and request code', () => {
  // The 8-byte ntpd mode 7 MON_GETLIST_1 request used by monlist scanners (ntpdc -c monlist, nmap ntp-monlist).
  const monlist = hex('1700032a00000000');
  const p = parseMessage(monlist, 0, monlist.length);
  assert.deepEqual(p, { status: 'ok', value: { kind: 'private', version: 2, mode: 7, response: false, implementation: 3, requestCode: 42 }, length: 8 });
  // Mode 6 READVAR request (ntpq -c rv).
  const readvar = hex('160200010000000000000000');
  const c = parseMessage(readvar, 0, readvar.length);
  assert.ok(c.status === 'ok' && c.value.kind === 'control' && c.value.opcode === 2 && !c.value.response);
  const res = runAnalyzer(ntp, [{ dir: 0, bytes: monlist }, { dir: 0, bytes: readvar }, { dir: 0, bytes: clientRequest.subarray(0, 20) }], info);
  assert.deepEqual(res.events.map((e) => e.fields), [
    { version: 2, mode: 7, mode_name: 'private', response: false, request_code: 42, implementation: 3 },
    { version: 2, mode: 6, mode_name: 'control', response: false, opcode: 2 },
  ]);
  assert.deepEqual(res.anomalies, ['app.ntp.truncated']);
});

test('ntp analyzer agrees with tshark on every NTP packet of the Hakai cut', () => {
  const res = runAnalyzer(ntp, payloadsFromPcap(trace, 'ntp', 123), info);
  const out = execFileSync('tshark', ['-r', trace, '-Y', 'ntp', '-T', 'fields', '-e', 'frame.number', '-e', 'ntp.flags.vn', '-e', 'ntp.flags.mode',
    '-e', 'ntp.stratum', '-e', 'ntp.ppoll', '-e', 'ntp.precision', '-e', 'ntp.refid'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.equal(res.events.length, rows.length);
  assert.equal(rows.length, 8);
  for (const [i, [frame, vn, mode, stratum, poll, precision, refid]] of rows.entries()) {
    const e = res.events[i];
    const f = e.fields as unknown as NtpEvent;
    assert.equal(e.frame, Number(frame));
    assert.deepEqual([f.version, f.mode, f.stratum, f.poll, (f.precision! + 256) % 256], [vn, mode, stratum, poll, precision].map(Number));
    const raw = Buffer.from(refid, 'hex');
    assert.equal(f.reference_id, f.stratum! <= 1 ? raw.toString('latin1').replace(/\0+$/, '') : [...raw].join('.'));
  }
  // Frame 4 (original frame 9): a stratum-1 server referenced to GPS.
  assert.deepEqual([res.events[3].fields.mode_name, res.events[3].fields.stratum, res.events[3].fields.reference_id], ['server', 1, 'GPS']);
});

test('probe: plausible NTP is at most maybe', () => {
  assert.equal(ntp.probe(clientRequest, 0, info), 'maybe');
  assert.equal(ntp.probe(clientRequest.subarray(0, 40), 0, info), 'no');
  assert.equal(ntp.probe(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 0, info), 'no');
});

test('fuzz: NTP parser and analyzer never throw', () => {
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz([clientRequest, hex('1700032a00000000')], (b) => {
    parseMessage(b, 0, b.length);
    ntp.probe(b, 0, info);
    ntp.data(null, 0, b, ctx);
  });
});
