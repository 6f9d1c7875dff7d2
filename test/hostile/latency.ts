/**
 * Measures how the API answers while a capture is ingested: requests to /api/health and the list pages at a
 * fixed rate, latency counted from each request's scheduled time (a stalled server cannot hide its queue).
 * Used by bench/ingest-latency.ts and, on a small flood, by ingest-latency.test.ts. Loopback only.
 * @module
 */
import { Agent, request } from 'node:http';

export const latencyPaths = ['/api/health', '/api/devices', '/api/findings', '/api/captures', '/api/devices?sort=-bytes&offset=50'];

export interface LatencyReport {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  byPath: Record<string, { n: number; p99: number; max: number }>;
}

function get(agent: Agent, port: number, path: string, token?: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

const quantile = (sorted: number[], q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);

/** Sends `rate` requests per second, cycling through latencyPaths, until `until()` is true; then reports. */
export async function measureWhile(port: number, rate: number, until: () => boolean, token?: string): Promise<LatencyReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const samples: { path: string; ms: number }[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; !until(); i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const path = latencyPaths[i % latencyPaths.length];
    inflight.push(get(agent, port, path, token).then(
      (status) => {
        if (status !== 200) errors++;
        samples.push({ path, ms: performance.now() - due });
      },
      () => { errors++; },
    ));
    if (inflight.length > 10_000) inflight.splice(0, 5_000);
  }
  await Promise.all(inflight);
  agent.destroy();
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const byPath: LatencyReport['byPath'] = {};
  for (const p of latencyPaths) {
    const ms = samples.filter((s) => s.path === p).map((s) => s.ms).sort((a, b) => a - b);
    byPath[p] = { n: ms.length, p99: round(quantile(ms, 0.99)), max: round(ms.at(-1) ?? 0) };
  }
  return { requests: samples.length, errors, p50: round(quantile(all, 0.5)), p99: round(quantile(all, 0.99)), max: round(all.at(-1) ?? 0), byPath };
}

const round = (n: number): number => Math.round(n * 10) / 10;
