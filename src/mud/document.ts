/**
 * Reading and writing MUD files: JSON text → validated MudFile (against the JSON Schema derived from the
 * RFC 8520/8519 YANG modules, checked with ajv), and back. The draft dialect osMUD's examples use
 * (`ietf-access-control-list:access-lists`, `rule-name`, ...) is converted knowingly, with a warning.
 * Pure apart from loading the schema once; never throws on bad input.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';
import type { Ace, Acl, MudFile } from './types.ts';

/** The checked-in JSON Schema (src/mud/mud.schema.json). */
export const mudSchema = JSON.parse(readFileSync(new URL('./mud.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // ajv (60 modules) is loaded on the first validation, not with every run that merely could see a MUD URL.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
  compiled ??= new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(mudSchema);
  return compiled;
}

/** Largest MUD file read (RFC 8520 files are a few kB; a hostile server must not fill memory). */
export const maxMudBytes = 1 << 20;

export type MudParse =
  | { ok: true; mud: MudFile; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

/** Schema errors of a MUD object, as readable "path: message" lines (empty when valid). */
export function validateMud(doc: unknown): string[] {
  const validate = validator();
  if (validate(doc)) return [...referenceErrors(doc as MudFile)];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
}

/** The leafrefs from the policies to the ACLs must resolve (YANG leafref; not expressible in JSON Schema). */
function* referenceErrors(mud: MudFile): Generator<string> {
  const names = new Set((mud['ietf-access-control-list:acls']?.acl ?? []).map((a) => a.name));
  for (const side of ['from-device-policy', 'to-device-policy'] as const) {
    for (const ref of mud['ietf-mud:mud'][side]?.['access-lists']?.['access-list'] ?? []) {
      if (!names.has(ref.name)) yield `/ietf-mud:mud/${side}: access-list '${ref.name}' is not defined in ietf-access-control-list:acls`;
    }
  }
}

/** Parse and validate MUD JSON text. */
export function parseMud(text: string): MudParse {
  const warnings: string[] = [];
  if (text.length > maxMudBytes) return { ok: false, errors: [`file larger than ${maxMudBytes} bytes`], warnings };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`not JSON: ${(err as Error).message}`], warnings };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, errors: ['not a JSON object'], warnings };
  const rec = doc as Record<string, unknown>;
  if ('ietf-access-control-list:access-lists' in rec && !('ietf-access-control-list:acls' in rec)) {
    const converted = fromDraftDialect(rec);
    if (typeof converted === 'string') return { ok: false, errors: [converted], warnings };
    warnings.push('pre-RFC draft dialect (ietf-access-control-list:access-lists, acl-type, access-list-entries, rule-name, ipv4-acl/ipv6-acl with *-port-range-or-operator) converted to RFC 8519/8520 names');
    doc = converted;
  }
  const errors = validateMud(doc);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, mud: doc as MudFile, warnings };
}

/** A MUD file as text: two-space JSON with a final newline (the form Bulwark writes and signs). */
export function serialiseMud(mud: MudFile): string {
  return JSON.stringify(mud, null, 2) + '\n';
}

/** The ACLs a policy side names, in order. */
export function policyAcls(mud: MudFile, side: 'from-device-policy' | 'to-device-policy'): Acl[] {
  const byName = new Map((mud['ietf-access-control-list:acls']?.acl ?? []).map((a) => [a.name, a]));
  const out: Acl[] = [];
  for (const ref of mud['ietf-mud:mud'][side]?.['access-lists']?.['access-list'] ?? []) {
    const acl = byName.get(ref.name);
    if (acl) out.push(acl);
  }
  return out;
}

/** Identity values may carry their module prefix (RFC 7951 section 6.8): 'ietf-access-control-list:accept' → 'accept'. */
export function identity(value: string | undefined): string {
  if (value === undefined) return '';
  const colon = value.indexOf(':');
  return colon >= 0 ? value.slice(colon + 1) : value;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The draft-ietf-opsawg-mud / draft-ietf-netmod-acl-model names osMUD's test files use, mapped to RFC names. */
function fromDraftDialect(doc: Json): MudFile | string {
  const lists = doc['ietf-access-control-list:access-lists'];
  if (!isObj(lists) || !Array.isArray(lists.acl)) return 'draft dialect: ietf-access-control-list:access-lists without an acl list';
  const acls: Acl[] = [];
  for (const a of lists.acl as unknown[]) {
    if (!isObj(a) || typeof a.name !== 'string') return 'draft dialect: an acl without a name';
    const entries = isObj(a['access-list-entries']) && Array.isArray(a['access-list-entries'].ace) ? (a['access-list-entries'].ace as unknown[]) : [];
    const aces: Ace[] = [];
    for (const e of entries) {
      if (!isObj(e)) return `draft dialect: acl ${a.name}: an entry that is not an object`;
      const ace = draftAce(e);
      if (typeof ace === 'string') return `draft dialect: acl ${a.name}: ${ace}`;
      aces.push(ace);
    }
    acls.push({ name: a.name, type: String(a['acl-type'] ?? a.type ?? ''), aces: { ace: aces } });
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(doc)) if (k !== 'ietf-access-control-list:access-lists') out[k] = v;
  out['ietf-access-control-list:acls'] = { acl: acls };
  return out as MudFile;
}

function draftAce(e: Json): Ace | string {
  const name = e['rule-name'] ?? e.name;
  if (typeof name !== 'string') return 'an entry without rule-name';
  const m = isObj(e.matches) ? e.matches : {};
  const matches: Json = {};
  for (const [k, v] of Object.entries(m)) {
    if ((k === 'ipv4-acl' || k === 'ipv6-acl') && isObj(v)) {
      const ip: Json = {};
      const ports: Json = {};
      for (const [f, fv] of Object.entries(v)) {
        if (f === 'source-port-range-or-operator') ports['source-port'] = fv;
        else if (f === 'destination-port-range-or-operator') ports['destination-port'] = fv;
        else ip[f] = fv;
      }
      matches[k === 'ipv4-acl' ? 'ipv4' : 'ipv6'] = ip;
      const l4 = ip.protocol === 6 ? 'tcp' : ip.protocol === 17 ? 'udp' : undefined;
      if (Object.keys(ports).length > 0) {
        if (!l4) return `entry ${name}: ports without TCP or UDP`;
        matches[l4] = { ...(isObj(matches[l4]) ? matches[l4] : {}), ...ports };
      }
    } else if (k === 'tcp' || k === 'udp') {
      matches[k] = { ...(isObj(matches[k]) ? matches[k] : {}), ...(isObj(v) ? v : {}) };
    } else matches[k] = v;
  }
  const actions = isObj(e.actions) ? (e.actions as Ace['actions']) : { forwarding: 'accept' };
  return { name, matches, actions };
}
