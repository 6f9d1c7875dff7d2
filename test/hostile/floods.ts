/**
 * GENERATED hostile traffic for the reliability tests and benchmarks (issue #11): floods an attacker on the LAN
 * sends at will, built from the documented on-wire formats. Nothing is sent anywhere: frames go to a byte array.
 *   - DHCP starvation (as Yersinia / dhcpstarv do): DHCPDISCOVER (RFC 2131 §4.4.1, RFC 2132 options 53, 61, 12,
 *     55) from a new random locally-administered MAC each time, 0.0.0.0:68 → 255.255.255.255:67.
 *   - ARP flood (RFC 826 / RFC 5227 announcements): gratuitous ARP replies from a new MAC claiming a new IP.
 *   - DNS flood with random names (water torture, RFC 1035 query format) to one resolver.
 * @module
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { ethernet, ip, ipv4, pcapFile, rng, udp, type Frame } from '../traces/detect-net/pcap-writer.ts';

const T0 = 1704067200; // 2024-01-01T00:00:00Z
const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** A locally administered unicast MAC (bit 1 of the first octet set, bit 0 clear), unique per index. */
export function floodMac(i: number, salt = 0): number[] {
  return [0x02 | ((salt & 0x3f) << 2), 0x42, (i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff];
}

export function dhcpDiscover(mac: number[], xid: number, hostName: string): Uint8Array {
  const name = new TextEncoder().encode(hostName);
  const options = [53, 1, 1, 61, 7, 1, ...mac, 12, name.length, ...name, 55, 4, 1, 3, 6, 15, 255];
  const msg = new Uint8Array(240 + options.length);
  const v = new DataView(msg.buffer);
  msg[0] = 1; // BOOTREQUEST
  msg[1] = 1; // Ethernet
  msg[2] = 6;
  v.setUint32(4, xid >>> 0);
  v.setUint16(10, 0x8000); // broadcast flag
  msg.set(mac, 28);
  v.setUint32(236, 0x63825363);
  msg.set(options, 240);
  const zero = [0, 0, 0, 0];
  return ethernet(mac, BROADCAST, ipv4(zero, [255, 255, 255, 255], 17, udp(zero, [255, 255, 255, 255], 68, 67, msg), xid & 0xffff));
}

export function gratuitousArp(mac: number[], addr: number[]): Uint8Array {
  const out = new Uint8Array(42);
  out.set(BROADCAST, 0);
  out.set(mac, 6);
  out[12] = 0x08;
  out[13] = 0x06;
  const arp = [0, 1, 0x08, 0, 6, 4, 0, 2, ...mac, ...addr, ...BROADCAST, ...addr];
  out.set(arp, 14);
  return out;
}

/** `count` DHCPDISCOVERs, each from a new MAC (DHCP starvation). */
export function dhcpStarvation(count: number, seed = 11): Uint8Array {
  const r = rng(seed);
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) {
    const mac = floodMac(i);
    frames.push({ ts: T0 + i * 0.0005, bytes: dhcpDiscover(mac, Math.floor(r() * 2 ** 32), `host-${i.toString(36)}`) });
  }
  return pcapFile(frames);
}

/** The i-th host address of 10.0.0.0/8, skipping .0 and .255 (never a network or broadcast address). */
export function floodIp(i: number): number[] {
  const block = Math.floor(i / 254);
  return [10, (block >>> 8) & 0xff, block & 0xff, 1 + (i % 254)];
}

/** `count` gratuitous ARP replies, each from a new MAC claiming a new 10.x address. */
export function arpFlood(count: number): Uint8Array {
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) frames.push({ ts: T0 + i * 0.0005, bytes: gratuitousArp(floodMac(i, 1), floodIp(i)) });
  return pcapFile(frames);
}

