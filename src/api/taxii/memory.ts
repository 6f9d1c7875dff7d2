/**
 * In-memory API roots from data in the layout of the OASIS reference server's (medallion) memory backend:
 * `{"/discovery": …, "<root>": {information, status, collections: [{…, objects, manifest}]}}`. Used to run
 * the reference test data through this server.
 * @module
 */
import { taxiiNow, versionOf, type AddResult, type ApiRoot, type CollectionInfo, type StatusResource, type StixObject, type TaxiiCollection, type TaxiiEntry } from './model.ts';

interface MedallionCollection extends CollectionInfo {
  objects?: StixObject[];
  manifest?: { id: string; date_added: string; version: string; media_type: string }[];
}

export function memoryCollection(info: CollectionInfo, entries: TaxiiEntry[] = []): TaxiiCollection {
  return {
    info,
    entries: () => Promise.resolve(entries),
    add(objects: unknown[]): Promise<AddResult> {
      const result: AddResult = { successes: [], failures: [] };
      const now = taxiiNow();
      for (const raw of objects) {
        const o = raw as StixObject;
        if (raw === null || typeof raw !== 'object' || typeof o.id !== 'string' || typeof o.type !== 'string') {
          result.failures.push({ id: '', message: 'Not a STIX object' });
          continue;
        }
        const version = versionOf(o, now);
        if (!entries.some((e) => e.id === o.id && e.version === version)) entries.push({ id: o.id, version, date_added: now, media_type: info.media_types[info.media_types.length - 1], object: o });
        result.successes.push({ id: o.id, version });
      }
      return Promise.resolve(result);
    },
  };
}

/** The API roots of a medallion data file (objects matched to their manifest entries by id and version). */
export function medallionRoots(data: Record<string, unknown>): ApiRoot[] {
  const roots: ApiRoot[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (name.startsWith('/')) continue;
    const r = value as { information: ApiRoot['information']; status?: StatusResource[]; collections?: MedallionCollection[] };
    const collections = (r.collections ?? []).map((c) => {
      const { objects = [], manifest = [], ...info } = c;
      const entries: TaxiiEntry[] = [];
      for (const o of objects) {
        const version = versionOf(o, '');
        const m = manifest.find((x) => x.id === o.id && x.version === version) ?? manifest.find((x) => x.id === o.id && version === '');
        if (m) entries.push({ id: o.id, version: m.version, date_added: m.date_added, media_type: m.media_type, object: o });
      }
      return memoryCollection(info, entries);
    });
    roots.push({ name, information: r.information, collections, statuses: new Map((r.status ?? []).map((s) => [s.id, s])) });
  }
  return roots;
}
