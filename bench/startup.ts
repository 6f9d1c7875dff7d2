/**
 * `npm run bench:startup`: what a short run costs — process CPU time (user + system, from GNU time, so the
 * worker and GC threads count) and peak RSS — for:
 *   - `node -e 0` (the floor: Node's own start);
 *   - `bulwark --version` (the command line without a command);
 *   - `bulwark analyze tiny.pcap` (the first 10 packets of samples/dlink-camera-setup.pcap), bundled (what
 *     bin/bulwark.js runs), as separate modules (BULWARK_NO_BUNDLE=1), and from the npm package (`npm pack`,
 *     unpacked beside this checkout's node_modules; `--no-package` leaves it out);
 *   - `bulwark analyze samples/dlink-camera-setup.pcap` (624 packets);
 *   - `bulwark analyze FOLDER` with 300 small captures (a shared capture cut into pieces; one process), and
 *     one separate run per capture for comparison (measured on 10, scaled to 300).
 * Each figure is the median of --repeat N runs (default 5). Captures are cut in a temporary folder. The
 * first run after a code change compiles (Node's compile cache) and builds the OUI table cache: warm-up
 * runs are not counted. Each command runs with the code cache its own warm-up run wrote (dropCodeCaches). Writes bench/startup-results.md.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { shebangFlags } from './peers.ts';

const REPO = join(import.meta.dirname, '..');
const NODE = join(REPO, 'node_modules/.bin/node');
const BIN = join(REPO, 'bin/bulwark.js');
const SAMPLE = join(REPO, 'samples/dlink-camera-setup.pcap');
/** The shared Mirai capture (4,519 packets) when present, else the sample. */
const SHARED = join(REPO, '../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');
const FOLDER_FILES = 300;

