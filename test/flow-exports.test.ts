// End to end: Debian's softflowd reads a real capture and exports NetFlow v5, v9 or IPFIX to Bulwark's collector
// on loopback; devices and findings must agree with analysing the same capture as packets, where flow records
// carry the facts. Deliberate differences are asserted as such (see docs/flow-exports.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlowExports } from '../src/engine/analyze-flows.ts';
import { analyzeCaptures, type AnalysisResult } from '../src/engine/analyze-captures.ts';
import { detectors } from '../src/detect/registry.ts';

const traces = join(import.meta.dirname, 'traces');
const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const skip = !have('softflowd') ? 'softflowd not installed (scripts/test-tools.sh installs it)' : false;
const work = mkdtempSync(join(tmpdir(), 'bulwark-flowexp-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** softflowd -r CAPTURE -n 127.0.0.1:PORT -v VERSION into a live collector; the analysis once it is done. */
async function viaSoftflowd(capture: string, version: '5' | '9' | '10'): Promise<AnalysisResult & Awaited<ReturnType<typeof analyzeFlowExports>>> {
  const stop = new AbortController();
  let port = 0;
  let countDatagrams = (): number => 0;
  const run = analyzeFlowExports({ kind: 'udp', address: '127.0.0.1', port: 0, signal: stop.signal, onListening: (_a, p) => { port = p; } }, {
    onRun: (r) => { countDatagrams = () => r.datagramCount; },
  });
  while (port === 0) await new Promise((r) => setTimeout(r, 10));
  let datagrams = 0;
  let lastArrival = Date.now();
  const child = spawn('softflowd', ['-r', capture, '-n', `127.0.0.1:${port}`, '-v', version, '-d', '-p', join(work, `sfd-${port}.pid`), '-c', 'none'], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => { exited = true; });
  // softflowd exports everything at pcap EOF and exits ('-c none': with a control socket it can block in
  // accept() before reading the capture). Stop waiting once it has exited, or has been quiet for 3 s.
  const started = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const n = countDatagrams();
    if (n !== datagrams) {
      datagrams = n;
      lastArrival = Date.now();
    }
    if (exited && Date.now() - lastArrival > 300) break;
    if (datagrams > 0 && Date.now() - lastArrival > 3000) break;
    if (Date.now() - started > 60_000) break;
  }
  if (!exited) child.kill();
  stop.abort();
  return run;
}

// Only detectors that run on flow records can agree; the packet path has more (they say "needs packets").
const onFlows = new Set(detectors.filter((d) => d.needs === 'flows').map((d) => d.id));
// A finding quiet for an hour closes and comes back as a new occurrence (same id): list each finding once.
const findings = (r: AnalysisResult): string[] => [...new Set(r.findings.filter((f) => onFlows.has(f.detector)).map((f) => `${f.detector} ${f.devices.map((d) => `${d.role}:${d.ip}`).join(',')}`))].sort();
const counts = (r: AnalysisResult): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.detector] = (out[f.detector] ?? 0) + f.count;
  return out;
};
const deviceIps = (r: AnalysisResult): string[] => r.devices.flatMap((d) => d.ips.map((b) => b.ip)).sort();

for (const version of ['5', '9', '10'] as const) {
  test(`nmap SYN scan (synscan.pcap) through softflowd -v ${version}: same scan finding, same count, same device`, { skip }, async () => {
    const capture = join(traces, 'flow/synscan.pcap');
    const packetIds = new Set<string>();
    const [flows, packets] = [await viaSoftflowd(capture, version), await analyzeCaptures([capture], { onFlow: (f) => packetIds.add(f.community_id) })];
    assert.deepEqual(findings(flows), findings(packets));
    // The exported flows carry the same Community IDs as the packet path's flows (they join with Zeek data too).
    const exportedIds = flows.findings[0].community_ids;
    assert.ok(exportedIds.length > 0 && exportedIds.every((id) => packetIds.has(id)));
    assert.deepEqual(findings(flows), ['scan.vertical infected:172.16.0.8,victim:64.13.134.52']);
    // Packets judge each attempt at its SYN, exported records at their end: one attempt more on the packet path
    // (1994 vs 1993) is the difference seen here, not yet explained probe by probe.
    assert.ok(Math.abs(counts(flows)['scan.vertical'] - counts(packets)['scan.vertical']) <= 1, `${counts(flows)['scan.vertical']} vs ${counts(packets)['scan.vertical']}`);
    assert.deepEqual(deviceIps(flows), deviceIps(packets));
    const fx = flows.summary.flow_export;
    assert.equal(fx.records, fx.collector.records);
    assert.ok(fx.stitch.stitched > 0, 'answered probes (RST back) were stitched into two-way flows');
    assert.ok(flows.devices.every((d) => d.unobserved?.includes('dhcp')));
    // Packet-only detectors are skipped and listed, not run.
    assert.ok(fx.skipped_detectors.includes('credentials.cleartext'));
  });
}

