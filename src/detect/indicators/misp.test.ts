import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndicators } from './parse.ts';
import { fuzz } from '../../../test/support/mutate.ts';

// Shapes from the MISP core format (RFC draft-dulaunoy-misp-core-format §2): an event with attributes and
// an object, and a restSearch attribute answer.
const event = {
  Event: {
    uuid: 'c99506a6-1255-4b71-afa5-7b8ba48c3b1b', info: 'Mirai loaders', timestamp: '1478533765',
    Attribute: [
      { type: 'ip-src', category: 'Network activity', value: '91.92.120.11', to_ids: true },
      { type: 'ip-dst|port', category: 'Network activity', value: '109.201.134.84|69', to_ids: true },
      { type: 'domain', category: 'Network activity', value: 'cnc.example.org', to_ids: true },
      { type: 'ip-dst', category: 'Network activity', value: '192.168.0.2', to_ids: false },
      { type: 'md5', category: 'Payload delivery', value: '5d41402abc4b2a76b9719d911017c592', to_ids: true },
    ],
    Object: [{ name: 'network-connection', Attribute: [{ type: 'ip-dst', object_relation: 'ip-dst', value: '89.248.172.173', to_ids: true }] }],
  },
};

test('MISP event: to_ids network attributes (incl. objects) become indicators; the rest is listed', () => {
  const r = parseIndicators('event.json', JSON.stringify(event));
  assert.equal(r.format, 'misp');
  assert.deepEqual(r.indicators.map((i) => `${i.kind}:${i.value}`), ['ipv4:91.92.120.11', 'ipv4:109.201.134.84', 'domain:cnc.example.org', 'ipv4:89.248.172.173']);
  assert.equal(r.indicators[0].label, 'Mirai loaders');
  assert.deepEqual(r.unmapped, { 'ip-dst: to_ids false (context, not an indicator)': 1, 'md5: no network indicator kind': 1 });
});

test('MISP response forms and feed manifests; malformed values counted', () => {
  const list = parseIndicators('x.json', JSON.stringify({ response: [event, { Event: { info: 'b', Attribute: [{ type: 'ip-src', value: 'not-an-ip', to_ids: true }] } }] }));
  assert.equal(list.indicators.length, 4);
  assert.equal(list.malformed, 1);
  const attrs = parseIndicators('x.json', JSON.stringify({ response: { Attribute: [{ type: 'hostname', value: 'evil.example', to_ids: '1' }] } }));
  assert.deepEqual(attrs.indicators.map((i) => i.value), ['evil.example']);
  const manifest = parseIndicators('manifest.json', JSON.stringify({ 'c99506a6-1255-4b71-afa5-7b8ba48c3b1b': { info: 'x', timestamp: '1', Tag: [] } }));
  assert.equal(manifest.format, 'misp');
  assert.equal(manifest.indicators.length, 0);
  assert.ok(Object.keys(manifest.unmapped ?? {})[0].startsWith('feed manifest'));
  // A STIX bundle is still read as STIX.
  assert.equal(parseIndicators('b.json', JSON.stringify({ type: 'bundle', id: 'bundle--1', objects: [] })).format, 'stix');
});

test('robustness: mutated MISP events never throw and stay within the limit', () => {
  const seed = new TextEncoder().encode(JSON.stringify(event));
  const dec = new TextDecoder();
  fuzz([seed], (bytes) => {
    const r = parseIndicators('a.json', dec.decode(bytes), 3);
    assert.ok(r.indicators.length <= 3);
  }, 1500);
  // Structurally odd but valid JSON: wrong types everywhere.
  for (const doc of [{ Event: null }, { Event: { Attribute: 'x', Object: [null, { Attribute: [1] }] } }, { response: [1, null, { Event: [] }] }, { response: { Attribute: [{ type: 'ip-src' }] } }, [{ Event: 5 }]]) {
    assert.doesNotThrow(() => parseIndicators('a.json', JSON.stringify(doc)));
  }
});
