/**
 * The live-capture options `analyze --interface` and `serve --interface` share: interfaces, capture filter,
 * snap length, kernel buffer and the on-disk packet ring that keeps the evidence of live findings.
 * @module
 */
import { join, resolve } from 'node:path';
import type { LiveCaptureOptions } from '../capture/dumpcap.ts';
import { defaultRingMiB } from '../findings/evidence/live-ring.ts';
import { parseNetworks } from '../pipeline/site.ts';

export const captureOptionSpecs = {
  interface: { type: 'string', short: 'i', multiple: true },
  filter: { type: 'string' },
  bpf: { type: 'string' },
  snaplen: { type: 'string' },
  'buffer-mb': { type: 'string' },
  'ring-dir': { type: 'string' },
  'ring-mb': { type: 'string' },
  'no-ring': { type: 'boolean' },
} as const;

export const captureHelp = `  --interface IFACE    capture live from IFACE (repeatable: several interfaces in one capture; 'bulwark
                       interfaces' lists them); needs dumpcap and the capture privilege (see the README,
                       "Live monitoring")
  --filter BPF         capture filter for --interface, tcpdump syntax ("not port 22"); --bpf is the same
  --snaplen N          bytes kept of each packet (default: whole packets)
  --buffer-mb N        kernel capture buffer per interface, MiB (default 32)
  --ring-dir DIR       keep recent packets in an on-disk ring in DIR (analyze: default OUT/ring with --out),
                       so that evidence packages of live findings can be cut ('bulwark evidence --ring
                       DIR'); the packets of open findings are kept
  --ring-mb N          disk the ring may use, MiB (default ${defaultRingMiB})
  --no-ring            no packet ring
`;

export interface CaptureArgs {
  interfaces: string[];
  capture: Omit<LiveCaptureOptions, 'interface' | 'onStarted'>;
  ring?: { dir: string; sizeMiB: number };
}

type CaptureValues = {
  interface?: string[];
  filter?: string;
  bpf?: string;
  snaplen?: string;
  'buffer-mb'?: string;
  'ring-dir'?: string;
  'ring-mb'?: string;
  'no-ring'?: boolean;
};

/**
 * The capture options as given; `defaultRingDir` is where the ring goes when --ring-dir is absent
 * (undefined: no ring unless asked for). A string is the usage error.
 */
export function parseCaptureArgs(v: CaptureValues, defaultRingDir: string | undefined, configured: { interface?: string; filter?: string } = {}): CaptureArgs | string | undefined {
  const interfaces = v.interface && v.interface.length > 0 ? v.interface : configured.interface ? [configured.interface] : [];
  if (v.filter !== undefined && v.bpf !== undefined && v.filter !== v.bpf) return '--filter and --bpf are the same option: give one';
  const filter = v.filter ?? v.bpf;
  if (interfaces.length === 0) {
    for (const o of ['filter', 'bpf', 'snaplen', 'buffer-mb', 'ring-dir', 'ring-mb'] as const) if (v[o] !== undefined) return `--${o} applies to a live capture: give --interface too`;
    return undefined;
  }
  const capture: CaptureArgs['capture'] = {};
  const f = filter ?? configured.filter;
  if (f !== undefined) capture.filter = f;
  if (v.snaplen !== undefined) {
    const n = Number(v.snaplen);
    if (!/^\d+$/.test(v.snaplen) || n < 64 || n > 262144) return `--snaplen must be 64..262144 bytes, got '${v.snaplen}'`;
    capture.snaplen = n;
  }
  if (v['buffer-mb'] !== undefined) {
    const n = Number(v['buffer-mb']);
    if (!/^\d+$/.test(v['buffer-mb']) || n < 1) return `--buffer-mb must be a positive integer, got '${v['buffer-mb']}'`;
    capture.bufferMiB = n;
  }
  const args: CaptureArgs = { interfaces, capture };
  if (v['no-ring']) {
    if (v['ring-dir'] !== undefined || v['ring-mb'] !== undefined) return '--no-ring and --ring-dir/--ring-mb contradict each other';
    return args;
  }
  const dir = v['ring-dir'] ?? defaultRingDir;
  if (dir === undefined) {
    if (v['ring-mb'] !== undefined) return '--ring-mb needs --ring-dir (or --out DIR, whose ring is DIR/ring)';
    return args;
  }
  let sizeMiB = defaultRingMiB;
  if (v['ring-mb'] !== undefined) {
    sizeMiB = Number(v['ring-mb']);
    if (!/^\d+$/.test(v['ring-mb']) || sizeMiB < 16) return `--ring-mb must be an integer of at least 16, got '${v['ring-mb']}'`;
  }
  args.ring = { dir: resolve(dir), sizeMiB };
  return args;
}

/** The ring folder of `analyze --interface --out OUT` when none is named. */
export const ringDirOf = (out: string): string => join(out, 'ring');

/** `--local-nets LIST` over the configuration file's `site.local_networks`; a message naming the bad entry. */
export function parseLocalNets(option: string | undefined, configured: string[] | undefined): string[] | undefined | string {
  if (option === undefined) return configured;
  try {
    return parseNetworks(option);
  } catch (err) {
    return `--local-nets: ${(err as Error).message}`;
  }
}
