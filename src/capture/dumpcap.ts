/**
 * Live capture through Debian's dumpcap (package wireshark-common) as a child process: it holds the
 * capture privilege (CAP_NET_RAW through its group or setcap), Bulwark needs none. dumpcap writes pcapng
 * to its standard output, read by the same reader as files and pipes; when it stops it writes interface
 * statistics blocks, which carry the kernel and interface drop counters.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readCaptureStream } from './open.ts';
import { CaptureError, type CaptureSummary, type PacketRecord } from './types.ts';

export interface LiveCaptureOptions {
  /** One interface, or several captured together (dumpcap -i a -i b: one pcapng, one block per interface). */
  interface: string | readonly string[];
  /** Capture filter in BPF syntax (as tcpdump takes it), applied on every interface. */
  filter?: string;
  /** Bytes kept of each packet (dumpcap -s; default: whole packets). */
  snaplen?: number;
  /** Kernel capture buffer, MiB (dumpcap -B; default 32: a burst waits there instead of being dropped). */
  bufferMiB?: number;
  /** The dumpcap program (default 'dumpcap' on PATH). */
  program?: string;
  /** Seconds to wait, after a stop, for dumpcap to write its statistics and exit before it is killed. */
  stopGraceS?: number;
  /** Called once dumpcap reports that it is capturing. */
  onStarted?: () => void;
}

/** Why a live capture could not start: the CLI prints `message` and exits with code 4. */
export type LiveFailure = 'missing_tool' | 'permission' | 'no_such_interface' | 'bad_filter' | 'failed';

export const installHint = "install Debian's dumpcap: sudo apt-get install wireshark-common";
export const privilegeHint =
  "run as root, or let your user capture: sudo dpkg-reconfigure wireshark-common (answer yes) and sudo usermod -aG wireshark $USER " +
  '(then log in again), or grant the capability: sudo setcap cap_net_raw,cap_net_admin+eip /usr/bin/dumpcap';

/** One sentence on what went wrong and what to do, from dumpcap's exit and its standard error. */
export function classifyFailure(iface: string, stderr: string, spawnError?: NodeJS.ErrnoException): { kind: LiveFailure; message: string } {
  if (spawnError?.code === 'ENOENT') return { kind: 'missing_tool', message: `dumpcap was not found: ${installHint}.` };
  if (spawnError?.code === 'EACCES') return { kind: 'permission', message: `dumpcap cannot be run (permission denied): ${privilegeHint}.` };
  if (/permission|not permitted|privilege/i.test(stderr)) return { kind: 'permission', message: `no permission to capture on ${iface}: ${privilegeHint}.` };
  if (/no such device|there is no (device|interface)|doesn't exist|isn't up|not up/i.test(stderr)) {
    return { kind: 'no_such_interface', message: `cannot capture on '${iface}' (no such interface, or it is down): 'bulwark interfaces' lists those that can be captured.` };
  }
  if (/filter|syntax error|expression/i.test(stderr)) return { kind: 'bad_filter', message: `dumpcap rejected the capture filter: ${firstLine(stderr)}.` };
  return { kind: 'failed', message: `dumpcap failed on ${iface}: ${firstLine(stderr) || 'no message'}.` };
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^capturing on|^file:/i.test(l));
  return (lines[0] ?? '').replace(/\.$/, '');
}

export interface LiveCaptureSummary extends CaptureSummary {
  /** Set when the capture could not run (the CLI exits with code 4). */
  failure?: { kind: LiveFailure; message: string };
}

/**
 * Capture from `options.interface` until `signal` aborts (or dumpcap ends). On abort dumpcap gets SIGTERM,
 * writes its statistics and exits; the summary then carries its drop counters.
 */
