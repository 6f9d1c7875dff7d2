/**
 * Writes GENERATED (not captured) scans whose probes end in a different order than they start: closed
 * ports answer with RST (the flow ends within seconds), filtered ones never answer (the flow ends at the
 * 300 s idle timeout). Built from how SYN scanners (Mirai's scanner, nmap -sS) behave on the wire.
 * - scan-order-horizontal.generated.pcap: local 192.168.1.70 sweeps ports 23 and 2323 in parallel, 24 hosts each
 *   in 12 s (every second host answers RST), then 10 more hosts per port at t+200 s (all RST).
 * - scan-order-vertical.generated.pcap: 198.51.100.77 (outside) probes 24 ports of 192.168.1.80 in 12 s (every
 *   second port RST, the rest filtered), then 10 more ports at t+200 s (RST).
 * Remote addresses are RFC 5737 documentation ranges. Deterministic.
 *   node_modules/.bin/node test/traces/detect/scan-order.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, ip, ipv4, pcapFile, tcp, type Frame } from '../detect-net/pcap-writer.ts';

const T0 = 1704067200;
const ROUTER_MAC = [0x02, 0, 0, 0, 0, 0x01];
const mac = (last: number): number[] => [0x02, 0, 0, 0, 0, last];

interface Probe { t: number; src: number[]; dst: number[]; sport: number; dport: number; answered: boolean; srcMac: number[]; dstMac: number[] }

function frames(probes: Probe[]): Frame[] {
  const out: Frame[] = [];
  let id = 1;
  for (const p of probes) {
    out.push({ ts: p.t, bytes: ethernet(p.srcMac, p.dstMac, ipv4(p.src, p.dst, 6, tcp(p.src, p.dst, { sport: p.sport, dport: p.dport, seq: 1000 + id, ack: 0, flags: 0x02 }), id++)) });
    if (p.answered) {
      out.push({ ts: p.t + 0.02, bytes: ethernet(p.dstMac, p.srcMac, ipv4(p.dst, p.src, 6, tcp(p.dst, p.src, { sport: p.dport, dport: p.sport, seq: 0, ack: 1000 + id, flags: 0x14, window: 0 }), id++)) });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

function horizontal(): Frame[] {
  const src = ip('192.168.1.70');
  const probes: Probe[] = [];
  for (const [k, port] of [23, 2323].entries()) {
    for (let i = 0; i < 24; i++) {
      probes.push({ t: T0 + i * 0.5 + k * 0.1, src, dst: [203, 0, 113, 10 + i + k * 100], sport: 40000 + k, dport: port, answered: i % 2 === 0, srcMac: mac(70), dstMac: ROUTER_MAC });
    }
    for (let i = 0; i < 10; i++) {
      probes.push({ t: T0 + 200 + i + k * 0.1, src, dst: [198, 51, 100, 10 + i + k * 100], sport: 40000 + k, dport: port, answered: true, srcMac: mac(70), dstMac: ROUTER_MAC });
    }
  }
  return frames(probes);
}

function vertical(): Frame[] {
  const src = ip('198.51.100.77');
  const dst = ip('192.168.1.80');
  const probes: Probe[] = [];
  for (let i = 0; i < 24; i++) probes.push({ t: T0 + i * 0.5, src, dst, sport: 51000, dport: 1 + i, answered: i % 2 === 0, srcMac: ROUTER_MAC, dstMac: mac(80) });
  for (let i = 0; i < 10; i++) probes.push({ t: T0 + 200 + i, src, dst, sport: 51000, dport: 100 + i, answered: true, srcMac: ROUTER_MAC, dstMac: mac(80) });
  return frames(probes);
}

export const generated: Record<string, () => Frame[]> = {
  'scan-order-horizontal.generated.pcap': horizontal,
  'scan-order-vertical.generated.pcap': vertical,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, build] of Object.entries(generated)) writeFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), pcapFile(build()));
}
