/**
 * Addresses seen in DNS answers (A/AAAA): a connection to one of them follows a name lookup, which a
 * scanner's random targets do not. Bounded; the oldest address is forgotten first.
 * @module
 */
import type { EventRecord } from '../../pipeline/analyze.ts';
import { BoundedMap } from './bounded-map.ts';

export class ResolvedAddresses {
  private readonly set: BoundedMap<string, true>;

  constructor(max: number) {
    this.set = new BoundedMap(max);
  }

  onDnsResponse(ev: EventRecord): void {
    const answers = ev.answers;
    if (!Array.isArray(answers)) return;
    for (const a of answers as { type?: unknown; data?: unknown }[]) {
      if ((a?.type !== 1 && a?.type !== 28) || typeof a.data !== 'string') continue;
      this.set.set(a.data, true);
    }
  }

  has(ip: string): boolean {
    return this.set.has(ip);
  }
}