interface Sample {
  cpuS: number;
  rssKiB: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** One run under GNU time: CPU seconds (user + system) and peak RSS. */
function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Sample {
  const out = spawnSync('/usr/bin/time', ['-f', '%U %S %M', NODE, ...args], { encoding: 'utf8', cwd: REPO, env });
  const last = out.stderr.trim().split('\n').at(-1) ?? '';
  const [user, sys, rss] = last.split(' ').map(Number);
  if (out.status !== 0 && out.status !== 2) throw new Error(`${args.join(' ')}: exit ${out.status}\n${out.stderr}`);
  return { cpuS: user + sys, rssKiB: rss };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Remove the checkout bundle's code caches (bin/bulwark.js), so that the warm-up run writes the one its command
 * runs with. A cache written by a bigger run holds more functions, which every later run reads: `analyze
 * tiny.pcap` took 170 ms of CPU with the cache a 2 M-packet run had written and 150 ms with its own.
 */
function dropCodeCaches(): void {
  const cacheDir = join(REPO, 'node_modules/.cache/bulwark');
  try {
    const { dir } = JSON.parse(readFileSync(join(cacheDir, 'current.json'), 'utf8')) as { dir: string };
    for (const name of readdirSync(join(cacheDir, dir))) if (name.endsWith('.cjs.cache')) rmSync(join(cacheDir, dir, name));
  } catch {
    // no bundle yet: the warm-up run builds it
  }
}

/**
 * The npm package as `npm pack` builds it, unpacked into `dir` with the checkout's node_modules beside it (what
 * `npm install` of the tarball would install, without the network): the path of its bin/bulwark.js, or undefined
 * when packing failed (said on stderr).
 */
function unpackedPackage(dir: string): string | undefined {
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (pack.status !== 0) {
    process.stderr.write(`npm pack failed (the package row is left out):\n${pack.stderr}\n`);
    return undefined;
  }
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string }[];
  const root = join(dir, 'unpacked');
  mkdirSync(root);
  const untar = spawnSync('tar', ['-xzf', join(dir, info.filename), '-C', root], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  symlinkSync(join(REPO, 'node_modules'), join(root, 'package/node_modules'));
  return join(root, 'package/bin/bulwark.js');
}

function measure(args: string[], repeat: number, env?: NodeJS.ProcessEnv): Sample {
  dropCodeCaches();
  timed(args, env); // warm-up: compile cache, OUI table cache, the bundled command line and its code cache
  const runs = Array.from({ length: repeat }, () => timed(args, env));
  return { cpuS: median(runs.map((r) => r.cpuS)), rssKiB: median(runs.map((r) => r.rssKiB)) };
}

/** Classic pcap (microsecond or nanosecond, either byte order): the global header and records [from, to). */
function pcapSlices(bytes: Buffer, pieces: number): Buffer[] {
  const magic = bytes.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && bytes.readUInt32BE(0) !== 0xa1b2c3d4 && bytes.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a classic pcap');
  const offsets: number[] = [];
  for (let off = 24; off + 16 <= bytes.length;) {
    offsets.push(off);
    const caplen = le ? bytes.readUInt32LE(off + 8) : bytes.readUInt32BE(off + 8);
    off += 16 + caplen;
  }
  offsets.push(bytes.length);
  const records = offsets.length - 1;
  const per = Math.max(1, Math.floor(records / pieces));
  const out: Buffer[] = [];
  for (let i = 0; i < pieces && i * per < records; i++) {
    const from = offsets[i * per];
    const to = offsets[i === pieces - 1 ? records : Math.min(records, (i + 1) * per)];
    out.push(Buffer.concat([bytes.subarray(0, 24), bytes.subarray(from, to)]));
  }
  return out;
}

function main(): void {
  const repeat = arg('--repeat', 5);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-startup-'));
  try {
    const tiny = join(dir, 'tiny.pcap');
    writeFileSync(tiny, pcapSlices(readFileSync(SAMPLE), 62)[0]); // the first 10 of 624 packets
    const folder = join(dir, 'captures');
    mkdirSync(folder);
    const source = existsSync(SHARED) ? SHARED : SAMPLE;
    const parts = pcapSlices(readFileSync(source), FOLDER_FILES);
    parts.forEach((p, i) => writeFileSync(join(folder, `part-${String(i).padStart(3, '0')}.pcap`), p));
    // The Node flags of bin/bulwark.js's first line: what an installed `bulwark` runs with.
    const analyze = (target: string): string[] => [...shebangFlags(REPO), BIN, 'analyze', target, '--quiet'];
    const rows: [string, Sample][] = [];
    const add = (label: string, s: Sample): void => {
      rows.push([label, s]);
      process.stderr.write(`${label}: ${(s.cpuS * 1000).toFixed(0)} ms CPU${Number.isNaN(s.rssKiB) ? '' : `, ${(s.rssKiB / 1024).toFixed(0)} MB`}\n`);
    };
    add('`node -e 0` (Node alone)', measure(['-e', '0'], repeat));
    add('`bulwark --version`', measure([BIN, '--version'], repeat));
    add('`bulwark analyze tiny.pcap` (10 packets)', measure(analyze(tiny), repeat));
    const packaged = process.argv.includes('--no-package') ? undefined : unpackedPackage(dir);
    if (packaged !== undefined) {
      // Its code caches in a folder of this run's own (as ~/.cache/bulwark would hold them), written by the warm-up.
      const env = { ...process.env, BULWARK_CACHE_DIR: join(dir, 'package-cache') };
      add('the same, the npm package (`npm pack`, unpacked)', measure([...shebangFlags(REPO), packaged, 'analyze', tiny, '--quiet'], repeat, env));
    }
    add('the same, modules unbundled (`BULWARK_NO_BUNDLE=1`)', measure(analyze(tiny), repeat, { ...process.env, BULWARK_NO_BUNDLE: '1' }));
    add('`bulwark analyze samples/dlink-camera-setup.pcap` (624 packets)', measure(analyze(SAMPLE), repeat));
    add(`\`bulwark analyze FOLDER\`: ${parts.length} captures, one process`, measure(analyze(folder), Math.max(1, Math.ceil(repeat / 2))));
    const each = Array.from({ length: 10 }, (_, i) => timed(analyze(join(folder, `part-${String(i).padStart(3, '0')}.pcap`))).cpuS);
    add(`${parts.length} separate runs (10 measured, scaled)`, { cpuS: (each.reduce((a, b) => a + b, 0) / each.length) * parts.length, rssKiB: NaN });
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    const md = [
      '# Start-up',
      '',
      `\`npm run bench:startup\` — process CPU time (user + system, GNU time), median of ${repeat} runs after a warm-up run that wrote the command's code cache;`,
      `${cpus().length} cores, load average at the end ${load}. Folder captures cut from \`${relative(REPO, source)}\`.`,
      '',
      '| run | CPU time | peak RSS |',
      '|---|---:|---:|',
      ...rows.map(([label, s]) => `| ${label} | ${s.cpuS >= 10 ? `${s.cpuS.toFixed(1)} s` : `${(s.cpuS * 1000).toFixed(0)} ms`} | ${Number.isNaN(s.rssKiB) ? '' : `${(s.rssKiB / 1024).toFixed(0)} MB`} |`),
      '',
    ].join('\n');
    writeFileSync(join(REPO, 'bench/startup-results.md'), md);
    process.stdout.write(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
