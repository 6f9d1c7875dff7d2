/**
 * Evaluate the OT/ICS coverage on the shared captures (npm run eval:ot): every trace under
 * <captures>/ot is analysed with every detector and the inventory, and for each the script prints the
 * industrial flows recognised, the unsafe commands found (ot.* findings: command, client -> server, unit,
 * count) and the devices identified (type, vendor, model, firmware, serial, roles), next to the facts the
 * manifest and the upstream expected outputs state. Exit status 1 when an expectation below is missed.
 * Lab traces use public addresses, so the inventory treats every address as local here (`localNets`);
 * the detectors keep Bulwark's defaults (private ranges are local).
 * Usage: node scripts/eval-ot.ts [captures-folder] [--json]
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../src/pipeline/analyze.ts';
import { DetectionEngine } from '../src/detect/engine.ts';
import { detectors } from '../src/detect/registry.ts';
import { Inventory } from '../src/inventory/inventory.ts';
import type { Finding } from '../src/detect/types.ts';
import type { DeviceRecord } from '../src/inventory/types.ts';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const root = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../../shared/captures', import.meta.url));

/** What each trace must yield, from MANIFEST.md and the expected outputs shipped with it. */
interface Expectation {
  /** Unsafe commands (finding command names) that must be found. */
  commands?: string[];
  /** Devices that must be identified: address, type, and identity fields that must match. */
  devices?: { ip: string; type: string; vendor?: string; model?: string; firmware?: string; serial?: string }[];
  truth: string;
}

const expected: Record<string, Expectation> = {
  'ot/suricata-verify/modbus/modbus.pcap': {
    commands: ['diagnostics force_listen_only_mode', 'diagnostics restart_communications_option'],
    devices: [{ ip: '10.0.0.3', type: 'plc' }],
    truth: 'MANIFEST: diagnostics (8) x8 from master 10.0.0.57 to 10.0.0.3, unit 10; writes (5, 6) from 10.0.0.9 after reads',
  },
  'ot/zeek/modbus/modbusSmall.pcap': { commands: ['write_multiple_coils'], devices: [{ ip: '118.189.96.132', type: 'plc' }], truth: 'Zeek baseline: 8 write multiple coils, unit 1' },
  // Loopback on both ends: the inventory makes no device of 127.0.0.1, and the write follows polling.
  'ot/suricata-verify/dnp3-eve/input.pcap': { truth: 'test.yaml: master 1 -> outstation 10 over loopback; write of the restart IIN after polling (no unsafe command)' },
  'ot/zeek/dnp3/dnp3_read.pcap': { devices: [{ ip: '130.126.140.229', type: 'rtu' }], truth: 'Zeek dnp3.log: READ -> RESPONSE' },
  'ot/zeek/dnp3/dnp3_write.pcap': { commands: ['write'], devices: [{ ip: '130.126.140.229', type: 'rtu' }], truth: 'Zeek dnp3.log: WRITE (g50v1 time) from a new master' },
  'ot/zeek/dnp3/dnp3_select_operate.pcap': { commands: ['select'], devices: [{ ip: '130.126.140.229', type: 'rtu' }], truth: 'Zeek dnp3.log: SELECT, OPERATE of a CROB' },
  'ot/icsnpp-s7comm/s7ident.pcap': {
    commands: ['start_upload'],
    devices: [{ ip: '172.17.0.2', type: 'plc', vendor: 'Siemens', serial: 'S C-C2UR28922012', firmware: 'V3.2.6' }],
    truth: "ICSNPP s7comm_known_devices.log: 'SNAP7-SERVER', 'CPU 315-2 PN/DP', serial 'S C-C2UR28922012'",
  },
  'ot/icsnpp-s7comm/snap7.pcap': {
    commands: ['plc_stop', 'plc_control _MODU', 'plc_control _GARB', 'plc_control P_PROGRAM', 'start_upload', 'set_clock', 'write_var'],
    devices: [{ ip: '134.217.61.211', type: 'plc', vendor: 'Siemens', serial: 'S C-B1U393142011', firmware: 'V3.2.7' }],
    truth: 'ICSNPP s7comm.log: PLC Stop, PLC Control _MODU/_GARB/P_PROGRAM, uploads, Set Clock; Write Variable before any Read Variable',
  },
  'ot/ndpi/s7comm.pcap': {
    commands: ['request_download', 'download_block', 'download_ended', 'plc_control _INSE'],
    devices: [{ ip: '192.168.1.40', type: 'plc', vendor: 'Siemens' }],
    truth: 'MANIFEST (tshark): programming station downloads DB1 and activates it (_INSE)',
  },
};

function captures(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.(pcap|pcapng|cap)$/.test(name)) out.push(p);
  }
  return out;
}

interface TraceResult {
  trace: string;
  packets: number;
  apps: Record<string, number>;
  anomalies: Record<string, number>;
  commands: { detector: string; command: string; client: string; server: string; unit: string; count: number; severity: string }[];
  otherFindings: { detector: string; title: string }[];
  devices: { ip: string; type: string; vendor?: string; model?: string; firmware?: string; serial?: string; roles?: string[] }[];
  missed: string[];
}

