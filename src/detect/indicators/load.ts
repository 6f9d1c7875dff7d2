/**
 * Indicator lists loaded from files into lookup sets. Reading a file that is missing, too large or unreadable
 * is recorded in the file's status, never thrown.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseIndicators, type Indicator, type IndicatorFormat } from './parse.ts';

export interface IndicatorFileStatus {
  path: string;
  format?: IndicatorFormat;
  loaded: number;
  malformed: number;
  dropped: number;
  /** MISP values that are not indicators here, by "type: reason". */
  unmapped?: Record<string, number>;
  error?: string;
}

export class IndicatorSet {
  readonly ips = new Map<string, Indicator>();
  readonly domains = new Map<string, Indicator>();
  readonly ja4 = new Map<string, Indicator>();
  readonly files: IndicatorFileStatus[] = [];

  get size(): number {
    return this.ips.size + this.domains.size + this.ja4.size;
  }

  add(ind: Indicator): void {
    const map = ind.kind === 'domain' ? this.domains : ind.kind === 'ja4' ? this.ja4 : this.ips;
    if (!map.has(ind.value)) map.set(ind.value, ind);
  }

  ip(address: string): Indicator | undefined {
    return this.ips.get(address.toLowerCase());
  }

  /** The listed domain `name` equals or is a subdomain of (at most 16 labels are walked). */
  domain(name: string): Indicator | undefined {
    let n = name.toLowerCase();
    if (n.endsWith('.')) n = n.slice(0, -1);
    for (let i = 0; i < 16 && n.length > 0; i++) {
      const hit = this.domains.get(n);
      if (hit) return hit;
      const dot = n.indexOf('.');
      if (dot < 0) return undefined;
      n = n.slice(dot + 1);
    }
    return undefined;
  }

  fingerprint(ja4: string): Indicator | undefined {
    return this.ja4.get(ja4.toLowerCase());
  }
}

/** Load every list; unreadable files get an `error` and contribute nothing. */
export function loadIndicatorFiles(paths: readonly string[], maxIndicators: number, maxFileBytes: number): IndicatorSet {
  const set = new IndicatorSet();
  for (const path of paths) {
    const status: IndicatorFileStatus = { path, loaded: 0, malformed: 0, dropped: 0 };
    set.files.push(status);
    let text: string;
    try {
      const size = statSync(path).size;
      if (size > maxFileBytes) {
        status.error = `larger than ${maxFileBytes} bytes`;
        continue;
      }
      text = readFileSync(path, 'utf8');
    } catch (err) {
      status.error = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      continue;
    }
    const parsed = parseIndicators(basename(path), text, Math.max(0, maxIndicators - set.size));
    status.format = parsed.format;
    status.malformed = parsed.malformed;
    status.dropped = parsed.dropped;
    if (parsed.unmapped && Object.keys(parsed.unmapped).length > 0) status.unmapped = parsed.unmapped;
    for (const ind of parsed.indicators) set.add(ind);
    status.loaded = parsed.indicators.length;
  }
  return set;
}
