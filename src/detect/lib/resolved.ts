/**
 * Addresses seen in DNS answers (A/AAAA): a connection to one of them follows a name lookup, which a
 * scanner's random targets do not. Bounded; the oldest address is forgotten first. IPv4 addresses are kept
 * as numbers, so a first packet's destination is looked up without its text.
 * @module
 */
import type { EventRecord } from '../../pipeline/analyze.ts';
import { ipv4Number } from '../../pipeline/netset.ts';
import { BoundedMap } from './bounded-map.ts';

export class ResolvedAddresses {
  private readonly set: BoundedMap<string | number, true>;

  constructor(max: number) {
    this.set = new BoundedMap(max);
  }

  onDnsResponse(ev: EventRecord): void {
    const answers = ev.answers;
    if (!Array.isArray(answers)) return;
    const list = answers as { type?: unknown; data?: unknown }[];
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if ((a?.type !== 1 && a?.type !== 28) || typeof a.data !== 'string') continue;
      const v4 = ipv4Number(a.data);
      this.set.set(v4 >= 0 ? v4 : a.data, true);
    }
  }

  has(ip: string): boolean {
    const v4 = ipv4Number(ip);
    return this.set.has(v4 >= 0 ? v4 : ip);
  }

  /** `has` of an IPv4 address as its unsigned 32-bit value. */
  hasV4(v4: number): boolean {
    // Asked per SYN by scan.horizontal: with no DNS answer seen (a flood, a scan), no lookup in either generation.
    return this.set.size !== 0 && this.set.has(v4);
  }
}
