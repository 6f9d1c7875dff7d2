import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import { loadOverrides, setOverride } from './overrides.ts';

const daycam = new URL('../../test/traces/inventory/dlink-daycam-setup-a1.pcap', import.meta.url).pathname;
const id = 'mac:b0:c5:54:1c:71:85';

async function runWith(path: string) {
  const inv = new Inventory({ overrides: loadOverrides(path) });
  const p = new Pipeline();
  inv.attach(p);
  await p.run([daycam]);
  return inv.devices().find((d) => d.id === id)!;
}

test('overrides: set once, applied in two separate runs, shown as set by user', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-ovr-'));
  try {
    const path = join(dir, 'sub', 'overrides.json');
    assert.deepEqual(loadOverrides(path), {}, 'missing file: no overrides');
    setOverride(path, id, { name: 'Porch camera', type: 'sensor', vendor: 'Acme' });
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { [id]: { name: 'Porch camera', vendor: 'Acme', type: 'sensor' } });
    for (let run = 0; run < 2; run++) {
      const d = await runWith(path);
      assert.deepEqual(d.user, { name: 'Porch camera', vendor: 'Acme', type: 'sensor' });
      assert.equal(d.identification.type, 'sensor');
      assert.equal(d.identification.vendor, 'Acme');
      assert.equal(d.identification.decided_by, 'user');
      assert.ok(d.identification.because.includes('type set by user'));
    }
    setOverride(path, id, { type: null, vendor: null });
    const d = await runWith(path);
    assert.deepEqual(d.user, { name: 'Porch camera' });
    assert.equal(d.identification.type, 'camera', 'type back to the identified one');
    setOverride(path, id, { name: null });
    assert.deepEqual(loadOverrides(path), {});
    assert.throws(() => setOverride(path, id, { type: 'toaster' as never }), /unknown device type/);
    writeFileSync(path, '[1,2]');
    assert.throws(() => loadOverrides(path), /JSON object/);
    writeFileSync(path, JSON.stringify({ [id]: { type: 'toaster', name: 'x' }, other: { name: 'ok\u0007' } }));
    assert.deepEqual(loadOverrides(path), { other: { name: 'ok' } }, 'invalid entries dropped, control characters removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
