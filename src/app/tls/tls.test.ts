import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tls, clientHelloEvent } from './analyzer.ts';
import {
  parseAlert, parseCertificateList, parseClientHello, parseHandshakeHeader, parseRecordHeader, parseServerHello, parseSslv2ClientHello, probeTls,
} from './parser.ts';
import type { ClientHello } from './parser.ts';
import { helloFingerprints, isGrease, ja3String, ja3sHash, ja4, ja4Alpn, ja4CipherHash, ja4ExtensionHash } from './fingerprint.ts';
import { parseCertificate, splitSan } from './certificate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Collected } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';

const T = new URL('../../../test/traces/app-web/', import.meta.url).pathname;
const info = (respPort: number) => ({ transport: 'tcp' as const, origPort: 40000, respPort });

function frame(file: string, n: number): Uint8Array {
  const hex = execFileSync('tshark', ['-r', T + file, '-Y', `frame.number==${n}`, '-T', 'fields', '-e', 'tcp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Buffer.from(hex.trim(), 'hex');
}

/** Server-side stream bytes of a one-flow trace, concatenated. */
function serverStream(file: string, port: number): Uint8Array {
  return Buffer.concat(payloadsFromPcap(T + file, 'tcp', port).filter((d) => d.dir === 1).map((d) => d.bytes));
}

const run = (file: string, port: number): Collected => runAnalyzer(tls, payloadsFromPcap(T + file, 'tcp', port), info(port));
const ofType = (c: Collected, type: string) => c.events.filter((e) => e.type === type).map((e) => e.fields);

/** ClientHello of a single-record frame. */
function hello(file: string, n: number): ClientHello {
  const b = frame(file, n);
  const rec = parseRecordHeader(b, 0);
  assert.equal(rec.status, 'ok');
  const hs = parseHandshakeHeader(b, 5, 65536);
  assert.equal(hs.status === 'ok' && hs.value.type, 1);
  const h = parseClientHello(b, 9, hs.status === 'ok' ? hs.value.length : 0, rec.status === 'ok' ? rec.value.version : 0);
  assert.equal(h.status, 'ok');
  if (h.status !== 'ok') throw new Error('no hello');
  return h.value;
}

// tls-rdn-extract.pcap frame 1 (nDPI): TLS 1.0 ClientHello to ads1.msads.net.
// tshark ja3_full 769,47-53-5-10-49171-49172-49161-49162-50-56-19-4,65281-0-5-10-11,23-24,0 (ja3 2201d8e0…);
// nDPI .out: JA3C 2201d8e006f8f005a6b415f61e677532, JA4 t10d120500_d94e65cdb899_c35b4a14be45.
test('ClientHello fields, JA3 and JA4 of tls-rdn-extract.pcap frame 1', () => {
  const h = hello('tls-rdn-extract.pcap', 1);
  assert.equal(h.recordVersion, 0x0301);
  assert.equal(h.clientVersion, 0x0301);
  assert.equal(h.sni, 'ads1.msads.net');
  assert.deepEqual(h.extensions, [65281, 0, 5, 10, 11]);
  assert.equal(ja3String(h), '769,47-53-5-10-49171-49172-49161-49162-50-56-19-4,65281-0-5-10-11,23-24,0');
  const ev = clientHelloEvent(h);
  assert.equal(ev.ja3_hash, '2201d8e006f8f005a6b415f61e677532');
  assert.equal(ev.ja4, 't10d120500_d94e65cdb899_c35b4a14be45');
  assert.equal(probeTls(frame('tls-rdn-extract.pcap', 1), 0), 'yes');
  assert.equal(probeTls(frame('tls-rdn-extract.pcap', 2), 1), 'yes');
});

// sonos-tls1443.pcapng frame 4: tshark ja3 ae25e09391d7275844ccf16316569582; nDPI sonos.pcapng.out
// JA4 t12i130700_88f5d26691c7_cdbdbcd6f742. The SNI extension is present (holding the IP literal
// 192.168.1.70): the FoxIO spec says 'd' when the SNI extension exists, nDPI prints 'i' for an IP literal.
test('JA3/JA4 of the Sonos hello (TLS 1.2, signature_algorithms present)', () => {
  const ev = clientHelloEvent(hello('sonos-tls1443.pcapng', 4));
  assert.equal(ev.ja3_hash, 'ae25e09391d7275844ccf16316569582');
  assert.equal(ev.sni, '192.168.1.70');
  assert.equal(ev.ja4, 't12d130700_88f5d26691c7_cdbdbcd6f742');
  assert.deepEqual(ev.signature_algorithms, [0x0603, 0x0601, 0x0503, 0x0501, 0x0403, 0x0401, 0x0303, 0x0301]);
});

// TLSv1-Extracted-MaliciousC2.pcap (suricata-verify bug-5713-01, test.yaml: tls.version TLSv1): tshark ja3
// 49ed2ef3f1321e5f044f1e71b0e6fdd5, no SNI.
test('lone TLSv1 ClientHello of a C2 flow', () => {
  const out = run('TLSv1-Extracted-MaliciousC2.pcap', 443);
  assert.deepEqual(out.anomalies, []);
  const [ch] = ofType(out, 'tls.client_hello');
  assert.equal(ch.client_version, 0x0301);
  assert.equal(ch.ja3, '769,49162-49161-49172-49171-53-47-10,5-10-11-35-23-65281,29-23-24,0');
  assert.equal(ch.ja3_hash, '49ed2ef3f1321e5f044f1e71b0e6fdd5');
  assert.equal(ch.sni, undefined);
  assert.match(String(ch.ja4), /^t10i070600_/);
});

// FoxIO JA4.md worked example and its published hashes.
test('JA4 spec test vectors (FoxIO technical_details/JA4.md)', () => {
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
  const sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  assert.equal(ja4CipherHash(ciphers), '8daaf6152771');
  assert.equal(ja4ExtensionHash(exts, sigs), 'e5627efa2ab1');
  assert.equal(ja4ExtensionHash(exts, []), '6d807ffa2a79');
  assert.equal(ja4CipherHash([]), '000000000000');
  const h: ClientHello = {
    recordVersion: 0x0301, clientVersion: 0x0303, sessionIdLength: 32, cipherSuites: [0x0a0a, ...ciphers], compressionMethods: [0],
    extensions: [0x1a1a, ...exts, 0x2a2a], alpn: ['h2', 'http/1.1'], alpnFirst: Buffer.from('h2'), supportedVersions: [0x3a3a, 0x0304, 0x0303],
    supportedGroups: [0x4a4a, 0x001d], ecPointFormats: [0], signatureAlgorithms: sigs, sslv2: false,
  };
  assert.equal(ja4(h), 't13d1516h2_8daaf6152771_e5627efa2ab1');
  // ALPN examples of the spec.
  assert.equal(ja4Alpn(Uint8Array.of(0xab)), 'ab');
  assert.equal(ja4Alpn(Uint8Array.of(0xab, 0xcd)), 'ad');
  assert.equal(ja4Alpn(Uint8Array.of(0x30, 0xab)), '3b');
  assert.equal(ja4Alpn(Uint8Array.of(0x30, 0x31, 0xab, 0xcd)), '3d');
  assert.equal(ja4Alpn(Uint8Array.of(0x30, 0xab, 0xcd, 0x31)), '01');
  assert.equal(ja4Alpn(Buffer.from('http/1.1')), 'h1');
  assert.equal(ja4Alpn(undefined), '00');
  assert.ok(isGrease(0xfafa) && !isGrease(0xfa0a) && !isGrease(0x0a1a));
});

// helloFingerprints remembers fingerprints by the hello's inputs: a repeated hello must get its own values back,
// and a hello differing in any input (ALPN ends, a list, where one list ends and the next begins) its own.
test('remembered hello fingerprints equal the computed ones, input by input', () => {
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
  const sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  const h: ClientHello = {
    recordVersion: 0x0301, clientVersion: 0x0303, sessionIdLength: 32, cipherSuites: [0x0a0a, ...ciphers], compressionMethods: [0],
    extensions: [0x1a1a, ...exts, 0x2a2a], alpn: ['h2', 'http/1.1'], alpnFirst: Buffer.from('h2'), supportedVersions: [0x3a3a, 0x0304, 0x0303],
    supportedGroups: [0x4a4a, 0x001d], ecPointFormats: [0], signatureAlgorithms: sigs, sslv2: false,
  };
  // JA3 by hand: 771, the ciphers and extensions in decimal without GREASE, group 29, point format 0.
  const ja3 = '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,' +
    '27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29,0';
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const expected = { ja3, ja3Hash: md5(ja3), ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1' };
  assert.deepEqual(helloFingerprints(h), expected);
  assert.deepEqual(helloFingerprints({ ...h, cipherSuites: [...h.cipherSuites] }), expected);
  // Same ALPN ends ('h…2'), another value: the same JA4; other ends: 'h1'.
  assert.deepEqual(helloFingerprints({ ...h, alpnFirst: Buffer.from('hxx2') }), expected);
  assert.equal(helloFingerprints({ ...h, alpnFirst: Buffer.from('http/1.1') }).ja4, 't13d1516h1_8daaf6152771_e5627efa2ab1');
  assert.equal(helloFingerprints({ ...h, alpnFirst: undefined }).ja4, 't13d151600_8daaf6152771_e5627efa2ab1');
  assert.equal(helloFingerprints({ ...h, signatureAlgorithms: [] }).ja4, 't13d1516h2_8daaf6152771_6d807ffa2a79');
  assert.deepEqual(helloFingerprints(h), expected);
  // The same numbers split differently between two lists.
  const small: ClientHello = { ...h, clientVersion: 0x0301, cipherSuites: [47, 53], extensions: [5], supportedGroups: [], ecPointFormats: [], supportedVersions: [] };
  assert.equal(helloFingerprints(small).ja3, '769,47-53,5,,');
  assert.equal(helloFingerprints({ ...small, cipherSuites: [47], extensions: [53, 5] }).ja3, '769,47,53-5,,');
  assert.equal(helloFingerprints(small).ja3, '769,47-53,5,,');
  assert.equal(helloFingerprints({ ...small, supportedVersions: [0x0303] }).ja4.slice(0, 3), 't12');
  assert.equal(ja3sHash('771,49199,65281-11'), md5('771,49199,65281-11'));
  assert.equal(ja3sHash('771,49199,65281-11'), md5('771,49199,65281-11'));
});

// tshark ja3s_full: tls-rdn 769,47, (18e962e1…); signed_certificate_timestamp 769,49171,65281-35-18-11
// (57cfe45b…); sonos 771,156,65281-23-35 (2fbcb4e1…, also nDPI JA3S).
test('ServerHello and JA3S agree with tshark', () => {
  assert.deepEqual(ofType(run('tls-rdn-extract.pcap', 443), 'tls.server_hello').map((e) => [e.ja3s, e.ja3s_hash]), [['769,47,', '18e962e106761869a61045bed0e81c2c']]);
  const sct = ofType(run('signed_certificate_timestamp_tls1_0.pcap', 443), 'tls.server_hello');
  assert.deepEqual(sct.map((e) => [e.ja3s, e.ja3s_hash]), [['769,49171,65281-35-18-11', '57cfe45b26258ad7d6521aa92901b7ab']]);
  const sonos = ofType(run('sonos-tls1443.pcapng', 1443), 'tls.server_hello');
  assert.deepEqual(sonos.map((e) => [e.version, e.cipher_suite, e.ja3s_hash]), [[0x0303, 156, '2fbcb4e196d5bcba6896e593c6016e09']]);
  const b = frame('tls-rdn-extract.pcap', 2);
  const sh = parseServerHello(b, 9, (b[6] << 16) | (b[7] << 8) | b[8]);
  assert.deepEqual(sh.status === 'ok' && [sh.value.version, sh.value.sessionIdLength, sh.value.cipherSuite], [0x0301, 32, 0x002f]);
});

// nDPI tls-rdn-extract.pcap.out: Issuer CN=Microsoft Secure Server Authority, Subject C=US, L=Redmond,
// O=Microsoft, OU=GFS, CN=*.officeapps.live.com, ..., Certificate SHA-1 FF:BF:9A:69:8F:C8:44:FF:89:F2:61:49:
// A7:D1:9A:98:DE:32:84:3B, Validity 2011-10-21 16:42:03 - 2013-10-20 16:42:03, ServerNames starting
// *.vo.msecnd.net,*.officeapps.live.com.
test('certificate chain of tls-rdn-extract.pcap matches nDPI', () => {
  const out = run('tls-rdn-extract.pcap', 443);
  assert.deepEqual(out.anomalies, []);
  const certs = ofType(out, 'tls.certificate');
  assert.deepEqual(certs.map((c) => c.chain_index), [0, 1, 2]);
  const leaf = certs[0];
  assert.equal(leaf.issuer, 'DC=com, DC=microsoft, DC=corp, DC=redmond, CN=Microsoft Secure Server Authority');
  assert.match(String(leaf.subject), /^C=US, L=Redmond, O=Microsoft, OU=GFS, CN=\*\.officeapps\.live\.com, CN=\*\.msads\.net, /);
  assert.equal(leaf.not_before, '2011-10-21T16:42:03Z');
  assert.equal(leaf.not_after, '2013-10-20T16:42:03Z');
  const san = leaf.san as string[];
  assert.deepEqual(san.slice(0, 2), ['*.vo.msecnd.net', '*.officeapps.live.com']);
  assert.equal(san.at(-1), '*.manage.microsoft.com');
  assert.equal(leaf.self_signed, false);
  assert.equal(certs[2].subject, 'CN=Microsoft Internet Authority');
  // The DER bytes handed to X.509 are exactly the leaf nDPI hashed.
  const stream = serverStream('tls-rdn-extract.pcap', 443);
  const hsBytes: Uint8Array[] = [];
  for (let p = 0; p < stream.length;) {
    const r = parseRecordHeader(stream, p);
    if (r.status !== 'ok') break;
    hsBytes.push(stream.subarray(p + 5, p + r.length));
    p += r.length;
  }
  const hs = Buffer.concat(hsBytes);
  let p = 0;
  for (;;) {
    const h = parseHandshakeHeader(hs, p, 1 << 20);
    assert.equal(h.status, 'ok');
    if (h.status !== 'ok' || h.value.type === 11) break;
    p += h.length;
  }
  const len = (hs[p + 1] << 16) | (hs[p + 2] << 8) | hs[p + 3];
  const list = parseCertificateList(hs, p + 4, len, 8);
  assert.equal(list.status === 'ok' && list.value.total, 3);
  if (list.status !== 'ok') return;
  const der = hs.subarray(list.value.certs[0], list.value.certs[1]);
  assert.equal(createHash('sha1').update(der).digest('hex').toUpperCase().match(/../g)?.join(':'), 'FF:BF:9A:69:8F:C8:44:FF:89:F2:61:49:A7:D1:9A:98:DE:32:84:3B');
  assert.equal(leaf.fingerprint_sha256, createHash('sha256').update(der).digest('hex'));
  // A broken certificate is an anomaly, not an exception.
  assert.deepEqual(parseCertificate(der.subarray(0, 100)), { status: 'invalid', anomaly: 'app.tls.bad_certificate' });
  // Remembered by its bytes (parseCertificate's cache): the same bytes elsewhere give the same facts; bytes that
  // differ only before the last 32 (the same cache slot) give their own, here a SHA-256 of their own or an anomaly.
  const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const again = parseCertificate(Buffer.concat([Buffer.from([1, 2, 3]), der]).subarray(3));
  assert.equal(again.status === 'ok' && again.value.fingerprint_sha256, sha256(der));
  assert.equal(again.status === 'ok' && again.value.subject, leaf.subject);
  const altered = Buffer.from(der);
  altered[altered.length - 100] ^= 0xff;
  const other = parseCertificate(altered);
  assert.ok(other.status === 'invalid' || (other.status === 'ok' && other.value.fingerprint_sha256 === sha256(altered)));
  assert.notEqual(sha256(altered), sha256(der));
  const back = parseCertificate(der);
  assert.equal(back.status === 'ok' && back.value.fingerprint_sha256, sha256(der));
});

// Zeek signed_certificate_timestamp_tls1_0.pcap: *.google.com leaf issued by Google Internet Authority G2.
test('Google chain (zeek SCT trace): subject, issuer, serial, SAN; handshake stops at done', () => {
  const out = run('signed_certificate_timestamp_tls1_0.pcap', 443);
  const certs = ofType(out, 'tls.certificate');
  assert.equal(certs.length, 3);
  assert.equal(certs[0].subject, 'C=US, ST=California, L=Mountain View, O=Google Inc, CN=*.google.com');
  assert.equal(certs[0].issuer, 'C=US, O=Google Inc, CN=Google Internet Authority G2');
  assert.equal(certs[0].serial, '3D1DE44E346ECE68');
  assert.equal((certs[0].san as string[])[0], '*.google.com');
  assert.equal(certs[2].issuer, 'C=US, O=Equifax, OU=Equifax Secure Certificate Authority');
  // Records after both ChangeCipherSpecs are never parsed: the handshake ended in frame 14 (server Finished).
  assert.ok(out.events.every((e) => (e.frame ?? 0) <= 9));
  const state = tls.newState();
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: info(443) };
  let result: unknown;
  for (const d of payloadsFromPcap(T + 'signed_certificate_timestamp_tls1_0.pcap', 'tcp', 443)) {
    result = tls.data(state, d.dir, d.bytes, ctx);
    if (result === 'done') {
      assert.equal(d.frame, 14);
      break;
    }
  }
  assert.equal(result, 'done');
});

test('Sonos device certificate: issuer, URI SANs, not self-signed', () => {
  const certs = ofType(run('sonos-tls1443.pcapng', 1443), 'tls.certificate');
  assert.ok(certs.length >= 1);
  assert.equal(certs[0].issuer, 'C=US, ST=California, L=Santa Barbara, O=Sonos\\, Inc, OU=Sonos Devices, CN=Sonos Device Authentication Root CA');
  assert.equal(certs[0].self_signed, false);
  assert.ok((certs[0].san as string[]).includes('URI:urn:sonos:device:347E5CFFA26E'));
  assert.deepEqual(splitSan('DNS:a.example, IP Address:10.0.0.1, email:"x, y"'), ['a.example', '10.0.0.1', 'email:x, y']);
});

// dlinkcam-sslv2.pcap (IoT Sentinel D-LinkCam setup) frame 4: SSLv2-format ClientHello, tshark: "SSLv2 Record
// Layer: Client Hello", version TLS 1.0 (0x0301), Cipher Spec Length 84 (28 specs, first 0x000039, 7th
// SSL2_DES_192_EDE3_CBC_WITH_MD5 0x0700c0), session id 0, challenge 32. The server answers in TLS 1.0
// (frame 6, tshark ja3s_full 769,53,65281 = 91589ea825a2ee41810c85fab06d2ef6) and sends a chain that ends in
// the self-signed GlobalSign Root CA.
test('real SSLv2-compatible ClientHello and a self-signed root (dlinkcam-sslv2.pcap)', () => {
  const msg = frame('dlinkcam-sslv2.pcap', 4);
  assert.equal(probeTls(msg, 0), 'yes');
  const r = parseSslv2ClientHello(msg, 0);
  assert.equal(r.status, 'ok');
  if (r.status !== 'ok') return;
  assert.equal(r.length, msg.length);
  assert.equal(r.value.clientVersion, 0x0301);
  assert.equal(r.value.cipherSuites.length, 28);
  assert.deepEqual(r.value.cipherSuites.slice(0, 7), [0x000039, 0x000038, 0x000035, 0x000016, 0x000013, 0x00000a, 0x0700c0]);
  assert.equal(r.value.cipherSuites.at(-1), 0x0000ff);
  const out = run('dlinkcam-sslv2.pcap', 443);
  assert.deepEqual(out.anomalies, []);
  const [ch] = ofType(out, 'tls.client_hello');
  assert.equal(ch.sslv2_hello, true);
  assert.equal(ch.record_version, 2);
  assert.equal(ch.ja3, undefined);
  assert.deepEqual(ofType(out, 'tls.server_hello').map((e) => [e.ja3s, e.ja3s_hash]), [['769,53,65281', '91589ea825a2ee41810c85fab06d2ef6']]);
  const certs = ofType(out, 'tls.certificate');
  assert.deepEqual(certs.map((c) => [c.subject, c.self_signed]), [
    ['C=TW, ST=Taiwan, L=Taipei, OU=IT Dept., O=D-Link Corporation, CN=*.auto.mydlink.com', false],
    ['C=BE, O=GlobalSign nv-sa, CN=GlobalSign Organization Validation CA - SHA256 - G2', false],
    ['C=BE, O=GlobalSign nv-sa, OU=Root CA, CN=GlobalSign Root CA', true],
  ]);
  assert.deepEqual(certs[0].san, ['*.auto.mydlink.com', 'auto.mydlink.com']);
  // Split delivery of the 2-byte-header record.
  const split = runAnalyzer(tls, [{ dir: 0, bytes: msg.subarray(0, 3) }, { dir: 0, bytes: msg.subarray(3) }], info(443));
  assert.equal(split.events[0].fields.sslv2_hello, true);
  assert.deepEqual(parseSslv2ClientHello(Uint8Array.from([0x80, 9, 1, 3, 1, 0, 4, 0, 0, 0, 0]), 0), { status: 'invalid', anomaly: 'app.tls.bad_sslv2_hello' });
});

test('record-layer anomalies and alerts', () => {
  assert.deepEqual(parseRecordHeader(Uint8Array.of(22, 3, 1, 0x50, 0x01), 0), { status: 'invalid', anomaly: 'app.tls.bad_record_length' });
  assert.deepEqual(parseRecordHeader(Uint8Array.of(0x47, 0x45, 0x54, 0x20, 0x2f), 0), { status: 'invalid', anomaly: 'app.tls.bad_record_type' });
  assert.deepEqual(parseAlert(Uint8Array.of(2, 40), 0, 2), { status: 'ok', value: { level: 2, description: 40 }, length: 2 });
  const out = runAnalyzer(tls, [{ dir: 0, bytes: frame('tls-rdn-extract.pcap', 1) }, { dir: 1, bytes: Uint8Array.of(21, 3, 1, 0, 2, 2, 40) }], info(443));
  assert.deepEqual(out.events.map((e) => e.type), ['tls.client_hello', 'tls.alert']);
  assert.deepEqual(out.events[1].fields, { level: 2, description: 40 });
  // A ClientHello whose cipher list overruns its message.
  const b = frame('tls-rdn-extract.pcap', 1).slice();
  b[9 + 2 + 32 + 1 + 1] = 0xff;
  assert.deepEqual(runAnalyzer(tls, [{ dir: 0, bytes: b }], info(443)).anomalies, ['app.tls.bad_handshake']);
  assert.deepEqual(runAnalyzer(tls, [{ dir: 1, bytes: Buffer.from('HTTP/1.1 400 Bad Request\r\n') }], info(443)).anomalies, ['app.tls.bad_record_type']);
});

test('one byte at a time gives the same events (framing across segments)', () => {
  const whole = run('tls-rdn-extract.pcap', 443);
  const bytewise = payloadsFromPcap(T + 'tls-rdn-extract.pcap', 'tcp', 443).flatMap((d) => Array.from(d.bytes, (x) => ({ dir: d.dir, bytes: Uint8Array.of(x) })));
  const out = runAnalyzer(tls, bytewise, info(443));
  assert.deepEqual(out.events.map((e) => e.fields), whole.events.map((e) => e.fields));
});

test('fuzz: parsers and analyzer never throw on mutations of real hellos and certificates', () => {
  const seeds = [frame('dlinkcam-sslv2.pcap', 4), frame('tls-rdn-extract.pcap', 1), frame('tls-rdn-extract.pcap', 2), frame('sonos-tls1443.pcapng', 4), serverStream('tls-rdn-extract.pcap', 443).subarray(0, 3000)];
  fuzz(seeds, (b) => {
    parseRecordHeader(b, 0);
    const hs = parseHandshakeHeader(b, 5, 65536);
    parseClientHello(b, 9, Math.max(0, b.length - 9), 0x0301);
    parseServerHello(b, 9, Math.max(0, b.length - 9));
    parseCertificateList(b, 0, b.length, 8);
    parseSslv2ClientHello(b, 0);
    if (hs.status === 'ok') parseCertificate(b.subarray(9));
    probeTls(b, 0);
    const st = tls.newState();
    const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: info(443) };
    tls.data(st, 0, b, ctx);
    tls.data(st, 1, b, ctx);
  }, 3000);
});
