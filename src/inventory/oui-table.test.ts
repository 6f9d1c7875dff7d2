import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactFromEntries, openCompactFile, readCompact } from './oui-table.ts';
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

// The on-disk form's layout (oui-table.ts, format 3): a 32-byte header, one float64 per block of 64 entries
// (its first prefix), then 16 bytes an entry (prefix code, name start, name end), then the names.
const entryAt = (blocks: number, i: number): number => 32 + blocks * 8 + i * 16;

test('a damaged cache file is refused, never half-read', () => {
  const { bytes } = compactFromEntries(entries);
  assert.equal(readCompact(bytes.subarray(0, bytes.length - 1)), undefined, 'truncated');
  const badMagic = Buffer.from(bytes);
  badMagic[0] ^= 0xff;
  assert.equal(readCompact(badMagic), undefined, 'magic');
  // Damage inside a block is found when a lookup reads that block: it then answers from the rebuilt table.
  const rebuilt = { size: 1, name: (prefix: string) => (prefix === 'B0C554' ? 'rebuilt' : undefined) };
  const unsorted = Buffer.from(bytes);
  const first = Buffer.from(unsorted.subarray(entryAt(1, 0), entryAt(1, 0) + 8));
  unsorted.copy(unsorted, entryAt(1, 0), entryAt(1, 1), entryAt(1, 1) + 8);
  first.copy(unsorted, entryAt(1, 1));
  assert.equal(readCompact(unsorted, () => rebuilt)?.name('B0C554'), 'rebuilt', 'order');
  const wild = Buffer.from(bytes);
  wild.writeUInt32LE(0xffffffff, entryAt(1, 0) + 12); // an end offset past the names
  assert.equal(readCompact(wild, () => rebuilt)?.name('B0C554'), 'rebuilt', 'offsets');
});

test('the cache file is read a block at a time: every registry prefix reads back, and a damaged block or index is caught', () => {
  const registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;
  const all = Object.entries(registry).map(([prefix, text]): [string, string] => [prefix, text.split('\n')[0].trim()]);
  const { bytes } = compactFromEntries(all);
  const file = join(cacheDir, 'blocks.bin');
  writeFileSync(file, bytes);
  let rebuilds = 0;
  const table = openCompactFile(file, () => {
    rebuilds++;
    return compactFromEntries([]).table;
  });
  assert.ok(table);
  assert.equal(table.size, new Set(all.map(([p]) => p)).size);
  for (const [prefix] of all) assert.equal(table.name(prefix), registry[prefix].split('\n')[0].trim() || undefined, prefix);
  assert.equal(table.name('FFFFFFFFF'), undefined, 'past the last prefix');
  assert.equal(rebuilds, 0);

  const blocks = Math.ceil(table.size / 64);
  const badIndex = Buffer.from(bytes);
  badIndex.writeDoubleLE(0, 32 + 8 * 3); // block 3 would start before block 2
  assert.equal(readCompact(badIndex), undefined, 'index out of order');
  const badBlock = Buffer.from(bytes);
  badBlock.writeDoubleLE(badBlock.readDoubleLE(entryAt(blocks, 64 * 5 + 1)), entryAt(blocks, 64 * 5 + 2)); // the same prefix twice
  const sorted = [...new Set(all.map(([p]) => p))].sort((a, b) => prefixOrder(a) - prefixOrder(b));
  const damaged = readCompact(badBlock, () => compactFromEntries([['B0C554', 'rebuilt']]).table);
  assert.ok(damaged);
  assert.equal(damaged.name(sorted[0]), registry[sorted[0]].split('\n')[0].trim(), 'an undamaged block still reads');
  damaged.name(sorted[64 * 5]);
  assert.equal(damaged.name('B0C554'), 'rebuilt', 'after a damaged block, lookups go to the rebuilt table');

  // The file cut short under an open table (another process, a full disk): the next block read comes up short.
  const cutFile = join(cacheDir, 'cut.bin');
  writeFileSync(cutFile, bytes);
  let cutRebuilds = 0;
  const cut = openCompactFile(cutFile, () => {
    cutRebuilds++;
    return compactFromEntries([['B0C554', 'rebuilt']]).table;
  });
  assert.ok(cut);
  truncateSync(cutFile, 32 + blocks * 8 + 10 * 16);
  assert.equal(cut.name(sorted[64 * 5]), undefined, 'the rebuilt table answers');
  assert.equal(cut.name('B0C554'), 'rebuilt');
  assert.equal(cutRebuilds, 1);
});

/** A prefix's sort order in the file: hex value × 16 + digits (the same key as oui-table.ts's). */
function prefixOrder(prefix: string): number {
  return parseInt(prefix, 16) * 16 + prefix.length;
}

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
