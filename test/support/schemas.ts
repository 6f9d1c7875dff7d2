/**
 * Validators for the OASIS STIX 2.1 JSON schemas (draft 2020-12) and the MISP core format schema
 * (draft-04) in ../shared/reference/schemas, with Ajv (a maintained JSON Schema validator).
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

export const schemaRoot = join(import.meta.dirname, '../../../shared/reference/schemas');

export interface Validator {
  /** Error messages ('' list when valid). */
  (schemaId: string, value: unknown): string[];
}

/** STIX: `validate('bundle', b)` or `validate('<type>', object)` (sdos, sros, observables, common). */
export function stixValidator(): Validator {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  // ajv-formats has no IDN host names; the STIX domain-name schema asks for it. Non-empty, no spaces, ≤ 253.
  ajv.addFormat('idn-hostname', /^[^\s]{1,253}$/u);
  const root = join(schemaRoot, 'stix2.1/schemas');
  const ids = new Map<string, string>();
  for (const dir of readdirSync(root)) {
    for (const file of readdirSync(join(root, dir))) {
      const schema = JSON.parse(readFileSync(join(root, dir, file), 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      ids.set(file.replace(/\.json$/, ''), schema.$id);
    }
  }
  return (name, value) => {
    const id = ids.get(name);
    if (!id) return [`no STIX schema for '${name}'`];
    const validate = ajv.getSchema(id)!;
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

/** MISP core format: `validate('event', {Event: …})`. */
export function mispValidator(): Validator {
  const ajv = new AjvDraft4.default({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemaRoot, 'misp/schema.json'), 'utf8')) as object);
  return (_name, value) => (validate(value) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string; params: unknown }) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}
