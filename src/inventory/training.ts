/**
 * Labelled samples from the IoT Sentinel captures (one per capture: the device whose MAC is in the folder's
 * _iotdevice-mac.txt), for training and evaluating the model. Needs the shared captures; runtime does not.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import { deviceFeatures } from './features.ts';
import { iotSentinelFolders } from './labels.ts';
import { normaliseMac } from './oui.ts';
import type { DeviceRecord } from './types.ts';

export interface Sample {
  folder: string;
  file: string;
  label: string;
  features: string[];
  record: Omit<DeviceRecord, 'identification'>;
}

const noIdentification = (): DeviceRecord['identification'] => ({ type: 'unknown', type_confidence: 0, because: [], decided_by: 'rules' });

/** Run one capture through the pipeline and inventory (identification skipped) and return its devices. */
export async function inventoryOf(paths: readonly string[]): Promise<DeviceRecord[]> {
  const inv = new Inventory({ identify: noIdentification });
  const p = new Pipeline();
  inv.attach(p);
  await p.run(paths);
  return inv.devices();
}

/** Every capture of every known folder under `root` as a labelled sample (captures without the device skipped). */
export async function collectSamples(root: string, onFile?: (file: string) => void): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const folder of Object.keys(iotSentinelFolders).sort()) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    const mac = normaliseMac(readFileSync(join(dir, '_iotdevice-mac.txt'), 'utf8').trim());
    const files = readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort();
    for (const f of files) {
      const file = join(dir, f);
      onFile?.(file);
      const dev = (await inventoryOf([file])).find((d) => d.mac === mac);
      if (!dev) continue;
      out.push({ folder, file: `${folder}/${f}`, label: iotSentinelFolders[folder].label, features: deviceFeatures(dev), record: dev });
    }
  }
  return out;
}
