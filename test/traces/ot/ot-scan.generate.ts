/**
 * Writes ot-scan.generated.pcap: GENERATED (not captured) industrial traffic for the OT detectors, built
 * from the Modbus specification's frame formats (MBAP, 43/14 Read Device Identification, 06, 08) and the
 * shape of ICS discovery tools (Nmap modbus-discover / plcscan style: SYNs to industrial ports, unit id
 * sweeps with Read Device Identification). No shared capture has scanning or an Internet-facing PLC.
 *   - 192.168.10.66 sends SYNs to port 502 of 192.168.10.1-8 (1-6 answer RST), and to ports 102, 20000,
 *     44818 and 2404 of 192.168.10.5;
 *   - then asks 192.168.10.5:502 for its device identification under unit ids 1-10 (unit 1 answers
 *     vendor/product/revision, the others exception 0x0b gateway target failed to respond);
 *   - 203.0.113.50 (documentation range: "the Internet") writes holding register 40 = 1234 on
 *     192.168.10.5 unit 1 and sends diagnostics 0x01 restart communications.
 * Deterministic:  node_modules/.bin/node test/traces/ot/ot-scan.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, ip, ipv4, pcapFile, tcp, type Frame } from '../detect-net/pcap-writer.ts';

const SCANNER = ip('192.168.10.66');
const PLC = ip('192.168.10.5');
const REMOTE = ip('203.0.113.50');
const mac = (last: number): number[] => [0x02, 0, 0, 0, 0x0a, last];
const ROUTER_MAC = mac(0xfe);

const frames: Frame[] = [];
let t = 1_700_000_000;
let ipId = 1;

function send(src: number[], dst: number[], srcMac: number[], dstMac: number[], spec: Parameters<typeof tcp>[2]): void {
  frames.push({ ts: t, bytes: ethernet(srcMac, dstMac, ipv4(src, dst, 6, tcp(src, dst, spec), ipId++)) });
  t += 0.001;
}

const SYN = 2;
const RST = 4;
const PSH = 8;
const ACK = 16;

// SYN sweep of port 502, then the other industrial ports of the PLC.
for (let h = 1; h <= 8; h++) {
  const target = ip(`192.168.10.${h}`);
  send(SCANNER, target, mac(66), mac(h), { sport: 40000 + h, dport: 502, seq: 1000 * h, ack: 0, flags: SYN });
  if (h <= 6) send(target, SCANNER, mac(h), mac(66), { sport: 502, dport: 40000 + h, seq: 0, ack: 1000 * h + 1, flags: RST | ACK });
}
for (const [i, port] of [102, 20000, 44818, 2404].entries()) {
  send(SCANNER, PLC, mac(66), mac(5), { sport: 41000 + i, dport: port, seq: 5000 + i, ack: 0, flags: SYN });
  send(PLC, SCANNER, mac(5), mac(66), { sport: port, dport: 41000 + i, seq: 0, ack: 5001 + i, flags: RST | ACK });
}

/** A TCP session: handshake, then request/answer payload pairs. */
function session(client: number[], clientMac: number[], serverMac: number[], sport: number, exchanges: [Uint8Array, Uint8Array][]): void {
  let cs = 7000;
  let ss = 9000;
  send(client, PLC, clientMac, serverMac, { sport, dport: 502, seq: cs, ack: 0, flags: SYN });
  send(PLC, client, serverMac, clientMac, { sport: 502, dport: sport, seq: ss, ack: cs + 1, flags: SYN | ACK });
  cs++;
  ss++;
  send(client, PLC, clientMac, serverMac, { sport, dport: 502, seq: cs, ack: ss, flags: ACK });
  for (const [req, resp] of exchanges) {
    t += 0.05;
    send(client, PLC, clientMac, serverMac, { sport, dport: 502, seq: cs, ack: ss, flags: PSH | ACK, payload: req });
    cs += req.length;
    send(PLC, client, serverMac, clientMac, { sport: 502, dport: sport, seq: ss, ack: cs, flags: PSH | ACK, payload: resp });
    ss += resp.length;
  }
  send(client, PLC, clientMac, serverMac, { sport, dport: 502, seq: cs, ack: ss, flags: RST | ACK });
}

/** MBAP frame: transaction id, protocol 0, length, unit id, PDU. */
function mbap(tid: number, unit: number, pdu: number[]): Uint8Array {
  const len = pdu.length + 1;
  return Uint8Array.from([tid >> 8, tid & 0xff, 0, 0, len >> 8, len & 0xff, unit, ...pdu]);
}

function deviceId(objects: [number, string][]): number[] {
  const out = [0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, objects.length];
  for (const [id, v] of objects) out.push(id, v.length, ...Buffer.from(v, 'latin1'));
  return out;
}

t += 1;
const sweep: [Uint8Array, Uint8Array][] = [];
for (let unit = 1; unit <= 10; unit++) {
  const req = mbap(unit, unit, [0x2b, 0x0e, 0x01, 0x00]);
  const resp = unit === 1
    ? mbap(unit, unit, deviceId([[0, 'Schneider Electric'], [1, 'BMX P34 2020'], [2, 'v3.10']]))
    : mbap(unit, unit, [0xab, 0x0b]);
  sweep.push([req, resp]);
}
session(SCANNER, mac(66), mac(5), 42000, sweep);

t += 5;
session(REMOTE, ROUTER_MAC, mac(5), 51000, [
  [mbap(1, 1, [0x06, 0x00, 0x28, 0x04, 0xd2]), mbap(1, 1, [0x06, 0x00, 0x28, 0x04, 0xd2])],
  [mbap(2, 1, [0x08, 0x00, 0x01, 0x00, 0x00]), mbap(2, 1, [0x08, 0x00, 0x01, 0x00, 0x00])],
]);

const out = fileURLToPath(new URL('./ot-scan.generated.pcap', import.meta.url));
writeFileSync(out, pcapFile(frames));
console.log(`wrote ${out}: ${frames.length} frames`);
