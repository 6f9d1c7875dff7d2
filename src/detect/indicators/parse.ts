/**
 * Indicator-of-compromise lists: plain text (one value a line), CSV (a value column, optional type column) and
 * STIX 2.1 indicators with the simple patterns [ipv4-addr:value = '…'], [ipv6-addr:value = '…'] and
 * [domain-name:value = '…'] (OR-ed comparisons allowed), and MISP feed events (the JSON of one event as a MISP
 * feed serves it, `{"Event": {...}}`, or a list/`response` of them; attributes ip-dst, ip-src, domain,
 * hostname, url and the composite types, also inside objects). Values are IPv4/IPv6 addresses, domain names and
 * JA4 fingerprints. Pure functions: malformed lines and objects are counted and skipped, nothing throws.
 * @module
 */
import { looksLikeMisp, parseMisp } from './misp.ts';

export type IndicatorKind = 'ipv4' | 'ipv6' | 'domain' | 'ja4';

export interface Indicator {
  kind: IndicatorKind;
  /** Normalised value: lower-case, no trailing dot. */
  value: string;
  /** Name or id from the list (STIX indicator name, CSV description), when given. */
  label?: string;
}

export type IndicatorFormat = 'text' | 'csv' | 'stix' | 'misp';

export interface ParsedIndicators {
  format: IndicatorFormat;
  indicators: Indicator[];
  /** Lines (text, CSV) or indicator objects / comparisons (STIX) that could not be used. */
  malformed: number;
  /** Indicators beyond `maxIndicators`, not kept. */
  dropped: number;
  /** MISP: values that are not indicators here, counted by "type: reason" (never silently dropped). */
  unmapped?: Record<string, number>;
}

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6Re = /^[0-9a-f:]+(:\d+\.\d+\.\d+\.\d+)?$/;
const domainRe = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z][a-z0-9-]{0,62}$/;
const ja4Re = /^[tqd][0-9s][0-9a-z][di][0-9]{2}[0-9]{2}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;

/** Kind of a single value, undefined when it is none of the supported kinds. */
export function classify(raw: string): Indicator | undefined {
  let v = raw.trim().toLowerCase();
  if (v.length === 0 || v.length > 260) return undefined;
  // Defanged notation as threat feeds publish it: 1.2.3[.]4, evil[.]com, hxxp:// is not an indicator kind here.
  v = v.replaceAll('[.]', '.').replaceAll('(.)', '.');
  if (v.endsWith('.')) v = v.slice(0, -1);
  if (ipv4Re.test(v)) return { kind: 'ipv4', value: v };
  if (v.includes(':')) {
    if (ipv6Re.test(v) && v.split(':').length >= 3 && v.split(':').length <= 9 && v.split('::').length <= 2) return { kind: 'ipv6', value: v };
    return undefined;
  }
  if (ja4Re.test(v)) return { kind: 'ja4', value: v };
  if (domainRe.test(v) && !/^[0-9.]+$/.test(v)) return { kind: 'domain', value: v };
  return undefined;
}

function push(out: ParsedIndicators, ind: Indicator, max: number): void {
  if (out.indicators.length >= max) out.dropped++;
  else out.indicators.push(ind);
}

/** One value per line; '#' and ';' start comments; blank lines are skipped. */
export function parseText(text: string, maxIndicators = 1_000_000): ParsedIndicators {
  const out: ParsedIndicators = { format: 'text', indicators: [], malformed: 0, dropped: 0 };
  for (const line of text.split(/\r?\n/)) {
    const hash = line.search(/[#;]/);
    const value = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (value === '') continue;
    const ind = classify(value);
    if (ind) push(out, ind, maxIndicators);
    else out.malformed++;
  }
  return out;
}

/** Split one CSV line (RFC 4180 quotes; no multi-line fields). */
export function splitCsvLine(line: string, sep = ','): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === sep) { fields.push(cur); cur = ''; }
    else cur += c;
  }
  fields.push(cur);
  return fields.map((f) => f.trim());
}

const valueColumns = ['value', 'indicator', 'ioc', 'ip', 'ip_address', 'dst_ip', 'ip-dst', 'domain', 'hostname', 'host', 'ja4', 'observable'];
const labelColumns = ['description', 'comment', 'malware', 'threat', 'name', 'label', 'tags'];

/**
 * CSV: a header naming a value column (value, indicator, ioc, ip, domain, ja4, ...) when present, else the
 * first field that is a valid value. Lines starting with '#' are comments.
 */
