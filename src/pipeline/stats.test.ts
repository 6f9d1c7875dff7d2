import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anomalySpecs, eventSpecs } from '../events/catalogue.ts';
import { byName } from './stats.ts';

test('byName orders event and anomaly names exactly as localeCompare does', () => {
  const names = [...eventSpecs().keys(), ...anomalySpecs().keys(), 'capture.pcapng.unknown_block'];
  // Random names over the same alphabet, with the characters whose code-point order differs from the
  // collator's ('_' against '.' and digits), and prefixes of one another.
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const alphabet = '._0123456789abz';
  for (let i = 0; i < 300; i++) names.push(Array.from({ length: 1 + rand(6) }, () => alphabet[rand(alphabet.length)]).join(''));
  names.push('', 'a', 'a_', 'a.', 'a0', 'a_b', 'a.b', 'a0b', 'Upper.case', 'with-dash', 'é.x');
  let checked = 0;
  for (const a of names) {
    for (const b of names) {
      assert.equal(Math.sign(byName(a, b)), Math.sign(a.localeCompare(b)), `${a} vs ${b}`);
      checked++;
    }
  }
  assert.ok(checked > 100_000);
});
