/**
 * What a reviewer does to a profile (CLI and API share these): accept, lock, unlock, edit (replace the MUD
 * file with a validated one), adopt the vendor's file, import a vendor file. Each is recorded in the
 * sidecar's history.
 * @module
 */
import { loadProfile, saveProfile, emptySidecar, type StoredProfile } from './store.ts';
import { parseMud } from './document.ts';
import type { ImportResult } from './import.ts';
import type { MudFile, ProfileState } from './types.ts';

export type ActionResult = { ok: true; profile: StoredProfile } | { ok: false; status: 400 | 404 | 409; errors: string[] };

const stamp = (): string => new Date().toISOString();

function load(dir: string, mac: string): StoredProfile | ActionResult {
  const p = loadProfile(dir, mac);
  if ('errors' in p) return { ok: false, status: 404, errors: p.errors };
  return p;
}

function save(dir: string, p: StoredProfile): ActionResult {
  const errors = saveProfile(dir, p);
  return errors.length ? { ok: false, status: 400, errors } : { ok: true, profile: p };
}

export function setState(dir: string, mac: string, state: ProfileState): ActionResult {
  const p = load(dir, mac);
  if ('ok' in p) return p;
  p.sidecar.history.push({ ts: stamp(), action: state === 'learned' ? 'unlocked' : state, detail: `was ${p.sidecar.state}` });
  p.sidecar.state = state;
  return save(dir, p);
}

/** Replace the profile's MUD file by an edited one (must validate); a locked profile must be unlocked first. */
export function editProfile(dir: string, mac: string, text: string): ActionResult {
  const p = load(dir, mac);
  if ('ok' in p) return p;
  if (p.sidecar.state === 'locked') return { ok: false, status: 409, errors: ['the profile is locked: unlock it before editing'] };
  const parsed = parseMud(text);
  if (!parsed.ok) return { ok: false, status: 400, errors: parsed.errors };
  p.mud = parsed.mud;
  p.sidecar.source = 'edited';
  p.sidecar.usage = {};
  p.sidecar.history.push({ ts: stamp(), action: 'edited' });
  return save(dir, p);
}

/** Make the imported vendor file the profile in force. */
export function adoptVendor(dir: string, mac: string): ActionResult {
  const p = load(dir, mac);
  if ('ok' in p) return p;
  if (!p.vendor) return { ok: false, status: 404, errors: ['no vendor MUD file imported for this device'] };
  if (p.sidecar.state === 'locked') return { ok: false, status: 409, errors: ['the profile is locked: unlock it first'] };
  if (!p.learned && p.sidecar.source === 'learned') p.learned = p.mud;
  p.mud = p.vendor;
  p.sidecar.source = 'vendor';
  p.sidecar.usage = {};
  p.sidecar.history.push({ ts: stamp(), action: 'adopted vendor file', detail: p.sidecar.vendor?.url ?? p.sidecar.vendor?.file });
  return save(dir, p);
}

/** Keep an imported vendor file for a device; it becomes the profile when the device has none. */
export function storeVendor(dir: string, mac: string, imported: ImportResult & { mud: MudFile }): ActionResult {
  const existing = loadProfile(dir, mac);
  const p: StoredProfile = 'errors' in existing ? { mud: imported.mud, sidecar: { ...emptySidecar(mac), source: 'vendor' } } : existing;
  p.vendor = imported.mud;
  p.sidecar.vendor = { url: /^https:/.test(imported.source) ? imported.source : undefined, file: imported.source, signature: imported.signature, imported: stamp() };
  const url = imported.mud['ietf-mud:mud']['mud-url'];
  if (!p.sidecar.announced_mud_urls.includes(url) && /^https:/.test(imported.source)) p.sidecar.announced_mud_urls.push(url);
  p.sidecar.history.push({ ts: stamp(), action: 'imported vendor file', detail: `${imported.source}: signature ${imported.signature.status}` });
  return save(dir, p);
}
