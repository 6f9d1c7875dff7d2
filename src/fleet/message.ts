/**
 * The sensor → central message: a versioned envelope around one store batch, described by the checked-in
 * JSON Schema (sensor-message.schema.json), published to `bulwark.<site>.<sensor>.<kind>` with the message
 * id `<site>/<sensor>/<seq>` so JetStream drops a re-sent copy. Payloads are gzip-compressed (JSON of
 * device and finding records shrinks about tenfold), which keeps a batch under the server's payload limit;
 * a batch too large even so is split into several (every part is an upsert, so the split changes nothing).
 * Decoding treats every byte as hostile: size-bounded decompression, schema validation, a named reason.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import type { StoreBatch } from '../store/batch.ts';

export const MESSAGE_VERSION = 1;
export type MessageKind = 'batch' | 'status';

export interface SensorMessage {
  version: typeof MESSAGE_VERSION;
  kind: MessageKind;
  site: string;
  sensor: string;
  seq: number;
  /** seq of the sensor's previous kept message (0 for the first): see the schema. */
  prev: number;
  sent_at: number;
  batch: StoreBatch;
}

/** The checked-in JSON Schema of a message (also in docs/schema/). */
export const messageSchema = JSON.parse(readFileSync(new URL('./sensor-message.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true, strictRequired: false, strictTypes: false }).compile(messageSchema);
  return compiled;
}

export { checkName, namePattern } from './names.ts';

/** Every subject Bulwark publishes on; the stream captures `bulwark.>`. */
export const subjectPrefix = 'bulwark';
export function subjectOf(site: string, sensor: string, kind: MessageKind): string {
  return `${subjectPrefix}.${site}.${sensor}.${kind}`;
}
export function messageId(site: string, sensor: string, seq: number): string {
  return `${site}/${sensor}/${seq}`;
}

/** A batch with no change, only health: published as kind 'status'. */
export function kindOf(batch: StoreBatch): MessageKind {
  const changes = (batch.devices?.length ?? 0) + (batch.removedDevices?.length ?? 0) + (batch.findings?.length ?? 0) +
    (batch.flowBuckets?.length ?? 0) + (batch.protocols?.length ?? 0) + (batch.assessments?.length ?? 0) + (batch.labels?.length ?? 0);
  return changes === 0 && !(batch.segment?.final ?? false) ? 'status' : 'batch';
}

export function envelope(batch: StoreBatch, prev: number, sentAt = Date.now()): SensorMessage {
  return { version: MESSAGE_VERSION, kind: kindOf(batch), site: batch.site, sensor: batch.sensor, seq: batch.seq, prev, sent_at: sentAt, batch };
}

export function encode(message: SensorMessage): Uint8Array {
  // node:zlib on use: every analyze run loads this module, few publish.
  return process.getBuiltinModule('node:zlib').gzipSync(JSON.stringify(message), { level: 6 });
}

/** Largest a decoded message may be (the schema bounds its shape, this its size). */
export const MAX_DECODED_BYTES = 64 << 20;

export type Decoded = { ok: true; message: SensorMessage } | { ok: false; reason: 'gzip' | 'json' | 'version' | 'schema' | 'subject'; detail: string };

/** Decode and check a message received on `subject`; the subject must name the same site, sensor and kind. */
export function decode(data: Uint8Array, subject: string): Decoded {
  let text: string;
  try {
    text = process.getBuiltinModule('node:zlib').gunzipSync(data, { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8');
  } catch (err) {
    return { ok: false, reason: 'gzip', detail: (err as Error).message };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'json', detail: (err as Error).message };
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof raw === 'object' && raw !== null && version !== MESSAGE_VERSION) {
    return { ok: false, reason: 'version', detail: `message version ${JSON.stringify(version)}; this consumer reads version ${MESSAGE_VERSION}` };
  }
  const validate = validator();
  if (!validate(raw)) {
    const e = validate.errors?.[0];
    return { ok: false, reason: 'schema', detail: `${e?.instancePath || '/'} ${e?.message ?? 'invalid'}` };
  }
  const m = raw as SensorMessage;
  if (m.batch.site !== m.site || m.batch.sensor !== m.sensor || m.batch.seq !== m.seq || m.prev >= m.seq) {
    return { ok: false, reason: 'schema', detail: 'envelope and batch disagree on site, sensor or seq (or prev is not before seq)' };
  }
  if (subject !== subjectOf(m.site, m.sensor, m.kind)) return { ok: false, reason: 'subject', detail: `${subject} carries a message of ${subjectOf(m.site, m.sensor, m.kind)}` };
  return { ok: true, message: m };
}

/**
 * Splits a batch whose encoded form exceeds `maxBytes` into consecutive parts (seq `seq`, `seq+1`, …), each
 * under the limit where one record allows it. Devices come before removals and finding changes keep their
 * order; the segment's summary and the status ride on the last part. Returns the parts encoded.
 */
export function encodeWithin(batch: StoreBatch, prev: number, maxBytes: number, sentAt = Date.now()): { message: SensorMessage; data: Uint8Array }[] {
  const whole = envelope(batch, prev, sentAt);
  const data = encode(whole);
  if (data.length <= maxBytes) return [{ message: whole, data }];
  const lists = splitLists(batch);
  if (lists.length <= 1) return [{ message: whole, data }]; // one record larger than the limit: the server will refuse it, and say so
  const half = Math.ceil(lists.length / 2);
  const first: StoreBatch = { site: batch.site, sensor: batch.sensor, seq: batch.seq, ...joinLists(lists.slice(0, half)) };
  if (batch.segment) first.segment = { ...batch.segment, final: false };
  const second: StoreBatch = { ...batch, seq: batch.seq + 1, devices: undefined, removedDevices: undefined, findings: undefined, flowBuckets: undefined, protocols: undefined, assessments: undefined, labels: undefined, ...joinLists(lists.slice(half)) };
  for (const k of Object.keys(second) as (keyof StoreBatch)[]) if (second[k] === undefined) delete second[k];
  const a = encodeWithin(first, prev, maxBytes, sentAt);
  const last = a.at(-1)!.message.seq;
  return [...a, ...encodeWithin({ ...second, seq: last + 1 }, last, maxBytes, sentAt)];
}

type Listed = { key: 'devices' | 'removedDevices' | 'findings' | 'flowBuckets' | 'protocols' | 'assessments' | 'labels'; item: unknown };
const listKeys = ['devices', 'removedDevices', 'findings', 'flowBuckets', 'protocols', 'assessments', 'labels'] as const;

function splitLists(b: StoreBatch): Listed[] {
  const out: Listed[] = [];
  for (const key of listKeys) for (const item of (b[key] ?? []) as readonly unknown[]) out.push({ key, item });
  return out;
}

function joinLists(items: Listed[]): Partial<StoreBatch> {
  const out: Record<string, unknown[]> = {};
  for (const { key, item } of items) (out[key] ??= []).push(item);
  return out as Partial<StoreBatch>;
}
