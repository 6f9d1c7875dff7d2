/**
 * Evaluate device identification on the IoT Sentinel captures (npm run eval:devices):
 * 1. leave-one-capture-out: for each capture, retrain the model without it and classify its device (the MAC of
 *    _iotdevice-mac.txt) — accuracy per fine label (the paper's 27 types), overall, and at device-type level
 *    (rules + model, as `bulwark analyze` reports it);
 * 2. leave-one-unit-out for the four models with two units: train without every capture of one unit, classify
 *    that unit (generalisation to another unit of the same model).
 * Usage: node scripts/eval-devices.ts [captures-folder]
 */
import { fileURLToPath } from 'node:url';
import { collectSamples, type Sample } from '../src/inventory/training.ts';
import { DeviceModel } from '../src/inventory/model.ts';
import { identify } from '../src/inventory/identify.ts';
import { labelInfo } from '../src/inventory/labels.ts';

const root = process.argv[2] ?? fileURLToPath(new URL('../../shared/captures/benign-iot/iot-sentinel', import.meta.url));
const t0 = performance.now();
const samples = await collectSamples(root);
if (samples.length === 0) {
  console.error(`no labelled captures under ${root}`);
  process.exit(1);
}
const tCollect = performance.now() - t0;

function train(without: (s: Sample) => boolean): DeviceModel {
  return DeviceModel.train(samples.filter((s) => !without(s)).map((s) => ({ label: s.label, features: s.features })));
}

const pct = (a: number, b: number): string => `${((a / b) * 100).toFixed(1)} %`;

// 1. Leave one capture out.
const perLabel = new Map<string, { ok: number; typeOk: number; n: number }>();
const confusions = new Map<string, number>();
let ok = 0;
let typeOk = 0;
// Answers "one of A / B" (sibling models the evidence cannot tell apart) that contain the right model: honest,
// not wrong; counted apart from exact answers. A wrong answer without such a hedge is "confidently wrong".
let hedgedRight = 0;
let confidentlyWrong = 0;
// Right answers said as "one of A / B" (the cost of that honesty: the user gets two names, one of them right).
let hedgedWhenRight = 0;
for (const s of samples) {
  const model = train((x) => x === s);
  const pred = model.predict(s.features);
  const id = identify(s.record, model);
  const e = perLabel.get(s.label) ?? { ok: 0, typeOk: 0, n: 0 };
  e.n++;
  if (pred?.label === s.label) {
    e.ok++;
    ok++;
    if (id.model?.startsWith('one of ')) hedgedWhenRight++;
  } else {
    if (id.model?.startsWith('one of ') && id.model.includes(labelInfo[s.label].model)) hedgedRight++;
    else confidentlyWrong++;
    const key = `${s.label} → ${pred?.label ?? 'none'}`;
    confusions.set(key, (confusions.get(key) ?? 0) + 1);
  }
  if (id.type === labelInfo[s.label].type) {
    e.typeOk++;
    typeOk++;
  }
  perLabel.set(s.label, e);
}

console.log(`Leave-one-capture-out over ${samples.length} captures of ${perLabel.size} device types (${root})\n`);
console.log(`${'device type (label)'.padEnd(20)} ${'type'.padEnd(10)} captures  label acc   type acc`);
for (const [label, e] of [...perLabel].sort((a, b) => a[0].localeCompare(b[0]))) {
  console.log(`${label.padEnd(20)} ${labelInfo[label].type.padEnd(10)} ${String(e.n).padStart(8)}  ${pct(e.ok, e.n).padStart(9)}  ${pct(e.typeOk, e.n).padStart(9)}`);
}
console.log(`\noverall label accuracy (27 types): ${pct(ok, samples.length)} (${ok}/${samples.length})`);
console.log(`overall device-type accuracy:      ${pct(typeOk, samples.length)} (${typeOk}/${samples.length})`);
console.log(`exact or honestly "one of A / B":  ${pct(ok + hedgedRight, samples.length)} (${ok} exact + ${hedgedRight} hedged); confidently wrong: ${confidentlyWrong}`);
console.log(`right label said as "one of A / B": ${hedgedWhenRight}`);
if (confusions.size > 0) {
  console.log('\nconfusions:');
  for (const [k, n] of [...confusions].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${n}`);
}

// 2. Leave one unit out (models with two units in the dataset).
const units = new Map<string, string[]>();
for (const s of samples) if (samples.some((x) => x.label === s.label && x.folder !== s.folder)) units.set(s.folder, [...(units.get(s.folder) ?? []), s.file]);
if (units.size > 0) {
  console.log('\nLeave-one-unit-out (train without every capture of the unit):');
  let uOk = 0;
  let uN = 0;
  for (const folder of [...units.keys()].sort()) {
    const model = train((x) => x.folder === folder);
    const mine = samples.filter((x) => x.folder === folder);
    const good = mine.filter((x) => model.predict(x.features)?.label === x.label).length;
    uOk += good;
    uN += mine.length;
    console.log(`  ${folder.padEnd(20)} ${good}/${mine.length}`);
  }
  console.log(`  overall: ${pct(uOk, uN)} (${uOk}/${uN})`);
}
console.log(`\n(${(tCollect / 1000).toFixed(1)} s to analyse the captures, ${((performance.now() - t0 - tCollect) / 1000).toFixed(1)} s to evaluate)`);
