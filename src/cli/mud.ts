/**
 * `bulwark mud …`: device profiles (RFC 8520 MUD) — learn, import, validate, show, accept/lock, check, nft.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from '../inventory/inventory.ts';
import { normaliseMac } from '../inventory/oui.ts';
import { MudLearner } from '../mud/learn.ts';
import { addUsage, loadProfiles, storeLearned } from '../mud/store.ts';
import { parseMud } from '../mud/document.ts';
import { importFile, importUrl, mudUrlFromCertificate, type ImportResult } from '../mud/import.ts';
import { announcedInCaptures } from '../mud/lldp.ts';
import { adoptVendor, setState, storeVendor, type ActionResult } from '../mud/actions.ts';
import { diffProfiles, readableRules } from '../mud/review.ts';
import { nftRuleset, parseHosts, profileNames, resolveNames } from '../mud/nft.ts';
import { PolicyWatch } from '../mud/watch.ts';
import { analyzeCaptures } from '../engine/analyze-captures.ts';
import policyMud from '../detect/detectors/policy.mud.ts';
import { findingsTable } from '../output/findings-text.ts';
import { JsonLinesWriter, writeAll } from '../output/jsonl.ts';
import { ExitCode } from './exit-codes.ts';

export const mudHelp = `Usage: bulwark mud <subcommand> [options]

Device profiles after RFC 8520 (Manufacturer Usage Description): what each device may talk to.
A profiles folder holds per device <mac12>.json (the MUD file) and <mac12>.bulwark.json (state, provenance,
what was generalised, rule counts); see docs/mud.md.

Subcommands:
  learn --out DIR [--device MAC]... CAPTURE...
        learn one MUD file per device from the captures (merged with what DIR already holds)
  import --profiles DIR --mac MAC (FILE | --url URL | --cert CERT) [--sig P7S] [--ca PEM] [--tls-ca PEM] [--use]
        import a vendor MUD file (from a file, a MUD URL, or the URL in a certificate's id-pe-mud-url
        extension); its signature is checked (.p7s beside the file, or mud-signature); --use makes it the profile
  urls CAPTURE...        the MUD URLs devices announced (DHCP option 161, DHCPv6 option 112, LLDP)
  validate FILE...       validate MUD files against the schema derived from the RFC 8520/8519 YANG modules
  show --profiles DIR [MAC]   the rules in words, with how often traffic used each, and learned vs vendor
  accept|lock|unlock --profiles DIR MAC   review state (a locked profile is enforced and watched)
  use-vendor --profiles DIR MAC           make the imported vendor file the profile in force
  check --profiles DIR [--out DIR] [--all] [--no-record] CAPTURE...
        traffic outside locked profiles as policy findings (--all: every profile); rule counts are added
        to the sidecars unless --no-record; --out writes findings.jsonl, devices.json, summary.json
  nft --profiles DIR [--format nft|fw4] [--hosts FILE] [--no-resolve]
        an nftables ruleset on standard output: per-device chains and sets, default drop for locked devices
`;

/** Synchronous writes: a closed pipe (`| head`) surfaces as EPIPE, which main treats as a normal end. */
const print = (text: string): void => writeAll(1, text);

const fail = (msg: string): number => {
  process.stderr.write(`bulwark mud: ${msg}\n`);
  return ExitCode.USAGE;
};

type Values = Record<string, string | boolean | string[] | undefined>;

function args(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Values; positionals: string[] } | string {
  try {
    const r = parseArgs({ args: argv, allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    return (err as Error).message;
  }
}

export async function mudCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'learn': return learn(rest);
    case 'import': return importCmd(rest);
    case 'urls': return urls(rest);
    case 'validate': return validate(rest);
    case 'show': return show(rest);
    case 'accept': case 'lock': case 'unlock': case 'use-vendor': return review(sub, rest);
    case 'check': return check(rest);
    case 'nft': return nft(rest);
    case undefined: case 'help': case '--help': case '-h':
      print(mudHelp);
      return sub === undefined ? ExitCode.USAGE : ExitCode.OK;
    default:
      return fail(`unknown subcommand '${sub}'\n\n${mudHelp}`);
  }
}

