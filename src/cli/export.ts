/**
 * `bulwark export stix|misp`: share findings and cases in the formats CSIRTs exchange.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeCaptures } from '../engine/analyze-captures.ts';
import { buildCases } from '../findings/cases.ts';
import { exportMisp, exportStix, mispDocument, tlpLevels, type ExportInput, type Tlp } from '../findings/share/export.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { storedFindings } from '../api/store-findings.ts';
import { recordCustody, verifyPackage } from '../findings/evidence/package.ts';
import { signingKey } from '../findings/evidence/keys.ts';
import type { Case, Finding } from '../findings/types.ts';
import { ExitCode } from './exit-codes.ts';

export const exportHelp = `Usage: bulwark export (stix | misp) --out FILE [options] <capture>...
       bulwark export (stix | misp) --out FILE --db bulwark.db [options]
       bulwark export (stix | misp) --out FILE --package DIR [options]

stix: a STIX 2.1 bundle (identity, observed-data and SCOs, indicators with patterns, sightings, malware,
      attack-patterns, C2 infrastructure, relationships, one report per case). Same input, same ids.
misp: one MISP event per case (attributes, TLP/RSIT/ATT&CK tags, botnet galaxy); what MISP cannot carry
      is listed in FILE.unmapped.json.

Local identities (addresses of devices on this network, MACs, host names, user names) are replaced by
pseudonyms (HMAC under the local key in $BULWARK_KEYS); passwords are never exported.

Options:
  --db FILE        export what a 'bulwark serve' database holds instead of analysing captures
  --package DIR    export the finding or case of a verified evidence package (recorded in its custody log)
  --identify       export local identities in clear
  --tlp LEVEL      clear, green, amber (default) or red
  --objects        misp: add network-connection objects (outside the PyMISP schema)
  -h, --help       this help
`;

export async function exportCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      out: { type: 'string' }, db: { type: 'string' }, package: { type: 'string' }, identify: { type: 'boolean' }, tlp: { type: 'string', default: 'amber' },
      objects: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (err) {
    return usage((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(exportHelp);
    return ExitCode.OK;
  }
  const [format, ...captures] = parsed.positionals;
  if (format !== 'stix' && format !== 'misp') return usage(`first argument must be stix or misp, got '${format ?? ''}'`);
  if (!v.out) return usage('--out FILE is required');
  if (!tlpLevels.includes(v.tlp as Tlp)) return usage(`--tlp must be one of ${tlpLevels.join(', ')}`);
  if ([v.db !== undefined, v.package !== undefined, captures.length > 0].filter(Boolean).length !== 1) return usage('give captures, --db or --package (one of them)');
  let input: ExportInput;
  let code: number = ExitCode.OK;
  if (v.package) {
    const check = await verifyPackage(v.package);
    if (!check.ok) {
      process.stderr.write(`bulwark export: ${v.package} does not verify: ${check.broken}\n`);
      return ExitCode.TAMPERED;
    }
    const findings = JSON.parse(readFileSync(join(v.package, 'findings.json'), 'utf8')) as Finding[];
    const casePath = join(v.package, 'case.json');
    input = { findings, cases: existsSync(casePath) ? [JSON.parse(readFileSync(casePath, 'utf8')) as Case] : buildCases(findings) };
  } else if (v.db) {
    const store = new SqliteStore(v.db);
    try {
      const { findings, truncated } = await storedFindings(store);
      if (truncated) process.stderr.write('bulwark export: more findings than read at once; the oldest were left out\n');
      input = { findings, cases: buildCases(findings) };
    } finally {
      await store.close();
    }
  } else {
    const r = await analyzeCaptures(captures);
    if (r.summary.partial) code = ExitCode.PARTIAL;
    input = { findings: r.findings, cases: r.cases, devices: r.devices };
  }
  const options = { identify: v.identify ?? false, tlp: v.tlp as Tlp, objects: v.objects ?? false };
  if (v.package) recordCustody(v.package, signingKey(), 'exported', { format, to: resolve(v.out), identify: options.identify, tlp: options.tlp });
  if (format === 'stix') {
    const bundle = exportStix(input, options);
    writeFileSync(v.out, JSON.stringify(bundle, null, 2) + '\n');
    process.stdout.write(`${v.out}: STIX 2.1 bundle, ${bundle.objects.length} objects, ${input.cases.length} cases${options.identify ? '' : ', local identities pseudonymised'}\n`);
  } else {
    const { events, unmapped } = exportMisp(input, options);
    writeFileSync(v.out, JSON.stringify(mispDocument(events), null, 2) + '\n');
    writeFileSync(`${v.out}.unmapped.json`, JSON.stringify(unmapped, null, 2) + '\n');
    process.stdout.write(`${v.out}: ${events.length} MISP events; ${unmapped.length} fields not mappable listed in ${v.out}.unmapped.json${options.identify ? '' : '; local identities pseudonymised'}\n`);
  }
  return code;
}

function usage(message: string): number {
  process.stderr.write(`bulwark export: ${message}\n\n${exportHelp}`);
  return ExitCode.USAGE;
}
