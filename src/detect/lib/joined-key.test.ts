import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinedKey } from './joined-key.ts';

test('joinedKey joins its parts with |, whatever was joined before, two parts or three', () => {
  const join = joinedKey();
  const calls: [string, string, string?][] = [['10.0.0.1', '10.0.0.2', 'telnet'], ['10.0.0.1', '10.0.0.2', 'telnet'], ['10.0.0.1', '10.0.0.2', 'ssh'],
    ['10.0.0.2', 'telnet'], ['10.0.0.2', 'telnet', 'outbound'], ['10.0.0.2', 'telnet'], ['', ''], ['a|b', 'c']];
  for (const [a, b, c] of calls) assert.equal(join(a, b, c), c === undefined ? `${a}|${b}` : `${a}|${b}|${c}`);
});
