/**
 * Which DNS names resolved to which addresses, from the DNS answers traffic carried: an `ietf-acldns` name
 * in a MUD rule matches an address only when a lookup of that name (or a CNAME chain starting at it) returned
 * the address. Bounded: the oldest address is forgotten first, and each address keeps a few names.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import { ipVersionOf as isIP } from '../pipeline/netset.ts';


export interface NameOptions {
  /** Addresses remembered (oldest forgotten first, counted). */
  maxAddresses: number;
  /** Names kept per address. */
  maxNamesPerAddress: number;
}

export const defaultNameOptions: NameOptions = { maxAddresses: 100_000, maxNamesPerAddress: 8 };

/** The name a device asked for, and the CNAME targets between it and the address. */
export interface Resolution {
  /** The name in the question (what a MUD rule should name: the controller resolves it the same way). */
  query: string;
  /** Every name on the way (query, CNAME targets), lower case without the trailing dot. */
  chain: string[];
  ts: number;
  /** Who asked (the DNS client's address). */
  client: string;
}

export const normaliseName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

export class NameBook {
  private readonly byAddress = new Map<string, Resolution[]>();
  private readonly opts: NameOptions;
  forgotten = 0;

  constructor(options: Partial<NameOptions> = {}) {
    this.opts = { ...defaultNameOptions, ...options };
  }

  /** Learn from a `dns.response` event (A/AAAA answers, following CNAMEs from the question). */
  onDnsResponse(ev: EventRecord): void {
    const answers = ev.answers;
    if (!Array.isArray(answers) || typeof ev.qname !== 'string') return;
    if (ev.src_port === 5353 || ev.dst_port === 5353) return; // mDNS: link-local names, not cloud peers
    const query = normaliseName(ev.qname);
    const chain = [query];
    const client = String(ev.dst_ip ?? '');
    for (const a of answers as { name?: unknown; type?: unknown; data?: unknown }[]) {
      if (a?.type === 5 && typeof a.data === 'string') {
        const target = normaliseName(a.data);
        if (!chain.includes(target) && chain.length < 16) chain.push(target);
      }
    }
    for (const a of answers as { type?: unknown; data?: unknown }[]) {
      if ((a?.type !== 1 && a?.type !== 28) || typeof a.data !== 'string' || isIP(a.data) === 0) continue;
      this.add(a.data.toLowerCase(), { query, chain, ts: ev.ts, client });
    }
  }

  add(address: string, r: Resolution): void {
    let list = this.byAddress.get(address);
    if (list === undefined) {
      if (this.byAddress.size >= this.opts.maxAddresses) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest !== undefined) this.byAddress.delete(oldest);
        this.forgotten++;
      }
      list = [];
      this.byAddress.set(address, list);
    }
    const same = list.findIndex((x) => x.query === r.query);
    if (same >= 0) list.splice(same, 1);
    list.push(r);
    if (list.length > this.opts.maxNamesPerAddress) list.shift();
  }

  /** Resolutions of an address, newest last. */
  of(address: string): readonly Resolution[] {
    return this.byAddress.get(address.toLowerCase()) ?? [];
  }

  /** Did a lookup of `name` (or a CNAME chain through it) return this address? */
  resolves(name: string, address: string): boolean {
    const n = normaliseName(name);
    return this.of(address).some((r) => r.chain.includes(n));
  }

  /** The name to write in a rule for this address: the newest question this client asked that led to it. */
  bestName(address: string, client: string): string | undefined {
    const list = this.of(address);
    for (let i = list.length - 1; i >= 0; i--) if (list[i].client === client) return list[i].query;
    return list.at(-1)?.query;
  }

  get size(): number {
    return this.byAddress.size;
  }
}
