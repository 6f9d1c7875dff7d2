/**
 * The site a sensor watches: its name and which networks are "local" (this network rather than the
 * Internet). One model shared by the pipeline (flow uids carry the sensor), the inventory (which addresses
 * become devices), the detectors (inbound or outbound) and the store.
 * @module
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { NetSet } from './netset.ts';

/**
 * Default local networks: RFC 1918, shared address space (RFC 6598, CGNAT: inside an ISP's network),
 * IPv4 link-local and loopback, IPv6 ULA, link-local and loopback.
 */
export const defaultLocalNetworks: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8',
  'fc00::/7', 'fe80::/10', '::1/128',
];

export interface SiteOptions {
  /** Name of this sensor (default: the host name); part of every flow uid. */
  sensor: string;
  /** CIDR prefixes of this network. */
  localNetworks: readonly string[];
}

export class Site {
  readonly sensor: string;
  readonly localNetworks: readonly string[];
  private readonly nets: NetSet;
  /** Memo of the last answers: detectors ask about the same few addresses again and again. */
  private readonly memo = new Map<string, boolean>();

  constructor(options: Partial<SiteOptions> = {}) {
    this.sensor = options.sensor ?? hostname();
    this.localNetworks = options.localNetworks ?? defaultLocalNetworks;
    this.nets = new NetSet(this.localNetworks);
  }

  /** True for an address of this network (throws nothing: any string is accepted). */
  isLocal(ip: string): boolean {
    let v = this.memo.get(ip);
    if (v === undefined) {
      v = this.nets.has(ip);
      if (this.memo.size >= 4096) this.memo.clear(); // bounded: traffic chooses the addresses
      this.memo.set(ip, v);
    }
    return v;
  }

  /**
   * A flow uid unique across runs and sensors, stable for the same flow (analysing a capture twice gives
   * the same uids, so ingest stays idempotent): 'C' and 17 base-62 characters of a hash over the sensor,
   * the Community ID, the first packet's time and the run's flow number.
   */
  flowUid(communityId: string, firstTs: number, flowId: number): string {
    const h = createHash('sha1').update(`${this.sensor}\u0000${communityId}\u0000${firstTs}\u0000${flowId}`).digest();
    return `C${base62(h.readBigUInt64BE(0) ^ (h.readBigUInt64BE(8) << 5n))}`;
  }
}

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(n: bigint): string {
  let v = n & ((1n << 96n) - 1n);
  let out = '';
  for (let i = 0; i < 17; i++) {
    out += alphabet[Number(v % 62n)];
    v /= 62n;
  }
  return out;
}

/** Parse a comma-separated network list ("192.168.1.0/24,fd00::/8"); throws a message naming the bad entry. */
export function parseNetworks(list: string): string[] {
  const nets = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (nets.length === 0) throw new Error('no network given');
  new NetSet(nets); // validates
  return nets;
}
