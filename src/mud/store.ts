/**
 * Profiles on disk: one folder, per device `<mac12>.json` (the MUD file in force), `<mac12>.bulwark.json`
 * (sidecar: state, provenance, generalisations, rule counts), optionally `<mac12>.vendor.json` (the vendor's
 * file as imported) and `<mac12>.learned.json` (what traffic showed, kept for the difference once a profile
 * is accepted or locked). Every MUD file is validated on load and before it is written.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxMudBytes, parseMud, serialiseMud, validateMud } from './document.ts';
import { mac12 } from './learn.ts';
import type { LearnedProfile } from './learn.ts';
import type { Ace, MudFile, ProfileSidecar, RuleUsage } from './types.ts';

export interface StoredProfile {
  mud: MudFile;
  sidecar: ProfileSidecar;
  vendor?: MudFile;
  learned?: MudFile;
}

export interface LoadResult {
  profiles: StoredProfile[];
  /** Files that could not be used, with the reason. */
  errors: { file: string; errors: string[] }[];
}

const macFile = /^([0-9a-f]{12})\.json$/;

export const colonMac = (m12: string): string => m12.match(/../g)!.join(':');

function readMud(path: string): MudFile | string[] {
  if (statSync(path).size > maxMudBytes) return [`larger than ${maxMudBytes} bytes`];
  const r = parseMud(readFileSync(path, 'utf8'));
  return r.ok ? r.mud : r.errors;
}

export function emptySidecar(mac: string): ProfileSidecar {
  return { mac, state: 'learned', source: 'learned', addresses: [], controllers: { 'my-controller': [], controller: {} }, announced_mud_urls: [], usage: {}, unmatched_flows: 0, history: [] };
}

/** Every profile in a folder (a missing folder is an empty set). */
export function loadProfiles(dir: string): LoadResult {
  const out: LoadResult = { profiles: [], errors: [] };
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const m = macFile.exec(name);
    if (!m) continue;
    const one = loadProfile(dir, colonMac(m[1]));
    if ('errors' in one) out.errors.push({ file: join(dir, name), errors: one.errors });
    else out.profiles.push(one);
  }
  return out;
}

