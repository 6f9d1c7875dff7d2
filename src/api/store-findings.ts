/**
 * Every stored finding as a full Finding (evidence included), for what is built over all of them:
 * cases, STIX and MISP exports, the TAXII collections. Bounded: at most `max` findings are read.
 * @module
 */
import type { Finding } from '../detect/types.ts';
import type { Store } from '../store/types.ts';

export const maxFindingsRead = 20_000;

// The last read, per store, keyed by the store's version (every write bumps it: an ingest, a live batch that
// only changes a finding, a status change). TAXII paging and the dashboard then cost one read per change.
const memo = new WeakMap<Store, { key: string; max: number; value: { findings: Finding[]; truncated: boolean } }>();

export async function storedFindings(store: Store, max = maxFindingsRead): Promise<{ findings: Finding[]; truncated: boolean }> {
  const key = await store.version();
  const hit = memo.get(store);
  if (hit && hit.key === key && hit.max === max) return hit.value;
  const value = await readAll(store, max);
  memo.set(store, { key, max, value });
  return value;
}

async function readAll(store: Store, max: number): Promise<{ findings: Finding[]; truncated: boolean }> {
  const ids: string[] = [];
  let total = 0;
  for (let offset = 0; ids.length < max; offset += 1000) {
    const page = await store.listFindings({ limit: Math.min(1000, max - ids.length), offset });
    total = page.total;
    for (const item of page.items) ids.push((JSON.parse(item) as { id: string }).id);
    if (page.items.length === 0 || ids.length >= page.total) break;
  }
  const findings: Finding[] = [];
  for (const id of ids) {
    const json = await store.getFinding(id, true);
    if (json) findings.push(JSON.parse(json) as Finding);
  }
  return { findings, truncated: total > ids.length };
}
