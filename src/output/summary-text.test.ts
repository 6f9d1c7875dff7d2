import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDigits } from './summary-text.ts';

test('groupDigits writes counts as ICU writes them in en-US (toLocaleString), for every digit count', () => {
  const values = [0, 7, 999, 1000, 1001, 65535, 999_999, 1_000_000, 3_660_000, 2 ** 31, 2 ** 53 - 1, 12.5, 999_999.5, 1234.49];
  for (let digits = 1; digits <= 16; digits++) {
    const high = 10 ** digits - 1;
    values.push(high, 10 ** (digits - 1), Math.floor(high / 7));
  }
  for (const v of [...values, ...values.map((x) => -x).filter((x) => x !== 0)]) {
    assert.equal(groupDigits(v), Math.round(v).toLocaleString('en-US'), String(v));
  }
});
