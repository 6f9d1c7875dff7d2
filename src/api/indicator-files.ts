/**
 * Indicator lists the API received (POST /api/indicators, TAXII POST into the indicators collection),
 * kept as files in one folder; every later ingest runs the c2.indicator detector with all of them.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIndicatorFiles, type IndicatorFileStatus } from '../detect/indicators/load.ts';
import { parseIndicators } from '../detect/indicators/parse.ts';

export const maxIndicatorFiles = 1000;

export class IndicatorFiles {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  paths(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((n) => !n.startsWith('.')).sort().map((n) => join(this.dir, n));
  }

  /** Detector options for an analysis: c2.indicator reads every stored list. */
  detectorOptions(): Record<string, Record<string, unknown>> {
    const paths = this.paths();
    return paths.length > 0 ? { 'c2.indicator': { paths } } : {};
  }

  /** Store one list (named by its content hash, so the same list twice is one file) and say what it gave. */
  add(text: string, nameHint: string): IndicatorFileStatus & { name: string } {
    const parsed = parseIndicators(nameHint, text);
    const ext = parsed.format === 'csv' ? 'csv' : parsed.format === 'text' ? 'txt' : 'json';
    const name = `${parsed.format}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.${ext}`;
    mkdirSync(this.dir, { recursive: true });
    if (this.paths().length >= maxIndicatorFiles && !existsSync(join(this.dir, name))) {
      return { name, path: name, loaded: 0, malformed: 0, dropped: parsed.indicators.length, error: `${maxIndicatorFiles} lists stored already: delete some first` };
    }
    writeFileSync(join(this.dir, name), text);
    return { name, path: name, format: parsed.format, loaded: parsed.indicators.length, malformed: parsed.malformed, dropped: parsed.dropped, ...(parsed.unmapped ? { unmapped: parsed.unmapped } : {}) };
  }

  /** Replace a named list wholesale (the TAXII indicators collection keeps one). */
  put(name: string, text: string): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, name), text);
  }

  list(): (IndicatorFileStatus & { name: string })[] {
    return loadIndicatorFiles(this.paths(), 1_000_000, 64 << 20).files.map((f) => ({ ...f, name: f.path.slice(this.dir.length + 1), path: f.path.slice(this.dir.length + 1) }));
  }

  remove(name: string): boolean {
    if (!/^[a-z]+-[0-9a-f]{16}\.(json|csv|txt)$/.test(name) || !existsSync(join(this.dir, name))) return false;
    unlinkSync(join(this.dir, name));
    return true;
  }
}
