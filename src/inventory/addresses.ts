/**
 * IP address classification for the inventory: which addresses are on this network (local) and which can
 * name a device at all (not unspecified, broadcast or multicast).
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import { BlockList } from 'node:net';

/** Default local networks: RFC 1918, CGNAT-free private space, link-local, IPv6 ULA and link-local. */
export const defaultLocalNets: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fc00::/7', 'fe80::/10',
];

/** Membership test for a list of CIDR prefixes. */
export class NetSet {
  private readonly list = new BlockList();

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [addr, bits] = cidr.split('/');
      const family = isIPv6(addr) ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
      if ((family === 'ipv4' && !isIPv4(addr)) || !Number.isInteger(prefix)) throw new Error(`bad network '${cidr}'`);
      this.list.addSubnet(addr, prefix, family);
    }
  }

  has(ip: string): boolean {
    if (isIPv4(ip)) return this.list.check(ip, 'ipv4');
    if (isIPv6(ip)) return this.list.check(ip, 'ipv6');
    return false;
  }
}

/** An address that can belong to one host: not unspecified, broadcast, multicast or loopback. */
export function isHostIp(ip: unknown): ip is string {
  if (typeof ip !== 'string' || ip === '') return false;
  if (isIPv4(ip)) {
    if (ip === '0.0.0.0' || ip === '255.255.255.255' || ip.endsWith('.255')) return false;
    const first = Number(ip.slice(0, ip.indexOf('.')));
    return first !== 127 && first < 224 && first !== 0;
  }
  if (isIPv6(ip)) {
    const low = ip.toLowerCase();
    return low !== '::' && low !== '::1' && !low.startsWith('ff');
  }
  return false;
}
