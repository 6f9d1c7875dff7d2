/**
 * Writes the generated detector traces of this folder from the documented on-wire traits (nothing is
 * sent anywhere; the packets only go into pcap files). Deterministic: run it again and the bytes match.
 *
 *   node test/traces/detect/generate.ts
 *
 * - mirai-scan.generated.pcap: an infected local device (192.168.1.66) scanning like Mirai's scanner
 *   (mirai/bot/scanner.c; /work/shared/reference/standards.md §3.1): raw 40-byte SYNs, IPv4 IHL 5, TTL 64,
 *   random IP ID, no DF, TCP doff 5 (no options), random window, sequence number = destination address,
 *   one source port for the whole scan, destination port 2323 when i % 10 == 0 else 23, random public
 *   targets; a few targets answer RST-ACK. Plus one ordinary telnet SYN from another device (random ISN,
 *   options) that must not match.
 * - mirai-bruteforce.generated.pcap: a remote bot (203.0.113.50) brute-forcing the telnet login of a local
 *   camera (192.168.1.50) with pairs from Mirai's table, one connection per pair (as the bot does): six
 *   refused, then root/xc3511 accepted, followed by Mirai's `enable`, `system`, `shell`, `sh`,
 *   `/bin/busybox MIRAI` and the `MIRAI: applet not found` answer.
 * @module
 */
import { writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;

/** xorshift32: deterministic "random" values. */
let rngState = 0x1badb002;
function rand32(): number {
  rngState ^= rngState << 13;
  rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5;
  rngState >>>= 0;
  return rngState;
}

const ipBytes = (ip: string): number[] => ip.split('.').map(Number);
const macBytes = (mac: string): number[] => mac.split(':').map((h) => parseInt(h, 16));

function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface TcpSpec {
  srcMac: string; dstMac: string; src: string; dst: string; sport: number; dport: number;
  seq: number; ack: number; flags: number; window: number; ipId: number; ttl: number; df: boolean;
  options?: number[]; payload?: number[];
}

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

function tcpFrame(s: TcpSpec): number[] {
  const options = s.options ?? [];
  const payload = s.payload ?? [];
  const tcpLen = 20 + options.length + payload.length;
  const tcp = [
    s.sport >> 8, s.sport & 255, s.dport >> 8, s.dport & 255,
    (s.seq >>> 24) & 255, (s.seq >>> 16) & 255, (s.seq >>> 8) & 255, s.seq & 255,
    (s.ack >>> 24) & 255, (s.ack >>> 16) & 255, (s.ack >>> 8) & 255, s.ack & 255,
    ((5 + options.length / 4) << 4), s.flags, s.window >> 8, s.window & 255, 0, 0, 0, 0,
    ...options, ...payload,
  ];
  const pseudo = [...ipBytes(s.src), ...ipBytes(s.dst), 0, 6, tcpLen >> 8, tcpLen & 255];
  const tsum = checksum([...pseudo, ...tcp]);
  tcp[16] = tsum >> 8;
  tcp[17] = tsum & 255;
  const total = 20 + tcpLen;
  const ip = [0x45, 0, total >> 8, total & 255, s.ipId >> 8, s.ipId & 255, s.df ? 0x40 : 0, 0, s.ttl, 6, 0, 0, ...ipBytes(s.src), ...ipBytes(s.dst)];
  const isum = checksum(ip);
  ip[10] = isum >> 8;
  ip[11] = isum & 255;
  return [...macBytes(s.dstMac), ...macBytes(s.srcMac), 0x08, 0x00, ...ip, ...tcp];
}

class PcapWriter {
  private readonly chunks: Buffer[] = [];
  constructor() {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(1, 20); // Ethernet
    this.chunks.push(h);
  }
  add(ts: number, frame: number[]): void {
    const h = Buffer.alloc(16);
    const sec = Math.floor(ts);
    h.writeUInt32LE(sec, 0);
    h.writeUInt32LE(Math.round((ts - sec) * 1e6), 4);
    h.writeUInt32LE(frame.length, 8);
    h.writeUInt32LE(frame.length, 12);
    this.chunks.push(h, Buffer.from(frame));
  }
  save(name: string): void {
    writeFileSync(`${here}${name}`, Buffer.concat(this.chunks));
  }
}

const gatewayMac = '02:00:00:00:00:01';
const t0 = 1700000000; // 2023-11-14T22:13:20Z

/** A public IPv4 target like Mirai's generator: skips private, loopback, multicast and reserved space. */
function randomPublicIp(): string {
  for (;;) {
    const v = rand32();
    const a = v >>> 24, b = (v >>> 16) & 255;
    if (a === 0 || a === 10 || a === 127 || a >= 224 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)) continue;
    return `${a}.${b}.${(v >>> 8) & 255}.${v & 255}`;
  }
}