const otApps = new Set(['modbus', 'dnp3', 's7comm', 'bacnet', 'opcua', 'iec104']);

async function analyse(path: string): Promise<TraceResult> {
  const trace = relative(root, path);
  const pipeline = new Pipeline();
  const engine = new DetectionEngine(detectors).attach(pipeline);
  const inventory = new Inventory({ localNets: ['0.0.0.0/0', '::/0'] }).attach(pipeline);
  const summary = await pipeline.run([path]);
  const findings: Finding[] = engine.findings();
  const commands = findings.filter((f) => f.detector.startsWith('ot.') && typeof f.facts?.command === 'string').map((f) => ({
    detector: f.detector, command: String(f.facts!.command), client: String(f.facts!.client), server: String(f.facts!.server),
    unit: String(f.facts!.unit ?? ''), count: f.count, severity: f.severity,
  }));
  const otherFindings = findings.filter((f) => !commands.some((c) => c.detector === f.detector && f.facts?.command === c.command)).map((f) => ({ detector: f.detector, title: f.title }));
  const devices = inventory.devices().filter((d: DeviceRecord) => d.identification.roles !== undefined).map((d) => {
    const id = d.identification;
    return { ip: d.ips.map((b) => b.ip).join(','), type: id.type, vendor: id.vendor, model: id.model, firmware: id.firmware, serial: id.serial, roles: id.roles };
  });
  const apps = Object.fromEntries(Object.entries(summary.apps).filter(([a]) => otApps.has(a)));
  const anomalies = Object.fromEntries(Object.entries(summary.anomalies).filter(([a]) => /^app\.(modbus|dnp3|s7comm|bacnet|opcua)\./.test(a)));
  const missed: string[] = [];
  const exp = expected[trace];
  for (const c of exp?.commands ?? []) if (!commands.some((x) => x.command === c)) missed.push(`command ${c}`);
  for (const want of exp?.devices ?? []) {
    const d = devices.find((x) => x.ip.split(',').includes(want.ip));
    if (!d) {
      missed.push(`device ${want.ip}`);
      continue;
    }
    for (const k of ['type', 'vendor', 'model', 'firmware', 'serial'] as const) {
      if (want[k] !== undefined && d[k] !== want[k]) missed.push(`device ${want.ip} ${k} ${String(d[k])} (want ${want[k]})`);
    }
  }
  return { trace, packets: summary.packets, apps, anomalies, commands, otherFindings, devices, missed };
}

const results: TraceResult[] = [];
for (const path of captures(join(root, 'ot'))) results.push(await analyse(path));

if (asJson) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const r of results) {
    const exp = expected[r.trace];
    console.log(`\n## ${r.trace} (${r.packets} packets)${exp ? `\n   truth: ${exp.truth}` : ''}`);
    const apps = Object.entries(r.apps).map(([a, n]) => `${a} ${n}`).join(', ');
    console.log(`   OT flows: ${apps || 'none recognised (protocol not covered by this analyzer set)'}`);
    if (Object.keys(r.anomalies).length > 0) console.log(`   anomalies: ${Object.entries(r.anomalies).map(([a, n]) => `${a} ${n}`).join(', ')}`);
    console.log(`   unsafe commands: ${r.commands.length === 0 ? 'none' : ''}`);
    for (const c of r.commands) console.log(`     - [${c.severity}] ${c.detector}: ${c.command} ${c.client} -> ${c.server}${c.unit ? ` (${c.unit})` : ''} x${c.count}`);
    for (const f of r.otherFindings.filter((x) => x.detector.startsWith('ot.'))) console.log(`     - ${f.detector}: ${f.title}`);
    console.log(`   devices: ${r.devices.length === 0 ? 'none' : ''}`);
    for (const d of r.devices) {
      const id = [d.vendor, d.model, d.firmware && `firmware ${d.firmware}`, d.serial && `serial ${d.serial}`].filter(Boolean).join(', ');
      console.log(`     - ${d.ip}: ${d.type}${id ? ` — ${id}` : ''} [${(d.roles ?? []).join(', ')}]`);
    }
    if (r.missed.length > 0) console.log(`   MISSED: ${r.missed.join('; ')}`);
  }
  const checked = results.filter((r) => expected[r.trace]);
  const ok = checked.filter((r) => r.missed.length === 0).length;
  const commands = results.reduce((n, r) => n + r.commands.length, 0);
  const plcs = results.reduce((n, r) => n + r.devices.filter((d) => d.type === 'plc' || d.type === 'rtu').length, 0);
  console.log(`\nSummary: ${results.length} OT traces, ${checked.length} with expectations, ${ok} met; ${commands} unsafe-command findings; ${plcs} PLCs/RTUs identified.`);
}
process.exitCode = results.some((r) => r.missed.length > 0) ? 1 : 0;
