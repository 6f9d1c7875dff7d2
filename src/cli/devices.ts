/**
 * `bulwark devices`: the device inventory of captures, each device with the evidence behind its
 * identification; and `--set` to name, type or attribute a device (kept in an overrides file).
 * @module
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeCaptures } from '../engine/analyze-captures.ts';
import { setOverride } from '../inventory/overrides.ts';
import { deviceTypes, type DeviceType } from '../inventory/types.ts';
import { deviceDetails, deviceTable } from '../output/devices-text.ts';
import { writeAll } from '../output/jsonl.ts';
import { readOverrides } from './analyze.ts';
import { defaultOverridesPath } from './overrides-path.ts';
import { ExitCode } from './exit-codes.ts';
import { ProgressBar } from './progress.ts';

export const devicesHelp = `Usage: bulwark devices [options] <capture>...
       bulwark devices --set <device id> [--name N] [--type T] [--vendor V]

Lists the devices seen in captures: vendor (IEEE OUI registry), type and model with confidence, and the
evidence behind them (DHCP, mDNS, SSDP, HTTP, TLS, TCP SYN fingerprints, DNS names).

Options:
  --json               devices with their evidence as JSON
  --brief              the table only, without the evidence of each device
  --overrides FILE     names/types/vendors set by the user (default ${defaultOverridesPath})
  --set ID             change a device's override (ID as shown, e.g. mac:b0:c5:54:25:5b:0e); with
  --name N, --type T, --vendor V   ('' clears a field); types: ${deviceTypes.join(', ')}
  --quiet              no progress bar
  -h, --help           this help
`;

export async function devicesCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        brief: { type: 'boolean', default: false },
        overrides: { type: 'string' },
        set: { type: 'string' },
        name: { type: 'string' },
        type: { type: 'string' },
        vendor: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`bulwark devices: ${(err as Error).message}\n\n${devicesHelp}`);
    return ExitCode.USAGE;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(devicesHelp);
    return ExitCode.OK;
  }
  const overridesPath = v.overrides ?? defaultOverridesPath;
  if (v.set !== undefined) return setCommand(overridesPath, v.set, v.name, v.type, v.vendor);
  if (parsed.positionals.length === 0) {
    process.stderr.write(`bulwark devices: no capture file given\n\n${devicesHelp}`);
    return ExitCode.USAGE;
  }
  // Here --overrides also names the file --set writes: one that does not exist yet just holds nothing so far.
  const overrides = readOverrides(existsSync(overridesPath) ? overridesPath : undefined, 'devices');
  if (overrides === undefined) return ExitCode.USAGE;
  const progress = new ProgressBar(!v.quiet);
  const result = await analyzeCaptures(parsed.positionals, {
    overrides, detectors: [], assess: false, onProgress: (f, p, n) => progress.update(f, p, n),
  });
  progress.clear();
  const { devices, summary } = result;
  if (v.json) writeAll(1, JSON.stringify(devices, null, 2) + '\n');
  else if (v.brief) writeAll(1, deviceTable(devices) + '\n');
  else writeAll(1, [deviceTable(devices), '', ...devices.map(deviceDetails)].join('\n') + '\n');
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  if (summary.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  return summary.partial ? ExitCode.PARTIAL : ExitCode.OK;
}

function setCommand(path: string, id: string, name?: string, type?: string, vendor?: string): number {
  if (name === undefined && type === undefined && vendor === undefined) {
    process.stderr.write('bulwark devices: --set needs --name, --type or --vendor\n');
    return ExitCode.USAGE;
  }
  const clear = (x: string | undefined): string | null | undefined => (x === '' ? null : x);
  try {
    setOverride(path, id, { name: clear(name), type: clear(type) as DeviceType | null | undefined, vendor: clear(vendor) });
  } catch (err) {
    process.stderr.write(`bulwark devices: ${(err as Error).message}\n`);
    return ExitCode.USAGE;
  }
  process.stdout.write(`saved to ${path}: ${id}\n`);
  return ExitCode.OK;
}
