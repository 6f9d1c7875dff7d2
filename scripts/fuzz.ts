/**
 * `npm run fuzz [-- --packets N --cases N --seed S --max-seed-kb K --min-seed-kb K --seeds DIR]`: mutants of the real captures in test/traces
 * (record, header and protocol level; see test/hostile/fuzz-core.ts) through the whole analysis. Prints the
 * number of mutated packets analysed and of internal errors; crash inputs are saved to
 * test/hostile/regressions/ (replayed by `npm test`). Exit code 1 when any internal error was found.
 * @module
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzCaptures, seedFiles } from '../test/hostile/fuzz-core.ts';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    cases: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    'max-seed-kb': { type: 'string', default: '1024' },
    'min-seed-kb': { type: 'string', default: '0' },
    /** More seed captures (e.g. ../shared/captures), searched recursively. */
    seeds: { type: 'string', multiple: true, default: [] },
  },
});
const minBytes = Number(values['min-seed-kb']) * 1024;
const seeds = seedFiles(Number(values['max-seed-kb']) * 1024, values.seeds).filter((p) => statSync(p).size >= minBytes);
const workDir = mkdtempSync(join(tmpdir(), 'bulwark-fuzz-'));
const saveDir = join(import.meta.dirname, '..', 'test', 'hostile', 'regressions');
const started = performance.now();
let lastPrint = 0;
const run = await fuzzCaptures({
  seeds, workDir, saveDir, seed: Number(values.seed), maxCases: Number(values.cases), maxPackets: Number(values.packets),
  onCase: (r) => {
    const t = performance.now();
    if (t - lastPrint < 10_000) return;
    lastPrint = t;
    process.stderr.write(`fuzz: ${r.cases} cases, ${r.packets.toLocaleString('en')} mutated packets, ${r.internalErrors} internal errors (${((t - started) / 1000).toFixed(0)} s)\n`);
  },
});
rmSync(workDir, { recursive: true, force: true });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`fuzz seed ${values.seed}: ${run.cases} cases over ${seeds.length} seed captures, ${run.packets.toLocaleString('en')} mutated packets, ` +
  `${run.internalErrors} internal errors, ${seconds.toFixed(0)} s${run.saved.length ? `; saved: ${run.saved.join(', ')}` : ''}\n`);
process.exitCode = run.internalErrors > 0 ? 1 : 0;
