import test from 'node:test';
import assert from 'node:assert/strict';
import { OldestFirst } from './oldest-first.ts';

test('the oldest key is the first inserted one still present; re-inserting a key makes it the newest', () => {
  const m = new OldestFirst<string, object>();
  const a = {}, b = {}, c = {}, a2 = {};
  m.setAbsent('a', a);
  m.setAbsent('b', b);
  m.setAbsent('c', c);
  assert.equal(m.oldestKey(), 'a');
  m.delete('a');
  m.setAbsent('a', a2); // moved to the newest place
  assert.equal(m.oldestKey(), 'b');
  m.delete('b');
  assert.equal(m.oldestKey(), 'c');
  m.delete('c');
  assert.equal(m.oldestKey(), 'a');
  assert.deepEqual([...m.entries()].map(([k]) => k), ['a']);
  m.delete('a');
  assert.equal(m.oldestKey(), undefined);
});

test('a long run of replacing the oldest keeps the queue bounded and the order of a Map', () => {
  const m = new OldestFirst<number, { n: number }>();
  const ref = new Map<number, { n: number }>();
  for (let i = 0; i < 10_000; i++) {
    if (m.size >= 50) {
      const k = m.oldestKey()!;
      assert.equal(k, ref.keys().next().value);
      m.delete(k);
      ref.delete(k);
    }
    const key = i % 70; // keys come back: delete then re-insert as the newest
    const v = { n: i };
    if (ref.has(key)) { ref.delete(key); m.delete(key); }
    ref.set(key, v);
    m.setAbsent(key, v);
  }
  assert.deepEqual([...m.entries()], [...ref.entries()]);
  assert.ok((m as unknown as { queueKeys: number[] }).queueKeys.length <= 2 * 50 + 64 + 1);
});
