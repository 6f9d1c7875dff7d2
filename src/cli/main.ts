/**
 * The `bulwark` command line. Each command's module is loaded when that command runs: start-up pays only
 * for the command used (`analyze` does not load the web server, the store or the evidence signer).
 * @module
 */
import { ExitCode } from './exit-codes.ts';
import { didYouMean } from './suggest.ts';
import { fsErrorText, isPathError } from './dirs.ts';

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

type Command = (argv: string[]) => Promise<number> | number;

/** Each command: its module, loaded on first use, and the names of its run function and help text there. */
const loaders: Record<string, () => Promise<{ run: Command; help: string }>> = {
  analyze: async () => { const m = await import('./analyze.ts'); return { run: m.analyzeCommand, help: m.analyzeHelp }; },
  devices: async () => { const m = await import('./devices.ts'); return { run: m.devicesCommand, help: m.devicesHelp }; },
  report: async () => { const m = await import('./report.ts'); return { run: m.reportCommand, help: m.reportHelp }; },
  serve: async () => { const m = await import('./serve.ts'); return { run: m.serveCommand, help: m.serveHelp }; },
  config: async () => { const m = await import('./config-command.ts'); return { run: m.configCommand, help: m.configHelp }; },
  purge: async () => { const m = await import('./purge.ts'); return { run: m.purgeCommand, help: m.purgeHelp }; },
  mud: async () => { const m = await import('./mud.ts'); return { run: m.mudCommand, help: m.mudHelp }; },
  evidence: async () => { const m = await import('./evidence.ts'); return { run: m.evidenceCommand, help: m.evidenceHelp }; },
  verify: async () => { const m = await import('./evidence.ts'); return { run: m.verifyCommand, help: m.verifyHelp }; },
  keys: async () => { const m = await import('./evidence.ts'); return { run: m.keysCommand, help: m.keysHelp }; },
  export: async () => { const m = await import('./export.ts'); return { run: m.exportCommand, help: m.exportHelp }; },
  interfaces: async () => { const m = await import('./interfaces.ts'); return { run: m.interfacesCommand, help: m.interfacesHelp }; },
};

function loaderOf(name: string): (() => Promise<{ run: Command; help: string }>) | undefined {
  return Object.hasOwn(loaders, name) ? loaders[name] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
    case undefined: {
      const topic = rest[0] === 'analyse' ? 'analyze' : rest[0];
      const load = topic === undefined ? undefined : loaderOf(topic);
      process.stdout.write(load ? (await load()).help : usage);
      return command === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    case '--version':
    case 'version':
      process.stdout.write('bulwark 0.1.0\n');
      return ExitCode.OK;
  }
  const load = loaderOf(command === 'analyse' ? 'analyze' : command);
  if (load === undefined) {
    process.stderr.write(`bulwark: unknown command '${command}'${didYouMean(command, commands)}\n\n${usage}`);
    return ExitCode.USAGE;
  }
  return (await load()).run(rest);
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
    const fsError = isPathError(err) ? { path: '', reason: err.message } : fsErrorText(err);
    if (fsError) {
      process.stderr.write(`bulwark: ${fsError.path ? `cannot write '${fsError.path}': ` : ''}${fsError.reason}\n`);
      process.exitCode = ExitCode.USAGE;
      return;
    }
    process.stderr.write(`bulwark: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = ExitCode.INTERNAL;
  },
);
