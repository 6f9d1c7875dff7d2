/**
 * `npm run bench`: Bulwark against peer tools on the mixed and flow-heavy workloads (bench/workload.ts).
 * Wall time from this process's clock around each run, peak RSS from GNU time (%M); every tool runs inside
 * `unshare -n`, so nothing it does can reach a network. Prints a table per workload and writes bench/results.md.
 *
 * Full-size runs write bench/results.md; --quick / --packets runs write bench/work/results-<packets>.md.
 * Options: --quick (200k-packet workloads), --packets N, --only bulwark,ndpi,... , --repeat N (best of N),
 *          --baseline DIR (also run the Bulwark checkout in DIR: before/after in the same conditions),
 *          --timeout S (per run, default 900), --tshark-prefix N (tshark on the first N packets, time scaled).
 * Other work on the machine skews the figures: results.md records the load average at the start.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { BULWARK, PEERS, REPO, bulwarkAvailable, installMissing, shebangFlags, packageVersion, unshareWorks, which } from './peers.ts';
import type { Tool } from './peers.ts';
import { benchFlows } from './flows.ts';
import { WORK_DIR, describe, ensurePrefix, ensureWorkloads, packetsFromArgs } from './workload.ts';
import type { Workload } from './workload.ts';

interface Options {
  packets: number;
  only: Set<string> | null;
  repeat: number;
  timeoutS: number;
  /** Run tshark on this many leading packets and scale (it is the slowest peer). */
  tsharkPrefix?: number;
  /** Another Bulwark checkout (e.g. the previous commit in a git worktree), run beside this one: before/after. */
  baseline?: string;
}

/** One tool on one workload: the best of `repeat` runs, or why there is no figure. */
interface Result {
  tool: Tool;
  wallS?: number;
  /** User + system CPU seconds of the best run (GNU time %U + %S): less skewed by other work than wall time. */
  cpuS?: number;
  rssKiB?: number;
  /** Packets the timed run read (a prefix for slow tools). */
  packetsRun?: number;
  /** Bulwark's own summary line, when it printed one. */
  reported?: Record<string, string>;
  unavailable?: string;
  notes: string[];
}

const TIME_BIN = '/usr/bin/time';
const FULL_PACKETS = 2_000_000;
const LOG_DIR = join(WORK_DIR, 'logs');

function parseOptions(argv: string[]): Options {
  const val = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = val('--only');
  const repeat = Number(val('--repeat') ?? 1);
  const timeoutS = Number(val('--timeout') ?? 900);
  const tsharkPrefix = val('--tshark-prefix');
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
  return {
    packets: packetsFromArgs(argv),
    only: only ? new Set(only.split(',').map((s) => s.trim())) : null,
    repeat,
    timeoutS,
    tsharkPrefix: tsharkPrefix === undefined ? undefined : Number(tsharkPrefix),
    baseline: val('--baseline'),
  };
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/** Runs `cmd` once inside `unshare -n` under GNU time; the process group is killed on timeout. */
async function runOnce(tool: Tool, file: string, tag: string, timeoutS: number, isolate: boolean): Promise<{ wallS: number; cpuS: number; rssKiB: number; stdout: string } | { error: string }> {
  const base = join(LOG_DIR, tag);
  const timeFile = `${base}.time`;
  const outPath = `${base}.out`;
  const errPath = `${base}.err`;
  const inner = [TIME_BIN, '-f', '%M %U %S', '-o', timeFile, tool.bin, ...tool.args(file, LOG_DIR)];
  const argv = isolate ? ['unshare', '-n', ...inner] : inner;
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: ['ignore', out, err], detached: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, timeoutS * 1000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  clearTimeout(timer);
  closeSync(out);
  closeSync(err);
  if (timedOut) return { error: `timed out after ${timeoutS} s` };
  if (code !== 0) {
    const lastErr = readFileSync(errPath, 'utf8').split('\n').filter((l) => l && !l.startsWith('Command exited')).slice(0, 1)[0] ?? '';
    return { error: `exit ${code}: ${lastErr.slice(0, 160)}` };
  }
  const [rss, user, sys] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wallS, cpuS: user + sys, rssKiB: rss, stdout: readFileSync(outPath, 'utf8') };
}

