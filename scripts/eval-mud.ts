/**
 * Evaluate learned MUD profiles on the IoT Sentinel captures (npm run eval:mud):
 * 1. leave-one-capture-out per device (the MAC of _iotdevice-mac.txt): learn the profile from the device's
 *    other captures, then match every IP flow of the device in the held-out capture against it — rules,
 *    coverage (flows allowed ÷ flows of the device), false violations (distinct policy.mud findings, i.e.
 *    device/direction/protocol/port/peer, and violating flows) per hour of held-out capture;
 * 2. hostile traffic: each device's profile (learned from all its captures) bound to a scanning or infected
 *    host of the malicious captures (ground truth in ../shared/captures/MANIFEST.md) — how much of that
 *    host's traffic the profile would have flagged.
 * Each capture is decoded once; learning and matching replay the recorded DNS answers and flows in order.
 * Usage: node scripts/eval-mud.ts [iot-sentinel-folder] [--json FILE] [--verbose DEVICE]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pipeline, type EventRecord } from '../src/pipeline/analyze.ts';
import type { FlowRecord } from '../src/flow/types.ts';
import { Inventory } from '../src/inventory/inventory.ts';
import type { DeviceLookup, DeviceRecord } from '../src/inventory/types.ts';
import { normaliseMac } from '../src/inventory/oui.ts';
import { MudLearner } from '../src/mud/learn.ts';
import { PolicyWatch, type Violation } from '../src/mud/watch.ts';
import { validateMud } from '../src/mud/document.ts';
import { readableRules } from '../src/mud/review.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonOut = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
const verboseAt = argv.indexOf('--verbose');
/** `--verbose DEVICE`: print that device's violations (to see what the learner missed). */
const verbose = verboseAt >= 0 ? argv[verboseAt + 1] : undefined;
const root = argv.find((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1) && (verboseAt < 0 || i !== verboseAt + 1)) ?? join(here, '../../shared/captures/benign-iot/iot-sentinel');
const malicious = join(root, '../../malicious');

type Item = { dns: EventRecord } | { flow: FlowRecord };
interface Recorded {
  path: string;
  items: Item[];
  devices: DeviceRecord[];
  duration_s: number;
}

async function record(path: string): Promise<Recorded> {
  const pipeline = new Pipeline();
  const inventory = new Inventory({}).attach(pipeline);
  const items: Item[] = [];
  pipeline.on('dns.response', (ev) => items.push({ dns: ev }));
  pipeline.onFlow((flow) => items.push({ flow }));
  const summary = await pipeline.run([path]);
  const ts = items.flatMap((i) => ('flow' in i ? [i.flow.first_ts, i.flow.last_ts] : []));
  const duration = ts.length ? Math.max(...ts) - Math.min(...ts) : 0;
  void summary;
  return { path, items, devices: inventory.devices(), duration_s: duration };
}

/** One lookup over several captures' inventories (first record of a MAC or IP wins). */
function lookupOf(recs: Recorded[]): DeviceLookup {
  const byMac = new Map<string, DeviceRecord>();
  const byIp = new Map<string, DeviceRecord>();
  for (const r of recs) {
    for (const d of r.devices) {
      if (d.mac && !byMac.has(d.mac)) byMac.set(d.mac, d);
      for (const b of d.ips) if (!byIp.has(b.ip)) byIp.set(b.ip, d);
    }
  }
  return { byMac: (m) => byMac.get(m), byIp: (ip) => byIp.get(ip) };
}

function learn(mac: string, recs: Recorded[]): ReturnType<MudLearner['profiles']>[number] | undefined {
  const learner = new MudLearner({ devices: [mac] });
  for (const r of recs) {
    learner.noteCapture(r.path);
    for (const it of r.items) {
      if ('dns' in it) learner.names.onDnsResponse(it.dns);
      else learner.onFlow(it.flow);
    }
  }
  return learner.profiles(lookupOf(recs))[0];
}

function check(profile: NonNullable<ReturnType<typeof learn>>, rec: Recorded, asMac?: string): { flows: number; violations: Violation[]; keys: Set<string> } {
  const violations: Violation[] = [];
  const sidecar = { ...profile.sidecar, mac: asMac ?? profile.sidecar.mac, state: 'locked' as const };
  const watch = new PolicyWatch([{ mud: profile.mud, sidecar }], (v) => violations.push(v), lookupOf([rec]));
  for (const it of rec.items) {
    if ('dns' in it) watch.onDns(it.dns);
    else watch.onFlow(it.flow);
  }
  // The policy.mud detector's aggregation key: outbound per peer name (or unnamed local / Internet), inbound per port.
  const keys = new Set(violations.map((v) => (v.initiated === 'from-device' ? `out|${v.transport}|${v.peerName ?? (v.peerLocal ? 'local' : 'Internet')}` : `in|${v.transport}|${v.port}`)));
  return { flows: watch.flowsChecked, violations, keys };
}

const t0 = performance.now();
const devices: { name: string; mac: string; recs: Recorded[] }[] = [];
for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  if (!existsSync(join(dir, '_iotdevice-mac.txt'))) continue;
  const mac = normaliseMac(readFileSync(join(dir, '_iotdevice-mac.txt'), 'utf8').trim());
  if (!mac) continue;
  const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const recs: Recorded[] = [];
  for (const f of files) recs.push(await record(join(dir, f)));
  devices.push({ name, mac, recs });
}
const tRecord = performance.now() - t0;