test('spoofed SYN flood through softflowd -v 10 (IPFIX): same flood-victim finding and count', { skip }, async () => {
  const capture = join(traces, 'detect-net/synflood-spoofed-cut.pcap');
  const [flows, packets] = [await viaSoftflowd(capture, '10'), await analyzeCaptures([capture])];
  assert.deepEqual(findings(flows), ['ddos.flood-victim victim:10.10.10.10']);
  assert.deepEqual(findings(flows), findings(packets));
  assert.equal(counts(flows)['ddos.flood-victim'], counts(packets)['ddos.flood-victim']);
  assert.deepEqual(deviceIps(flows), deviceIps(packets));
});

test('Hakai C2 knocking through softflowd -v 9: same beaconing findings; ARP-only router is the deliberate difference', { skip }, async () => {
  const capture = join(traces, 'detect-net/hakai-c2-cut.pcap');
  const [flows, packets] = [await viaSoftflowd(capture, '9'), await analyzeCaptures([capture])];
  assert.deepEqual(findings(flows), findings(packets));
  assert.deepEqual(findings(flows), ['c2.beaconing infected:192.168.100.113,peer:128.185.250.50', 'c2.beaconing infected:192.168.100.113,peer:178.128.185.250']);
  const byId = (r: AnalysisResult): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of r.findings) m.set(f.id, (m.get(f.id) ?? 0) + f.count);
    return m;
  };
  assert.deepEqual(byId(flows), byId(packets));
  // Exporters do not export ARP: 192.168.100.1 shows itself to the packet path only through ARP.
  assert.deepEqual(deviceIps(packets).filter((ip) => !deviceIps(flows).includes(ip)), ['192.168.100.1']);
});

test('SSH brute force (Slips test19, port 902 rewritten to 22) through softflowd -v 5: same brute-force finding', { skip: skip || (!have('tcprewrite') && 'tcprewrite not installed') }, async () => {
  const capture = join(work, 'ssh-bruteforce-22.pcap');
  const r = spawnSync('tcprewrite', ['--portmap=902:22', `--infile=${join(traces, 'detect/ssh-bruteforce.first-400.pcap')}`, `--outfile=${capture}`]);
  assert.equal(r.status, 0);
  const [flows, packets] = [await viaSoftflowd(capture, '5'), await analyzeCaptures([capture])];
  assert.deepEqual(findings(flows), ['bruteforce.login attacker:147.32.80.40,victim:147.32.80.37']);
  assert.deepEqual(findings(flows), findings(packets));
  // Deliberate difference: flows count every short session to port 22; the packet path only those whose SSH
  // banner it saw (the cut capture truncates some), so the flow count is the larger.
  assert.ok(counts(flows)['bruteforce.login'] >= counts(packets)['bruteforce.login']);
});

test('bulwark analyze --flows-from-capture --out: flows with provenance, summary.json with the collector', () => {
  const out = join(work, 'cli-out');
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/bulwark.js'), 'analyze', '--flows-from-capture', '--quiet', '--out', out,
    join(traces, 'flowrec/pmacct-100-ipfix-cisco.pcap')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { flow_export: { records: number; datagrams: number } };
  // nfacctd's expected output for this capture has 12 records (test/traces/flowrec/pmacct-100-output-flow-00.json).
  assert.deepEqual([summary.flow_export.datagrams, summary.flow_export.records], [6, 12]);
  const flows = readFileSync(join(out, 'flows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { provenance?: { protocol: string; domain: number } });
  assert.equal(flows.length, 12);
  assert.ok(flows.every((f) => f.provenance?.protocol === 'ipfix' && [851968, 917504].includes(f.provenance.domain)));
});