/** Bulwark's `--quiet` line (`packets=… bytes_per_flow=…`) or its text summary (`… N bytes/flow`). */
function parseBulwarkSummary(stdout: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const m of stdout.matchAll(/([a-z_]+)=([^\s]+)/g)) kv[m[1]] = m[2];
  const bpf = /([\d.,]+)\s*bytes\/flow/.exec(stdout);
  if (bpf && !kv.bytes_per_flow) kv.bytes_per_flow = bpf[1].replace(/,/g, '');
  const pk = /([\d,]+)\s+packets\b/.exec(stdout);
  if (pk && !kv.packets) kv.packets = pk[1].replace(/,/g, '');
  return kv;
}

async function measure(tool: Tool, w: Workload, opts: Options, isolate: boolean): Promise<Result> {
  const r: Result = { tool, notes: [] };
  let file = w.path;
  let packetsRun = w.packets;
  if (tool.prefixPackets && w.packets > tool.prefixPackets) {
    const p = ensurePrefix(w, tool.prefixPackets);
    file = p.path;
    packetsRun = p.packets;
    r.notes.push(`run on the first ${p.packets.toLocaleString('en-US')} packets; wall time scaled ×${(w.packets / p.packets).toFixed(1)}, RSS is the prefix run's`);
  }
  for (let i = 0; i < opts.repeat; i++) {
    log(`  ${tool.label}${opts.repeat > 1 ? ` (run ${i + 1}/${opts.repeat})` : ''} ...`);
    const res = await runOnce(tool, file, `${w.name}-${w.packets}-${tool.id}`, opts.timeoutS, isolate);
    if ('error' in res) {
      r.unavailable = `failed: ${res.error}`;
      return r;
    }
    if (r.wallS === undefined || res.wallS < r.wallS) {
      r.wallS = res.wallS;
      r.cpuS = res.cpuS;
      r.rssKiB = res.rssKiB;
      r.packetsRun = packetsRun;
      if (isBulwark(tool)) r.reported = parseBulwarkSummary(res.stdout);
    }
  }
  const rep = r.reported;
  if (rep?.packets !== undefined && Number(rep.packets) !== packetsRun) r.notes.push(`reported ${rep.packets} packets of ${packetsRun}`);
  if (rep?.flows !== undefined) r.notes.push(`reported ${Number(rep.flows).toLocaleString('en-US')} flows, ${rep.events ?? '?'} events`);
  return r;
}

/** Packets per second over the whole workload (a prefix run's rate stands for the whole). */
function pps(r: Result): number | undefined {
  return r.wallS !== undefined && r.packetsRun ? r.packetsRun / r.wallS : undefined;
}

function scaledWall(r: Result, w: Workload): number | undefined {
  return r.wallS !== undefined && r.packetsRun ? (r.wallS * w.packets) / r.packetsRun : undefined;
}

interface Row {
  tool: string;
  wall: string;
  cpu: string;
  pps: string;
  rss: string;
  ratio: string;
  bpf: string;
  note: string;
}

function rows(w: Workload, results: Result[]): Row[] {
  const bulwark = results.find((r) => r.tool === BULWARK);
  const bpps = bulwark ? pps(bulwark) : undefined;
  return results.map((r) => {
    const p = pps(r);
    const wall = scaledWall(r, w);
    const scaled = r.packetsRun !== undefined && r.packetsRun !== w.packets;
    return {
      tool: r.tool.label,
      wall: wall === undefined ? '—' : `${scaled ? '~' : ''}${wall.toFixed(2)}`,
      cpu: r.cpuS === undefined || !r.packetsRun ? '—' : `${scaled ? '~' : ''}${((r.cpuS * w.packets) / r.packetsRun).toFixed(2)}`,
      pps: p === undefined ? '—' : Math.round(p).toLocaleString('en-US'),
      rss: r.rssKiB === undefined ? '—' : (r.rssKiB / 1024).toFixed(0),
      ratio: p !== undefined && bpps !== undefined ? `${(bpps / p).toFixed(2)}×` : 'n/a',
      bpf: r.reported?.bytes_per_flow ?? (isBulwark(r.tool) && r.wallS !== undefined ? 'not printed' : ''),
      note: [r.unavailable, ...r.notes].filter(Boolean).join('; '),
    };
  });
}

const HEAD = ['tool', 'wall s', 'CPU s', 'packets/s', 'peak RSS MiB', 'Bulwark pps ÷ tool pps', 'Bulwark bytes/flow', 'notes'];

function toCells(r: Row): string[] {
  return [r.tool, r.wall, r.cpu, r.pps, r.rss, r.ratio, r.bpf, r.note];
}

