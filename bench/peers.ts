/**
 * The tools the benchmark runs: Bulwark's CLI and peer flow/DPI tools from Debian packages, each configured so it
 * reads the capture and sends nothing (and run.ts runs each inside `unshare -n` regardless).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = new URL('..', import.meta.url).pathname;

export interface Tool {
  /** Short id used by `--only`. */
  id: string;
  label: string;
  /** Debian package providing `bin` (undefined: part of this repo). */
  pkg?: string;
  bin: string;
  args(file: string, scratch: string): string[];
  /** Footnote for the results table. */
  note?: string;
  /** Packets above which the tool runs on a prefix of the workload and its time is scaled (slow tools). */
  prefixPackets?: number;
}

/** The Node flags a checkout's `bin/bulwark.js` runs with (its shebang line's), so a run here is a run as installed. */
export function shebangFlags(checkout: string): string[] {
  const first = readFileSync(join(checkout, 'bin/bulwark.js'), 'utf8').split('\n', 1)[0];
  return first.split(/\s+/).filter((t) => t.startsWith('--'));
}

export const BULWARK: Tool = {
  id: 'bulwark',
  label: 'Bulwark',
  bin: join(REPO, 'node_modules/.bin/node'),
  args: (file) => [...shebangFlags(REPO), join(REPO, 'bin/bulwark.js'), 'analyze', file, '--quiet'],
  note: 'Node 24, `analyze --quiet`: the full analysis — decoding, flows, reassembly, protocol analyzers, device inventory and identification, all 15 detectors, baseline assessment — with default limits and threads (two when a core is idle as the run starts; `--threads 1` is a row below) (`--max-flows`: least recently active flow evicted when full); no JSON written.',
};

export const PEERS: Tool[] = [
  {
    id: 'ndpi',
    label: 'nDPI ndpiReader',
    pkg: 'libndpi-bin',
    bin: 'ndpiReader',
    args: (file) => ['-i', file, '-q', '-v', '0'],
    note: '`-q -v 0`: DPI on every flow, no per-flow output.',
  },
  {
    id: 'argus',
    label: 'Argus',
    pkg: 'argus-server',
    bin: 'argus',
    args: (file) => ['-r', file, '-w', '/dev/null'],
    note: 'flow records written to /dev/null.',
  },
  {
    id: 'softflowd',
    label: 'softflowd',
    pkg: 'softflowd',
    bin: 'softflowd',
    // -c none: softflowd 1.1.0 reads an uninitialised pollfd with a control socket in -r mode and can hang in accept().
    // No -n: no NetFlow export socket at all.
    args: (file, scratch) => ['-r', file, '-d', '-6', '-c', 'none', '-p', join(scratch, 'softflowd.pid')],
    note: 'no `-n` (no export); default 8192-flow table, so it force-expires flows rather than holding them all.',
  },
  {
    id: 'tshark',
    label: 'tshark conv,ip',
    pkg: 'tshark',
    bin: 'tshark',
    args: (file) => ['-q', '-z', 'conv,ip', '-r', file],
    note: 'full dissection plus IPv4 conversation table.',
  },
  {
    id: 'tcpdump',
    label: 'tcpdump (read floor)',
    pkg: 'tcpdump',
    bin: 'tcpdump',
    args: (file) => ['-r', file, '-w', '/dev/null'],
    note: 'reads and rewrites every packet: the cost of libpcap I/O alone.',
  },
];

/** Absolute path of an executable found on PATH or in the sbin directories, or null. */
export function which(bin: string): string | null {
  if (bin.startsWith('/')) return isExecutable(bin) ? bin : null;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    if (d && isExecutable(join(d, bin))) return join(d, bin);
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs missing Debian packages with apt-get when running as root; returns the packages still missing.
 * `apt-get update` is tried once if the first install fails (stale lists).
 */
export function installMissing(pkgs: string[], log: (l: string) => void): string[] {
  if (pkgs.length === 0) return [];
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    log(`missing packages (not root or no apt-get, not installing): ${pkgs.join(' ')}`);
    return pkgs;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status === 0;
  log(`installing: ${pkgs.join(' ')}`);
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
  return pkgs.filter((p) => !isInstalled(p));
}

export function isInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function packageVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '?';
}

export function bulwarkAvailable(): boolean {
  return existsSync(join(REPO, 'src/cli/main.ts')) && existsSync(BULWARK.bin);
}

/** True when `unshare -n` works here (root, or user namespaces allowed). */
export function unshareWorks(): boolean {
  return spawnSync('unshare', ['-n', 'true']).status === 0;
}
