/**
 * `npm run bench:flows` (and the last section of `npm run bench`): the flow-export collector. softflowd exports
 * a real capture (NetFlow v5, v9, IPFIX) once; those datagrams, repeated, are the workload for
 *  - Bulwark decoding only (collector + stitching, in process) and the whole analysis
 *    (`analyze --flows-from-capture`: decode, inventory, flow detectors, assessment), records/s of wall time;
 *  - the live collectors side by side, Bulwark `analyze --netflow` and nfdump's `nfcapd`, fed the same
 *    datagrams over loopback: records per CPU-second of the collector process (the sender is not counted);
 *  - `nfdump -r` reading nfcapd's file back with a top-talkers aggregation.
 * Writes bench/work/flows-results.md and prints the table.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowCollector } from '../src/flowrec/collector.ts';
import { FlowStitcher } from '../src/flowrec/stitch.ts';
import { DatagramSpool } from '../src/flowrec/spool.ts';
import { listenUdp } from '../src/flowrec/udp-source.ts';
import { REPO } from './peers.ts';

const WORK = join(REPO, 'bench/work/flows');
const SOURCE = '/work/shared/captures/malicious/stopddos/pkt.TCP.synflood.spoofed.pcap';
const NODE = join(REPO, 'node_modules/.bin/node');
const repeat = Number(process.argv.find((a) => a.startsWith('--flow-repeat='))?.slice(14) ?? 20);

const which = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const log = (s: string): void => void process.stderr.write(s + '\n');

/** softflowd -r SOURCE -v VERSION into a spool: the export datagrams as they came off the wire. */
async function exportOnce(version: string): Promise<Uint8Array[]> {
  const stop = new AbortController();
  const out: Uint8Array[] = [];
  let port = 0;
  const sink = {
    datagram: (d: Uint8Array, off: number, len: number) => void out.push(d.slice(off, off + len)),
    tick: () => undefined,
  };
  const done = listenUdp(sink, '127.0.0.1', 0, stop.signal, (_a, p) => { port = p; });
  while (port === 0) await new Promise((r) => setTimeout(r, 10));
  const child = spawn('softflowd', ['-r', SOURCE, '-n', `127.0.0.1:${port}`, '-v', version, '-d', '-c', 'none', '-m', '65536', '-p', join(WORK, `sfd-${version}.pid`)], { stdio: 'ignore' });
  await new Promise((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 300));
  stop.abort();
  await done;
  return out;
}

function writePcap(path: string, datagrams: Uint8Array[], times: number): void {
  const spool = new DatagramSpool({ dir: WORK, intervalS: 1e9, localAddress: '127.0.0.1', localPort: 2055 }, () => undefined);
  let ts = 1_700_000_000;
  for (let r = 0; r < times; r++) for (const d of datagrams) spool.datagram(d, 0, d.length, { exporter: '192.0.2.1', ts: (ts += 0.0001), file: '', packet: 0 });
  spool.rotate();
  const made = readdirSync(WORK).filter((f) => f.startsWith('netflow-') && f.endsWith('.pcap')).map((f) => join(WORK, f));
  if (made.length !== 1) throw new Error('spool did not produce one file');
  rmSync(path, { force: true });
  spawnSync('mv', [made[0], path]);
}

