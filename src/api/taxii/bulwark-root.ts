/**
 * Bulwark's TAXII API root: a read-only `cases` collection (the STIX export of every stored finding and
 * case, pseudonymised) and a writable `indicators` collection whose indicators feed the c2.indicator
 * detector on the next ingests. When each object version was first served or received is kept on disk,
 * so date_added stays stable across restarts.
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCases } from '../../findings/cases.ts';
import { exportStix } from '../../findings/share/export.ts';
import { bulwarkNamespace, uuidV5 } from '../../findings/share/uuid.ts';
import type { AppContextDeps } from '../app.ts';
import type { IndicatorFiles } from '../indicator-files.ts';
import { storedFindings } from '../store-findings.ts';
import { stixMediaType, taxiiMediaType, taxiiNow, versionOf, type AddResult, type ApiRoot, type StixObject, type TaxiiCollection, type TaxiiEntry } from './model.ts';

export const maxIndicatorObjects = 100_000;
export const casesCollectionId = uuidV5(bulwarkNamespace, 'taxii-collection|cases');
export const indicatorsCollectionId = uuidV5(bulwarkNamespace, 'taxii-collection|indicators');
const idPattern = /^[a-z][a-z0-9-]*[a-z0-9]--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Lines of JSON, skipping a torn last line (a crash mid-append). */
function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // Torn line: ignored.
    }
  }
  return out;
}

function casesCollection(deps: AppContextDeps, dir: string): TaxiiCollection {
  const path = join(dir, 'cases-date-added.jsonl');
  const added = new Map<string, string>();
  for (const r of readLines<{ key: string; date_added: string }>(path)) added.set(r.key, r.date_added);
  return {
    info: {
      id: casesCollectionId, alias: 'cases', title: 'Bulwark cases and findings',
      description: 'STIX 2.1 of every case and finding in this Bulwark store: reports, indicators, sightings, observed data. Local identities pseudonymised.',
      can_read: true, can_write: false, media_types: [stixMediaType],
    },
    async entries(): Promise<TaxiiEntry[]> {
      const { findings } = await storedFindings(deps.store);
      const bundle = exportStix({ findings, cases: buildCases(findings) });
      const now = taxiiNow();
      const fresh: string[] = [];
      const out: TaxiiEntry[] = [];
      for (const o of bundle.objects) {
        const v = versionOf(o, '');
        const key = `${o.id}|${v}`;
        let date = added.get(key);
        if (date === undefined) {
          date = now;
          added.set(key, date);
          fresh.push(JSON.stringify({ key, date_added: date }));
        }
        out.push({ id: o.id, version: v || date, date_added: date, media_type: stixMediaType, object: o });
      }
      if (fresh.length > 0) {
        mkdirSync(dir, { recursive: true });
        appendFileSync(path, fresh.join('\n') + '\n');
      }
      return out;
    },
  };
}

function indicatorsCollection(dir: string, lists: IndicatorFiles): TaxiiCollection {
  const path = join(dir, 'indicators.jsonl');
  const entries = readLines<TaxiiEntry>(path);
  const keys = new Set(entries.map((e) => `${e.id}|${e.version}`));
  // The detector reads the indicators as one STIX bundle of the latest version of each.
  const publish = (): void => {
    const latest = new Map<string, TaxiiEntry>();
    for (const e of entries) if (e.object.type === 'indicator' && (latest.get(e.id)?.version ?? '') <= e.version) latest.set(e.id, e);
    lists.put('taxii-indicators.json', JSON.stringify({ type: 'bundle', id: `bundle--${uuidV5(bulwarkNamespace, 'taxii-indicators')}`, objects: [...latest.values()].map((e) => e.object) }));
  };
  return {
    info: {
      id: indicatorsCollectionId, alias: 'indicators', title: 'Indicators for Bulwark',
      description: 'STIX 2.1 indicators (patterns on ipv4-addr, ipv6-addr, domain-name) that Bulwark looks for in every capture ingested after they arrive.',
      can_read: true, can_write: true, media_types: [stixMediaType],
    },
    entries: () => Promise.resolve(entries),
    add(objects: unknown[]): Promise<AddResult> {
      const result: AddResult = { successes: [], failures: [] };
      const fresh: string[] = [];
      const now = taxiiNow();
      for (const raw of objects) {
        const o = raw as StixObject;
        if (raw === null || typeof raw !== 'object' || typeof o.id !== 'string' || !idPattern.test(o.id) || typeof o.type !== 'string' || !o.id.startsWith(`${o.type}--`)) {
          result.failures.push({ id: typeof o?.id === 'string' ? o.id.slice(0, 100) : '', message: 'Not a STIX object: id and type are required and must agree' });
          continue;
        }
        if (o.spec_version !== undefined && o.spec_version !== '2.1') {
          result.failures.push({ id: o.id, message: `spec_version ${String(o.spec_version)}: this collection takes STIX 2.1` });
          continue;
        }
        const version = versionOf(o, now);
        const key = `${o.id}|${version}`;
        if (keys.has(key)) {
          result.successes.push({ id: o.id, version, message: 'Already in the collection' });
          continue;
        }
        if (entries.length >= maxIndicatorObjects) {
          result.failures.push({ id: o.id, version, message: `Collection full (${maxIndicatorObjects} object versions)` });
          continue;
        }
        const entry: TaxiiEntry = { id: o.id, version, date_added: now, media_type: stixMediaType, object: o };
        entries.push(entry);
        keys.add(key);
        fresh.push(JSON.stringify(entry));
        result.successes.push({ id: o.id, version, message: `Added to collection ${indicatorsCollectionId}` });
      }
      if (fresh.length > 0) {
        mkdirSync(dir, { recursive: true });
        appendFileSync(path, fresh.join('\n') + '\n');
        publish();
      }
      return Promise.resolve(result);
    },
    remove(id: string): Promise<boolean> {
      const before = entries.length;
      for (let i = entries.length - 1; i >= 0; i--) if (entries[i].id === id) entries.splice(i, 1);
      if (entries.length === before) return Promise.resolve(false);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : ''));
      keys.clear();
      for (const e of entries) keys.add(`${e.id}|${e.version}`);
      publish();
      return Promise.resolve(true);
    },
  };
}

export function bulwarkTaxiiRoot(deps: AppContextDeps, lists: IndicatorFiles, dir: string): ApiRoot {
  return {
    name: 'bulwark',
    information: { title: 'Bulwark', description: 'Cases and indicators of this Bulwark sensor.', versions: [taxiiMediaType], max_content_length: deps.maxUploadBytes },
    collections: [casesCollection(deps, dir), indicatorsCollection(dir, lists)],
    statuses: new Map(),
  };
}
