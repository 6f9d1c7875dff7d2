/**
 * MUD profile review (docs/mud.md): list, one profile in words with rule counts and the learned-vs-vendor
 * difference, the MUD file itself, edit, accept/lock/unlock, adopt or import the vendor's file (uploaded, or
 * fetched from a MUD URL the device announced — never an arbitrary URL), and the nftables ruleset.
 * @module
 */
import { basename } from 'node:path';
import type { Context, Hono } from 'hono';
import type { AppContextDeps } from './app.ts';
import { ApiError, errorResponse } from './http-errors.ts';
import { normaliseMac } from '../inventory/oui.ts';
import { loadProfile, loadProfiles, type StoredProfile } from '../mud/store.ts';
import { diffProfiles, readableRules, type ReadableRule } from '../mud/review.ts';
import { adoptVendor, editProfile, setState, storeVendor, type ActionResult } from '../mud/actions.ts';
import { importBytes, importUrl } from '../mud/import.ts';
import { maxMudBytes, serialiseMud } from '../mud/document.ts';
import { nftRuleset } from '../mud/nft.ts';
import type { ProfileState } from '../mud/types.ts';

const json = (c: Context, body: unknown, status: 200 | 201 = 200): Response =>
  c.body(JSON.stringify(body), status, { 'Content-Type': 'application/json; charset=utf-8' });

