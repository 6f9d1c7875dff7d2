/**
 * The configuration file's JSON Schema. The detector part is generated from the detector registry (each
 * detector's options with their types), so a misspelt option is caught by the schema, with its line.
 * `npm run docs` writes it to docs/schema/config.schema.json for editors and CI checks.
 * @module
 */
import { detectors } from '../../detect/registry.ts';
import type { OptionSpec } from '../../detect/types.ts';

const severity = { enum: ['info', 'low', 'medium', 'high', 'critical'] };
const kinds = { type: 'array', items: { enum: ['raised', 'updated', 'closed'] }, uniqueItems: true };
/** An IPv4 or IPv6 address with an optional prefix length; the loader checks the numbers. */
const cidr = { type: 'string', pattern: '^([0-9.]+|[0-9a-fA-F:.]+)(/[0-9]{1,3})?$' };
const address = { type: 'string', pattern: '^([0-9.]+|[0-9a-fA-F:.]+)$' };
const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of the environment variable holding the secret (never the secret itself).' };

function optionSchema(spec: OptionSpec): object {
  const d = spec.default;
  const base = Array.isArray(d) ? { type: 'array', items: { type: 'string' } } : { type: typeof d === 'number' ? 'number' : typeof d };
  return { ...base, description: spec.description, default: d };
}

export function configSchema(): Record<string, unknown> {
  const detectorProps: Record<string, object> = {};
  for (const d of detectors) {
    const options: Record<string, object> = {};
    for (const [name, spec] of Object.entries(d.options)) options[name] = optionSchema(spec);
    detectorProps[d.id] = {
      type: 'object', description: d.description, additionalProperties: false,
      properties: { enabled: { type: 'boolean', default: true }, options: { type: 'object', additionalProperties: false, properties: options } },
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://bulwark.invalid/schema/config.schema.json',
    title: 'Bulwark configuration',
    description: 'bulwark.yaml: site, capture, detectors, allowlists and suppressions, alert outputs, store, retention and server. Command-line options override it.',
    type: 'object',
    additionalProperties: false,
    properties: {
      site: {
        type: 'object', additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'Site name (a home, an office, a customer).' },
          sensor: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'This sensor\'s name (default: the host name).' },
          local_networks: { type: 'array', items: cidr, description: 'Networks whose hosts are devices; others are peers (default: private and link-local ranges).' },
        },
      },
      capture: {
        type: 'object', additionalProperties: false,
        properties: {
          interface: { type: 'string', minLength: 1 },
          filter: { type: 'string', description: 'BPF capture filter.' },
          max_flows: { type: 'integer', minimum: 1 },
        },
      },
      detectors: { type: 'object', additionalProperties: false, properties: detectorProps },
      allowlist: { type: 'array', items: address, description: 'Hosts never reported in findings sent to outputs.' },
      suppress: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            detector: { enum: detectors.map((d) => d.id) }, device: address, peer: address,
            reason: { type: 'string', description: 'Why: kept beside the rule for the next person.' },
          },
        },
      },
      alerts: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['url'],
          properties: {
            url: { type: 'string', pattern: '^(syslog|syslog\\+udp|syslog\\+tcp|webhook\\+https?|mqtts?)://' },
            min_severity: severity, rate: { type: 'integer', minimum: 0 }, kinds,
          },
        },
      },
      store: {
        type: 'object', additionalProperties: false,
        properties: {
          path: { type: 'string', minLength: 1, description: 'SQLite database file.' },
          url: {
            type: 'string', pattern: '^(postgres(ql)?://|sqlite:)',
            description: 'postgres://[USER@]HOST[:PORT]/DB for the central PostgreSQL store (the password goes in postgres.password_env or password_file, never here), or sqlite:PATH.',
          },
          postgres: {
            type: 'object', additionalProperties: false,
            properties: {
              user: { type: 'string', minLength: 1 },
              password_env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding the password (never the password itself).' },
              password_file: { type: 'string', minLength: 1, description: 'File holding the password (first line), e.g. a container secret.' },
              schema: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', description: 'Schema for the tables (created when missing); default public.' },
              pool: { type: 'integer', minimum: 1, maximum: 200, description: 'Connections in the pool (default 10).' },
              tls: {
                type: 'object', additionalProperties: false,
                properties: {
                  mode: { enum: ['disable', 'require', 'verify-full'], description: 'require: encrypted, server certificate not checked; verify-full (default when tls is given): checked against ca and the host name.' },
                  ca: { type: 'string', minLength: 1, description: 'PEM file of the CA that signed the server certificate.' },
                  cert: { type: 'string', minLength: 1, description: 'PEM client certificate (certificate authentication).' },
                  key: { type: 'string', minLength: 1, description: 'PEM private key of the client certificate.' },
                  server_name: { type: 'string', minLength: 1, description: 'Name to check the server certificate against, when it differs from the host.' },
                },
              },
            },
          },
        },
      },
      retention: {
        type: 'object', additionalProperties: false,
        properties: { days: { type: 'integer', minimum: 1, description: 'Delete captures, devices and findings not seen for this many days.' } },
      },
      nats: {
        type: 'object', additionalProperties: false,
        description: 'NATS JetStream link between sensors (analyze --publish) and the central service (serve --consume). Secrets by reference: an environment variable name or a file path.',
        properties: {
          url: { type: 'string', pattern: '^(nats|tls)://', description: 'Server URL(s), comma-separated (a cluster); --publish / --consume override it.' },
          user: { type: 'string', minLength: 1 },
          password_env: envName, token_env: envName,
          creds: { type: 'string', minLength: 1, description: 'NATS .creds file (user JWT and NKey seed).' },
          tls: {
            type: 'object', additionalProperties: false,
            properties: { ca: { type: 'string', description: 'CA bundle (PEM) to trust.' }, cert: { type: 'string', description: 'Client certificate (PEM) for mutual TLS.' }, key: { type: 'string', description: 'Its private key (PEM).' } },
          },
          stream: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'JetStream stream name (default BULWARK); created if missing.' },
          stream_max_mb: { type: 'integer', minimum: 1, description: 'Backlog the stream holds before it refuses messages (sensors spool meanwhile); default 1024.' },
          duplicate_window_s: { type: 'integer', minimum: 1, description: 'How long the server remembers message ids to drop re-sent copies (default 7200).' },
          consumer: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Durable consumer name shared by central services that share the work (default bulwark-central).' },
          ack_wait_s: { type: 'integer', minimum: 1, description: 'Seconds before a batch a central process pulled but did not acknowledge (it crashed) goes to another; set when the consumer is created (default 30).' },
          spool: {
            type: 'object', additionalProperties: false,
            properties: { dir: { type: 'string', minLength: 1 }, max_mb: { type: 'integer', minimum: 1, description: 'Bound of the sensor\'s on-disk queue (default 256).' } },
          },
        },
      },
      server: {
        type: 'object', additionalProperties: false,
        properties: {
          host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 },
          token_env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding the access token (never the token itself).' },
          max_upload_mb: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}