export function parseCsv(text: string, maxIndicators = 1_000_000): ParsedIndicators {
  const out: ParsedIndicators = { format: 'csv', indicators: [], malformed: 0, dropped: 0 };
  let valueCol = -1;
  let labelCol = -1;
  let first = true;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const fields = splitCsvLine(line);
    if (first) {
      first = false;
      const lower = fields.map((f) => f.toLowerCase());
      const v = lower.findIndex((f) => valueColumns.includes(f));
      if (v >= 0) {
        valueCol = v;
        labelCol = lower.findIndex((f) => labelColumns.includes(f));
        continue;
      }
    }
    let ind: Indicator | undefined;
    if (valueCol >= 0) ind = fields[valueCol] !== undefined ? classify(fields[valueCol]) : undefined;
    else for (const f of fields) if ((ind = classify(f)) !== undefined) break;
    if (ind === undefined) {
      out.malformed++;
      continue;
    }
    const label = labelCol >= 0 ? fields[labelCol] : undefined;
    if (label) ind.label = label.slice(0, 120);
    push(out, ind, maxIndicators);
  }
  return out;
}

const comparisonRe = /^(ipv4-addr|ipv6-addr|domain-name):value\s*=\s*'((?:[^'\\]|\\.)*)'$/;

/**
 * Values of a simple STIX pattern: "[ipv4-addr:value = '1.2.3.4']" or several such comparisons joined by OR
 * (inside one bracket or as [..] OR [..]). Undefined for any other pattern (AND, other objects, qualifiers).
 */
export function parseStixPattern(pattern: string): Indicator[] | undefined {
  const p = pattern.trim();
  if (!p.startsWith('[') || !p.endsWith(']') || p.length > 100_000) return undefined;
  const inner = p.slice(1, -1).replace(/\]\s+OR\s+\[/g, ' OR ');
  if (inner.includes('[') || inner.includes(']')) return undefined;
  const out: Indicator[] = [];
  for (const part of inner.split(/\s+OR\s+/)) {
    const m = comparisonRe.exec(part.trim());
    if (m === null) return undefined;
    const ind = classify(m[2].replace(/\\(.)/g, '$1'));
    const want = m[1] === 'ipv4-addr' ? 'ipv4' : m[1] === 'ipv6-addr' ? 'ipv6' : 'domain';
    if (ind === undefined || ind.kind !== want) return undefined;
    out.push(ind);
  }
  return out;
}

/** STIX 2.1: a bundle, a bare list of objects or one object; only `indicator` objects with a STIX pattern are read. */
export function parseStix(text: string, maxIndicators = 1_000_000): ParsedIndicators {
  const out: ParsedIndicators = { format: 'stix', indicators: [], malformed: 0, dropped: 0 };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    out.malformed++;
    return out;
  }
  const objects: unknown[] = Array.isArray(doc) ? doc
    : doc !== null && typeof doc === 'object' && Array.isArray((doc as { objects?: unknown }).objects) ? (doc as { objects: unknown[] }).objects
    : [doc];
  for (const o of objects) {
    if (o === null || typeof o !== 'object') { out.malformed++; continue; }
    const obj = o as Record<string, unknown>;
    if (obj.type !== 'indicator') continue;
    if (obj.pattern_type !== undefined && obj.pattern_type !== 'stix') { out.malformed++; continue; }
    const values = typeof obj.pattern === 'string' ? parseStixPattern(obj.pattern) : undefined;
    if (values === undefined) { out.malformed++; continue; }
    const label = typeof obj.name === 'string' ? obj.name : typeof obj.id === 'string' ? obj.id : undefined;
    for (const ind of values) push(out, label ? { ...ind, label: label.slice(0, 120) } : ind, maxIndicators);
  }
  return out;
}

/** JSON text that is a MISP event (feed file or REST answer) rather than STIX, judged without parsing it. */
function looksLikeMispText(text: string): boolean {
  return /^\s*[[{]\s*(\{\s*)?"(Event|response)"\s*:/.test(text);
}

/** Format from the file name (.json/.stix → STIX, .csv → CSV) or, failing that, from the content. */
export function detectFormat(name: string, text: string): IndicatorFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json') && looksLikeMispText(text)) return 'misp';
  if (lower.endsWith('.json') || lower.endsWith('.stix')) return 'stix';
  if (lower.endsWith('.csv')) return 'csv';
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') return looksLikeMispText(text) ? 'misp' : 'stix';
  return 'text';
}

export function parseIndicators(name: string, text: string, maxIndicators = 1_000_000): ParsedIndicators {
  const format = detectFormat(name, text);
  if (format === 'misp' || format === 'stix') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return parseStix(text, maxIndicators);
    }
    if (looksLikeMisp(doc)) return parseMisp(doc, maxIndicators);
    return parseStix(text, maxIndicators);
  }
  if (format === 'csv') return parseCsv(text, maxIndicators);
  return parseText(text, maxIndicators);
}
