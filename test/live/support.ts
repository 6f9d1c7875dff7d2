/**
 * Helpers for the live-capture tests: a network namespace of the test's own with a veth pair whose both
 * ends stay inside it (no addresses, no routes, IPv6 off: nothing but the replayed frames is on the link),
 * and polling of output files.
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Why the live tests cannot run here, or undefined when they can. */
export function liveTestBlocker(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, capture privilege): CI runs as root';
  for (const tool of ['ip', 'dumpcap', 'tcpreplay']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool} (scripts/test-tools.sh installs it)`;
  }
  const probe = `bulwark-probe-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create a network namespace here (ip netns add failed)';
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export class VethNamespace {
  readonly name: string;
  /** The capture end and the replay end; both live inside the namespace. */
  readonly captureIf = 'bwcap0';
  readonly replayIf = 'bwrep0';

  constructor(tag: string) {
    this.name = `bulwark-${tag}-${process.pid}`;
    const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'pipe' });
    ip('netns', 'add', this.name);
    try {
      this.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      this.exec(['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      ip('-n', this.name, 'link', 'add', this.captureIf, 'type', 'veth', 'peer', 'name', this.replayIf);
      ip('-n', this.name, 'link', 'set', this.captureIf, 'up');
      ip('-n', this.name, 'link', 'set', this.replayIf, 'up');
    } catch (err) {
      this.remove();
      throw err;
    }
  }

  /** argv to run `cmd` inside the namespace. */
  argv(cmd: string[]): string[] {
    return ['netns', 'exec', this.name, ...cmd];
  }

  exec(cmd: string[]): string {
    return execFileSync('ip', this.argv(cmd), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  remove(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/** Parsed JSON lines of a file (every line must be complete, valid JSON). */
export function jsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${path}: last line incomplete`);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` returns a value (or throw after `timeoutMs`). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
