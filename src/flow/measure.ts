/**
 * Memory and speed of the flow table on hand-made views (no capture, no decode). Run directly:
 * `node src/flow/measure.ts` (it enables gc itself to measure after collection).
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { L3, PacketView, TcpFlag } from '../decode/packet-view.ts';
import { FlowTable } from './table.ts';
import type { FlowTableOptions } from './table.ts';

/** A reused TCP view; `set` rewrites only the tuple (no allocation per packet). */
function makeView(): { view: PacketView; set: (i: number, reverse: boolean, flags: number) => void } {
  const view = new PacketView();
  view.reset();
  view.data = new Uint8Array(64);
  view.end = 64;
  view.l3 = L3.IPV4;
  view.ipProto = 6;
  view.l4Off = 34;
  const set = (i: number, reverse: boolean, flags: number) => {
    const client = (0x0a000000 + (i >>> 4)) >>> 0, server = 0xc0a80001, cport = 1024 + (i & 15) * 3000, sport = 80 + (i & 7);
    view.src4 = reverse ? server : client;
    view.dst4 = reverse ? client : server;
    view.srcPort = reverse ? sport : cport;
    view.dstPort = reverse ? cport : sport;
    view.tcpFlags = flags;
    view.payloadLen = flags & TcpFlag.PSH ? 100 : 0;
  };
  return { view, set };
}

setFlagsFromString('--expose-gc');
const runGc = runInNewContext('gc') as () => void;

function gc(): void {
  // Several passes: ArrayBuffer backing stores of dropped tables are released over more than one collection.
  for (let i = 0; i < 4; i++) runGc();
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Heap + ArrayBuffer growth per live flow after creating `flows` flows (hash index included). */
export function measureBytesPerFlow(flows: number, options: Partial<FlowTableOptions> = {}): { bytesPerFlow: number; capacity: number; arrayBytesPerFlow: number } {
  const { view, set } = makeView();
  gc();
  const before = used();
  const table = new FlowTable({ maxFlows: Math.max(flows, 1), ...options }, () => {});
  for (let i = 0; i < flows; i++) {
    set(i, false, TcpFlag.SYN);
    table.track(view, 1, 74, i + 1, 0);
  }
  gc();
  const after = used();
  const capacity = table.stats.capacity;
  if (table.stats.live !== flows) throw new Error('flows lost');
  return { bytesPerFlow: (after - before) / flows, capacity, arrayBytesPerFlow: table.allocatedBytes() / flows };
}

/** Creation rate (flows/s) and lookup rate (packets/s over existing flows, both directions). */
export function benchTrack(flows = 200000, packetsPerFlow = 10): { flowsPerS: number; packetsPerS: number } {
  const { view, set } = makeView();
  const table = new FlowTable({ maxFlows: 262144 }, () => {});
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < flows; i++) {
    set(i, false, TcpFlag.SYN);
    table.track(view, 1, 74, i + 1, 0);
  }
  const createNs = Number(process.hrtime.bigint() - t0);
  t0 = process.hrtime.bigint();
  let pkts = 0;
  for (let p = 1; p < packetsPerFlow; p++) {
    for (let i = 0; i < flows; i++) {
      set(i, (p & 1) === 1, p === 1 ? TcpFlag.SYN | TcpFlag.ACK : TcpFlag.ACK | TcpFlag.PSH);
      table.track(view, 1 + p * 0.01, 154, pkts, 0);
      pkts++;
    }
  }
  const lookNs = Number(process.hrtime.bigint() - t0);
  return { flowsPerS: flows / (createNs / 1e9), packetsPerS: pkts / (lookNs / 1e9) };
}

if (import.meta.main) {
  const smallGrow = measureBytesPerFlow(1000, { maxFlows: 262144 });
  const grow = measureBytesPerFlow(200000, { maxFlows: 262144 });
  const pre = measureBytesPerFlow(200000, { initialCapacity: 262144, maxFlows: 262144 });
  const smallPre = measureBytesPerFlow(1000, { maxFlows: 262144, initialCapacity: 262144 });
  console.log(`200k flows, grown as needed: ${grow.bytesPerFlow.toFixed(0)} B/flow measured, ${grow.arrayBytesPerFlow.toFixed(0)} B/flow in typed arrays (capacity ${grow.capacity})`);
  console.log(`200k flows, preallocated 262144: ${pre.bytesPerFlow.toFixed(0)} B/flow (capacity ${pre.capacity})`);
  console.log(`1k flows, growth: ${(smallGrow.bytesPerFlow * 1000 / 1024).toFixed(0)} KiB total (capacity ${smallGrow.capacity}); preallocated: ${(smallPre.bytesPerFlow * 1000 / 1048576).toFixed(1)} MiB total`);
  for (let i = 0; i < 3; i++) {
    const b = benchTrack();
    console.log(`track: ${(b.flowsPerS / 1e6).toFixed(2)} M new flows/s, ${(b.packetsPerS / 1e6).toFixed(2)} M packets/s on existing flows`);
  }
}