async function learn(argv: string[]): Promise<number> {
  const a = args(argv, { out: { type: 'string' }, device: { type: 'string', multiple: true } });
  if (typeof a === 'string') return fail(a);
  if (a.values.help) return (print(mudHelp), ExitCode.OK);
  const out = a.values.out as string | undefined;
  if (!out) return fail('learn needs --out DIR');
  if (a.positionals.length === 0) return fail('no capture file given');
  const devices: string[] = [];
  for (const d of (a.values.device as string[] | undefined) ?? []) {
    const mac = normaliseMac(d);
    if (!mac) return fail(`--device: not a MAC address: '${d}'`);
    devices.push(mac);
  }
  const pipeline = new Pipeline();
  const inventory = new Inventory({}).attach(pipeline);
  const learner = new MudLearner({ devices }).attach(pipeline);
  const summary = await pipeline.run(a.positionals);
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  mkdirSync(out, { recursive: true });
  const profiles = learner.profiles(inventory);
  for (const p of profiles) {
    const errors = storeLearned(out, p);
    if (errors.length) process.stderr.write(`bulwark mud: ${p.sidecar.mac}: not written: ${errors.join('; ')}\n`);
    const rules = readableRules(p.mud).filter((r) => r.direction === 'from-device').length;
    print(`${p.sidecar.mac.replace(/:/g, '')}.json  ${String(rules).padStart(3)} rules  ${String(p.sidecar.learned?.flows ?? 0).padStart(6)} flows  ${p.mud['ietf-mud:mud'].systeminfo ?? ''}\n`);
  }
  if (profiles.length === 0) process.stderr.write('bulwark mud: no device with IP traffic found\n');
  return summary.partial ? ExitCode.PARTIAL : ExitCode.OK;
}