async function boundedBody(c: Context): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > maxMudBytes) throw new ApiError(413, 'payload_too_large', `MUD bodies are limited to ${maxMudBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (c.req.raw.body) {
    for await (const chunk of c.req.raw.body) {
      size += chunk.byteLength;
      if (size > maxMudBytes) throw new ApiError(413, 'payload_too_large', `MUD bodies are limited to ${maxMudBytes} bytes`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

const ruleJson = (r: ReadableRule): Record<string, unknown> => ({
  ace: r.ace, acl: r.acl, direction: r.direction, action: r.action, text: r.text, peer: r.peer, protocol: r.protocol,
  peer_port: r.peerPort, device_port: r.devicePort, initiated: r.initiated ?? null, flows: r.usage?.flows ?? 0,
  first_ts: r.usage?.first_ts ?? null, last_ts: r.usage?.last_ts ?? null,
});

function summary(p: StoredProfile): Record<string, unknown> {
  const rules = readableRules(p.mud, p.sidecar.usage);
  const s = p.sidecar;
  return {
    mac: s.mac, device_id: `mac:${s.mac}`, state: s.state, source: s.source,
    systeminfo: p.mud['ietf-mud:mud'].systeminfo ?? '', mud_url: p.mud['ietf-mud:mud']['mud-url'],
    rules: rules.length, used: rules.filter((r) => (r.usage?.flows ?? 0) > 0).length, never_used: rules.filter((r) => (r.usage?.flows ?? 0) === 0).length,
    unmatched_flows: s.unmatched_flows, has_vendor: p.vendor !== undefined, signature: s.vendor?.signature.status ?? null,
    announced_mud_urls: s.announced_mud_urls,
  };
}

function detail(p: StoredProfile): Record<string, unknown> {
  const s = p.sidecar;
  const learned = p.learned ?? (s.source === 'learned' ? p.mud : undefined);
  const diff = learned && p.vendor ? diffProfiles(learned, p.vendor) : undefined;
  return {
    ...summary(p),
    rule_list: readableRules(p.mud, s.usage).map(ruleJson),
    learned: s.learned ? { ...s.learned, captures: s.learned.captures.map((f) => basename(f)) } : null,
    vendor: s.vendor ? { ...s.vendor, file: basename(s.vendor.file) } : null,
    controllers: s.controllers, addresses: s.addresses, history: s.history.slice(-50),
    learned_vs_vendor: diff ? {
      both: diff.both.map((x) => x.left.text), only_learned: diff.onlyLeft.map((x) => x.text), only_vendor: diff.onlyRight.map((x) => x.text),
    } : null,
  };
}

export function mudRoutes(app: Hono, deps: AppContextDeps): void {
  const dir = deps.mudProfiles;
  const disabled = (c: Context): Response => errorResponse(c, 404, 'not_found', 'MUD profiles are off: start serve with --profiles DIR');
  const macOf = (c: Context): string => {
    const mac = normaliseMac(c.req.param('mac')) ?? (/^[0-9a-f]{12}$/i.test(c.req.param('mac') ?? '') ? c.req.param('mac')!.toLowerCase().match(/../g)!.join(':') : undefined);
    if (!mac) throw new ApiError(400, 'invalid_parameter', `'${c.req.param('mac')}' is not a MAC address`);
    return mac;
  };
  const one = (c: Context): StoredProfile | Response => {
    const p = loadProfile(dir!, macOf(c));
    return 'errors' in p ? errorResponse(c, 404, 'not_found', `No profile for ${c.req.param('mac')}: ${p.errors.join('; ')}`) : p;
  };
  const done = (c: Context, r: ActionResult): Response => (r.ok ? json(c, detail(r.profile)) : errorResponse(c, r.status, r.status === 409 ? 'conflict' : r.status === 404 ? 'not_found' : 'invalid_body', r.errors.join('; ')));

  app.get('/api/mud/profiles', (c) => {
    if (!dir) return disabled(c);
    const { profiles, errors } = loadProfiles(dir);
    return json(c, { items: profiles.map(summary), total: profiles.length, errors: errors.map((e) => ({ file: basename(e.file), errors: e.errors })) });
  });

  app.get('/api/mud/profiles/:mac', (c) => {
    if (!dir) return disabled(c);
    const p = one(c);
    return p instanceof Response ? p : json(c, detail(p));
  });

  app.get('/api/mud/profiles/:mac/mud.json', (c) => {
    if (!dir) return disabled(c);
    const p = one(c);
    if (p instanceof Response) return p;
    const which = c.req.query('which') ?? 'active';
    const doc = which === 'vendor' ? p.vendor : which === 'learned' ? (p.learned ?? p.mud) : p.mud;
    if (!doc) return errorResponse(c, 404, 'not_found', `No ${which} MUD file`);
    return c.body(serialiseMud(doc), 200, { 'Content-Type': 'application/mud+json', 'Content-Disposition': `attachment; filename="${p.sidecar.mac.replace(/:/g, '')}.json"` });
  });

  app.put('/api/mud/profiles/:mac', async (c) => {
    if (!dir) return disabled(c);
    return done(c, editProfile(dir, macOf(c), await boundedBody(c)));
  });

  app.post('/api/mud/profiles/:mac/state', async (c) => {
    if (!dir) return disabled(c);
    let state: unknown;
    try {
      state = (JSON.parse(await boundedBody(c)) as { state?: unknown }).state;
    } catch {
      throw new ApiError(400, 'invalid_body', 'The body must be JSON: {"state": "learned" | "accepted" | "locked"}');
    }
    if (state !== 'learned' && state !== 'accepted' && state !== 'locked') throw new ApiError(400, 'invalid_body', "'state' must be learned, accepted or locked");
    return done(c, setState(dir, macOf(c), state as ProfileState));
  });

  app.post('/api/mud/profiles/:mac/use-vendor', (c) => {
    if (!dir) return disabled(c);
    return done(c, adoptVendor(dir, macOf(c)));
  });

  /** Body: the vendor's MUD JSON; or {"url": one of the device's announced MUD URLs} to fetch it with its signature. */
  app.post('/api/mud/profiles/:mac/vendor', async (c) => {
    if (!dir) return disabled(c);
    const mac = macOf(c);
    const text = await boundedBody(c);
    let url: string | undefined;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body.url === 'string' && Object.keys(body).length === 1) url = body.url;
    } catch {
      throw new ApiError(400, 'invalid_body', 'The body must be a MUD file or {"url": ...}');
    }
    let result;
    if (url !== undefined) {
      const p = loadProfile(dir, mac);
      const announced = 'errors' in p ? [] : p.sidecar.announced_mud_urls;
      if (!announced.includes(url)) throw new ApiError(400, 'invalid_body', 'Only a MUD URL this device announced can be fetched (see announced_mud_urls); upload other files');
      try {
        result = await importUrl(url);
      } catch (err) {
        throw new ApiError(502, 'fetch_failed', (err as Error).message);
      }
    } else result = importBytes(Buffer.from(text), undefined, 'upload.json');
    if (!result.ok || !result.mud) throw new ApiError(400, 'invalid_mud', result.errors.join('; '));
    return done(c, storeVendor(dir, mac, { ...result, mud: result.mud }));
  });

  app.get('/api/mud/nft', (c) => {
    if (!dir) return disabled(c);
    const format = c.req.query('format') === 'fw4' ? 'fw4' : 'nft';
    const { profiles } = loadProfiles(dir);
    return c.body(nftRuleset(profiles, { format }), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });
}
