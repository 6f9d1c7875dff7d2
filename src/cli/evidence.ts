/**
 * `bulwark evidence`, `bulwark verify` and `bulwark keys`: signed evidence packages and their checking.
 * @module
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeCaptures } from '../engine/analyze-captures.ts';
import { createPackage, recordCustody, verifyPackage } from '../findings/evidence/package.ts';
import { keyDir, publicKeyPem, signingKey } from '../findings/evidence/keys.ts';
import { ExitCode } from './exit-codes.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Finding } from '../findings/types.ts';

export const evidenceHelp = `Usage: bulwark evidence (--finding ID | --case ID) --out DIR <capture>...
       bulwark evidence --finding ID --ring DIR (--findings FILE | --db FILE) --out DIR
       bulwark evidence --copy-from PACKAGE --out DIR

Analyses the captures, then writes an evidence package for one finding or one case into DIR (new or
empty): evidence.pcapng with exactly the packets that prove it (each with a comment naming the finding),
findings.json (and case.json), manifest.json (SHA-256 of every file and of each source capture, tool
version, parameters, UTC time), manifest.sig (Ed25519, key created on first use: see 'bulwark keys') and
the custody log. --copy-from verifies a package, copies it to DIR and records the copy in its custody log.

A finding of a live capture (analyze --interface, serve --interface) is cut from the sensor's packet ring:
  --ring DIR           the ring (default of analyze --interface --out OUT: OUT/ring; of serve: bulwark-ring
                       beside the store)
  --findings FILE      findings.jsonl of analyze --out (the finding's latest line is used)
  --db FILE            or the store of serve
`;

export const verifyHelp = `Usage: bulwark verify [--no-record] DIR [<capture>...]

Checks an evidence package: the manifest signature, every file's SHA-256, that no file was added, the
custody chain and its signed head; with captures, that they are the package's sources. Exits 0 when all
hold (and records the verification in the custody log unless --no-record), else names the first broken
item and exits 5.
`;

export const keysHelp = `Usage: bulwark keys [--export FILE]

Shows the fingerprint and public key (PEM) of the local Ed25519 signing key, creating it on first use
(in $BULWARK_KEYS, default ~/.config/bulwark/keys). --export writes the public key to FILE.
`;

function usage(help: string, command: string, message: string): number {
  process.stderr.write(`bulwark ${command}: ${message}\n\n${help}`);
  return ExitCode.USAGE;
}

export async function evidenceCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      finding: { type: 'string' }, case: { type: 'string' }, out: { type: 'string' }, 'copy-from': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      ring: { type: 'string' }, findings: { type: 'string' }, db: { type: 'string' },
    } });
  } catch (err) {
    return usage(evidenceHelp, 'evidence', (err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(evidenceHelp);
    return ExitCode.OK;
  }
  if (!v.out) return usage(evidenceHelp, 'evidence', '--out DIR is required');
  if (existsSync(v.out) && readdirSync(v.out).length > 0) return usage(evidenceHelp, 'evidence', `${v.out} is not empty`);
  const key = signingKey();
  if (v['copy-from']) {
    const from = v['copy-from'];
    const check = await verifyPackage(from);
    if (!check.ok) {
      process.stderr.write(`bulwark evidence: ${from} does not verify: ${check.broken}\n`);
      return ExitCode.TAMPERED;
    }
    cpSync(from, v.out, { recursive: true, errorOnExist: true });
    recordCustody(v.out, key, 'copied', { from: resolve(from), manifest_fingerprint: check.fingerprint });
    process.stdout.write(`copied ${from} → ${v.out} (verified, copy recorded)\n`);
    return ExitCode.OK;
  }
  if ((v.finding === undefined) === (v.case === undefined)) return usage(evidenceHelp, 'evidence', 'give exactly one of --finding ID and --case ID');
  if (v.ring !== undefined) return liveEvidence(v.out, v.ring, v.finding, v.findings, v.db, key);
  if (parsed.positionals.length === 0) return usage(evidenceHelp, 'evidence', 'no capture file given');
  if (parsed.positionals.includes('-')) return usage(evidenceHelp, 'evidence', 'standard input cannot be cut afterwards: give capture files');
  const result = await analyzeCaptures(parsed.positionals);
  let subject;
  if (v.finding !== undefined) {
    const f = result.findings.find((x) => x.id === v.finding);
    if (!f) return notFound('finding', v.finding, result.findings.map((x) => x.id));
    subject = { kind: 'finding' as const, id: f.id, findings: [f] };
  } else {
    const c = result.cases.find((x) => x.id === v.case);
    if (!c) return notFound('case', v.case ?? '', result.cases.map((x) => x.id));
    const members = new Set(c.findings);
    subject = { kind: 'case' as const, id: c.id, findings: result.findings.filter((f) => members.has(f.id)), case: c };
  }
  try {
    const manifest = await createPackage(v.out, subject, parsed.positionals, key, {
      command: 'evidence', [subject.kind]: subject.id, captures: parsed.positionals.map((p) => resolve(p)),
    });
    const pcap = manifest.files.find((f) => f.path === 'evidence.pcapng');
    process.stdout.write(`${v.out}: ${subject.kind} ${subject.id}, ${pcap?.packets ?? 0} packets, signed by ${key.fingerprint}${key.created ? ' (new key: see bulwark keys)' : ''}\n`);
    return ExitCode.OK;
  } catch (err) {
    process.stderr.write(`bulwark evidence: ${(err as Error).message}\n`);
    return ExitCode.NO_INPUT;
  }
}

/** A live finding's package, cut from the packet ring; the finding comes from findings.jsonl or the store. */
async function liveEvidence(out: string, ring: string, id: string | undefined, findingsFile: string | undefined, db: string | undefined, key: ReturnType<typeof signingKey>): Promise<number> {
  if (id === undefined) return usage(evidenceHelp, 'evidence', 'with --ring, give --finding ID (cases are packaged from captures)');
  if ((findingsFile === undefined) === (db === undefined)) return usage(evidenceHelp, 'evidence', 'with --ring, give exactly one of --findings FILE and --db FILE');
  if (!existsSync(ring)) return usage(evidenceHelp, 'evidence', `--ring: no such folder '${ring}'`);
  let finding: Finding | undefined;
  if (findingsFile !== undefined) {
    if (!existsSync(findingsFile)) return usage(evidenceHelp, 'evidence', `--findings: no such file '${findingsFile}'`);
    for (const line of readFileSync(findingsFile, 'utf8').split('\n')) {
      if (!line.includes(id)) continue;
      try {
        const f = JSON.parse(line) as Finding & { change?: string };
        if (f.id === id) finding = f;
      } catch { /* a line cut by a crash: the earlier ones stand */ }
    }
  } else {
    if (!existsSync(db!)) return usage(evidenceHelp, 'evidence', `--db: no such file '${db}'`);
    const store = new SqliteStore(db!);
    try {
      const json = await store.getFinding(id, true);
      if (json) finding = JSON.parse(json) as Finding;
    } finally {
      await store.close();
    }
  }
  if (!finding) {
    process.stderr.write(`bulwark evidence: no finding '${id}' in ${findingsFile ?? db}\n`);
    return ExitCode.USAGE;
  }
  delete (finding as { change?: string }).change;
  try {
    const manifest = await createPackage(out, { kind: 'finding', id, findings: [finding] }, [], key, {
      command: 'evidence', finding: id, ring: resolve(ring), from: resolve(findingsFile ?? db!),
    }, new Date(), ring);
    const pcap = manifest.files.find((f) => f.path === 'evidence.pcapng');
    process.stdout.write(`${out}: finding ${id}, ${pcap?.packets ?? 0} packets from the packet ring, signed by ${key.fingerprint}${key.created ? ' (new key: see bulwark keys)' : ''}\n`);
    return ExitCode.OK;
  } catch (err) {
    process.stderr.write(`bulwark evidence: ${(err as Error).message}\n`);
    return ExitCode.NO_INPUT;
  }
}

