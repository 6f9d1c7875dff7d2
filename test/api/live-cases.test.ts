// Cases over the REST API follow live batches: a batch that changes a finding without adding a capture or a
// finding (a serve --interface or --consume sensor updating what it raised) must show in /api/cases at once.
// SYNTHETIC rows (test/api/synthetic.ts); expected values follow by hand from the batches written here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.ts';
import { IngestQueue } from '../../src/api/ingest.ts';
import { storeKinds } from '../../src/store/test-stores.ts';
import { syntheticDevice, syntheticFinding } from './synthetic.ts';

type J = Record<string, unknown>;

for (const kind of await storeKinds()) {
  describe(`live cases: ${kind.name}`, { skip: kind.skip }, () => {
    test('a batch that only updates a finding (same counts) changes /api/cases', async () => {
      const { store, drop } = await kind.open();
      const dir = mkdtempSync(join(tmpdir(), 'bulwark-live-cases-'));
      const queue = new IngestQueue(store);
      const app = createApp({ store, queue, maxUploadBytes: 1 << 20, uploadDir: join(dir, 'uploads'), webRoot: join(dir, 'no-web') });
      const cases = async (): Promise<J[]> => {
        const r = await app.request('http://127.0.0.1/api/cases');
        assert.equal(r.status, 200);
        return (await r.json() as J).items as J[];
      };
      try {
        const ref = { site: '', sensor: 'gw1' };
        const f = syntheticFinding(0, 1);
        await store.applyBatch({ ...ref, seq: 1, devices: [syntheticDevice(0)], findings: [{ finding: f, change: 'raised' }] });
        const before = await cases();
        assert.equal(before.length, 1);
        assert.equal(before[0].last_ts, f.last_ts);
        const counts = await store.counts();
        // The same finding, an hour later: still one capture-less finding, so the counts do not move.
        const later = { ...f, count: 40, last_ts: f.last_ts + 3600 };
        await store.applyBatch({ ...ref, seq: 2, findings: [{ finding: later, change: 'updated' }] });
        assert.deepEqual(await store.counts(), counts, 'the batch changed no count');
        const after = await cases();
        assert.equal(after.length, 1);
        assert.equal(after[0].last_ts, f.last_ts + 3600, 'the case shows the updated finding');
      } finally {
        await queue.idle();
        await drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
