/**
 * TAXII 2.1 (OASIS, 2021) server model: API roots, collections and the stored entries (one per object
 * version) with the date the server added them.
 * @module
 */

export const taxiiMediaType = 'application/taxii+json;version=2.1';
export const stixMediaType = 'application/stix+json;version=2.1';

export type StixObject = Record<string, unknown> & { id: string; type: string };

/** One version of one object in a collection. */
export interface TaxiiEntry {
  id: string;
  /** `modified`, else `created`, else the date added (objects without versioning). */
  version: string;
  /** RFC 3339 with microseconds, UTC: when this server added this version. */
  date_added: string;
  media_type: string;
  object: StixObject;
}

export interface CollectionInfo {
  id: string;
  title: string;
  description?: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
}

export interface AddResult {
  successes: { id: string; version: string; message?: string }[];
  failures: { id: string; version?: string; message: string }[];
}

export interface TaxiiCollection {
  info: CollectionInfo;
  /** Every stored version, any order. */
  entries(): Promise<TaxiiEntry[]>;
  /** Store objects (only when `info.can_write`). */
  add?(objects: unknown[]): Promise<AddResult>;
  /** Delete every version of an object (or the versions matched); false when none. */
  remove?(id: string): Promise<boolean>;
}

export interface StatusResource {
  id: string;
  status: 'complete' | 'pending';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: { id: string; version: string; message?: string }[];
  failure_count: number;
  failures: { id: string; version?: string; message: string }[];
  pending_count: number;
  pendings: { id: string; version: string }[];
}

export interface ApiRoot {
  /** Path segment: /<name>/. */
  name: string;
  information: { title: string; description?: string; versions: string[]; max_content_length: number };
  collections: TaxiiCollection[];
  statuses: Map<string, StatusResource>;
}

/** Server time as TAXII writes it: microseconds, UTC. */
export function taxiiNow(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The version of an object: modified, else created, else `fallback`. */
export function versionOf(o: StixObject, fallback: string): string {
  return typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : fallback;
}