function notFound(kind: string, id: string, known: string[]): number {
  process.stderr.write(`bulwark evidence: no ${kind} '${id}' in these captures${known.length ? `; there are: ${known.slice(0, 20).join(', ')}` : ''}\n`);
  return ExitCode.USAGE;
}

export async function verifyCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'no-record': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage(verifyHelp, 'verify', (err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(verifyHelp);
    return ExitCode.OK;
  }
  const [dir, ...captures] = parsed.positionals;
  if (!dir) return usage(verifyHelp, 'verify', 'no package folder given');
  const r = await verifyPackage(dir, captures);
  if (!r.ok) {
    process.stdout.write(`BROKEN: ${r.broken}\n`);
    return ExitCode.TAMPERED;
  }
  const m = r.manifest;
  process.stdout.write(`OK: ${m.subject.kind} ${m.subject.id}; ${m.files.length} files and ${m.sources.length} source capture(s) hash as recorded; manifest signed by ${r.fingerprint}; custody log of ${r.custody.length} entries intact\n`);
  if (!parsed.values['no-record']) {
    try {
      recordCustody(dir, signingKey(), 'verified', { result: 'ok', captures_checked: captures.length });
    } catch (err) {
      process.stderr.write(`bulwark verify: verified, but could not record it: ${(err as Error).message}\n`);
    }
  }
  return ExitCode.OK;
}

export function keysCommand(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { export: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage(keysHelp, 'keys', (err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(keysHelp);
    return ExitCode.OK;
  }
  const key = signingKey();
  const pem = publicKeyPem(key.publicHex);
  if (parsed.values.export) writeFileSync(parsed.values.export, pem);
  process.stdout.write(`signing key  Ed25519, ${key.created ? 'created now' : 'existing'} in ${keyDir()}\nfingerprint  ${key.fingerprint}\npublic key   ${key.publicHex}\n${pem}`);
  return ExitCode.OK;
}