/** Both floods in one file: 2 × `count` new MACs. */
export function macFlood(count: number): Uint8Array {
  const frames: Frame[] = [];
  const r = rng(7);
  for (let i = 0; i < count; i++) {
    frames.push({ ts: T0 + i * 0.001, bytes: dhcpDiscover(floodMac(i), Math.floor(r() * 2 ** 32), `h${i}`) });
    frames.push({ ts: T0 + i * 0.001 + 0.0005, bytes: gratuitousArp(floodMac(i, 1), floodIp(i)) });
  }
  return pcapFile(frames);
}

/** One DNS query (RFC 1035 §4.1) for `name`, type A, recursion desired. */
export function dnsQuery(id: number, name: string): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  const out = new Uint8Array(12 + labels.length + 5);
  const v = new DataView(out.buffer);
  v.setUint16(0, id & 0xffff);
  v.setUint16(2, 0x0100);
  v.setUint16(4, 1);
  out.set(labels, 12);
  v.setUint16(12 + labels.length + 1, 1);
  v.setUint16(12 + labels.length + 3, 1);
  return out;
}

export { ip, pcapFile, rng, T0 };

/**
 * Writes a DNS flood with random names (DNS water torture, as Mirai's attack_udp_dns sends): `packets` queries
 * `<12 random letters>.<victim domain>` from `bots` local hosts with random source ports and ids to one resolver,
 * every fourth answered NXDOMAIN. Streamed to `path` in chunks, so any size fits in a few MiB of memory.
 */
export function writeDnsFlood(path: string, packets: number, options: { bots?: number; seed?: number } = {}): void {
  const r = rng(options.seed ?? 17);
  const bots = options.bots ?? 20;
  const resolver = [192, 168, 1, 1];
  const resolverMac = [0x02, 0, 0, 0, 0, 0x01];
  const fd = openSync(path, 'w');
  const header = pcapFile([]);
  writeSync(fd, header);
  const chunk: Uint8Array[] = [];
  let chunkBytes = 0;
  const flush = (): void => {
    const out = new Uint8Array(chunkBytes);
    let at = 0;
    for (const c of chunk) {
      out.set(c, at);
      at += c.length;
    }
    writeSync(fd, out);
    chunk.length = 0;
    chunkBytes = 0;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < packets; i++) {
    const bot = Math.floor(r() * bots);
    const src = [192, 168, 1, 100 + bot];
    let label = '';
    for (let k = 0; k < 12; k++) label += letters[Math.floor(r() * letters.length)];
    const id = Math.floor(r() * 65536);
    const sport = 1024 + Math.floor(r() * 64511);
    const query = dnsQuery(id, `${label}.victim-example.com`);
    const answered = i % 4 === 3;
    let frame: Uint8Array;
    if (answered) {
      const resp = query.slice();
      resp[2] = 0x81;
      resp[3] = 0x83; // QR, RD, RA, NXDOMAIN
      frame = ethernet(resolverMac, [0x02, 0, 0, 0, 1, bot], ipv4(resolver, src, 17, udp(resolver, src, 53, sport, resp), id));
    } else {
      frame = ethernet([0x02, 0, 0, 0, 1, bot], resolverMac, ipv4(src, resolver, 17, udp(src, resolver, sport, 53, query), id));
    }
    const rec = new Uint8Array(16 + frame.length);
    const v = new DataView(rec.buffer);
    const t = T0 + i * 0.0001;
    v.setUint32(0, Math.floor(t), true);
    v.setUint32(4, Math.round((t % 1) * 1e6) % 1e6, true);
    v.setUint32(8, frame.length, true);
    v.setUint32(12, frame.length, true);
    rec.set(frame, 16);
    chunk.push(rec);
    chunkBytes += rec.length;
    if (chunkBytes > 4 << 20) flush();
  }
  flush();
  closeSync(fd);
}

/** Writes `count` × 2 new MACs (DHCP starvation + ARP flood, see macFlood) to `path`. */
export function writeMacFlood(path: string, count: number): void {
  writeFileSync(path, macFlood(count));
}
