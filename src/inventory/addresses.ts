/**
 * IP address classification for the inventory: which addresses are on this network (local) and which can
 * name a device at all (not unspecified, broadcast or multicast).
 * @module
 */
import { isIPv6 } from 'node:net';

/** Default local networks: the site model's (src/pipeline/site.ts), one definition for every stage. */
export { defaultLocalNetworks as defaultLocalNets } from '../pipeline/site.ts';

// The network-set code moved to the pipeline's site model (one definition of "local"); re-exported here.
export { NetSet, ipv4Number } from '../pipeline/netset.ts';
import { ipv4Number } from '../pipeline/netset.ts';

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
