/**
 * The `bulwark` command line.
 * @module
 */
import { analyzeCommand, analyzeHelp } from './analyze.ts';
import { devicesCommand, devicesHelp } from './devices.ts';
import { reportCommand, reportHelp } from './report.ts';
import { serveCommand, serveHelp } from './serve.ts';
import { ExitCode } from './exit-codes.ts';
import { fsErrorText, PathError } from './dirs.ts';

const usage = `Usage: bulwark <command> [options]

Commands:
  analyze <capture>...   decode captures, track flows and protocols, list devices and findings
  devices <capture>...   the device inventory with the evidence behind each identification
  report <capture>...    a self-contained HTML report: devices, labels, findings, baseline assessment
  serve                  the REST API and web dashboard on a local database
  help [command]         show help

Run 'bulwark <command> --help' for the options of a command.
`;

const helps: Record<string, string> = { analyze: analyzeHelp, devices: devicesHelp, report: reportHelp, serve: serveHelp };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      return analyzeCommand(rest);
    case 'devices':
      return devicesCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case 'help':
    case '--help':
    case '-h':
    case undefined:
      process.stdout.write(helps[rest[0]] ?? usage);
      return command === undefined ? ExitCode.USAGE : ExitCode.OK;
    case '--version':
    case 'version':
      process.stdout.write('bulwark 0.1.0\n');
      return ExitCode.OK;
    default:
      process.stderr.write(`bulwark: unknown command '${command}'\n\n${usage}`);
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
