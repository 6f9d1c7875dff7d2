/**
 * Sets of IP networks (CIDR prefixes) with a fast IPv4 path: the site model's "local networks".
 * @module
 */
import type * as NodeNet from 'node:net';

/**
 * node:net, loaded when an IPv6 network or an untrusted list is first checked: loading it costs about 6 ms of
 * a short run's start (CPU profile of analyze on a 10-packet capture), and the built-in lists need none of it.
 */
let netModule: typeof NodeNet | undefined;
function net(): typeof NodeNet {
  netModule ??= process.getBuiltinModule('node:net');
  return netModule;
}

/** node:net's isIPv6, through the module loaded on use (for modules that check addresses rarely). */
export function isIPv6Address(ip: string): boolean {
  return net().isIPv6(ip);
}

/** node:net's isIP (4, 6, or 0), through the module loaded on use. */
export function ipVersionOf(ip: string): number {
  return net().isIP(ip);
}

/** Dotted-quad IPv4 to an unsigned 32-bit number, or -1 (cheaper than net.isIPv4 + BlockList per event). */
export function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + part;
}

/**
 * Membership test for a list of CIDR prefixes (IPv4 numerically, IPv6 through net.BlockList). Start-up
 * matters here (every run builds the site's set): the BlockList is built at the first IPv6 lookup, and
 * `trusted` lists (the built-in defaults) skip the address syntax checks, whose IPv6 expression costs
 * about 10 ms to compile.
 */
export class NetSet {
  private list: NodeNet.BlockList | undefined;
  private readonly v6: [addr: string, prefix: number][] = [];
  private readonly v4: { base: number; mask: number }[] = [];

  constructor(cidrs: readonly string[], trusted = false) {
    for (const cidr of cidrs) {
      const [addr, bits] = cidr.split('/');
      const family = addr.includes(':') ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
      const wellFormed = trusted || (family === 'ipv6' ? net().isIPv6(addr) && prefix <= 128 : net().isIPv4(addr) && prefix <= 32);
      if (!wellFormed || !Number.isInteger(prefix) || prefix < 0) throw new Error(`bad network '${cidr}'`);
      if (family === 'ipv4') {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        this.v4.push({ base: (ipv4Number(addr) & mask) >>> 0, mask });
      } else this.v6.push([addr, prefix]);
    }
  }

  has(ip: string): boolean {
    const n = ipv4Number(ip);
    if (n >= 0) return this.hasV4(n);
    if (this.v6.length === 0 || !ip.includes(':') || !net().isIPv6(ip)) return false;
    if (this.list === undefined) {
      this.list = new (net().BlockList)();
      for (const [addr, prefix] of this.v6) this.list.addSubnet(addr, prefix, 'ipv6');
    }
    return this.list.check(ip, 'ipv6');
  }

  /** Membership of an IPv4 address given as an unsigned 32-bit number. */
  hasV4(n: number): boolean {
    // Indexed: a for-of made an iterator result per network per lookup (sampling heap profile, Mirai workload).
    const v4 = this.v4;
    for (let i = 0; i < v4.length; i++) if (((n & v4[i].mask) >>> 0) === v4[i].base) return true;
    return false;
  }
}