function decodeOnly(datagrams: Uint8Array[], times: number): { records: number; seconds: number; cpuSeconds: number } {
  let records = 0;
  const stitcher = new FlowStitcher(() => undefined, () => undefined);
  const c = new FlowCollector((f) => { records++; stitcher.add(f); }, () => undefined);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let ts = 0;
  for (let r = 0; r < times; r++) for (const d of datagrams) c.datagram(d, 0, d.length, { exporter: '192.0.2.1', ts: (ts += 0.0001), file: '', packet: 0 });
  stitcher.flush();
  const cpu = process.cpuUsage(cpu0);
  return { records, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function timed(argv: string[]): { seconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout };
}

/** CPU seconds (user + system) of a live process, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Send the datagrams to 127.0.0.1:port in bursts, yielding between bursts so a receiver keeps up. */
async function send(port: number, datagrams: Uint8Array[], times: number): Promise<void> {
  const s = createSocket('udp4');
  let n = 0;
  for (let r = 0; r < times; r++) {
    for (const d of datagrams) {
      s.send(d, port, '127.0.0.1');
      if (++n % 8 === 0) await new Promise((res) => setTimeout(res, 1));
    }
  }
  await new Promise((res) => setTimeout(res, 500));
  s.close();
}

async function liveCollector(argv: string[], port: number, datagrams: Uint8Array[], times: number, ready: () => boolean): Promise<{ cpu: number; pid: number; wait: Promise<unknown> }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const t0 = Date.now();
  while (!ready() && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  const before = cpuSeconds(child.pid!);
  await send(port, datagrams, times);
  const cpu = cpuSeconds(child.pid!) - before;
  const wait = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await wait;
  void out;
  return { cpu, pid: child.pid!, wait };
}

export async function benchFlows(): Promise<string> {
  if (!which('softflowd') || !existsSync(SOURCE)) return '## Flow-export collector\n\nnot run: softflowd or the shared capture is missing.\n';
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const rows: string[][] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  for (const version of ['5', '9', '10']) {
    const datagrams = await exportOnce(version);
    const once = decodeOnly(datagrams, 1).records;
    const records = once * repeat;
    log(`v${version}: ${datagrams.length} datagrams, ${once} records per pass, x${repeat}`);
    const d = decodeOnly(datagrams, repeat);
    rows.push([`v${version}`, 'Bulwark decode + stitch (in process)', fmt(d.records), d.cpuSeconds.toFixed(2), fmt(d.records / d.cpuSeconds), `CPU s (wall ${d.seconds.toFixed(2)} s)`]);
    const pcap = join(WORK, `export-v${version}.pcap`);
    writePcap(pcap, datagrams, repeat);
    for (const extra of [[], ['--no-detect']]) {
      const t = timed([NODE, join(REPO, 'bin/bulwark.js'), 'analyze', '--flows-from-capture', pcap, '--quiet', ...extra]);
      rows.push([`v${version}`, `Bulwark analyze --flows-from-capture${extra.length ? ' --no-detect' : ''}`, fmt(records), t.seconds.toFixed(2), fmt(records / t.seconds), 'wall, whole process']);
    }
    // Live: the same datagrams over loopback to each collector; CPU of the collector while receiving.
    const port = 42000 + Number(version);
    const outDir = join(WORK, `bw-${version}`);
    const bw = await liveCollector([NODE, join(REPO, 'bin/bulwark.js'), 'analyze', '--netflow', `127.0.0.1:${port}`, '--quiet', '--out', outDir], port, datagrams, repeat,
      () => spawnSync('sh', ['-c', `ss -uln | grep -q 127.0.0.1:${port}`]).status === 0);
    const got = existsSync(join(outDir, 'summary.json')) ? (JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as { flow_export: { records: number } }).flow_export.records : 0;
    rows.push([`v${version}`, 'Bulwark analyze --netflow (live)', fmt(got), bw.cpu.toFixed(2), fmt(got / Math.max(0.01, bw.cpu)), `CPU s while receiving; ${fmt(records - got)} lost in the socket`]);
    if (which('nfcapd')) {
      const nfDir = join(WORK, `nf-${version}`);
      mkdirSync(nfDir, { recursive: true });
      const nf = await liveCollector(['nfcapd', '-w', nfDir, '-b', '127.0.0.1', '-p', String(port + 100), '-B', '8388608', '-t', '3600'], port + 100, datagrams, repeat,
        () => spawnSync('sh', ['-c', `ss -uln | grep -q 127.0.0.1:${port + 100}`]).status === 0);
      const files = readdirSync(nfDir).filter((f) => f.startsWith('nfcapd.') && !f.includes('current')).map((f) => join(nfDir, f));
      let stored = 0;
      let readS = 0;
      for (const f of files) {
        const t = timed(['nfdump', '-r', f, '-q', '-s', 'srcip/flows', '-n', '10']);
        readS += t.seconds;
        const c = timed(['nfdump', '-r', f, '-I']);
        stored += Number(/Flows:\s*(\d+)/.exec(c.stdout)?.[1] ?? 0);
      }
      rows.push([`v${version}`, 'nfcapd (live)', fmt(stored), nf.cpu.toFixed(2), fmt(stored / Math.max(0.01, nf.cpu)), `CPU s while receiving; ${fmt(records - stored)} lost in the socket`]);
      rows.push([`v${version}`, 'nfdump -r (top 10 sources by flows)', fmt(stored), readS.toFixed(2), fmt(stored / Math.max(0.001, readS)), 'wall, reads nfcapd\'s file']);
    }
  }
  const table = ['| export | tool | records | seconds | records/s | what the seconds are |', '|---|---|---:|---:|---:|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
  const md = `## Flow-export collector\n\nLoad average at the end: ${load} (on ${(await import('node:os')).cpus().length} CPUs): wall-time rows are only as good as the machine is quiet; the CPU-time rows are steadier.\n\nsoftflowd 1.1 exported \`${SOURCE.replace('/work/shared/captures/', '')}\` (37,841 real SYN-flood packets, one flow each) once per version; those datagrams repeated ${repeat} times are the workload. The live rows send them over loopback in bursts of 8 datagrams with 1 ms pauses (at most ~8,000 datagrams/s, ~240,000 records/s) and count the collector's CPU time while receiving.\n\n${table}\n`;
  writeFileSync(join(REPO, 'bench/work/flows-results.md'), md);
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stderr.write(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const md = await benchFlows();
  process.stdout.write(md);
}
