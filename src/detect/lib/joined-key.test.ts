import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinedKey } from './joined-key.ts';

test('joinedKey joins its parts with |, whatever was joined before, two parts, three or four', () => {
  const join = joinedKey();
  const calls: [string, string, string?, string?][] = [['10.0.0.1', '10.0.0.2', 'telnet'], ['10.0.0.1', '10.0.0.2', 'telnet'], ['10.0.0.1', '10.0.0.2', 'ssh'],
    ['10.0.0.2', 'telnet'], ['10.0.0.2', 'telnet', 'outbound'], ['10.0.0.2', 'telnet'], ['', ''], ['a|b', 'c'],
    ['telnet', '10.0.0.2', 'root', 'ok'], ['telnet', '10.0.0.2', 'root', 'ok'], ['telnet', '10.0.0.2', 'root'], ['telnet', '10.0.0.2', 'admin', 'ok']];
  for (const [a, b, c, d] of calls) assert.equal(join(a, b, c, d), c === undefined ? `${a}|${b}` : d === undefined ? `${a}|${b}|${c}` : `${a}|${b}|${c}|${d}`);
});
