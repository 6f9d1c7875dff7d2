/**
 * IP address classification for the inventory: which addresses are on this network (local) and which can
 * name a device at all (not unspecified, broadcast or multicast).
 * @module
 */

/** Default local networks: the site model's (src/pipeline/site.ts), one definition for every stage. */
export { defaultLocalNetworks as defaultLocalNets } from '../pipeline/site.ts';

// The network-set code moved to the pipeline's site model (one definition of "local"); re-exported here.
export { NetSet, ipv4Number } from '../pipeline/netset.ts';
import { ipv4Number, isIPv6Address as isIPv6 } from '../pipeline/netset.ts';

/** An address that can belong to one host: not unspecified, broadcast, multicast or loopback. */
export function isHostIp(ip: unknown): ip is string {
  if (typeof ip !== 'string' || ip === '') return false;
  if (ipv4Number(ip) >= 0) {
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

/**
 * isHostIp for an IPv4 address given as its number (`ipv4Number(ip)`, at least 0): the same answer without
 * looking at the string again (0.0.0.0, x.x.x.255, 127/8, 0/8 and 224/3 are not hosts).
 */
export function isHostIpV4(n: number): boolean {
  const first = n >>> 24;
  return (n & 0xff) !== 0xff && first !== 127 && first < 224 && first !== 0;
}

/**
 * The unsigned 32-bit value of an IPv4 address written exactly as the flow table writes one (dotted quad,
 * no leading zeros: `ipv4Text`), else -1. Text and number then name each other one to one, so a table keyed
 * by this number gives the same answers as one keyed by the text ('010.0.0.1' stays text: another key).
 */
export function canonicalV4(ip: string): number {
  const n = ipv4Number(ip);
  if (n < 0) return -1;
  for (let i = 0; i < ip.length - 1; i++) {
    // A '0' that starts a part and is followed by a digit is a leading zero.
    if (ip.charCodeAt(i) === 48 && (i === 0 || ip.charCodeAt(i - 1) === 46) && ip.charCodeAt(i + 1) !== 46) return -1;
  }
  return n;
}
