/**
 * `bulwark config check FILE | schema | example`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from './exit-codes.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { configSchema } from './config/schema.ts';

export const configHelp = `Usage: bulwark config <check FILE | schema | example>

  check FILE   check a configuration file: every problem with its line, column and key (exit 0 when valid, 2 when not)
  schema       print the configuration's JSON Schema (also in docs/schema/config.schema.json)
  example      print an annotated example to start from

Commands that read the file: 'bulwark analyze --config FILE', 'bulwark serve --config FILE'. Options on the
command line override the file.
`;

export const exampleConfigPath = join(import.meta.dirname, '../../docs/bulwark.example.yaml');

export function configCommand(argv: string[]): number {
  const [sub, file] = argv;
  switch (sub) {
    case 'check': {
      if (!file) {
        process.stderr.write(`bulwark config check: no file given\n\n${configHelp}`);
        return ExitCode.USAGE;
      }
      try {
        loadConfig(file);
        process.stdout.write(`${file}: valid\n`);
        return ExitCode.OK;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return ExitCode.USAGE;
      }
    }
    case 'schema':
      process.stdout.write(JSON.stringify(configSchema(), null, 2) + '\n');
      return ExitCode.OK;
    case 'example':
      process.stdout.write(readFileSync(exampleConfigPath, 'utf8'));
      return ExitCode.OK;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(configHelp);
      return sub === undefined ? ExitCode.USAGE : ExitCode.OK;
    default:
      process.stderr.write(`bulwark config: unknown subcommand '${sub}'\n\n${configHelp}`);
      return ExitCode.USAGE;
  }
}
