/**
 * Templates of NetFlow v9 and IPFIX (RFC 3954 section 5.2-5.3, RFC 7011 section 3.4): pure parsers of template
 * and options template records, compiled into typed arrays so data records decode without lookups.
 * @module
 */
import { u16, u32 } from '../decode/bytes.ts';
import { FA } from './anomalies.ts';
import { invalid, ok, type Parsed } from './types.ts';

/** Field length meaning "variable length" in IPFIX (RFC 7011 section 7). */
export const VARLEN = 65535;
/** Enterprise number of RFC 5103 reverse information elements. */
export const REVERSE_PEN = 29305;
/** Added to an element id for the reverse direction of a biflow (RFC 5103). */
export const REVERSE = 0x10000;
/** Element id of a field the collector skips (any other enterprise's private element). */
export const SKIP = -1;

export interface Template {
  id: number;
  /** Options template (scope + option fields): sampler and exporter facts, not flows. */
  options: boolean;
  scopeCount: number;
  /** IANA element id per field, REVERSE | id for reverse elements, SKIP for other enterprises' elements. */
  ids: Int32Array;
  lens: Uint16Array;
  /** Bytes of the shortest record (each variable-length field at its 1-byte minimum). */
  minLength: number;
  /** Field layout as text: a refresh with the same layout is not a change. */
  signature: string;
}

/** A withdrawal (IPFIX: field count 0): `id` 2 or 3 withdraws all templates of that set type. */
export interface Withdrawal {
  withdraw: number;
}

const minTemplateId = 256;

function compile(id: number, options: boolean, scopeCount: number, ids: number[], lens: number[]): Template {
  let min = 0;
  for (const l of lens) min += l === VARLEN ? 1 : l;
  return {
    id, options, scopeCount, ids: Int32Array.from(ids), lens: Uint16Array.from(lens), minLength: min,
    signature: `${options ? 'o' : 't'}${scopeCount}:${ids.join(',')}/${lens.join(',')}`,
  };
}

/** NetFlow v9 template record (flowset 0): template id, field count, (type, length) pairs. */
export function parseV9Template(d: Uint8Array, off: number, end: number, maxFields: number): Parsed<Template> {
  if (off + 4 > end) return invalid(FA.badTemplate);
  const id = u16(d, off);
  const count = u16(d, off + 2);
  if (id < minTemplateId || count === 0) return invalid(FA.badTemplate);
  if (count > maxFields) return invalid(FA.templateFieldLimit);
  const len = 4 + count * 4;
  if (off + len > end) return invalid(FA.badTemplate);
  const ids: number[] = [];
  const lens: number[] = [];
  for (let i = 0, o = off + 4; i < count; i++, o += 4) {
    const l = u16(d, o + 2);
    // v9 has no variable-length fields: 65535 is just an (absurd) length, treated as malformed.
    if (l === 0 || l === VARLEN) return invalid(FA.badTemplate);
    ids.push(u16(d, o));
    lens.push(l);
  }
  return ok(compile(id, false, 0, ids, lens), len);
}

/** NetFlow v9 options template record (flowset 1): id, scope length and option length in bytes, then the fields. */
export function parseV9OptionsTemplate(d: Uint8Array, off: number, end: number, maxFields: number): Parsed<Template> {
  if (off + 6 > end) return invalid(FA.badTemplate);
  const id = u16(d, off);
  const scopeBytes = u16(d, off + 2);
  const optionBytes = u16(d, off + 4);
  if (id < minTemplateId || scopeBytes % 4 !== 0 || optionBytes % 4 !== 0 || scopeBytes + optionBytes === 0) return invalid(FA.badTemplate);
  const count = (scopeBytes + optionBytes) / 4;
  if (count > maxFields) return invalid(FA.templateFieldLimit);
  const len = 6 + scopeBytes + optionBytes;
  if (off + len > end) return invalid(FA.badTemplate);
  const ids: number[] = [];
  const lens: number[] = [];
  for (let i = 0, o = off + 6; i < count; i++, o += 4) {
    const l = u16(d, o + 2);
    if (l === 0 || l === VARLEN) return invalid(FA.badTemplate);
    // v9 scope types (1 system, 2 interface, 3 line card, 4 cache, 5 template) share numbers with flow
    // elements: they are skipped so a scope "interface" is never read as octetDeltaCount.
    ids.push(i < scopeBytes / 4 ? SKIP : u16(d, o));
    lens.push(l);
  }
  return ok(compile(id, true, scopeBytes / 4, ids, lens), len);
}

/**
 * IPFIX template (set 2) or options template (set 3) record. Enterprise-specific fields are kept only as
 * their length (skipped when decoding), except RFC 5103 reverse elements. Field count 0 is a withdrawal.
 */
export function parseIpfixTemplate(d: Uint8Array, off: number, end: number, options: boolean, maxFields: number): Parsed<Template | Withdrawal> {
  if (off + 4 > end) return invalid(FA.badTemplate);
  const id = u16(d, off);
  const count = u16(d, off + 2);
  if (count === 0) {
    if (id !== 2 && id !== 3 && id < minTemplateId) return invalid(FA.badTemplate);
    return ok({ withdraw: id }, 4);
  }
  if (id < minTemplateId) return invalid(FA.badTemplate);
  if (count > maxFields) return invalid(FA.templateFieldLimit);
  let o = off + 4;
  let scopeCount = 0;
  if (options) {
    if (o + 2 > end) return invalid(FA.badTemplate);
    scopeCount = u16(d, o);
    o += 2;
    if (scopeCount === 0 || scopeCount > count) return invalid(FA.badTemplate);
  }
  const ids: number[] = [];
  const lens: number[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 4 > end) return invalid(FA.badTemplate);
    const raw = u16(d, o);
    const l = u16(d, o + 2);
    o += 4;
    if (l === 0) return invalid(FA.badTemplate);
    let id2 = raw & 0x7fff;
    if (raw & 0x8000) {
      if (o + 4 > end) return invalid(FA.badTemplate);
      const pen = u32(d, o);
      o += 4;
      id2 = pen === REVERSE_PEN ? REVERSE | id2 : SKIP;
    }
    // IPFIX scope fields are ordinary elements (selectorId, observationDomainId, ...): kept.
    ids.push(id2);
    lens.push(l);
  }
  return ok(compile(id, options, scopeCount, ids, lens), o - off);
}

export function isWithdrawal(t: Template | Withdrawal): t is Withdrawal {
  return 'withdraw' in t;
}