export async function captureLive(options: LiveCaptureOptions, onPacket: (rec: PacketRecord) => void, signal?: AbortSignal): Promise<LiveCaptureSummary> {
  const ifaces = interfaceList(options.interface);
  const shown = ifaces.join(', ');
  const name = liveSourceName(options.interface);
  const args: string[] = [];
  // dumpcap takes capture options after the -i they apply to: repeat them for each interface.
  for (const i of ifaces) {
    args.push('-i', i, '-B', String(options.bufferMiB ?? 32));
    if (options.filter) args.push('-f', options.filter);
    if (options.snaplen !== undefined) args.push('-s', String(options.snaplen));
  }
  args.push('-w', '-', '-q');
  let child: ChildProcess;
  let spawnError: NodeJS.ErrnoException | undefined;
  let stderr = '';
  try {
    const [command, ...argv] = withParentDeathSignal(options.program ?? 'dumpcap', args);
    child = childProcess().spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return failed(name, classifyFailure(shown, '', err as NodeJS.ErrnoException));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      spawnError = err as NodeJS.ErrnoException;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  child.stderr!.setEncoding('utf8');
  let started = false;
  child.stderr!.on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
    if (!started && /capturing on/i.test(stderr)) {
      started = true;
      options.onStarted?.();
    }
  });
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    stopped = true;
    child.kill('SIGTERM');
    // dumpcap normally exits at once; if it hangs, stop reading anyway.
    killTimer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout!.destroy();
    }, (options.stopGraceS ?? 5) * 1000);
  };
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  const summary: LiveCaptureSummary = await readCaptureStream(child.stdout!, name, onPacket);
  const code = await exited;
  clearTimeout(killTimer);
  signal?.removeEventListener('abort', stop);
  if (spawnError || (summary.packets === 0 && !stopped && code !== 0) || (summary.packets === 0 && summary.error && /empty|too short/.test(summary.error.reason) && code !== 0)) {
    return failed(name, classifyFailure(shown, stderr, spawnError));
  }
  // Stopped by us: a record cut short by the stop is not a fault of the capture.
  if (stopped && summary.error && /runs past|truncated|empty/.test(summary.error.reason)) delete summary.error;
  return summary;
}

/**
 * dumpcap outlives a process killed with SIGKILL (no handler runs to stop it), and on a quiet link it never
 * writes, so it never meets the closed pipe either: it would capture on for ever. On Linux it is started
 * under util-linux's `setpriv --pdeathsig TERM`, so the kernel signals it when the thread that started it
 * dies. The kernel drops that setting when it executes a program with file capabilities — the usual way to let
 * dumpcap capture without root (`setcap cap_net_raw…`) — so the signal goes to a small shell that stays
 * between: it passes SIGTERM on to dumpcap (which then writes its statistics and exits, as when stopped) and
 * exits with dumpcap's status. Where setpriv or the program cannot be found, the program is run as it is (and
 * a missing program is reported as before).
 */
export function withParentDeathSignal(program: string, args: readonly string[]): string[] {
  if (process.platform !== 'linux') return [program, ...args];
  const setpriv = onPath('setpriv');
  const shell = onPath('sh');
  const resolved = program.includes('/') ? (existsSync(program) ? program : undefined) : onPath(program);
  if (setpriv === undefined || shell === undefined || resolved === undefined) return [program, ...args];
  return [setpriv, '--pdeathsig', 'TERM', '--', shell, '-c', FORWARD_TERM, 'bulwark-capture', resolved, ...args];
}

/** Runs "$@" in the background, forwards SIGTERM/SIGINT to it, and exits with its status once it has ended. */
const FORWARD_TERM = 'trap \'kill -TERM "$p" 2>/dev/null\' TERM INT; "$@" & p=$!; while :; do wait "$p"; s=$?; kill -0 "$p" 2>/dev/null || exit "$s"; done';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function interfaceList(i: string | readonly string[]): string[] {
  return typeof i === 'string' ? [i] : [...i];
}

/** The source name of a live capture, carried by every event as its `file`: 'interface:eth0', 'interface:eth0+wlan0'. */
export function liveSourceName(i: string | readonly string[]): string {
  return `interface:${interfaceList(i).join('+')}`;
}

function failed(name: string, failure: { kind: LiveFailure; message: string }): LiveCaptureSummary {
  return {
    file: name, format: 'pcapng', gzip: false, packets: 0, capturedBytes: 0, skippedBlocks: 0,
    error: new CaptureError(name, 0, failure.message), failure,
  };
}

/**
 * node:child_process when a capture starts: every `analyze` loads this module, and a run that reads files loaded
 * child_process for nothing (callgrind, `analyze samples/dlink-camera-setup.pcap`: 590–596 M instructions with it,
 * 581–584 M without).
 */
const childProcess = () => process.getBuiltinModule('node:child_process');

/** Interfaces dumpcap can capture on (`dumpcap -D`): name and description. */
export function listInterfaces(program = 'dumpcap'): Promise<{ interfaces: { name: string; description?: string }[] } | { failure: { kind: LiveFailure; message: string } }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    const child = childProcess().spawn(program, ['-D'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', (e) => resolve({ failure: classifyFailure('any', '', e as NodeJS.ErrnoException) }));
    child.once('close', (code) => {
      if (code !== 0 && out.trim() === '') {
        resolve({ failure: classifyFailure('any', err) });
        return;
      }
      const interfaces = out.split('\n').map((l) => /^\s*\d+\.\s+(\S+)(?:\s+\((.*)\))?/.exec(l)).filter((m) => m !== null)
        .map((m) => (m[2] ? { name: m[1], description: m[2] } : { name: m[1] }));
      resolve({ interfaces });
    });
  });
}
