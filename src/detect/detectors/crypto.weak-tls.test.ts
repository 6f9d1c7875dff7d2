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

test('❌ samples/dlink-camera-setup.pcap: the 2016 camera speaks TLS 1.0 (SSLv2-format hellos) to three mydlink servers', async () => {
  const rs = await reportsOf(detector, [sample('dlink-camera-setup.pcap')]);
  // tshark: ServerHello 0x0301 / suite 0x0035 in frames 194, 219 and 449, each after an SSLv2-format ClientHello two frames earlier.
  assert.deepEqual(rs.filter((r) => r.messageId === 'version').map((r) => [r.evidence?.packet, r.data.version, r.data.peer]), [
    [194, 'TLS 1.0', '52.8.178.58'], [219, 'TLS 1.0', '54.229.64.81'], [449, 'TLS 1.0', '54.194.162.61'],
  ]);
  assert.deepEqual(rs.filter((r) => r.messageId === 'offer').map((r) => r.evidence?.packet), [192, 217, 447]);
  assert.ok(rs.every((r) => r.key.startsWith('10.10.10.37|')), 'one finding per device and issue, whatever the server');
  assert.ok(rs.every((r) => r.severity !== 'high'), 'old TLS on a device is medium, never high');
  assert.deepEqual(rs[1].devices, [{ role: 'insecure', ip: '10.10.10.37' }, { role: 'peer', ip: '52.8.178.58' }]);
});

test('❌ wemoswitch2-setup-c-1.pcap: TLS 1.0 and an expired certificate (not after 2016-02-28, seen 2016-08-18)', async () => {
  const rs = await reportsOf(detector, [trace('detect-net/wemoswitch2-setup-c-1.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [['offer', 59], ['version', 61], ['expired', 62]]);
  assert.equal(rs[2].data.not_after, '2016-02-28T19:05:00Z');
  assert.equal(rs[2].data.subject, 'OU=Domain Control Validated, CN=xbcs.net');
  assert.equal(rs[2].data.server, '184.73.174.14');
});

test('❌ pipeline/tls-rdn-extract.pcap: TLS 1.0 negotiated (frame 2), certificate not valid yet at the capture\'s year-2000 clock', async () => {
  const rs = await reportsOf(detector, [trace('pipeline/tls-rdn-extract.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [['offer', 1], ['version', 2], ['not_yet_valid', 6]]);
});

test('❌ tlsv1-malicious-c2.pcap: a lone TLSv1 ClientHello (suricata-verify expects tls.version TLSv1)', async () => {
  const rs = await reportsOf(detector, [trace('detect-net/tlsv1-malicious-c2.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet, r.data.version, r.severity]), [['offer', 4, 'TLS 1.0', 'low']]);
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
