/**
 * Live flow-export input: a UDP socket that hands every datagram to a FlowExportRun until the signal aborts
 * (SIGINT/SIGTERM in the CLI). The arrival time is the datagram's timestamp, as a capture's would be.
 * @module
 */
import type { Socket } from 'node:dgram';
import type { DatagramMeta } from './types.ts';

/** node:net, loaded on use: a short analyze run never needs it, and each built-in module loaded at start costs milliseconds. */
const isIPv6 = (ip: string): boolean => process.getBuiltinModule('node:net').isIPv6(ip);

/** Where received datagrams go: a FlowExportRun (analysis) or a DatagramSpool (files for the dashboard). */
export interface DatagramSink {
  datagram(d: Uint8Array, off: number, len: number, meta: DatagramMeta & { exporterPort?: number }): void;
  /** Called about once a second with the arrival clock (seconds). */
  tick(now: number): void;
}

export interface UdpListenResult {
  address: string;
  port: number;
  datagrams: number;
  bytes: number;
}

/** Parse `ADDR[:PORT]`, `[v6]:PORT`, `:PORT` or `PORT` (default port 2055, default address 0.0.0.0). */
export function parseListenAddress(spec: string, defaultPort = 2055): { address: string; port: number } | string {
  let address = '0.0.0.0';
  let port = defaultPort;
  let s = spec.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    address = v6[1];
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if (isIPv6(s)) {
    address = s;
  } else if (/^\d+$/.test(s)) {
    port = Number(s);
  } else {
    if (s.startsWith(':')) s = '0.0.0.0' + s;
    const i = s.lastIndexOf(':');
    if (i >= 0) {
      address = s.slice(0, i);
      port = Number(s.slice(i + 1));
    } else address = s;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `bad UDP port in '${spec}'`;
  return { address, port };
}

/** Listen until `signal` aborts; `onListening` hears the bound address (port 0 picks a free one). */
export function listenUdp(run: DatagramSink, address: string, port: number, signal: AbortSignal,
  onListening?: (address: string, port: number) => void): Promise<UdpListenResult> {
  return new Promise((resolve, reject) => {
    // node:dgram loaded here, when a collector starts, for the same reason.
    const socket: Socket = process.getBuiltinModule('node:dgram').createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
    const name = `udp:${address}:${port}`;
    let datagrams = 0;
    let bytes = 0;
    let bound = { address, port };
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (timer) clearInterval(timer);
      socket.close(() => resolve({ ...bound, datagrams, bytes }));
    };
    socket.on('error', (err) => {
      if (timer) clearInterval(timer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      reject(err);
    });
    socket.on('message', (msg, rinfo) => {
      datagrams++;
      bytes += msg.length;
      run.datagram(msg, 0, msg.length, { exporter: rinfo.address, exporterPort: rinfo.port, ts: Date.now() / 1000, file: name, packet: datagrams });
    });
    socket.on('listening', () => {
      const a = socket.address();
      bound = { address: a.address, port: a.port };
      try {
        // Exporters send in bursts at their flush; a larger kernel buffer keeps bursts from being dropped.
        socket.setRecvBufferSize(8 * 1024 * 1024);
      } catch {
        // the kernel cap (net.core.rmem_max) applies
      }
      timer = setInterval(() => run.tick(Date.now() / 1000), 1000);
      onListening?.(a.address, a.port);
    });
    if (signal.aborted) {
      resolve({ address, port, datagrams, bytes });
      return;
    }
    signal.addEventListener('abort', stop, { once: true });
    socket.bind(port, address);
  });
}
