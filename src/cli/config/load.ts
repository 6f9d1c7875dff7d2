/**
 * Loading and checking the configuration file (YAML, or JSON which is YAML too). Errors name the file, the
 * line and column, and the exact key; nothing is guessed: an unknown key is an error, not ignored.
 * Parsing uses `yaml` (eemeli/yaml) for its source positions; the schema is checked with Ajv.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import type * as YamlModule from 'yaml';
import type * as AjvModule from 'ajv';
import type { Severity } from '../../detect/types.ts';
import { configSchema } from './schema.ts';
import { ipVersionOf as isIP } from '../../pipeline/netset.ts';

export interface BulwarkConfig {
  site?: { name?: string; sensor?: string; local_networks?: string[] };
  capture?: { interface?: string; filter?: string; max_flows?: number };
  detectors?: Record<string, { enabled?: boolean; options?: Record<string, unknown> }>;
  allowlist?: string[];
  suppress?: { detector?: string; device?: string; peer?: string; reason?: string }[];
  alerts?: { url: string; min_severity?: Severity; rate?: number; kinds?: ('raised' | 'updated' | 'closed')[] }[];
  store?: {
    path?: string;
    url?: string;
    postgres?: {
      user?: string; password_env?: string; password_file?: string; schema?: string; pool?: number;
      tls?: { mode?: 'disable' | 'require' | 'verify-full'; ca?: string; cert?: string; key?: string; server_name?: string };
    };
  };
  retention?: { days?: number };
  server?: { host?: string; port?: number; token_env?: string; max_upload_mb?: number };
  nats?: NatsConfig;
}

export interface NatsConfig {
  url?: string;
  user?: string;
  password_env?: string;
  token_env?: string;
  creds?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  stream?: string;
  stream_max_mb?: number;
  duplicate_window_s?: number;
  consumer?: string;
  ack_wait_s?: number;
  spool?: { dir?: string; max_mb?: number };
}

export interface ConfigProblem {
  line: number;
  column: number;
  /** Dotted key path: `detectors.scan.horizontal.options.threshold` is written `detectors["scan.horizontal"].options.threshold`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(file: string, problems: ConfigProblem[]) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.key ? `${p.key}: ` : ''}${p.message}`).join('\n'));
    this.problems = problems;
  }
}

let validator: ValidateFunction | undefined;

function keyPath(segments: readonly string[]): string {
  return segments.map((s, i) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `${i ? '.' : ''}${s}` : /^\d+$/.test(s) ? `[${s}]` : `["${s}"]`)).join('');
}

// yaml and ajv (130 modules) are loaded when a configuration is read, not on every start.
const requireHere = createRequire(import.meta.url);
const yaml = (): typeof YamlModule => requireHere('yaml') as typeof YamlModule;

function position(doc: Document, lines: LineCounter, segments: readonly string[], key?: string): { line: number; column: number } {
  let node: unknown = segments.length ? doc.getIn(segments, true) : doc.contents;
  const { isMap, isNode } = yaml();
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isNode(p.key) && String((p.key as { value?: unknown }).value) === key);
    if (pair && isNode(pair.key)) node = pair.key;
  }
  // A scalar parent (e.g. a string where a map was expected) still has its own range.
  while (!isNode(node) && segments.length > 0) {
    segments = segments.slice(0, -1);
    node = doc.getIn(segments, true);
  }
  const offset = isNode(node) && node.range ? node.range[0] : 0;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function describe(e: ErrorObject): { message: string; key?: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = nearest(key, known);
      return { key, message: `unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ''}` };
    }
    case 'pattern':
      return { message: `'${String(e.data)}' does not have the expected form (${String(p.pattern)})` };
    case 'enum':
      return { message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'required':
      return { message: `needs '${String(p.missingProperty)}'` };
    default:
      return { message: e.message ?? e.keyword };
  }
}

/** The known name closest to a misspelt one (edit distance at most a third of its length), if any. */
function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Parses and checks YAML text; throws ConfigError listing every problem with its line. */
export function parseConfig(text: string, file: string): BulwarkConfig {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { line, column: col, key: '', message: e.message.split('\n')[0] };
    }));
  }
  const value = (doc.toJS() ?? {}) as unknown;
  const { Ajv } = requireHere('ajv') as typeof AjvModule;
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(configSchema());
  const problems: ConfigProblem[] = [];
  if (!validator(value)) {
    for (const e of validator.errors ?? []) {
      const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const d = describe(e);
      const at = position(doc, lines, segments, d.key);
      problems.push({ ...at, key: keyPath(d.key ? [...segments, d.key] : segments), message: d.message });
    }
  }
  const config = value as BulwarkConfig;
  // What a schema cannot say: addresses and prefix lengths that parse.
  config.site?.local_networks?.forEach((net, i) => {
    const [ip, len] = net.split('/');
    const family = isIP(ip);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || (len !== undefined && (Number(len) > max))) {
      problems.push({ ...position(doc, lines, ['site', 'local_networks', String(i)]), key: `site.local_networks[${i}]`, message: `'${net}' is not a network (address/prefix)` });
    }
  });
  for (const [list, label] of [[config.allowlist, 'allowlist'], [config.suppress?.flatMap((s) => [s.device, s.peer]), 'suppress']] as const) {
    (list ?? []).forEach((ip, i) => {
      if (ip !== undefined && isIP(ip) === 0) problems.push({ ...position(doc, lines, label === 'allowlist' ? ['allowlist', String(i)] : ['suppress']), key: `${label}[${label === 'allowlist' ? i : Math.floor(i / 2)}]`, message: `'${ip}' is not an IP address` });
    });
  }
  if (problems.length > 0) throw new ConfigError(file, problems.sort((a, b) => a.line - b.line || a.column - b.column));
  return config;
}

export function loadConfig(file: string): BulwarkConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ line: 0, column: 0, key: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return parseConfig(text, file);
}
