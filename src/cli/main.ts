/**
 * The `bulwark` command line.
 * @module
 */
import { analyzeCommand, analyzeHelp } from './analyze.ts';
import { devicesCommand, devicesHelp } from './devices.ts';
import { interfacesCommand, interfacesHelp } from './interfaces.ts';
import { reportCommand, reportHelp } from './report.ts';
import { serveCommand, serveHelp } from './serve.ts';
import { mudCommand, mudHelp } from './mud.ts';
import { ExitCode } from './exit-codes.ts';
import { configCommand, configHelp } from './config-command.ts';
import { purgeCommand, purgeHelp } from './purge.ts';
import { exportCommand, exportHelp } from './export.ts';
import { evidenceCommand, evidenceHelp, keysCommand, keysHelp, verifyCommand, verifyHelp } from './evidence.ts';
import { didYouMean } from './suggest.ts';
import { fsErrorText, PathError } from './dirs.ts';

const usage = `Usage: bulwark <command> [options]

Commands:
  analyze <capture|folder>...
                         decode captures (every capture under a folder), track flows and protocols, list
                         devices and findings ('analyse' works too; --interface IFACE: live capture until Ctrl-C)
  interfaces             the network interfaces a live capture can use
  devices <capture>...   the device inventory with the evidence behind each identification
  report <capture>...    a self-contained HTML report: devices, labels, findings, baseline assessment
  serve                  the REST API and web dashboard on a local database
  config                 check a configuration file, print its schema or an example
  purge                  delete old data (retention) or one capture, device or finding from a store
  mud <subcommand>       device profiles (RFC 8520 MUD): learn, import, show, lock, check, nft
  evidence <capture>...  a signed evidence package for one finding or case (--finding/--case ID --out DIR)
  verify DIR             check an evidence package: hashes, custody chain, signatures (exit 5 if broken)
  keys                   the local signing key's fingerprint and public key
  export stix|misp       share cases as a STIX 2.1 bundle or MISP events (pseudonymised by default)
  help [command]         show help

Run 'bulwark <command> --help' for the options of a command.
`;

const commands = ['analyze', 'analyse', 'devices', 'report', 'serve', 'interfaces', 'config', 'purge', 'mud', 'evidence', 'verify', 'keys', 'export', 'help', 'version'];

const helps: Record<string, string> = {
  analyze: analyzeHelp, devices: devicesHelp, report: reportHelp, serve: serveHelp, config: configHelp, purge: purgeHelp, mud: mudHelp,
  evidence: evidenceHelp, verify: verifyHelp, keys: keysHelp, export: exportHelp, interfaces: interfacesHelp,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
    case 'analyse':
      return analyzeCommand(rest);
    case 'devices':
      return devicesCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'purge':
      return purgeCommand(rest);
    case 'mud':
      return mudCommand(rest);
    case 'evidence':
      return evidenceCommand(rest);
    case 'verify':
      return verifyCommand(rest);
    case 'keys':
      return keysCommand(rest);
    case 'export':
      return exportCommand(rest);
    case 'interfaces':
      return interfacesCommand(rest);
    case 'help':
    case '--help':
    case '-h':
    case undefined:
      process.stdout.write(helps[rest[0] === 'analyse' ? 'analyze' : rest[0]] ?? usage);
      return command === undefined ? ExitCode.USAGE : ExitCode.OK;
    case '--version':
    case 'version':
      process.stdout.write('bulwark 0.1.0\n');
      return ExitCode.OK;
    default:
      process.stderr.write(`bulwark: unknown command '${command}'${didYouMean(command, commands)}\n\n${usage}`);
      return ExitCode.USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // The reader of our output went away (`bulwark analyze --json x | head`): not an error.
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') {
      process.exitCode = ExitCode.OK;
      return;
    }
    // An output path that cannot be written (permissions, a file where a folder is needed, /proc) is the user's
    // to fix: say which and why, without a stack trace.
    const fsError = err instanceof PathError ? { path: '', reason: err.message } : fsErrorText(err);
    if (fsError) {
      process.stderr.write(`bulwark: ${fsError.path ? `cannot write '${fsError.path}': ` : ''}${fsError.reason}\n`);
      process.exitCode = ExitCode.USAGE;
      return;
    }
    process.stderr.write(`bulwark: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = ExitCode.INTERNAL;
  },
);
