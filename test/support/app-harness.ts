/**
 * Test harness for application analyzers: feeds an AppProtocol with payloads (in capture order) and
 * collects what it emits. `payloadsFromPcap` cuts the TCP/UDP payloads of a real capture with tshark, so
 * analyzer tests run on real bytes before and independently of the rest of the pipeline.
 * @module
 */
import { execFileSync } from 'node:child_process';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../../src/app/types.ts';
import type { EventFields } from '../../src/events/types.ts';

export interface Delivery {
  dir: Dir;
  bytes: Uint8Array;
  /** Frame number in the capture, for messages. */
  frame?: number;
}

export interface Collected {
  events: { type: string; fields: EventFields; frame?: number }[];
  anomalies: string[];
}

/** Run `proto` over deliveries (one flow) and collect events and anomalies. */
export function runAnalyzer<S>(proto: AppProtocol<S>, deliveries: readonly Delivery[], info: ProbeInfo): Collected {
  const out: Collected = { events: [], anomalies: [] };
  let frame: number | undefined;
  const ctx: AppContext = {
    wants: () => true,
    emit: (type, fields) => out.events.push({ type, fields, frame }),
    anomaly: (id) => out.anomalies.push(id),
    info,
  };
  const state = proto.newState();
  let done = false;
  for (const d of deliveries) {
    if (done) break;
    frame = d.frame;
    if (proto.data(state, d.dir, d.bytes, ctx) === 'done') done = true;
  }
  proto.end?.(state, ctx);
  return out;
}

/**
 * Payloads of one TCP or UDP conversation of a real capture, in capture order, with direction relative
 * to `clientPort`'s side (the side whose port is `serverPort` is the responder). `filter` is a Wireshark
 * display filter selecting the conversation. Requires tshark (installed by .ci/run).
 */
export function payloadsFromPcap(path: string, filter: string, serverPort: number): Delivery[] {
  const out = execFileSync(
    'tshark',
    ['-r', path, '-Y', filter, '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=|',
      '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'udp.srcport', '-e', 'tcp.payload', '-e', 'udp.payload'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const deliveries: Delivery[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, tcpSrc, udpSrc, tcpPayload, udpPayload] = line.split('|');
    const hex = (tcpPayload || udpPayload || '').replace(/:/g, '');
    if (!hex) continue;
    const src = Number(tcpSrc || udpSrc);
    deliveries.push({ dir: src === serverPort ? 1 : 0, bytes: Buffer.from(hex, 'hex'), frame: Number(frame) });
  }
  return deliveries;
}
