import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector, { versionName, weakSuite } from './crypto.weak-tls.ts';

const trace = (p: string): string => new URL(`../../../test/traces/${p}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;

test('version names and weak suites', () => {
  assert.deepEqual([0x0002, 0x0300, 0x0301, 0x0302, 0x0303].map(versionName), ['SSLv2', 'SSLv3', 'TLS 1.0', 'TLS 1.1', 'TLS 1.2']);
  assert.equal(weakSuite(0x0000), 'NULL (no encryption)');
  assert.equal(weakSuite(0x0003), 'export-grade');
  assert.equal(weakSuite(0x0005), 'RC4');
  assert.equal(weakSuite(0x0018), 'anonymous (no authentication)');
  assert.equal(weakSuite(0x0009), 'single DES');
  assert.equal(weakSuite(0x0035), undefined, 'AES256-SHA is old but not broken');
  assert.equal(weakSuite(0xc02f), undefined);
});

test('❌ samples/dlink-camera-setup.pcap: the 2016 camera can do no better than TLS 1.0: one finding, not one per fact', async () => {
  const rs = await reportsOf(detector, [sample('dlink-camera-setup.pcap')]);
  // tshark: SSLv2-format ClientHellos offering 0x0301 in frames 192, 217 and 447, each answered by ServerHello 0x0301
  // two frames later. The negotiated version follows from the offer, so it is the same fact: one "offer" finding.
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet, r.count]), [['offer', 192, 3], ['offer', 217, 0], ['offer', 447, 0]]);
  assert.ok(rs.every((r) => r.key === '10.10.10.37|offer' && r.severity === 'medium'));
  assert.equal(rs[0].data.version, 'TLS 1.0');
  assert.match(String(rs[0].data.used), /^3 connection/);
  assert.deepEqual(rs[0].devices, [{ role: 'insecure', ip: '10.10.10.37' }, { role: 'peer', ip: '52.8.178.58' }]);
});

test('❌ dlink-homehub-setup-a-1.pcap: a hub offering TLS 1.0 in 5 hellos and TLS 1.2 in 3 is not "at most TLS 1.0"', async () => {
  const rs = await reportsOf(detector, [trace('detect-net/dlink-homehub-setup-a-1.pcap')]);
  // tshark -Y tls.handshake.type==1: 5 hellos 0x0301 (frames 136-272, each answered 0x0301), 3 hellos 0x0303.
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [['some_offers', 136], ['some_offers', 159], ['some_offers', 180], ['some_offers', 223], ['some_offers', 272]]);
  assert.equal(rs.reduce((n, r) => n + (r.count ?? 1), 0), 5);
  assert.deepEqual([rs[0].data.weak_hellos, rs[0].data.hellos, rs[0].data.version, rs[0].data.best], [5, 8, 'TLS 1.0', 'TLS 1.2']);
  assert.equal(rs[0].severity, 'medium');
  assert.equal(rs[0].devices[0].ip, '10.10.10.87');
});

test('❌ wemoswitch2-setup-c-1.pcap: TLS 1.0 and an expired certificate (not after 2016-02-28, seen 2016-08-18)', async () => {
  const rs = await reportsOf(detector, [trace('detect-net/wemoswitch2-setup-c-1.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [['expired', 62], ['offer', 59]]);
  assert.equal(rs[0].data.not_after, '2016-02-28T19:05:00Z');
  assert.equal(rs[0].data.subject, 'OU=Domain Control Validated, CN=xbcs.net');
  assert.equal(rs[0].data.server, '184.73.174.14');
  assert.deepEqual(rs[0].devices, [{ role: 'insecure', ip: '184.73.174.14' }, { role: 'peer', ip: rs[1].data.client }], 'the server presented it');
});

test('❌ pipeline/tls-rdn-extract.pcap: TLS 1.0 offered (frame 1) and used, certificate not valid yet at the capture\'s year-2000 clock', async () => {
  const rs = await reportsOf(detector, [trace('pipeline/tls-rdn-extract.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [['not_yet_valid', 6], ['offer', 1]]);
});

test('❌ tlsv1-malicious-c2.pcap: a lone TLSv1 ClientHello (suricata-verify expects tls.version TLSv1)', async () => {
  const rs = await reportsOf(detector, [trace('detect-net/tlsv1-malicious-c2.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet, r.data.version, r.severity]), [['offer', 4, 'TLS 1.0', 'low']]);
  assert.equal(rs[0].data.used, 'no connection was seen using an obsolete version');
});

test('options: minVersion and reportOffers', async () => {
  const rs = await reportsOf(detector, [sample('dlink-camera-setup.pcap')], { minVersion: 0x0301, reportOffers: false });
  assert.deepEqual(rs, []);
});

const invalid = [
  // Sonos speaker: TLS 1.2 with a CA-issued device certificate.
  trace('pipeline/sonos.pcapng'),
  trace('detect-net/hakai-c2-cut.pcap'), trace('pipeline/telnet-raw.pcap'),
];
for (const file of invalid) {
  test(`✅ no weak TLS in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
