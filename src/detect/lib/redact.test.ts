import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretHint } from './redact.ts';

// Characters are Unicode code points (ECMA-262 §22.1.5.1, the String iterator): a surrogate pair is one
// character, a lone surrogate one too.
test('secretHint names the first character and the length in code points', () => {
  assert.equal(secretHint(''), '(empty)');
  assert.equal(secretHint('x'), 'x… (1 character)');
  assert.equal(secretHint('xc3511'), 'x… (6 characters)'); // a Mirai table password, 6 ASCII characters
  assert.equal(secretHint('\u{1F511}ab'), '\u{1F511}… (3 characters)'); // U+1F511 is the pair D83D DD11
  assert.equal(secretHint('a\u{1F511}'), 'a… (2 characters)');
  assert.equal(secretHint('\ud83dab'), '\ud83d… (3 characters)'); // lone high surrogate
  assert.equal(secretHint('ab\ud83d'), 'a… (3 characters)');
  assert.equal(secretHint('\udd11\ud83d'), '\udd11… (2 characters)'); // low before high: two lone surrogates
  assert.equal(secretHint('é'), 'é… (1 character)');
});

test('secretHint gives the same hint for a secret seen before, past its memo of recent secrets and for long ones', () => {
  // Independently: the first character, then the count of code points (all ASCII here).
  const expected = (s: string): string => `${s[0]}… (${s.length} character${s.length === 1 ? '' : 's'})`;
  const secrets = Array.from({ length: 600 }, (_, i) => `pw${i}`);
  secrets.push('L'.repeat(300));
  for (let round = 0; round < 3; round++) {
    for (const s of secrets) assert.equal(secretHint(s), expected(s));
  }
  assert.equal(secretHint(''), '(empty)');
});
