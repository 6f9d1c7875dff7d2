import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactFromEntries, readCompact } from './oui-table.ts';
import { ouiVendor } from './oui.ts';

// The cache file goes to a folder of this test's own (read before the first lookup).
const cacheDir = mkdtempSync(join(tmpdir(), 'bulwark-oui-'));
process.env.BULWARK_CACHE_DIR = cacheDir;
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

// Entries as the IEEE registry lists them (oui-data 2.1.9): MA-L 24-bit, MA-M 28-bit, MA-S 36-bit prefixes.
const entries: [string, string][] = [
  ['000000', 'XEROX CORPORATION'],
  ['B0C554', 'D-Link International'],
  ['8C1F64FFB', 'Taicang T&W Electronics'],
  ['0055DA0', 'Shinko Technos co.,ltd.'],
  ['ABCDEF', ''],
];

test('the compact registry form reads back what was written, longest prefix as stored', () => {
  const { table, bytes } = compactFromEntries(entries);
  const back = readCompact(bytes);
  assert.ok(back);
  for (const t of [table, back]) {
    assert.equal(t.size, entries.length);
    assert.equal(t.name('B0C554'), 'D-Link International');
    assert.equal(t.name('8C1F64FFB'), 'Taicang T&W Electronics');
    assert.equal(t.name('0055DA0'), 'Shinko Technos co.,ltd.');
    assert.equal(t.name('8C1F64'), undefined, 'only the MA-S block is listed, not its MA-L parent');
    assert.equal(t.name('ABCDEF'), undefined, 'an empty name names nothing');
    assert.equal(t.name('zzzzzz'), undefined);
  }
});

test('a damaged cache file is refused, never half-read', () => {
  const { bytes } = compactFromEntries(entries);
  assert.equal(readCompact(bytes.subarray(0, bytes.length - 1)), undefined, 'truncated');
  const badMagic = Buffer.from(bytes);
  badMagic[0] ^= 0xff;
  assert.equal(readCompact(badMagic), undefined, 'magic');
  const unsorted = Buffer.from(bytes);
  // swap the first two codes (8-byte doubles after the 32-byte header)
  const first = Buffer.from(unsorted.subarray(32, 40));
  unsorted.copy(unsorted, 32, 40, 48);
  first.copy(unsorted, 40);
  assert.equal(readCompact(unsorted), undefined, 'order');
  const wild = Buffer.from(bytes);
  wild.writeUInt32LE(0xffffffff, 32 + entries.length * 12); // an end offset past the names
  assert.equal(readCompact(wild), undefined, 'offsets');
});

test('vendors from the installed registry (IEEE assignments, checked at standards-oui.ieee.org)', () => {
  // B0:C5:54 is assigned to D-Link International; 00:00:00 to Xerox; 02:… is locally administered.
  assert.equal(ouiVendor('b0:c5:54:11:22:33'), 'D-Link International');
  assert.equal(ouiVendor('00:00:00:00:00:01'), 'XEROX CORPORATION');
  assert.equal(ouiVendor('02:00:00:00:00:01'), undefined);
});

test('every registry prefix names the vendor that the JSON of the package names (first line, longest prefix first)', () => {
  const registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;
  const expected = (hex: string): string | undefined => {
    if ((parseInt(hex.slice(0, 2), 16) & 2) !== 0) return undefined;
    for (const len of [9, 7, 6]) {
      const name = registry[hex.slice(0, len)]?.split('\n')[0].trim();
      if (name) return name;
    }
    return undefined;
  };
  let checked = 0;
  for (const prefix of Object.keys(registry)) {
    const hex = (prefix + '000000000000').slice(0, 12);
    const mac = hex.match(/../g)!.join(':').toLowerCase();
    assert.equal(ouiVendor(mac), expected(hex), prefix);
    checked++;
  }
  assert.ok(checked > 50_000);
  assert.ok(existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.startsWith('oui-') && f.endsWith('.bin')), 'the compact form was cached');
});
