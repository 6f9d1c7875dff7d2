/**
 * Reference documentation of the JSON output, generated from the event catalogue: docs/events.md (for
 * people) and docs/schema/events.schema.json (JSON Schema 2020-12, for programs). `npm run docs` writes
 * them; a test fails while they are stale.
 * @module
 */
import { secretFields } from '../events/secrets.ts';
import { catalogue } from '../events/catalogue.ts';
import { envelopeFields, type FieldSpec } from '../events/types.ts';

function fieldRows(fields: Record<string, FieldSpec>): string[] {
  return Object.entries(fields).map(([name, f]) => `| \`${name}\` | ${f.type} | ${f.optional ? 'optional' : ''} | ${f.description.replace(/\|/g, '\\|')} |`);
}

export function eventsMarkdown(): string {
  const out: string[] = [
    '# Events, flows and anomalies',
    '',
    'Generated from the catalogue in `src/events/` by `npm run docs`: do not edit by hand.',
    '',
    'Every line of `events.jsonl` (and of `bulwark analyze --json`) is one JSON object: the **envelope** below plus',
    'the fields of its event type. Lines of `flows.jsonl` are flow records: the fields of `flow.end` with',
    '`"type": "flow"`. Times are seconds since the Unix epoch (fractional).',
    '',
    '## Secrets',
    '',
    'These fields carry secrets. Output replaces each secret by `[redacted N chars]` unless `--show-secrets` is given,',
    'and the credential detectors report them as cleartext credentials. The list lives in `src/events/secrets.ts`.',
    '',
    '| field | events | what is redacted |',
    '|---|---|---|',
    ...secretFields.map((f) => `| \`${f.field}\` | ${f.events.map((e) => `\`${e}\``).join(', ')} | ${f.what.replace(/\|/g, '\\|')} |`),
    '',
    '## Envelope',
    '',
    '| field | type | | meaning |',
    '|---|---|---|---|',
    ...fieldRows(envelopeFields),
    '',
  ];
  const anomalies: string[] = ['## Anomalies', '', 'Malformed or unexpected traffic, counted per id in the run summary (`anomalies`).', '', '| id | meaning |', '|---|---|'];
  for (const section of catalogue()) {
    for (const e of section.events) {
      out.push(`## \`${e.type}\``, '', e.description, '', '| field | type | | meaning |', '|---|---|---|---|', ...fieldRows(e.fields), '');
    }
    for (const a of section.anomalies) anomalies.push(`| \`${a.id}\` | ${a.description.replace(/\|/g, '\\|')} |`);
  }
  return [...out, ...anomalies, ''].join('\n');
}

const jsonType: Record<FieldSpec['type'], object> = {
  string: { type: 'string' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  'string[]': { type: 'array', items: { type: 'string' } },
  'number[]': { type: 'array', items: { type: 'number' } },
  object: { type: 'object' },
  'object[]': { type: 'array', items: { type: 'object' } },
};

function objectSchema(fields: Record<string, FieldSpec>): { properties: Record<string, object>; required: string[] } {
  const properties: Record<string, object> = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    properties[name] = { ...jsonType[f.type], description: f.description };
    if (!f.optional) required.push(name);
  }
  return { properties, required };
}

export function eventsJsonSchema(): object {
  const defs: Record<string, object> = {};
  const oneOf: object[] = [];
  const env = objectSchema(envelopeFields);
  for (const section of catalogue()) {
    for (const e of section.events) {
      const own = objectSchema(e.fields);
      defs[e.type] = {
        description: e.description,
        type: 'object',
        properties: { ...env.properties, ...own.properties, type: { const: e.type } },
        required: [...new Set([...env.required, ...own.required])],
      };
      oneOf.push({ $ref: `#/$defs/${e.type}` });
    }
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://bulwark.invalid/schema/events.schema.json',
    title: 'Bulwark event (one line of events.jsonl)',
    oneOf,
    $defs: defs,
  };
}
