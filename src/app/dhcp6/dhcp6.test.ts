import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../../../test/support/mutate.ts';
import { runAnalyzer } from '../../../test/support/app-harness.ts';
import { parseMessage } from './parser.ts';
import { dhcp6 } from './analyzer.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const info = { transport: 'udp', origPort: 546, respPort: 547 } as const;

// The shared captures hold no DHCPv6. These UDP payloads are packets 1 and 2 of tcpdump's test capture
// tests/dhcpv6-ia-pd.pcap (the-tcpdump-group/tcpdump; hex as transcribed in public Net::DHCPv6 tests).
const solicit = hex('01e1e0930001000a0003000100010203040500060004001700180008000200000019000c0203040500000e1000001518');
const advertise = hex(
  '02e1e093001900290203040500000e1000001518001a00190000119400001c20382a0000010001010000000000000000000001000a000300010001020304050002000e0001000118464999001122334455',
);

test('parseMessage: SOLICIT with DUID-LL, ORO and IA_PD (tcpdump dhcpv6-ia-pd.pcap packet 1)', () => {
  const m = parseMessage(solicit, 0, solicit.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.equal(m.value.msgType, 1);
  assert.equal(m.value.transactionId, 0xe1e093);
  assert.deepEqual(m.value.options.map((o) => o.code), [1, 6, 8, 25]);
});

test('dhcp6 analyzer: SOLICIT and ADVERTISE fields', () => {
  const res = runAnalyzer(dhcp6, [{ dir: 0, bytes: solicit }, { dir: 1, bytes: advertise }], info);
  assert.deepEqual(res.events.map((e) => [e.type, e.fields]), [
    ['dhcp6.message', { msg_type: 'solicit', transaction_id: 0xe1e093, client_duid: '00030001000102030405', oro: [23, 24], options: [1, 6, 8, 25] }],
    ['dhcp6.message', {
      msg_type: 'advertise', transaction_id: 0xe1e093, client_duid: '00030001000102030405', server_duid: '0001000118464999001122334455',
      options: [25, 1, 2],
    }],
  ]);
  assert.deepEqual(res.anomalies, []);
});

test('relay messages are unwrapped; FQDN, vendor and user class decoded; depth and lengths bounded', () => {
  // RELAY-FORW (hop 0, link and peer addresses zero) carrying the SOLICIT in option 9 (Relay Message).
  const relay = new Uint8Array([12, 0, ...new Uint8Array(32), 0, 9, 0, solicit.length, ...solicit]);
  const r = runAnalyzer(dhcp6, [{ dir: 0, bytes: relay }], info);
  assert.equal(r.events[0].fields.msg_type, 'solicit');
  assert.equal(r.events[0].fields.relay_hops, 1);
  // Options appended to the real SOLICIT: FQDN "cam.local", vendor class (enterprise 4491, "docsis3.0"), user class "iot".
  const extra = [
    0, 39, 0, 12, 0x01, 3, 0x63, 0x61, 0x6d, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0,
    0, 16, 0, 15, 0, 0, 0x11, 0x8b, 0, 9, ...new TextEncoder().encode('docsis3.0'),
    0, 15, 0, 5, 0, 3, 0x69, 0x6f, 0x74,
  ];
  const more = new Uint8Array([...solicit, ...extra]);
  const f = runAnalyzer(dhcp6, [{ dir: 0, bytes: more }], info).events[0].fields;
  assert.deepEqual([f.fqdn, f.vendor_enterprise, f.vendor_class, f.user_class], ['cam.local', 4491, ['docsis3.0'], ['iot']]);
  let nested = solicit;
  for (let i = 0; i < 10; i++) nested = new Uint8Array([12, i, ...new Uint8Array(32), 0, 9, nested.length >> 8, nested.length & 0xff, ...nested]);
  assert.deepEqual(parseMessage(nested, 0, nested.length), { status: 'invalid', anomaly: 'app.dhcp6.relay_too_deep' });
  assert.deepEqual(parseMessage(solicit, 0, solicit.length - 1), { status: 'invalid', anomaly: 'app.dhcp6.bad_option' });
  assert.equal(dhcp6.probe(solicit, 0, info), 'maybe');
  assert.equal(dhcp6.probe(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 0, info), 'no');
});

test('fuzz: DHCPv6 parser and analyzer never throw', () => {
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz([solicit, advertise], (b) => {
    parseMessage(b, 0, b.length);
    dhcp6.probe(b, 0, info);
    dhcp6.data(null, 0, b, ctx);
  }, 3000);
});

test('dhcp6 analyzer: MUD URL option 112 (RFC 8520 section 10) on the SOLICIT; a control byte in it is an anomaly', () => {
  // Packet 1 above with option 112 appended: code 0x0070, length, the URL of RFC 8520's luminaire example.
  const url = 'https://luminaire.example.com/Luminaire_150';
  const opt = (value: string): Uint8Array => Uint8Array.from([...solicit, 0x00, 0x70, 0x00, value.length, ...Buffer.from(value, 'latin1')]);
  const res = runAnalyzer(dhcp6, [{ dir: 0, bytes: opt(url) }], info);
  assert.equal(res.events[0].fields.mud_url, url);
  assert.deepEqual(res.events[0].fields.options, [1, 6, 8, 25, 112]);
  const bad = runAnalyzer(dhcp6, [{ dir: 0, bytes: opt('https://x\u0001y') }], info);
  assert.equal(bad.events[0].fields.mud_url, undefined);
  assert.deepEqual(bad.anomalies, ['app.dhcp6.bad_option']);
});
