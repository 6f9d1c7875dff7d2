import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fuzz } from '../../../test/support/mutate.ts';
import { classify, detectFormat, parseCsv, parseIndicators, parseStix, parseStixPattern, parseText } from './parse.ts';
import { loadIndicatorFiles } from './load.ts';

const dir = new URL('../../../test/traces/detect-net/indicators/', import.meta.url).pathname;
const read = (n: string): string => readFileSync(dir + n, 'utf8');

test('classify: IPv4, IPv6, domains (defanged too), JA4; rejects the rest', () => {
  assert.deepEqual(classify('178.128.185.250'), { kind: 'ipv4', value: '178.128.185.250' });
  assert.deepEqual(classify('2001:DB8::1'), { kind: 'ipv6', value: '2001:db8::1' });
  assert.deepEqual(classify('CNC.ChangeMe.com.'), { kind: 'domain', value: 'cnc.changeme.com' });
  assert.deepEqual(classify('evil[.]example'), { kind: 'domain', value: 'evil.example' });
  // JA4 of the ClientHello in tlsv1-malicious-c2.pcap (frame 4), as Bulwark computes it.
  assert.deepEqual(classify('t10i070600_c50f5591e341_c39ab67fec8e'), { kind: 'ja4', value: 't10i070600_c50f5591e341_c39ab67fec8e' });
  for (const bad of ['300.1.2.3', '1.2.3', 'not an indicator', 'http://x.example/', '1:2', '', 'a'.repeat(300), 'localhost']) assert.equal(classify(bad), undefined, bad);
});

test('plain text: comments skipped, malformed lines counted', () => {
  const r = parseText(read('hakai-c2.txt'));
  assert.deepEqual(r.indicators.map((i) => i.value), ['178.128.185.250', '128.185.250.50', 'cnc.changeme.com']);
  assert.equal(r.malformed, 2); // "not an indicator", "300.1.2.3"
});

test('CSV: value column from the header, quoted fields, label column', () => {
  const r = parseCsv(read('iocs.csv'));
  assert.deepEqual(r.indicators.map((i) => [i.kind, i.value]), [
    ['ipv4', '91.254.215.167'], ['ja4', 't10i070600_c50f5591e341_c39ab67fec8e'], ['domain', 'evil.example'],
  ]);
  assert.equal(r.indicators[1].label, 'TLSv1 ClientHello of a malicious C2, "bug-5713"');
  assert.equal(r.malformed, 1);
  // No header: the first valid field of each line.
  const bare = parseCsv('1.2.3.4,c2\nfoo,evil.example\n,,\n');
  assert.deepEqual(bare.indicators.map((i) => i.value), ['1.2.3.4', 'evil.example']);
  assert.equal(bare.malformed, 1);
});

test('STIX 2.1: simple patterns, OR-ed comparisons; other patterns counted as malformed', () => {
  const r = parseStix(read('iocs.stix.json'));
  assert.deepEqual(r.indicators.map((i) => [i.kind, i.value, i.label]), [
    ['ipv4', '178.128.185.250', 'Hakai C2'], ['ipv4', '128.185.250.50', 'Hakai C2'], ['domain', 'cnc.changeme.com', 'Mirai CNC'],
  ]);
  assert.equal(r.malformed, 1);
  assert.deepEqual(parseStixPattern("[ipv4-addr:value = '10.0.0.1' OR domain-name:value = 'x.example']")?.map((i) => i.value), ['10.0.0.1', 'x.example']);
  assert.equal(parseStixPattern("[ipv4-addr:value = 'evil.example']"), undefined, 'value must match the object type');
  assert.equal(parseStixPattern("[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS"), undefined);
  assert.equal(parseStix('{"type": "bundle", "objects": [').malformed, 1);
  assert.equal(parseStix('[{"type":"indicator","pattern_type":"sigma","pattern":"x"}, 3]').malformed, 2);
});

test('format detection and maxIndicators', () => {
  assert.equal(detectFormat('feed.json', ''), 'stix');
  assert.equal(detectFormat('feed.csv', ''), 'csv');
  assert.equal(detectFormat('feed', ' {"type":"bundle"}'), 'stix');
  assert.equal(detectFormat('feed.txt', '1.2.3.4'), 'text');
  const r = parseIndicators('x.txt', '1.1.1.1\n2.2.2.2\n3.3.3.3\n', 2);
  assert.equal(r.indicators.length, 2);
  assert.equal(r.dropped, 1);
});

test('loadIndicatorFiles: all three formats, a missing file recorded, subdomain and JA4 lookups', () => {
  const set = loadIndicatorFiles([dir + 'hakai-c2.txt', dir + 'iocs.csv', dir + 'iocs.stix.json', dir + 'missing.txt'], 1000, 1 << 20);
  assert.equal(set.ips.size, 3);
  assert.equal(set.domains.size, 2);
  assert.equal(set.ja4.size, 1);
  assert.equal(set.files[3].error, 'ENOENT');
  assert.deepEqual(set.files.map((f) => [f.format, f.loaded, f.malformed]), [['text', 3, 2], ['csv', 3, 1], ['stix', 3, 1], [undefined, 0, 0]]);
  assert.equal(set.domain('x1.CNC.changeme.com')?.value, 'cnc.changeme.com');
  assert.equal(set.domain('changeme.com'), undefined);
  assert.equal(set.fingerprint('T10I070600_C50F5591E341_C39AB67FEC8E')?.kind, 'ja4');
  assert.equal(loadIndicatorFiles([dir + 'iocs.csv'], 1000, 10).files[0].error, 'larger than 10 bytes');
});

test('robustness: mutated lists of every format never throw', () => {
  const seeds = ['hakai-c2.txt', 'iocs.csv', 'iocs.stix.json'].map((n) => new TextEncoder().encode(read(n)));
  const dec = new TextDecoder();
  fuzz(seeds, (bytes) => {
    const text = dec.decode(bytes);
    for (const name of ['a.txt', 'a.csv', 'a.json']) {
      const r = parseIndicators(name, text, 100);
      assert.ok(r.indicators.length <= 100);
    }
  }, 1500);
});

test('MISP feed event: ip-dst|port, url host and object attributes; hashes ignored; detected by content', async () => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(new URL('../../../test/traces/detect-net/indicators/hakai-c2.misp.json', import.meta.url), 'utf8');
  const parsed = parseIndicators('hakai-c2.misp.json', text);
  assert.equal(parsed.format, 'misp');
  assert.deepEqual(parsed.indicators.map((i) => [i.kind, i.value, i.label]), [
    ['ipv4', '178.128.185.250', 'Hakai C2'], ['ipv4', '128.185.250.50', 'Hakai C2'], ['domain', 'cnc.changeme.com', 'Hakai C2'],
  ]);
  assert.equal(parseIndicators('feed', `[${text}]`).format, 'misp');
  assert.equal(parseIndicators('x.json', '{"type": "bundle", "objects": []}').format, 'stix');
});
