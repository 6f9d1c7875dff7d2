/**
 * Addresses seen in DNS answers (A/AAAA): a connection to one of them follows a name lookup, which a
 * scanner's random targets do not. Bounded; the oldest address is forgotten first.
 * @module
 */
import type { EventRecord } from '../../pipeline/analyze.ts';

export class ResolvedAddresses {
  private readonly set = new Set<string>();
  private readonly max: number;

  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  onDnsResponse(ev: EventRecord): void {
    const answers = ev.answers;
    if (!Array.isArray(answers)) return;
    for (const a of answers as { type?: unknown; data?: unknown }[]) {
      if ((a?.type !== 1 && a?.type !== 28) || typeof a.data !== 'string') continue;
      if (this.set.has(a.data)) continue;
      if (this.set.size >= this.max) this.set.delete(this.set.values().next().value as string);
      this.set.add(a.data);
    }
  }

  has(ip: string): boolean {
    return this.set.has(ip);
  }
}
