/**
 * A private nats-server with JetStream for one test: its own port and storage folder, so stopping or
 * killing it never touches the machine's NATS on 4222. `stop()` and `start()` again keep the storage (the
 * stream survives, like a real restart).
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './receivers.ts';

export const natsServerBinary = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => spawnSync(p, ['--version']).status === 0);

export class TestNatsServer {
  readonly port: number;
  readonly dir: string;
  private child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<TestNatsServer> {
    if (!natsServerBinary) throw new Error('nats-server is not installed');
    const server = new TestNatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'bulwark-nats-')));
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(natsServerBinary!, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const child = this.child;
    let log = '';
    child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server exited: ${log}`);
      if (await answers(this.port) && /Server is ready/.test(log)) return;
      await sleep(50);
    }
    throw new Error(`nats-server did not start on ${this.port}: ${log}`);
  }

  /** Stop (SIGTERM, or SIGKILL with `kill`) and wait for the process to end. */
  async stop(kill = false): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const ended = new Promise((r) => child.once('exit', r));
    child.kill(kill ? 'SIGKILL' : 'SIGTERM');
    await ended;
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