async function importCmd(argv: string[]): Promise<number> {
  const a = args(argv, {
    profiles: { type: 'string' }, mac: { type: 'string' }, url: { type: 'string' }, cert: { type: 'string' }, sig: { type: 'string' },
    ca: { type: 'string' }, 'tls-ca': { type: 'string' }, use: { type: 'boolean' },
  });
  if (typeof a === 'string') return fail(a);
  if (a.values.help) return (print(mudHelp), ExitCode.OK);
  const dir = a.values.profiles as string | undefined;
  const mac = normaliseMac(a.values.mac);
  if (!dir || !mac) return fail('import needs --profiles DIR and --mac MAC');
  const caPem = a.values.ca ? readFileSync(a.values.ca as string, 'utf8') : undefined;
  let url = a.values.url as string | undefined;
  if (a.values.cert) {
    url = mudUrlFromCertificate(readFileSync(a.values.cert as string));
    if (!url) return fail(`${String(a.values.cert)}: no id-pe-mud-url extension (1.3.6.1.5.5.7.1.25)`);
    process.stderr.write(`MUD URL from the certificate: ${url}\n`);
  }
  let result: ImportResult;
  try {
    if (url) result = await importUrl(url, { ca: a.values['tls-ca'] ? readFileSync(a.values['tls-ca'] as string, 'utf8') : undefined, trustPem: caPem });
    else if (a.positionals[0]) result = importFile(a.positionals[0], a.values.sig as string | undefined, caPem);
    else return fail('import needs a FILE, --url or --cert');
  } catch (err) {
    process.stderr.write(`bulwark mud: ${(err as Error).message}\n`);
    return ExitCode.NO_INPUT;
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  print(`signature: ${result.signature.status} — ${result.signature.detail}${result.signature.signer ? ` (signer ${result.signature.signer})` : ''}\n`);
  if (!result.ok || !result.mud) {
    process.stderr.write(`bulwark mud: ${result.source} is not a valid MUD file:\n  ${result.errors.join('\n  ')}\n`);
    return ExitCode.NO_INPUT;
  }
  let r: ActionResult = storeVendor(dir, mac, { ...result, mud: result.mud });
  if (r.ok && a.values.use) r = adoptVendor(dir, mac);
  if (!r.ok) return fail(r.errors.join('; '));
  print(`imported ${result.source} for ${mac}: ${readableRules(result.mud).length} rules; profile source ${r.profile.sidecar.source}, state ${r.profile.sidecar.state}\n`);
  return ExitCode.OK;
}

async function urls(argv: string[]): Promise<number> {
  if (argv.length === 0) return fail('no capture file given');
  const pipeline = new Pipeline();
  const seen = new Map<string, Set<string>>();
  for (const type of ['dhcp.discover', 'dhcp.request', 'dhcp.inform']) {
    pipeline.on(type, (ev) => {
      if (typeof ev.mud_url !== 'string') return;
      const key = String(ev.client_mac ?? ev.src_ip);
      const set = seen.get(key) ?? new Set();
      set.add(ev.mud_url);
      seen.set(key, set);
    });
  }
  const v6 = new Map<string, Set<string>>();
  pipeline.on('dhcp6.message', (ev) => {
    if (typeof ev.mud_url !== 'string') return;
    const set = v6.get(String(ev.src_ip)) ?? new Set();
    set.add(ev.mud_url);
    v6.set(String(ev.src_ip), set);
  });
  await pipeline.run(argv);
  for (const [mac, set] of seen) for (const u of set) print(`${mac}\tdhcp-option-161\t${u}\n`);
  for (const [ip, set] of v6) for (const u of set) print(`${ip}\tdhcpv6-option-112\t${u}\n`);
  const lldp = await announcedInCaptures(argv);
  for (const a of lldp.found) print(`${a.mac}\tlldp\t${a.url}\n`);
  for (const [id, n] of Object.entries(lldp.anomalies)) process.stderr.write(`${n} × ${id}\n`);
  if (seen.size === 0 && v6.size === 0 && lldp.found.length === 0) process.stderr.write('no device announced a MUD URL (DHCP option 161, DHCPv6 option 112, LLDP)\n');
  return ExitCode.OK;
}

function validate(argv: string[]): number {
  if (argv.length === 0) return fail('no file given');
  let bad = 0;
  for (const file of argv) {
    const r = parseMud(readFileSync(file, 'utf8'));
    for (const w of r.warnings) print(`${file}: warning: ${w}\n`);
    if (r.ok) print(`${file}: valid (${readableRules(r.mud).length} rules)\n`);
    else {
      bad++;
      print(`${file}: INVALID\n  ${r.errors.join('\n  ')}\n`);
    }
  }
  return bad ? ExitCode.NO_INPUT : ExitCode.OK;
}

function show(argv: string[]): number {
  const a = args(argv, { profiles: { type: 'string' } });
  if (typeof a === 'string') return fail(a);
  const dir = a.values.profiles as string | undefined;
  if (!dir) return fail('show needs --profiles DIR');
  const wanted = a.positionals[0] ? normaliseMac(a.positionals[0]) : undefined;
  const { profiles, errors } = loadProfiles(dir);
  for (const e of errors) process.stderr.write(`${e.file}: ${e.errors.join('; ')}\n`);
  for (const p of profiles) {
    if (wanted && p.sidecar.mac !== wanted) continue;
    const s = p.sidecar;
    print(`\n${s.mac}  state ${s.state}, source ${s.source}  ${p.mud['ietf-mud:mud'].systeminfo ?? ''}\n`);
    if (s.vendor) print(`  vendor file ${s.vendor.file}: signature ${s.vendor.signature.status}\n`);
    for (const r of readableRules(p.mud, s.usage)) {
      const used = r.usage?.flows ? `${r.usage.flows} flows` : 'never used';
      print(`  ${r.ace.padEnd(14)} ${used.padStart(12)}  ${r.text}\n`);
    }
    if (s.unmatched_flows) print(`  ${s.unmatched_flows} flows matched no rule\n`);
    const other = p.vendor && p.learned ? { a: p.learned, b: p.vendor } : undefined;
    if (other) {
      const d = diffProfiles(other.a, other.b);
      print(`  learned vs vendor: ${d.both.length} rules in both, ${d.onlyLeft.length} only learned, ${d.onlyRight.length} only in the vendor file\n`);
      for (const r of d.onlyLeft) print(`    + learned only: ${r.text}\n`);
      for (const r of d.onlyRight) print(`    - vendor only:  ${r.text}\n`);
    }
  }
  return ExitCode.OK;
}

function review(action: 'accept' | 'lock' | 'unlock' | 'use-vendor', argv: string[]): number {
  const a = args(argv, { profiles: { type: 'string' } });
  if (typeof a === 'string') return fail(a);
  const dir = a.values.profiles as string | undefined;
  const mac = normaliseMac(a.positionals[0]);
  if (!dir || !mac) return fail(`${action} needs --profiles DIR and a MAC`);
  const r = action === 'use-vendor' ? adoptVendor(dir, mac) : setState(dir, mac, action === 'accept' ? 'accepted' : action === 'lock' ? 'locked' : 'learned');
  if (!r.ok) return fail(r.errors.join('; '));
  print(`${mac}: state ${r.profile.sidecar.state}, source ${r.profile.sidecar.source}\n`);
  return ExitCode.OK;
}

async function check(argv: string[]): Promise<number> {
  const a = args(argv, { profiles: { type: 'string' }, out: { type: 'string' }, all: { type: 'boolean' }, 'no-record': { type: 'boolean' } });
  if (typeof a === 'string') return fail(a);
  const dir = a.values.profiles as string | undefined;
  if (!dir) return fail('check needs --profiles DIR');
  if (a.positionals.length === 0) return fail('no capture file given');
  const { profiles, errors } = loadProfiles(dir);
  for (const e of errors) process.stderr.write(`${e.file}: ${e.errors.join('; ')}\n`);
  if (profiles.length === 0) return fail(`no profiles in ${dir}`);
  const usage = new PolicyWatch(profiles, () => undefined, undefined, { lockedOnly: false });
  const result = await analyzeCaptures(a.positionals, {
    detectors: [policyMud],
    detection: { options: { 'policy.mud': { profiles: dir, lockedOnly: !a.values.all } } },
    assess: false,
    onEvent: (ev) => { if (ev.type === 'dns.response') usage.onDns(ev); },
    onFlow: (f) => usage.onFlow(f),
  });
  if (!a.values['no-record']) addUsage(dir, usage.usage, usage.unmatched);
  const out = a.values.out as string | undefined;
  if (out) {
    mkdirSync(out, { recursive: true });
    const w = new JsonLinesWriter(join(out, 'findings.jsonl'));
    for (const f of result.findings) w.write(f);
    w.close();
    writeFileSync(join(out, 'devices.json'), JSON.stringify(result.devices, null, 2) + '\n');
    writeFileSync(join(out, 'summary.json'), JSON.stringify({ ...result.summary, stages: result.stats }, null, 2) + '\n');
  }
  const locked = profiles.filter((p) => p.sidecar.state === 'locked').length;
  print(`${profiles.length} profiles (${locked} locked), ${usage.flowsChecked} flows of profiled devices checked, ${[...usage.unmatched.values()].reduce((x, y) => x + y, 0)} outside their profile\n`);
  if (result.findings.length > 0) print(`\nFindings (${result.findings.length})\n${findingsTable(result.findings)}\n`);
  for (const f of result.summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  return result.summary.partial ? ExitCode.PARTIAL : ExitCode.OK;
}

async function nft(argv: string[]): Promise<number> {
  const a = args(argv, { profiles: { type: 'string' }, format: { type: 'string' }, hosts: { type: 'string' }, 'no-resolve': { type: 'boolean' } });
  if (typeof a === 'string') return fail(a);
  const dir = a.values.profiles as string | undefined;
  if (!dir) return fail('nft needs --profiles DIR');
  const format = (a.values.format as string | undefined) ?? 'nft';
  if (format !== 'nft' && format !== 'fw4') return fail(`--format must be nft or fw4, got '${format}'`);
  if (!existsSync(dir)) return fail(`no folder ${dir}`);
  const { profiles, errors } = loadProfiles(dir);
  for (const e of errors) process.stderr.write(`${e.file}: ${e.errors.join('; ')}\n`);
  const hosts = a.values.hosts ? parseHosts(readFileSync(a.values.hosts as string, 'utf8')) : new Map<string, string[]>();
  const addresses = await resolveNames(profileNames(profiles), hosts, !a.values['no-resolve']);
  print(nftRuleset(profiles, { format, addresses }));
  return ExitCode.OK;
}

