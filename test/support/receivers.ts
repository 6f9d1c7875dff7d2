/**
 * Real receivers on loopback for output tests: rsyslogd with its own configuration (UDP and TCP inputs,
 * one line per message with the fields rsyslog's RFC 5424 parser extracted), and free-port helpers.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export const hasRsyslog = (): boolean => spawnSync('rsyslogd', ['-v']).status === 0;

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  /** Lines written so far: `host|app|procid|msgid|sd|msg|severity|facility`. */
  lines(): string[];
  /** Waits until at least n lines arrived (or the time runs out). */
  waitFor(n: number, ms?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts rsyslogd in the foreground with a private configuration, work directory and pid file. */
export async function startRsyslog(): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-rsyslog-'));
  const udpPort = await freePort();
  const tcpPort = await freePort();
  const out = join(dir, 'received.log');
  writeFileSync(join(dir, 'rsyslog.conf'), `
global(workDirectory="${dir}")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" SupportOctetCountedFraming="on")
template(name="fields" type="string" string="%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%|%syslogseverity-text%|%syslogfacility-text%\\n")
*.* action(type="omfile" file="${out}" template="fields")
`);
  const child: ChildProcess = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], { stdio: 'ignore' });
  const lines = (): string[] => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
  const waitFor = async (n: number, ms = 5000): Promise<string[]> => {
    const end = Date.now() + ms;
    while (Date.now() < end && lines().length < n) await new Promise((r) => setTimeout(r, 50));
    return lines();
  };
  // Ready when the TCP input accepts connections.
  const end = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
      s.connect(tcpPort, '127.0.0.1');
    });
    if (ok) break;
    if (Date.now() > end) throw new Error('rsyslogd did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    udpPort, tcpPort, lines, waitFor,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