export function loadProfile(dir: string, mac: string): StoredProfile | { errors: string[] } {
  const base = join(dir, mac12(mac));
  if (!existsSync(`${base}.json`)) return { errors: ['no profile'] };
  const mud = readMud(`${base}.json`);
  if (Array.isArray(mud)) return { errors: mud };
  let sidecar = emptySidecar(mac);
  if (existsSync(`${base}.bulwark.json`)) {
    try {
      sidecar = { ...sidecar, ...(JSON.parse(readFileSync(`${base}.bulwark.json`, 'utf8')) as ProfileSidecar), mac };
    } catch (err) {
      return { errors: [`${base}.bulwark.json: ${(err as Error).message}`] };
    }
  }
  const out: StoredProfile = { mud, sidecar };
  for (const kind of ['vendor', 'learned'] as const) {
    if (!existsSync(`${base}.${kind}.json`)) continue;
    const doc = readMud(`${base}.${kind}.json`);
    if (!Array.isArray(doc)) out[kind] = doc;
  }
  return out;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Write a profile; refuses (returns the errors) when the MUD file does not validate. */
export function saveProfile(dir: string, p: StoredProfile): string[] {
  const errors = validateMud(p.mud);
  if (errors.length > 0) return errors;
  mkdirSync(dir, { recursive: true });
  const base = join(dir, mac12(p.sidecar.mac));
  writeAtomic(`${base}.json`, serialiseMud(p.mud));
  writeAtomic(`${base}.bulwark.json`, JSON.stringify(p.sidecar, null, 2) + '\n');
  if (p.vendor) writeAtomic(`${base}.vendor.json`, serialiseMud(p.vendor));
  if (p.learned) writeAtomic(`${base}.learned.json`, serialiseMud(p.learned));
  return [];
}

const aceKey = (a: Ace): string => JSON.stringify(a.matches ?? {}) + '|' + a.actions.forwarding;

/** Union of two learned MUD files (continuous learning): ACEs of `add` not in `base` are appended, renamed on clashes. */
export function unionMud(base: MudFile, add: MudFile): MudFile {
  const out = structuredClone(base);
  const acls = (out['ietf-access-control-list:acls'] ??= { acl: [] });
  acls.acl ??= [];
  for (const acl of add['ietf-access-control-list:acls']?.acl ?? []) {
    let target = acls.acl.find((a) => a.name === acl.name);
    if (!target) {
      target = { ...acl, aces: { ace: [] } };
      acls.acl.push(target);
      for (const side of ['from-device-policy', 'to-device-policy'] as const) {
        const inAdd = add['ietf-mud:mud'][side]?.['access-lists']?.['access-list']?.some((r) => r.name === acl.name);
        if (inAdd) {
          const pol = (out['ietf-mud:mud'][side] ??= {});
          const lists = (pol['access-lists'] ??= { 'access-list': [] });
          (lists['access-list'] ??= []).push({ name: acl.name });
        }
      }
    }
    const aces = ((target.aces ??= { ace: [] }).ace ??= []);
    const have = new Set(aces.map(aceKey));
    const names = new Set(aces.map((a) => a.name));
    for (const ace of acl.aces?.ace ?? []) {
      if (have.has(aceKey(ace))) continue;
      let name = ace.name;
      for (let i = 1; names.has(name); i++) name = `${ace.name}-${i}`;
      names.add(name);
      aces.push({ ...ace, name });
    }
  }
  out['ietf-mud:mud']['last-update'] = add['ietf-mud:mud']['last-update'];
  return out;
}

/**
 * Store a freshly learned profile: new devices get it as their profile; a device still in state 'learned'
 * gets the union with what it had; accepted or locked profiles keep their rules and the learned file is kept
 * beside them (`<mac12>.learned.json`) for the review's difference.
 */
export function storeLearned(dir: string, learned: LearnedProfile): string[] {
  const existing = loadProfile(dir, learned.sidecar.mac);
  if ('errors' in existing) return saveProfile(dir, { mud: learned.mud, sidecar: learned.sidecar, learned: learned.mud });
  const sidecar = existing.sidecar;
  const previousLearned = existing.learned ?? (sidecar.source === 'learned' ? existing.mud : undefined);
  const union = previousLearned ? unionMud(previousLearned, learned.mud) : learned.mud;
  sidecar.learned = mergeLearnedFacts(sidecar.learned, learned.sidecar.learned);
  for (const a of learned.sidecar.addresses) if (!sidecar.addresses.includes(a) && sidecar.addresses.length < 16) sidecar.addresses.push(a);
  for (const u of learned.sidecar.announced_mud_urls) if (!sidecar.announced_mud_urls.includes(u)) sidecar.announced_mud_urls.push(u);
  sidecar.history.push({ ts: learned.mud['ietf-mud:mud']['last-update'], action: 'learned', detail: `${learned.sidecar.learned?.flows ?? 0} more flows` });
  sidecar.history = sidecar.history.slice(-100);
  const total = sidecar.learned?.flows ?? 0;
  union['ietf-mud:mud'].systeminfo = (learned.mud['ietf-mud:mud'].systeminfo ?? '').replace(/from \d+ flows/, `from ${total} flows`);
  const mud = sidecar.state === 'learned' && sidecar.source === 'learned' ? union : existing.mud;
  if (mud === union) addLearnedUsage(sidecar, union, learned);
  return saveProfile(dir, { ...existing, mud, sidecar, learned: union });
}

function mergeLearnedFacts(a: ProfileSidecar['learned'], b: ProfileSidecar['learned']): ProfileSidecar['learned'] {
  if (!a) return b;
  if (!b) return a;
  return {
    captures: [...new Set([...a.captures, ...b.captures])].slice(-200),
    flows: a.flows + b.flows,
    first_ts: Math.min(a.first_ts, b.first_ts),
    last_ts: Math.max(a.last_ts, b.last_ts),
    generalisations: [...a.generalisations, ...b.generalisations].slice(-200),
  };
}

/** Add a run's rule counts (from PolicyWatch.usage) to the sidecars, so the review shows used / never used. */
export function addUsage(dir: string, usage: Map<string, Map<string, RuleUsage>>, unmatched: Map<string, number>): void {
  for (const [mac, counts] of usage) {
    const p = loadProfile(dir, mac);
    if ('errors' in p) continue;
    for (const [ace, c] of counts) {
      const have = p.sidecar.usage[ace] ?? { flows: 0 };
      have.flows += c.flows;
      if (c.first_ts !== undefined) have.first_ts = Math.min(have.first_ts ?? c.first_ts, c.first_ts);
      if (c.last_ts !== undefined) have.last_ts = Math.max(have.last_ts ?? c.last_ts, c.last_ts);
      p.sidecar.usage[ace] = have;
    }
    p.sidecar.unmatched_flows += unmatched.get(mac) ?? 0;
    saveProfile(dir, p);
  }
}

/** The flows a learned profile was built from used its rules: add them under the rules' names in the union. */
function addLearnedUsage(sidecar: ProfileSidecar, union: MudFile, learned: LearnedProfile): void {
  const nameInUnion = new Map<string, string>();
  for (const acl of union['ietf-access-control-list:acls']?.acl ?? []) for (const a of acl.aces?.ace ?? []) nameInUnion.set(`${acl.name}|${aceKey(a)}`, a.name);
  for (const acl of learned.mud['ietf-access-control-list:acls']?.acl ?? []) {
    for (const a of acl.aces?.ace ?? []) {
      const u = learned.sidecar.usage[a.name];
      const name = nameInUnion.get(`${acl.name}|${aceKey(a)}`);
      if (!u || !name || u.flows === 0) continue;
      const have = sidecar.usage[name] ?? { flows: 0 };
      have.flows += u.flows;
      if (u.first_ts !== undefined) have.first_ts = Math.min(have.first_ts ?? u.first_ts, u.first_ts);
      if (u.last_ts !== undefined) have.last_ts = Math.max(have.last_ts ?? u.last_ts, u.last_ts);
      sidecar.usage[name] = have;
    }
  }
}
