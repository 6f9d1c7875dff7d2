import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResolvedAddresses } from './resolved.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';

const answer = (answers: unknown[]): EventRecord => ({ type: 'dns.response', ts: 0, file: 'f', packet: 1, answers } as EventRecord);

test('A answers are found by text and as numbers, AAAA by text; other types are not addresses', () => {
  const r = new ResolvedAddresses(16);
  r.onDnsResponse(answer([{ type: 1, data: '93.184.216.34' }, { type: 28, data: '2606:2800:220:1::' }, { type: 5, data: '1.2.3.4' }]));
  assert.equal(r.has('93.184.216.34'), true);
  // 93.184.216.34 by hand: 93 << 24 | 184 << 16 | 216 << 8 | 34.
  assert.equal(r.hasV4(93 * 2 ** 24 + 184 * 2 ** 16 + 216 * 2 ** 8 + 34), true);
  assert.equal(r.hasV4(93 * 2 ** 24 + 184 * 2 ** 16 + 216 * 2 ** 8 + 35), false);
  assert.equal(r.has('2606:2800:220:1::'), true);
  assert.equal(r.has('1.2.3.4'), false); // a CNAME's data is a name, not an address
});

test('bounded: the oldest addresses are forgotten beyond the cap', () => {
  const r = new ResolvedAddresses(4);
  for (let i = 0; i < 100; i++) r.onDnsResponse(answer([{ type: 1, data: `10.0.0.${i}` }]));
  assert.equal(r.has('10.0.0.99'), true);
  assert.equal(r.has('10.0.0.0'), false);
});
