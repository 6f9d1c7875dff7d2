/**
 * User overrides: a device's name, type and vendor set by the user, kept in a plain JSON file
 * ({ "<device id>": { "name"?, "type"?, "vendor"? } }) whose path the caller chooses, so they stick across runs.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deviceTypes, type DeviceRecord, type DeviceType } from './types.ts';

export interface Override {
  name?: string;
  type?: DeviceType;
  vendor?: string;
}

export type Overrides = Record<string, Override>;

function cleanText(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\p{Cc}/gu, '').trim().slice(0, 128);
  return s === '' ? undefined : s;
}

/** Validate one override (unknown keys dropped, a type outside deviceTypes rejected). */
export function parseOverride(v: unknown): Override | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const out: Override = {};
  const name = cleanText(o.name);
  const vendor = cleanText(o.vendor);
  if (name) out.name = name;
  if (vendor) out.vendor = vendor;
  if (typeof o.type === 'string') {
    if (!(deviceTypes as readonly string[]).includes(o.type)) return undefined;
    out.type = o.type as DeviceType;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Read an overrides file; a missing file is no overrides; a malformed one throws (the user must know). */
export function loadOverrides(path: string): Overrides {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const json: unknown = JSON.parse(text);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${path}: expected a JSON object of device overrides`);
  const out: Overrides = {};
  for (const [id, v] of Object.entries(json as Record<string, unknown>)) {
    const o = parseOverride(v);
    if (o) out[id] = o;
  }
  return out;
}

/** Write overrides atomically (temporary file, then rename), creating the folder. */
export function saveOverrides(path: string, overrides: Overrides): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(overrides, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Set (merge) one device's override and save the file; `null` fields clear that field, an empty result
 * removes the device's entry. Returns the overrides now in force.
 */
export function setOverride(path: string, deviceId: string, change: { name?: string | null; type?: DeviceType | null; vendor?: string | null }): Overrides {
  const all = loadOverrides(path);
  const merged: Record<string, unknown> = { ...all[deviceId] };
  for (const key of ['name', 'type', 'vendor'] as const) {
    if (change[key] === null) delete merged[key];
    else if (change[key] !== undefined) merged[key] = change[key];
  }
  if (merged.type !== undefined && !(deviceTypes as readonly string[]).includes(merged.type as string)) throw new Error(`unknown device type '${String(merged.type)}'`);
  const o = parseOverride(merged);
  if (o) all[deviceId] = o;
  else delete all[deviceId];
  saveOverrides(path, all);
  return all;
}

/** Apply the user's override to a device: its fields win (decided_by 'user' for a type), and the reasons say so. */
export function applyOverrides(d: DeviceRecord, overrides: Overrides): DeviceRecord {
  const o = Object.hasOwn(overrides, d.id) ? overrides[d.id] : undefined;
  if (!o) return d;
  const id = { ...d.identification, because: [...d.identification.because] };
  const reasons: string[] = [];
  if (o.type) {
    id.type = o.type;
    id.type_confidence = 1;
    reasons.push(`type set by user`);
  }
  if (o.vendor) {
    id.vendor = o.vendor;
    reasons.push('vendor set by user');
  }
  if (o.name) reasons.push(`name '${o.name}' set by user`);
  id.because = [...reasons, ...id.because];
  // decided_by is about the type: a name or vendor alone leaves the identification's decider.
  if (o.type) id.decided_by = 'user';
  return { ...d, identification: id, user: { ...o } };
}
