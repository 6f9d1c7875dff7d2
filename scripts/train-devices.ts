/**
 * Train the device identification model from the IoT Sentinel captures and write src/inventory/model-data.json.
 * Usage: node scripts/train-devices.ts [captures-folder]  (default: ../shared/captures/benign-iot/iot-sentinel
 * beside the repository). Run again after changing features.ts or the captures.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectSamples } from '../src/inventory/training.ts';
import { DeviceModel } from '../src/inventory/model.ts';

export const defaultCaptures = fileURLToPath(new URL('../../shared/captures/benign-iot/iot-sentinel', import.meta.url));

const root = process.argv[2] ?? defaultCaptures;
const samples = await collectSamples(root);
if (samples.length === 0) {
  console.error(`no labelled captures under ${root}`);
  process.exit(1);
}
const model = DeviceModel.train(samples.map((s) => ({ label: s.label, file: s.file, features: s.features })));
const out = fileURLToPath(new URL('../src/inventory/model-data.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(model.toJSON())}\n`);
console.log(`${samples.length} captures, ${model.labels.length} labels, ${model.toJSON().vocab.length} features → ${out}`);
