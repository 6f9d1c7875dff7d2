/**
 * `bulwark interfaces`: the interfaces a live capture can use (as dumpcap lists them).
 * @module
 */
import { listInterfaces } from '../capture/dumpcap.ts';
import { writeAll } from '../output/jsonl.ts';
import { ExitCode } from './exit-codes.ts';

export const interfacesHelp = `Usage: bulwark interfaces [--json]

Lists the network interfaces dumpcap can capture on, for 'bulwark analyze --interface IFACE' and
'bulwark serve --interface IFACE'. Needs Debian's dumpcap (package wireshark-common).
`;

export async function interfacesCommand(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(interfacesHelp);
    return ExitCode.OK;
  }
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`bulwark interfaces: unknown argument '${unknown[0]}'\n\n${interfacesHelp}`);
    return ExitCode.USAGE;
  }
  const r = await listInterfaces();
  if ('failure' in r) {
    process.stderr.write(`bulwark interfaces: ${r.failure.message}\n`);
    return ExitCode.NO_INPUT;
  }
  writeAll(1, argv.includes('--json') ? JSON.stringify(r.interfaces, null, 2) + '\n' : r.interfaces.map((i) => `${i.name}${i.description ? `  (${i.description})` : ''}\n`).join(''));
  return ExitCode.OK;
}
