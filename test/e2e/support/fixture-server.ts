/**
 * Development stand-in for the Bulwark API (same routes and shapes as docs/api.md), used only to work on the
 * dashboard while the real server is not available: real pipeline + inventory on uploaded captures, findings
 * for cleartext telnet logins, in memory. The e2e tests run against the real server (see server.ts).
 * Usage: node test/e2e/support/fixture-server.ts [port]
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Pipeline } from '../../../src/pipeline/analyze.ts';
import { Inventory } from '../../../src/inventory/inventory.ts';
import type { DeviceRecord } from '../../../src/inventory/types.ts';
import type { Finding } from '../../../src/detect/types.ts';

const dist = join(import.meta.dirname, '..', '..', '..', 'web', 'dist');
const csp = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' };

interface CaptureRow { id: string; filename: string; status: string; progress: number; size: number; created_ts: number; summary?: Record<string, unknown> }

export function startFixtureServer(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-fixture-'));
  const captures: CaptureRow[] = [];
  const devices = new Map<string, DeviceRecord & { grade?: string }>();
  const findings = new Map<string, Finding & { status: string }>();
  const sse = new Set<ServerResponse>();
  const flowTimes: number[] = [];
  const send = (type: string, data: unknown): void => { for (const r of sse) r.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`); };

  const ingest = async (c: CaptureRow, path: string): Promise<void> => {
    c.status = 'ingesting';
    const pipeline = new Pipeline();
    const inv = new Inventory().attach(pipeline);
    const logins: { ev: Record<string, unknown> }[] = [];
    pipeline.on('telnet.login', (ev) => logins.push({ ev: ev as unknown as Record<string, unknown> }));
    pipeline.onFlow((f) => flowTimes.push(Math.floor(f.first_ts / 60) * 60));
    const summary = await pipeline.run([path], (_f, p) => {
      c.progress = p.totalBytes ? p.bytesRead / p.totalBytes : 0;
      send('capture.progress', { capture_id: c.id, progress: c.progress });
    });
    for (const d of inv.devices()) {
      const isNew = !devices.has(d.id);
      const f = d.services.some((s) => s.port === 23) ? 'E' : d.identification.type === 'camera' ? 'C' : 'B';
      devices.set(d.id, { ...d, grade: f });
      if (isNew) send('device.new', { id: d.id });
    }
    for (const { ev } of logins) {
      const server = inv.byIp(String(ev.dst_ip));
      const id = `credentials.cleartext-telnet:${ev.community_id}`;
      const finding: Finding & { status: string } = {
        id, detector: 'credentials.cleartext-telnet', category: 'credentials', severity: 'high', confidence: 0.9,
        title: `Password sent in clear text to telnet on ${ev.dst_ip}`,
        explanation: `User '${ev.username}' logged in over telnet, which sends the password unencrypted.`,
        devices: [{ role: 'insecure', ip: String(ev.dst_ip), device_id: server?.id }], first_ts: Number(ev.ts), last_ts: Number(ev.ts), count: 1,
        community_ids: [String(ev.community_id)], community_ids_dropped: 0,
        evidence: [{ file: c.filename, packet: Number(ev.packet), ts: Number(ev.ts), community_id: String(ev.community_id) }], evidence_dropped: 0,
        references: { etsi: ['5.5-1'], attack: ['T1040'] }, status: 'new',
      };
      if (!findings.has(id)) { findings.set(id, finding); send('finding.new', { id, devices: finding.devices }); }
    }
    c.status = 'done';
    c.progress = 1;
    c.summary = { packets: summary.packets, devices: inv.devices().length, findings: logins.length };
    send('capture.done', { capture_id: c.id, status: 'done', summary: c.summary });
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Security-Policy': csp });
    res.end(JSON.stringify(body));
  };
  const body = (req: IncomingMessage): Promise<Buffer> => new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });
  const gradeOfFindings = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const f of findings.values()) out[f.severity] = (out[f.severity] ?? 0) + 1;
    return out;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const q = url.searchParams;
    try {
      if (!p.startsWith('/api/')) {
        const name = p === '/' ? 'index.html' : p.slice(1).replace(/[^a-zA-Z0-9._-]/g, '');
        try {
          const data = readFileSync(join(dist, name));
          res.writeHead(200, { 'Content-Type': types[extname(name)] ?? 'application/octet-stream', 'Content-Security-Policy': csp });
          res.end(data);
        } catch { res.writeHead(404); res.end(); }
        return;
      }
      if (p === '/api/health') return json(res, 200, { ok: true });
      if (p === '/api/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
        res.write(': hello\n\n');
        sse.add(res);
        req.on('close', () => sse.delete(res));
        return;
      }
      if (p === '/api/captures' && req.method === 'POST') {
        const data = await body(req);
        const c: CaptureRow = { id: String(captures.length + 1), filename: decodeURIComponent(String(req.headers['x-filename'] ?? 'upload.pcap')), status: 'queued', progress: 0, size: data.length, created_ts: Date.now() / 1000 };
        const path = join(dir, `${c.id}.pcap`);
        writeFileSync(path, data);
        captures.push(c);
        setTimeout(() => void ingest(c, path), 300);
        return json(res, 202, { capture_id: c.id, status: c.status });
      }
      if (p === '/api/captures') return json(res, 200, { items: captures, total: captures.length });
      let m = /^\/api\/captures\/([^/]+)$/.exec(p);
      if (m) { const c = captures.find((x) => x.id === m![1]); return c ? json(res, 200, c) : json(res, 404, { error: 'not found' }); }
      if (p === '/api/devices') {
        let list = [...devices.values()];
        if (q.get('grade')) list = list.filter((d) => d.grade === q.get('grade'));
        if (q.get('type')) list = list.filter((d) => (d.user?.type ?? d.identification.type) === q.get('type'));
        if (q.get('q')) list = list.filter((d) => JSON.stringify(d).toLowerCase().includes(q.get('q')!.toLowerCase()));
        return json(res, 200, { items: list, total: list.length });
      }
      m = /^\/api\/devices\/([^/]+)(?:\/(findings|assessment|label\.svg))?$/.exec(p);
      if (m) {
        const d = devices.get(decodeURIComponent(m[1]));
        if (!d) return json(res, 404, { error: 'no such device' });
        if (m[2] === 'findings') return json(res, 200, { items: [...findings.values()].filter((f) => f.devices.some((x) => x.device_id === d.id)) });
        if (m[2] === 'assessment') return json(res, 200, { grade: d.grade, checks: [{ id: 'telnet', title: 'No telnet', passed: !d.services.some((s) => s.port === 23) }] });
        if (m[2] === 'label.svg') {
          res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Content-Security-Policy': csp });
          res.end(`<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400" viewBox="0 0 300 400"><rect width="300" height="400" fill="#fff" stroke="#000"/><text x="20" y="40" font-size="20">Security label</text><text x="20" y="200" font-size="120" font-weight="bold">${d.grade}</text></svg>`);
          return;
        }
        if (req.method === 'PATCH') {
          const patch = JSON.parse((await body(req)).toString()) as Record<string, string>;
          d.user = { ...d.user };
          for (const k of ['name', 'type', 'vendor'] as const) if (k in patch) { if (patch[k]) (d.user as Record<string, string>)[k] = patch[k]; else delete d.user[k]; }
        }
        return json(res, 200, d);
      }
      if (p === '/api/findings') {
        let list = [...findings.values()];
        for (const k of ['severity', 'status', 'detector'] as const) if (q.get(k)) list = list.filter((f) => f[k] === q.get(k));
        return json(res, 200, { items: list, total: list.length });
      }
      m = /^\/api\/findings\/([^/]+)$/.exec(p);
      if (m) {
        const f = findings.get(decodeURIComponent(m[1]));
        if (!f) return json(res, 404, { error: 'no such finding' });
        if (req.method === 'PATCH') f.status = String((JSON.parse((await body(req)).toString()) as { status: string }).status);
        return json(res, 200, f);
      }
      if (p === '/api/timeseries') {
        const buckets = new Map<number, number>();
        if (q.get('metric') === 'findings') {
          const t = [...new Set([...findings.values()].map((f) => Math.floor(f.first_ts / 60) * 60))].sort((a, b) => a - b);
          const series: Record<string, number[]> = {};
          for (const s of ['high', 'medium']) series[s] = t.map((x) => [...findings.values()].filter((f) => f.severity === s && Math.floor(f.first_ts / 60) * 60 === x).length);
          return json(res, 200, { t, series });
        }
        for (const t of flowTimes) buckets.set(t, (buckets.get(t) ?? 0) + 1);
        const t = [...buckets.keys()].sort((a, b) => a - b);
        return json(res, 200, { t, series: { flows: t.map((x) => buckets.get(x)) } });
      }
      if (p === '/api/overview') {
        const byGrade: Record<string, number> = {};
        for (const d of devices.values()) byGrade[d.grade ?? 'none'] = (byGrade[d.grade ?? 'none'] ?? 0) + 1;
        const top = [...devices.values()].sort((a, b) => b.bytes_out + b.bytes_in - a.bytes_out - a.bytes_in).slice(0, 5)
          .map((d) => ({ device_id: d.id, name: d.hostnames[0] ?? d.id, bytes_out: d.bytes_out, bytes_in: d.bytes_in, flows: d.flows_out + d.flows_in }));
        const protocols: Record<string, number> = {};
        for (const d of devices.values()) for (const s of d.services) protocols[s.app ?? `${s.transport}/${s.port}`] = (protocols[s.app ?? `${s.transport}/${s.port}`] ?? 0) + s.flows;
        const byStatus: Record<string, number> = {};
        for (const f of findings.values()) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
        return json(res, 200, {
          devices: devices.size, findings: findings.size, captures: captures.length, devices_by_grade: byGrade, findings_by_severity: gradeOfFindings(),
          findings_by_status: byStatus, top_talkers: top.map((t) => ({ id: t.device_id, name: t.name, type: 'unknown', bytes: t.bytes_out + t.bytes_in })),
          protocols: Object.entries(protocols).map(([name, flows]) => ({ name, flows, bytes: 0 })),
        });
      }
      json(res, 404, { error: 'not found' });
    } catch (err) {
      json(res, 500, { error: String(err) });
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    resolve({ url, close: () => new Promise((r) => { for (const s of sse) s.end(); server.closeAllConnections(); server.close(() => r()); }) });
  }));
}

if (import.meta.main) {
  const s = await startFixtureServer(Number(process.argv[2] ?? 0));
  console.log(s.url);
}