function miraiScan(): void {
  const w = new PcapWriter();
  const bot = '192.168.1.66', botMac = '02:00:00:00:00:66';
  const sport = 1024 + (rand32() % 64000);
  const scans = 300;
  for (let i = 0; i < scans; i++) {
    const ts = t0 + i / 160; // SCANNER_RAW_PPS 160 per tick of about a second
    const dst = randomPublicIp();
    const seq = ipBytes(dst).reduce((v, b) => v * 256 + b, 0);
    const dport = i % 10 === 0 ? 2323 : 23;
    w.add(ts, tcpFrame({ srcMac: botMac, dstMac: gatewayMac, src: bot, dst, sport, dport, seq, ack: 0, flags: SYN, window: rand32() & 0xffff, ipId: rand32() & 0xffff, ttl: 64, df: false }));
    if (i % 25 === 7) {
      w.add(ts + 0.03, tcpFrame({ srcMac: gatewayMac, dstMac: botMac, src: dst, dst: bot, sport: dport, dport: sport, seq: 0, ack: (seq + 1) >>> 0, flags: RST | ACK, window: 0, ipId: rand32() & 0xffff, ttl: 52, df: true }));
    }
    if (i === 150) {
      // An ordinary telnet client elsewhere on the network: random ISN, MSS/SACK/TS/WS options, DF.
      w.add(ts + 0.001, tcpFrame({
        srcMac: '02:00:00:00:00:10', dstMac: gatewayMac, src: '192.168.1.10', dst: '198.51.100.20', sport: 51514, dport: 23,
        seq: rand32(), ack: 0, flags: SYN, window: 64240, ipId: rand32() & 0xffff, ttl: 64, df: true,
        options: [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7],
      }));
    }
  }
  w.save('mirai-scan.generated.pcap');
}

const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const IAC = 255, DO = 253, WILL = 251, WONT = 252;

function miraiBruteforce(): void {
  const w = new PcapWriter();
  const bot = '203.0.113.50', camera = '192.168.1.50', cameraMac = '02:00:00:00:00:50';
  const tried: [string, string, boolean][] = [
    ['root', 'vizxv', false], ['admin', 'admin', false], ['root', '888888', false], ['root', 'xmhdipc', false],
    ['root', 'default', false], ['root', 'juantech', false], ['root', 'xc3511', true],
  ];
  let ts = t0 + 100;
  let sport = 40000;
  for (const [user, pass, ok] of tried) {
    sport += 7;
    let cseq = rand32(), sseq = rand32();
    const c = (flags: number, payload: number[] = []): void => {
      ts += 0.02;
      w.add(ts, tcpFrame({ srcMac: gatewayMac, dstMac: cameraMac, src: bot, dst: camera, sport, dport: 23, seq: cseq, ack: flags & SYN ? 0 : sseq, flags, window: 29200, ipId: rand32() & 0xffff, ttl: 50, df: true, payload }));
      cseq = (cseq + payload.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    };
    const s = (flags: number, payload: number[] = []): void => {
      ts += 0.02;
      w.add(ts, tcpFrame({ srcMac: cameraMac, dstMac: gatewayMac, src: camera, dst: bot, sport: 23, dport: sport, seq: sseq, ack: cseq, flags, window: 5792, ipId: rand32() & 0xffff, ttl: 64, df: true, payload }));
      sseq = (sseq + payload.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    };
    c(SYN);
    s(SYN | ACK);
    c(ACK);
    s(PSH | ACK, [IAC, DO, 24, IAC, DO, 31]);
    c(PSH | ACK, [IAC, WONT, 24, IAC, WONT, 31]);
    s(PSH | ACK, [IAC, WILL, 1, IAC, WILL, 3, ...text('\r\n(none) login: ')]);
    c(PSH | ACK, text(`${user}\r\n`));
    s(PSH | ACK, text('Password: '));
    c(PSH | ACK, text(`${pass}\r\n`));
    if (ok) {
      s(PSH | ACK, text('\r\n\r\nBusyBox v1.19.4 (2015-06-12 10:24:47 CST) built-in shell (ash)\r\nEnter \'help\' for a list of built-in commands.\r\n\r\n# '));
      for (const cmd of ['enable', 'system', 'shell', 'sh', '/bin/busybox MIRAI']) {
        c(PSH | ACK, text(`${cmd}\r\n`));
        s(PSH | ACK, text(cmd === '/bin/busybox MIRAI' ? 'MIRAI: applet not found\r\n# ' : `-sh: ${cmd}: not found\r\n# `));
      }
    } else {
      s(PSH | ACK, text('\r\nLogin incorrect\r\n'));
    }
    c(FIN | ACK);
    s(FIN | ACK);
    c(ACK);
    ts += 1.5;
  }
  w.save('mirai-bruteforce.generated.pcap');
}

miraiScan();
miraiBruteforce();
