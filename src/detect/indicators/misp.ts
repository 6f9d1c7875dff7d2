/**
 * MISP events and feeds (JSON) as indicator lists: `{Event}`, `{response: [{Event}…]}`, a bare list of
 * events, or a restSearch attribute answer `{response: {Attribute: […]}}`. Attributes marked for IDS
 * (`to_ids`) of the network kinds (ip-src/ip-dst with or without `|port`, domain, hostname, domain|ip) become
 * indicators; everything else is counted by type and reason in `unmapped`, never silently dropped.
 * Pure: no I/O, no throw.
 * @module
 */
import { classify, type Indicator, type ParsedIndicators } from './parse.ts';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A JSON document that is MISP rather than STIX. */
export function looksLikeMisp(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.length > 0 && isObj(doc[0]) && 'Event' in doc[0];
  return isObj(doc) && ('Event' in doc || 'response' in doc || (!('type' in doc) && Object.values(doc).some((v) => isObj(v) && 'info' in v && 'timestamp' in v)));
}

const valueKinds: Record<string, (v: string) => string[]> = {
  'ip-src': (v) => [v],
  'ip-dst': (v) => [v],
  'ip-src|port': (v) => [v.split('|')[0]],
  'ip-dst|port': (v) => [v.split('|')[0]],
  domain: (v) => [v],
  hostname: (v) => [v],
  'domain|ip': (v) => v.split('|'),
  'hostname|port': (v) => [v.split('|')[0]],
  // A URL names its host; JA4 fingerprints match TLS clients.
  url: hostOfUrl,
  uri: hostOfUrl,
  'ja4-fingerprint': (v) => [v],
};

function hostOfUrl(value: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(value.trim());
  return m === null ? [] : [m[1].replace(/^\[|\]$/g, '')];
}

export function parseMisp(doc: unknown, maxIndicators = 1_000_000): ParsedIndicators & { unmapped: Record<string, number> } {
  const out = { format: 'misp' as const, indicators: [] as Indicator[], malformed: 0, dropped: 0, unmapped: {} as Record<string, number> };
  const miss = (why: string): void => {
    out.unmapped[why] = (out.unmapped[why] ?? 0) + 1;
  };
  const attribute = (a: unknown, event: string): void => {
    if (!isObj(a) || typeof a.type !== 'string' || typeof a.value !== 'string') { out.malformed++; return; }
    // An attribute without to_ids (common in objects) takes its type's MISP default: every network type mapped
    // here defaults to to_ids = 1 in MISP's describeTypes sane_defaults.
    const toIds = a.to_ids === undefined ? true : a.to_ids === true || a.to_ids === 1 || a.to_ids === '1';
    const map = valueKinds[a.type];
    if (!map) return miss(`${a.type}: no network indicator kind`);
    if (!toIds) return miss(`${a.type}: to_ids false (context, not an indicator)`);
    for (const raw of map(a.value)) {
      const ind = classify(raw);
      if (!ind) { out.malformed++; continue; }
      if (out.indicators.length >= maxIndicators) { out.dropped++; continue; }
      out.indicators.push({ ...ind, label: event.slice(0, 120) });
    }
  };
  const event = (e: unknown): void => {
    if (!isObj(e)) { out.malformed++; return; }
    const label = typeof e.info === 'string' ? e.info.slice(0, 80) : typeof e.uuid === 'string' ? e.uuid : 'event';
    for (const a of Array.isArray(e.Attribute) ? e.Attribute : []) attribute(a, label);
    for (const o of Array.isArray(e.Object) ? e.Object : []) {
      if (!isObj(o)) { out.malformed++; continue; }
      for (const a of Array.isArray(o.Attribute) ? o.Attribute : []) attribute(a, label);
    }
    for (const key of Object.keys(e)) if (['ShadowAttribute', 'Sighting', 'EventReport'].includes(key) && Array.isArray(e[key]) && (e[key] as unknown[]).length > 0) miss(`Event.${key}: not read`);
  };
  const wrapped = (x: unknown): void => (isObj(x) && 'Event' in x ? event(x.Event) : event(x));
  if (Array.isArray(doc)) doc.forEach(wrapped);
  else if (isObj(doc) && 'Event' in doc) event(doc.Event);
  else if (isObj(doc) && Array.isArray(doc.response)) doc.response.forEach(wrapped);
  else if (isObj(doc) && isObj(doc.response) && Array.isArray(doc.response.Attribute)) for (const a of doc.response.Attribute) attribute(a, 'restSearch');
  else if (isObj(doc)) miss('feed manifest.json: lists events only; import the event files it names');
  else out.malformed++;
  return out;
}