function textTable(rs: Row[]): string {
  const cells = [HEAD, ...rs.map(toCells)];
  const widths = HEAD.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const right = new Set([1, 2, 3, 4, 5, 6]);
  const line = (c: string[]) => c.map((s, i) => (right.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function markdownTable(rs: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|---|${HEAD.slice(1, 7).map(() => '---:').join('|')}|---|`,
    ...rs.map((r) => `| ${toCells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

function isBulwark(t: Tool): boolean {
  return t.id.startsWith('bulwark');
}

/** Bulwark with a live-flow limit above the workload's flow count. */
function bulwarkAllFlows(flows: number): Tool {
  const limit = 2 ** Math.ceil(Math.log2(flows));
  return {
    ...BULWARK,
    id: 'bulwark-all-flows',
    label: `Bulwark --max-flows ${limit}`,
    args: (file, scratch) => [...BULWARK.args(file, scratch), '--max-flows', String(limit)],
    note: 'flow-heavy only: every flow of the flood stays live.',
  };
}

/** Bulwark from another checkout (its own code, this repo's Node), for before/after figures in one run. */
function baselineTool(dir: string): Tool {
  const path = resolve(dir);
  return {
    ...BULWARK,
    id: 'bulwark-baseline',
    label: `Bulwark baseline (${basename(path)})`,
    args: (file) => [...shebangFlags(path), join(path, 'bin/bulwark.js'), 'analyze', file, '--quiet'],
    note: `the same full analysis from the checkout in \`${path}\` (\`--baseline\`): the "before" of a change.`,
  };
}

/**
 * Bulwark without detectors and assessment, on one thread: the price of detection is the difference to the
 * `--threads 1` run (with two threads the detectors run beside the pipeline, and the difference would hide them).
 */
const BULWARK_NO_DETECT: Tool = {
  ...BULWARK,
  id: 'bulwark-no-detect',
  label: 'Bulwark --no-detect --threads 1',
  args: (file, scratch) => [...BULWARK.args(file, scratch), '--no-detect', '--threads', '1'],
  note: 'pipeline and device inventory only (no detectors, no assessment), on one thread: compare with `--threads 1`.',
};

/** Bulwark on one thread (`--threads 1`): the default run's ratio to it is the speed-up of the worker thread. */
const BULWARK_ONE_THREAD: Tool = {
  ...BULWARK,
  id: 'bulwark-1-thread',
  label: 'Bulwark --threads 1',
  args: (file, scratch) => [...BULWARK.args(file, scratch), '--threads', '1'],
  note: 'the same analysis on one thread (the default runs the pipeline in a worker thread beside the later stages when a core is idle; identical results).',
};

/** The CLI's default `--max-flows`, read from its help text. */
function defaultMaxFlows(): number | undefined {
  const help = spawnSync(BULWARK.bin, [join(REPO, 'src/cli/main.ts'), 'analyze', '--help'], { cwd: REPO, encoding: 'utf8' }).stdout ?? '';
  const m = /--max-flows[^\n]*default (\d+)/.exec(help);
  return m ? Number(m[1]) : undefined;
}

function machine(loadAtStart: number[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const nodeV = spawnSync(BULWARK.bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  const load = loadAtStart.map((x) => x.toFixed(2)).join(' ');
  return `nproc ${cpus().length}, CPU ${cpu}, RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${kernel}, node ${nodeV}; load average at start ${load}`;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const opts = parseOptions(process.argv.slice(2));
  const wanted = (id: string) => !opts.only || opts.only.has(id);
  mkdirSync(LOG_DIR, { recursive: true });

  const isolate = unshareWorks();
  if (!isolate) log('unshare -n is not available: peers will not run (they must have no network); Bulwark runs as is');
  const peers = PEERS.filter((t) => wanted(t.id)).map((t) => (t.id === 'tshark' && opts.tsharkPrefix ? { ...t, prefixPackets: opts.tsharkPrefix } : t));
  const needed = peers.filter((t) => !which(t.bin)).map((t) => t.pkg!);
  if (!which(TIME_BIN)) needed.push('time');
  const stillMissing = new Set(installMissing(needed, log));
  if (stillMissing.has('time')) throw new Error('GNU time (/usr/bin/time) is required: apt-get install time');

  const t0 = Date.now();
  const workloads = ensureWorkloads({ packets: opts.packets, log });
  for (const w of workloads) log(describe(w));

  const sections: string[] = [];
  const used = new Map<string, Tool>();
  for (const w of workloads) {
    log(`\n${w.name} (${w.packets.toLocaleString('en-US')} packets)`);
    const results: Result[] = [];
    if (wanted('bulwark')) {
      if (!bulwarkAvailable()) results.push({ tool: BULWARK, unavailable: 'not available (src/cli/main.ts missing)', notes: [] });
      else {
        const main = await measure(BULWARK, w, opts, isolate);
        results.push(main);
        if (opts.baseline) results.push(await measure(baselineTool(opts.baseline), w, opts, isolate));
        const one = await measure(BULWARK_ONE_THREAD, w, opts, isolate);
        if (one.wallS !== undefined && main.wallS !== undefined) one.notes.push(`the default run is ${(one.wallS / main.wallS).toFixed(2)}× the speed of one thread (${cpus().length} cores)`);
        results.push(one);
        results.push(await measure(BULWARK_NO_DETECT, w, opts, isolate));
        const limit = defaultMaxFlows();
        if (w.flows !== undefined && limit !== undefined && limit < w.flows) {
          // The default live-flow limit evicts most of a flood; this run keeps every flow live to price a flow.
          const all = await measure(bulwarkAllFlows(w.flows), w, opts, isolate);
          if (all.rssKiB !== undefined && main.rssKiB !== undefined) {
            const perFlow = ((all.rssKiB - main.rssKiB) * 1024) / (w.flows - limit);
            all.notes.push(`(RSS − default run's RSS) ÷ ${(w.flows - limit).toLocaleString('en-US')} extra live flows = ${perFlow.toFixed(0)} B/flow`);
          }
          results.push(all);
        }
      }
    }
    for (const t of peers) {
      const path = which(t.bin);
      if (!path) results.push({ tool: t, unavailable: `not installed (${t.pkg})`, notes: [] });
      else if (!isolate) results.push({ tool: t, unavailable: 'not run: unshare -n unavailable', notes: [] });
      else results.push(await measure({ ...t, bin: path }, w, opts, isolate));
    }
    for (const r of results) used.set(r.tool.id, r.tool);
    const rs = rows(w, results);
    process.stdout.write(`\n${w.name}: ${w.packets.toLocaleString('en-US')} packets, ${(w.bytes / 1e6).toFixed(1)} MB\n${textTable(rs)}\n`);
    sections.push(`## ${w.name}: ${w.packets.toLocaleString('en-US')} packets, ${(w.bytes / 1e6).toFixed(1)} MB\n\n${w.description}; \`${w.path.slice(REPO.length)}\`, sha256 \`${w.sha256}\`.\n\n${markdownTable(rs)}\n`);
  }

  // The flow-export collector (NetFlow/IPFIX datagrams, not packets) against nfcapd/nfdump: bench/flows.ts.
  if (wanted('flows')) sections.push(await benchFlows());

  const versions = peers.map((t) => `${t.pkg} ${packageVersion(t.pkg!)}`).join(', ');
  const md = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}\` on ${new Date().toISOString()}.`,
    '',
    `Machine: ${machine(loadAtStart)}.`,
    versions ? `Peers: ${versions}.` : '',
    '',
    'Method: each tool reads the same classic pcap from a warm page cache, inside `unshare -n` (no network at all).',
    `Wall time is measured around the process; CPU s is GNU time's user + system time (\`%U\` + \`%S\`); peak RSS is GNU time's \`%M\`; packets/s = workload packets / wall time${opts.repeat > 1 ? `; best of ${opts.repeat} runs` : ''}.`,
    '"Bulwark pps ÷ tool pps" above 1 means Bulwark is faster. Bytes/flow is what Bulwark reports for its flow table.',
    '',
    ...sections,
    '## Tools',
    '',
    ...[...used.values()].sort((a, b) => Number(isBulwark(b)) - Number(isBulwark(a))).map((t) => `- ${t.label}: \`${[t.bin, ...t.args('<file>', WORK_DIR + 'logs')].join(' ').replaceAll(REPO, '')}\` — ${t.note ?? ''}`),
    '',
    `Total benchmark time ${((Date.now() - t0) / 1000).toFixed(0)} s. Logs of the last run of each tool: \`bench/work/logs/\`.`,
    '',
  ].join('\n');
  // Only the full-size run updates the committed results; smaller runs go beside the workloads.
  const out = opts.packets === FULL_PACKETS ? join(REPO, 'bench/results.md') : join(WORK_DIR, `results-${opts.packets}.md`);
  writeFileSync(out, md);
  log(`\nwrote ${out.slice(REPO.length)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

await main();