interface Row { device: string; captures: number; rules: number; flows: number; allowed: number; violationFlows: number; findings: number; hours: number; valid: boolean }
const rows: Row[] = [];
for (const d of devices) {
  if (d.recs.length < 2) continue;
  const row: Row = { device: d.name, captures: d.recs.length, rules: 0, flows: 0, allowed: 0, violationFlows: 0, findings: 0, hours: 0, valid: true };
  for (let i = 0; i < d.recs.length; i++) {
    const profile = learn(d.mac, d.recs.filter((_, j) => j !== i));
    if (!profile) continue;
    row.valid &&= validateMud(profile.mud).length === 0;
    row.rules += readableRules(profile.mud).filter((r) => r.direction === 'from-device').length;
    const c = check(profile, d.recs[i]);
    if (verbose === d.name) for (const v of c.violations) console.log(`  ${d.recs[i].path.split('/').at(-1)}: ${v.initiated} ${v.transport} ${v.deviceIp} ↔ ${v.peerName ?? ''} ${v.peerIp}:${v.port} denied ${v.deniedDirection}`);
    row.flows += c.flows;
    row.allowed += c.flows - c.violations.length;
    row.violationFlows += c.violations.length;
    row.findings += c.keys.size;
    row.hours += d.recs[i].duration_s / 3600;
  }
  row.rules = Math.round(row.rules / d.recs.length);
  rows.push(row);
}

const pct = (a: number, b: number): string => (b === 0 ? '—' : `${((a / b) * 100).toFixed(1)} %`);
console.log(`Leave-one-capture-out over ${rows.reduce((n, r) => n + r.captures, 0)} captures of ${rows.length} devices (${root})\n`);
console.log('| device | captures | rules (mean) | device flows held out | coverage | violating flows | false findings | findings per hour |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.device} | ${r.captures} | ${r.rules} | ${r.flows} | ${pct(r.allowed, r.flows)} | ${r.violationFlows} | ${r.findings} | ${(r.findings / r.hours).toFixed(1)} |`);
}
const tot = rows.reduce((a, r) => ({ flows: a.flows + r.flows, allowed: a.allowed + r.allowed, vf: a.vf + r.violationFlows, f: a.f + r.findings, h: a.h + r.hours }), { flows: 0, allowed: 0, vf: 0, f: 0, h: 0 });
const medianCoverage = rows.map((r) => (r.flows ? r.allowed / r.flows : 1)).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(`| **all** | | | ${tot.flows} | **${pct(tot.allowed, tot.flows)}** | ${tot.vf} | ${tot.f} | ${(tot.f / tot.h).toFixed(1)} |`);
console.log(`\nmedian per-device coverage ${(medianCoverage * 100).toFixed(1)} %; ${rows.filter((r) => r.valid).length}/${rows.length} devices' learned files valid against the schema; ${tot.h.toFixed(2)} h of held-out traffic`);

// 2. Hostile hosts (MANIFEST.md ground truth): the profile of each device bound to the host's MAC.
const hostile = [
  { file: 'iot23-CTU-IoT-Malware-Capture-8-1-hakai/2018-07-31-15-15-09-192.168.100.113.pcap', ip: '192.168.100.113', what: 'Hakai-infected host (C2 attempts to TCP/50)' },
  { file: 'ndpi/synscan.pcap', ip: '172.16.0.8', what: 'nmap SYN scan of ~1000 ports' },
  { file: 'spiderlabs-mirai/2016-11-07-10-35.pcap', ip: '192.168.0.2', what: 'Mirai scan, brute force and loader against the host' },
];
const hostileRows: { what: string; flows: number; flagged: number; minFlagged: number; findings: number }[] = [];
const fullProfiles = devices.map((d) => learn(d.mac, d.recs)).filter((p): p is NonNullable<typeof p> => p !== undefined);
for (const h of hostile) {
  const path = join(malicious, h.file);
  if (!existsSync(path)) continue;
  const rec = await record(path);
  const mac = rec.items.map((i) => ('flow' in i ? (i.flow.orig_ip === h.ip ? i.flow.orig_mac : i.flow.resp_ip === h.ip ? i.flow.resp_mac : undefined) : undefined)).find((m) => m);
  if (!mac) continue;
  let flows = 0;
  let flagged = 0;
  let minFlagged = 1;
  let findings = 0;
  for (const p of fullProfiles) {
    const c = check(p, rec, mac);
    flows += c.flows;
    flagged += c.violations.length;
    findings += c.keys.size;
    if (c.flows) minFlagged = Math.min(minFlagged, c.violations.length / c.flows);
    if (verbose === 'hostile') console.log(`  ${h.file.split('/')[0]} under ${p.sidecar.mac}: ${c.violations.length}/${c.flows}; inbound TCP/23 flagged ${c.violations.filter((v) => v.initiated === 'to-device' && v.port === 23).length}`);
  }
  hostileRows.push({ what: `${h.what}: ${h.file.split('/').at(-1)}`, flows: flows / fullProfiles.length, flagged: flagged / fullProfiles.length, minFlagged, findings: findings / fullProfiles.length });
}
console.log(`\nHostile traffic under each of the ${fullProfiles.length} devices' profiles (means over profiles)\n`);
console.log('| host | its flows | flagged flows (mean) | flagged share (mean) | flagged share (least) | findings (mean) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of hostileRows) console.log(`| ${r.what} | ${Math.round(r.flows)} | ${Math.round(r.flagged)} | ${pct(r.flagged, r.flows)} | ${(r.minFlagged * 100).toFixed(1)} % | ${r.findings.toFixed(1)} |`);
console.log(`\n(decoding ${(tRecord / 1000).toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, hostile: hostileRows }, null, 2) + '\n');
