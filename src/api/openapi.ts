/**
 * The OpenAPI 3.1 description served at /api/openapi.json (docs/api.md is the prose version).
 * @module
 */
import { deviceTypes } from '../inventory/types.ts';
import { deviceSortKeys, findingStatuses } from '../store/types.ts';
import { severities } from './validate.ts';

const ref = (name: string): Record<string, string> => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description = 'OK'): Record<string, unknown> => ({ description, content: { 'application/json': { schema } } });
const err = (description: string): Record<string, unknown> => json(ref('Error'), description);
const q = (name: string, schema: Record<string, unknown>, description?: string): Record<string, unknown> => ({ name, in: 'query', required: false, schema, ...(description ? { description } : {}) });
const macParam = { name: 'mac', in: 'path', required: true, schema: { type: 'string' }, description: 'Device MAC (aa:bb:cc:dd:ee:ff or 12 hex digits)' };
const idParam = (description: string): Record<string, unknown> => ({ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description });
const pageParams = [q('limit', { type: 'integer', minimum: 1, maximum: 500, default: 50 }), q('offset', { type: 'integer', minimum: 0, default: 0 })];
const listOf = (item: string): Record<string, unknown> => ({
  type: 'object', required: ['items', 'total', 'limit', 'offset'],
  properties: { items: { type: 'array', items: ref(item) }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
});
const findingFilters = [
  q('severity', { type: 'string' }, `Comma list of: ${severities.join(', ')}`),
  q('status', { type: 'string' }, `Comma list of: ${findingStatuses.join(', ')}`),
  q('detector', { type: 'string' }), q('category', { type: 'string' }), q('device', { type: 'string' }, 'Device id'),
  q('since', { type: 'number' }, 'Seconds since the epoch: findings whose last_ts >= since'),
  q('until', { type: 'number' }, 'Seconds since the epoch: findings whose first_ts <= until'),
  q('q', { type: 'string' }, 'Substring of the title'), ...pageParams,
];
const common = { '400': err('Invalid query or body'), '401': err('Access token missing or wrong') };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Bulwark API', version: '0.1.0',
    description: 'IoT network security monitor: captures, devices, findings, assessments, labels. Times of traffic are seconds since the Unix epoch (packet time). Errors: {error:{code,message}}.',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }, { queryToken: [] }, {}],
  paths: {
    '/api/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': json({ type: 'object' }) } } },
    '/api/health': { get: { summary: 'Liveness and counts', responses: { '200': json(ref('Health')), ...common } } },
    '/api/captures': {
      get: { summary: 'Captures, newest first', parameters: pageParams, responses: { '200': json(listOf('Capture')), ...common } },
      post: {
        summary: 'Upload a capture (raw pcap/pcapng body, optionally gzip)',
        parameters: [{ name: 'X-Filename', in: 'header', required: true, schema: { type: 'string' }, description: 'Display name (percent-encoded)' }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        responses: {
          '202': json(ref('Accepted'), 'Queued for ingest'), '200': json(ref('Accepted'), 'The same bytes were uploaded before (duplicate: true)'),
          '413': err('Larger than the upload limit'), '415': err('Not a pcap, pcapng or gzip file'), ...common,
        },
      },
    },
    '/api/sensors': {
      get: {
        summary: 'Sensors that send batches (central consumer, live interfaces): last seen, version, packet and drop rates',
        responses: { '200': json({ type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: ref('Sensor') }, total: { type: 'integer' } } }), ...common },
      },
    },
    '/api/captures/{id}': {
      get: { summary: 'One capture with ingest status', parameters: [idParam('Capture id')], responses: { '200': json(ref('Capture')), '404': err('No such capture'), ...common } },
      delete: { summary: 'Delete a capture, its findings and (for uploads) its file', parameters: [idParam('Capture id')], responses: { '200': json({ type: 'object', properties: { captures: { type: 'integer' }, devices: { type: 'integer' }, findings: { type: 'integer' }, files_removed: { type: 'integer' } } }, 'What was deleted'), '404': err('No such capture'), '409': err('Being ingested'), ...common } },
    },
    '/api/retention': {
      post: {
        summary: 'Delete captures, devices and findings not seen for N days of traffic time',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['days'], properties: { days: { type: 'integer', minimum: 1 } } } } } },
        responses: { '200': json({ type: 'object', properties: { captures: { type: 'integer' }, devices: { type: 'integer' }, findings: { type: 'integer' }, files_removed: { type: 'integer' } } }, 'What was deleted'), '415': err('Not JSON'), ...common },
      },
    },
    '/api/events': {
      get: {
        summary: 'Server-sent events: capture.queued, capture.progress, capture.done, device.new, finding.new; from a live sensor (serve --interface) finding.raised, finding.updated, finding.closed, device.changed, device.removed, sensor.batch',
        responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '503': err('Too many event clients'), ...common },
      },
    },
    '/api/devices': {
      get: {
        summary: 'Devices',
        parameters: [
          q('type', { enum: [...deviceTypes] }), q('vendor', { type: 'string' }), q('grade', { type: 'string' }, "A grade, or 'ungraded'"),
          q('q', { type: 'string' }, 'Substring of name, host names, IPs, MAC, vendor, model'),
          q('sort', { type: 'string' }, `${deviceSortKeys.join(', ')}; prefix '-' to reverse`), ...pageParams,
        ],
        responses: { '200': json(listOf('DeviceSummary')), ...common },
      },
    },
    '/api/devices/{id}': {
      get: { summary: 'One device with evidence', parameters: [idParam('Device id')], responses: { '200': json(ref('Device')), '404': err('No such device'), ...common } },
      delete: { summary: 'Delete a device (its override is kept)', parameters: [idParam('Device id')], responses: { '200': json({ type: 'object' }, 'What was deleted'), '404': err('No such device'), ...common } },
      patch: {
        summary: 'Override name, type or vendor (null clears); persists across ingests',
        parameters: [idParam('Device id')],
        requestBody: { required: true, content: { 'application/json': { schema: ref('DeviceOverride') } } },
        responses: { '200': json(ref('Device')), '404': err('No such device'), '415': err('Not JSON'), ...common },
      },
    },
    '/api/devices/{id}/findings': { get: { summary: 'Findings naming the device', parameters: [idParam('Device id'), ...findingFilters], responses: { '200': json(listOf('FindingSummary')), '404': err('No such device'), ...common } } },
    '/api/devices/{id}/assessment': { get: { summary: 'Security assessment', parameters: [idParam('Device id')], responses: { '200': json(ref('Assessment')), '404': err('Not assessed'), ...common } } },
    '/api/devices/{id}/label.svg': { get: { summary: 'Security label (SVG)', parameters: [idParam('Device id')], responses: { '200': { description: 'SVG', content: { 'image/svg+xml': {} } }, '404': err('No label'), ...common } } },
    '/api/devices/{id}/label.pdf': { get: { summary: 'Security label (PDF)', parameters: [idParam('Device id')], responses: { '200': { description: 'PDF', content: { 'application/pdf': {} } }, '404': err('No label'), ...common } } },
    '/api/cases': { get: { summary: 'Cases (incidents: findings sharing a device and a cause), most important first', parameters: [q('severity', { type: 'string' }, 'Comma-separated severities'), q('classification', { type: 'string' }, "Exact, or a prefix such as 'botnet'"), ...pageParams], responses: { '200': json(listOf('Case')), ...common } } },
    '/api/cases/{id}': { get: { summary: 'One case with its findings (finding_records)', parameters: [idParam('Case id')], responses: { '200': json(ref('Case')), '404': err('No such case'), ...common } } },
    '/api/export/stix': { get: { summary: 'STIX 2.1 bundle of every stored case and finding (local identities pseudonymised unless identify=true)', parameters: [q('identify', { type: 'boolean' }), q('tlp', { enum: ['clear', 'green', 'amber', 'red'], default: 'amber' })], responses: { '200': json({ type: 'object' }), ...common } } },
    '/api/export/misp': { get: { summary: 'MISP events, one per case ({Event} or {response:[…]}); unmapped=true lists what MISP cannot carry', parameters: [q('identify', { type: 'boolean' }), q('tlp', { enum: ['clear', 'green', 'amber', 'red'], default: 'amber' }), q('objects', { type: 'boolean' }), q('unmapped', { type: 'boolean' })], responses: { '200': json({ type: 'object' }), ...common } } },
    '/api/indicators': {
      get: { summary: 'Indicator lists received, with what each gave', responses: { '200': json({ type: 'object' }), ...common } },
      post: { summary: 'Add an indicator list (STIX 2.1 or MISP JSON, CSV, plain text); later ingests look for its indicators', requestBody: { required: true, content: { 'application/json': {}, 'text/csv': {}, 'text/plain': {} } }, responses: { '201': json({ type: 'object' }), '409': err('Too many lists'), '413': err('Too large'), ...common } },
    },
    '/api/indicators/{name}': { delete: { summary: 'Remove an indicator list', parameters: [idParam('List name')], responses: { '204': { description: 'Removed' }, '404': err('No such list'), ...common } } },
    '/api/findings': { get: { summary: 'Findings, newest last_ts first', parameters: findingFilters, responses: { '200': json(listOf('FindingSummary')), ...common } } },
    '/api/findings/{id}': {
      get: { summary: 'One finding with evidence', parameters: [idParam('Finding id')], responses: { '200': json(ref('Finding')), '404': err('No such finding'), ...common } },
      patch: {
        summary: 'Acknowledge, resolve or reopen',
        parameters: [idParam('Finding id')],
        requestBody: { required: true, content: { 'application/json': { schema: ref('FindingUpdate') } } },
        responses: { '200': json(ref('Finding')), '404': err('No such finding'), '415': err('Not JSON'), ...common },
      },
      delete: { summary: 'Delete a finding', parameters: [idParam('Finding id')], responses: { '200': json({ type: 'object' }, 'What was deleted'), '404': err('No such finding'), ...common } },
    },
    '/api/timeseries': {
      get: {
        summary: 'Time series for plots (uPlot column layout)',
        parameters: [
          q('metric', { enum: ['flows', 'bytes', 'findings'], default: 'flows' }),
          q('bucket', { type: 'integer', minimum: 10, default: 60 }, 'Seconds; rounded up to a multiple of 10'),
          q('since', { type: 'number' }), q('until', { type: 'number' }),
        ],
        responses: { '200': json(ref('Timeseries')), ...common },
      },
    },
    '/api/overview': { get: { summary: 'Dashboard overview', responses: { '200': json(ref('Overview')), ...common } } },
    // MUD profile review (src/api/routes-mud.ts, docs/mud.md); 404 when serve runs with --no-profiles.
    '/api/mud/profiles': { get: { summary: 'MUD profiles: state, source, rules used / never used', responses: { '200': json({ type: 'object' }), ...common } } },
    '/api/mud/profiles/{mac}': {
      get: { summary: 'One profile: rules in words with flow counts, learned vs vendor difference, history', parameters: [macParam], responses: { '200': json({ type: 'object' }), '404': err('No profile'), ...common } },
      put: { summary: 'Replace the MUD file (validated; 409 while locked)', parameters: [macParam], requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': json({ type: 'object' }), ...common, '400': err('Invalid MUD file'), '409': err('Locked') } },
    },
    '/api/mud/profiles/{mac}/mud.json': { get: { summary: 'The MUD file (?which=active|learned|vendor)', parameters: [macParam], responses: { '200': { description: 'MUD JSON', content: { 'application/mud+json': {} } }, '404': err('No profile'), ...common } } },
    '/api/mud/profiles/{mac}/state': { post: { summary: 'Review state: {"state": "learned" | "accepted" | "locked"}', parameters: [macParam], responses: { '200': json({ type: 'object' }), ...common, '400': err('Bad state') } } },
    '/api/mud/profiles/{mac}/use-vendor': { post: { summary: 'Make the imported vendor file the profile', parameters: [macParam], responses: { '200': json({ type: 'object' }), '404': err('No vendor file'), '409': err('Locked'), ...common } } },
    '/api/mud/profiles/{mac}/vendor': { post: { summary: 'Import a vendor MUD file (body: the file, or {"url": an announced MUD URL})', parameters: [macParam], responses: { '200': json({ type: 'object' }), ...common, '400': err('Invalid MUD file or URL not announced'), '502': err('Fetch failed') } } },
    '/api/mud/nft': { get: { summary: 'nftables ruleset for the profiles (?format=nft|fw4; DNS-name sets empty: see docs/mud.md)', responses: { '200': { description: 'nft text', content: { 'text/plain': {} } }, ...common } } },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'Required when the server was started with a token' },
      queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'For EventSource and <img>' },
    },
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      Health: { type: 'object', properties: { status: { const: 'ok' }, version: { type: 'string' }, store: { type: 'string' }, captures: { type: 'integer' }, devices: { type: 'integer' }, findings: { type: 'integer' }, ingesting: { type: ['string', 'null'] }, queued: { type: 'integer' } } },
      Accepted: { type: 'object', required: ['capture_id', 'status'], properties: { capture_id: { type: 'string' }, status: { enum: ['queued', 'ingesting', 'done', 'failed'] }, duplicate: { type: 'boolean' } } },
      Sensor: {
        type: 'object', required: ['site', 'sensor', 'first_seen', 'last_seen', 'last_seq', 'age_s', 'state'],
        properties: {
          site: { type: 'string', description: "Site (network namespace of its device and finding ids; '' is this server's own)" },
          sensor: { type: 'string' },
          first_seen: { type: 'number', description: 'Wall-clock ms since the epoch of its first batch' },
          last_seen: { type: 'number', description: 'Wall-clock ms since the epoch of its newest batch' },
          last_seq: { type: 'integer', description: 'Highest batch number applied' },
          age_s: { type: 'number', description: 'Seconds since last_seen' },
          state: { enum: ['reporting', 'silent'], description: 'silent: nothing for more than 120 s' },
          version: { type: ['string', 'null'], description: 'Bulwark version of the sensor' },
          packets: { type: ['integer', 'null'] }, drops: { type: ['integer', 'null'] }, bytes: { type: ['integer', 'null'] },
          spool_overflow: { type: ['integer', 'null'], description: 'Messages the sensor could not keep while the central service was away' },
          packets_per_s: { type: ['number', 'null'], description: 'Between its last two reports' },
          drops_per_s: { type: ['number', 'null'] }, bytes_per_s: { type: ['number', 'null'] },
          drop_ratio: { type: ['number', 'null'], description: 'drops / (packets + drops) since the sensor started' },
        },
      },
      Capture: {
        type: 'object', required: ['id', 'sha256', 'filename', 'size', 'status', 'progress', 'created_at'],
        properties: {
          id: { type: 'string' }, sha256: { type: 'string' }, filename: { type: 'string' }, size: { type: 'integer' },
          status: { enum: ['queued', 'ingesting', 'live', 'done', 'failed'], description: "'live': a sensor's segment still receiving batches" },
          progress: { type: 'number', minimum: 0, maximum: 1 }, error: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' }, started_at: { type: 'string', format: 'date-time' }, finished_at: { type: 'string', format: 'date-time' },
          summary: { type: 'object' },
          site: { type: 'string', description: 'Site of the sensor a segment came from' }, sensor: { type: 'string', description: 'Sensor a segment came from' },
        },
      },
      DeviceSummary: {
        type: 'object', description: 'The inventory DeviceRecord without evidence, plus effective fields',
        required: ['id', 'name', 'type', 'first_ts', 'last_ts', 'identification'],
        properties: {
          id: { type: 'string' }, mac: { type: 'string' }, name: { type: 'string' }, type: { enum: [...deviceTypes] }, vendor: { type: 'string' },
          model: { type: 'string' }, grade: { type: 'string' }, findings_open: { type: 'integer' }, captures: { type: 'integer' },
          hostnames: { type: 'array', items: { type: 'string' } }, ips: { type: 'array', items: { type: 'object' } },
          first_ts: { type: 'number' }, last_ts: { type: 'number' }, identification: { type: 'object' }, services: { type: 'array', items: { type: 'object' } },
          user: ref('DeviceOverride'),
        },
      },
      Device: { allOf: [ref('DeviceSummary'), { type: 'object', properties: { evidence: { type: 'array', items: { type: 'object', properties: { signal: { type: 'string' }, value: { type: 'string' }, ts: { type: 'number' }, file: { type: 'string' }, packet: { type: 'integer' } } } } } }] },
      DeviceOverride: { type: 'object', additionalProperties: false, properties: { name: { type: ['string', 'null'], maxLength: 100 }, type: { enum: [...deviceTypes, null] }, vendor: { type: ['string', 'null'], maxLength: 100 } } },
      FindingSummary: {
        type: 'object', description: 'The detectors\' Finding without evidence and community_ids, plus status',
        required: ['id', 'detector', 'severity', 'title', 'first_ts', 'last_ts', 'count', 'status'],
        properties: {
          id: { type: 'string' }, detector: { type: 'string' }, category: { type: 'string' }, severity: { enum: [...severities] }, confidence: { type: 'number' },
          title: { type: 'string' }, explanation: { type: 'string' }, devices: { type: 'array', items: { type: 'object' } },
          first_ts: { type: 'number' }, last_ts: { type: 'number' }, count: { type: 'integer' }, references: { type: 'object' },
          status: { enum: [...findingStatuses] }, note: { type: 'string' }, status_changed_at: { type: 'string', format: 'date-time' },
        },
      },
      Case: {
        type: 'object', description: 'An incident: findings sharing a device and a cause (src/findings/types.ts)',
        required: ['id', 'classification', 'severity', 'devices', 'findings', 'timeline'],
        properties: {
          id: { type: 'string' }, classification: { type: 'string' }, severity: { enum: [...severities] }, score: { type: 'integer' }, title: { type: 'string' },
          summary: { type: 'string' }, compromised: { type: 'boolean' }, first_ts: { type: 'number' }, last_ts: { type: 'number' },
          devices: { type: 'array', items: { type: 'object', required: ['role', 'ip'], properties: { role: { type: 'string' }, ip: { type: 'string' }, subject: { type: 'boolean' } } } },
          findings: { type: 'array', items: { type: 'string' } }, timeline: { type: 'array', items: { type: 'object' } }, attack: { type: 'array', items: { type: 'string' } },
        },
      },
      Finding: { allOf: [ref('FindingSummary'), { type: 'object', properties: { evidence: { type: 'array', items: { type: 'object' } }, community_ids: { type: 'array', items: { type: 'string' } } } }] },
      FindingUpdate: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { enum: [...findingStatuses] }, note: { type: ['string', 'null'], maxLength: 2000 } } },
      Assessment: { type: 'object', required: ['device_id', 'grade'], properties: { device_id: { type: 'string' }, grade: { type: 'string' }, score: { type: 'number' }, updated_at: { type: 'string' } } },
      Timeseries: { type: 'object', required: ['metric', 'bucket', 't', 'series'], properties: { metric: { type: 'string' }, bucket: { type: 'integer' }, t: { type: 'array', items: { type: 'number' } }, series: { type: 'object', additionalProperties: { type: 'array', items: { type: 'number' } } } } },
      Overview: { type: 'object', properties: { devices: { type: 'integer' }, findings: { type: 'integer' }, captures: { type: 'integer' }, devices_by_grade: { type: 'object' }, devices_by_type: { type: 'object' }, findings_by_severity: { type: 'object' }, findings_by_status: { type: 'object' }, top_talkers: { type: 'array', items: { type: 'object' } }, protocols: { type: 'array', items: { type: 'object' } }, first_ts: { type: ['number', 'null'] }, last_ts: { type: ['number', 'null'] } } },
    },
  },
};
