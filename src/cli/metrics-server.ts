/**
 * `--metrics [HOST:]PORT` on `analyze`: a sensor's Prometheus endpoint (/metrics) with /healthz and /readyz,
 * on loopback unless another address is named. It serves counters only (no addresses, no payloads).
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../output/metrics.ts';

/** `9464`, `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464` → host and port; a string is the error. */
export function parseMetricsAddress(spec: string): { host: string; port: number } | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))?:?(\d+)$/.exec(spec);
  if (!m) return `'${spec}' is not [HOST:]PORT`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range`;
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(host: string, port: number, metrics: Metrics): Promise<MetricsServer> {
  // node:http is loaded here, not with the command: it costs a run without --metrics about 30 ms of start-up.
  const { createServer } = await import('node:http');
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.text().then((text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text), () => res.writeHead(500).end());
    } else if (path === '/healthz' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"code":"not_found","message":"GET /metrics, /healthz or /readyz"}}');
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      ok({
        url: `http://${shown}:${a.port}/metrics`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
