/**
 * Identification: explainable rules (rules.ts) and the learned nearest-neighbour model (model.ts) combined
 * into a device type with a confidence, a vendor and a model name, and the reasons behind them.
 * @module
 */
import { existsSync } from 'node:fs';
import type { DeviceRecord, DeviceType, Identification } from './types.ts';
import { rules, signalNames, type Rule } from './rules.ts';
import { DeviceModel, type Prediction } from './model.ts';
import { deviceFeatures, trafficBuckets } from './features.ts';
import { labelInfo } from './labels.ts';
import { otIdentity } from './ot-rules.ts';

type Unidentified = Omit<DeviceRecord, 'identification'>;

/** Below this the answer is 'unknown'. */
export const minTypeConfidence = 0.3;
/** A model prediction below this is not used (the device is unlike every labelled one). */
export const minModelConfidence = 0.35;

const modelPath = new URL('./model-data.json', import.meta.url);
let shipped: DeviceModel | null | undefined;

/** The model shipped with Bulwark (src/inventory/model-data.json), or null when absent. */
export function shippedModel(): DeviceModel | null {
  if (shipped === undefined) {
    try {
      shipped = existsSync(modelPath) ? DeviceModel.load(modelPath) : null;
    } catch {
      shipped = null;
    }
  }
  return shipped;
}

interface Match {
  rule: Rule;
  reason: string;
  model?: string;
  vendor?: string;
}

function clip(s: string): string {
  return s.length > 48 ? `${s.slice(0, 45)}...` : s;
}

/** Every rule that matches some evidence (each rule counted once, at its first match). */
export function ruleMatches(d: Unidentified): Match[] {
  const items: { signal: string; value: string }[] = d.evidence.map((e) => ({ signal: e.signal, value: e.value }));
  for (const s of d.services) items.push({ signal: 'service', value: `${s.transport}/${s.port}` });
  if (d.oui_vendor) items.push({ signal: 'oui', value: d.oui_vendor });
  const out: Match[] = [];
  // Indexed loops: run at every change of a device's evidence, the inner for-of made an iterator per rule.
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (!rule.signals.includes(it.signal)) continue;
      const m = rule.pattern.exec(it.value);
      if (!m) continue;
      const name = signalNames[it.signal] ?? it.signal;
      const reason = it.signal === 'service' ? `answers on ${it.value}`
        : it.signal === 'oui' ? `OUI ${shortVendor(it.value)}`
        : ['gateway', 'dhcp.server', 'ndp.router_advert'].includes(it.signal) ? it.value : `${name} '${clip(it.value)}'`;
      out.push({ rule, reason, model: rule.model?.replace('$1', m[1] ?? ''), vendor: rule.vendor?.replace('$1', m[1] ?? '') });
      break;
    }
  }
  return out;
}

/** Organisation name without legal suffixes: "TP-LINK TECHNOLOGIES CO.,LTD." → "TP-LINK TECHNOLOGIES". */
export function shortVendor(org: string): string {
  let s = org;
  for (let i = 0; i < 3; i++) s = s.replace(/[,.]?\s*\b(co\.?,?\s*ltd\.?|corporation|corp\.?|inc\.?|gmbh|ltd\.?|llc|b\.?v\.?|s\.?a\.?|ag|limited|international|technologies)\s*$/i, '').replace(/[,.\s]+$/, '');
  return s.trim() || org;
}

const kindNames: Record<string, string> = {
  oui: 'OUI', host: 'DHCP host name', hostw: 'host name words', p55: 'DHCP fingerprint', dopt: 'DHCP options', vc: 'DHCP vendor class',
  mdns: 'mDNS services', txt: 'mDNS TXT', mq: 'mDNS queries', ssdp: 'SSDP SERVER', ssdpw: 'SSDP SERVER', udev: 'UPnP device type', usn: 'UPnP services', ua: 'User-Agent',
  uaw: 'User-Agent', hs: 'HTTP Server', hsw: 'HTTP Server', realm: 'HTTP realm', ja3: 'JA3', ja4: 'JA4', syn: 'TCP SYN signature',
  dom: 'DNS names', dom2: 'DNS domains', cert: 'TLS certificate', ssh: 'SSH banner', svc: 'services', port: 'remote ports', st: 'SSDP search',
  mud: 'MUD URL', oro: 'DHCPv6 fingerprint', role: 'network role',
};

function modelReason(p: Prediction): string {
  const shared: string[] = [];
  for (const t of p.neighbours[0]?.shared ?? []) {
    const name = kindNames[t.slice(0, t.indexOf(':'))];
    if (name && !shared.includes(name)) shared.push(name);
    if (shared.length === 4) break;
  }
  return `like known ${p.label} devices (${p.confidence.toFixed(2)}${shared.length ? `: ${shared.join(', ')}` : ''})`;
}

/** Evidence signals carrying a firmware version, and those carrying an application software version. */
const firmwareSignals = ['bacnet.firmware'];
const softwareSignals = ['bacnet.application_software'];

/** Firmware the device reports ('0.4.2', '0.4.2 (application 1.8.5)'), from its latest report. */
export function firmwareOf(d: Unidentified): string | undefined {
  const latest = (signals: string[]) => d.evidence.filter((e) => signals.includes(e.signal)).sort((a, b) => b.ts - a.ts)[0]?.value;
  const fw = latest(firmwareSignals);
  const app = latest(softwareSignals);
  if (fw && app) return `${fw} (application ${app})`;
  return fw ?? (app ? `application ${app}` : undefined);
}

/**
 * OUI organisations that make Wi-Fi/Bluetooth/cellular modules or chips other brands build into their products:
 * the OUI of an Espressif module in a kettle says who made the module, not who made the kettle.
 */
const moduleMakers = /espressif|mxchip|high-?flying|azurewave|murata|universal global scientific|gainspan|silicon lab|lierda|beken|realtek|tuya|u-blox|texas instruments|nordic semiconductor|microchip technology|qualcomm|mediatek|broadcom|cypress semiconductor|bouffalo|winner micro|shenzhen bilian|fn-link|quectel|simcom|telit|sierra wireless|ampak|wistron neweb|hon hai|liteon|lite-on/i;

export function isModuleMaker(ouiVendor: string): boolean {
  return moduleMakers.test(ouiVendor);
}

/** Labels tied with the prediction that are sibling models (same vendor and type). */
/**
 * A sibling model (same vendor and type) whose closest sample is at least this share as close as the winner's is
 * named beside it ("one of A / B"). Measured leave-one-capture-out on the IoT Sentinel captures: the Edimax
 * SP-1101W and SP-2101W plugs differ only in traffic shape; the two answers that picked the wrong one had the right
 * one at 97.1 % and 97.6 % of the winner's similarity, while the nearest other labels lie below 60 %.
 */
export const siblingShare = 0.96;

/** Sibling models the evidence cannot tell from the predicted one: tied, or close and of the same vendor and type. */
export function siblingsOf(p: Prediction, info: { type: DeviceType; vendor: string }): string[] {
  const best = p.neighbours[0]?.similarity ?? 0;
  const candidates = new Set([...p.tied, ...p.close.filter((c) => c.similarity >= best * siblingShare).map((c) => c.label)]);
  return [...candidates].filter((l) => labelInfo[l] && labelInfo[l].type === info.type && labelInfo[l].vendor === info.vendor && labelInfo[l].model !== labelInfo[p.label].model).sort();
}

/** The nearest sample shares nothing with the device but OUI (and traffic-volume) tokens. */
function modelOnlyFromOui(p: Prediction): boolean {
  const shared = p.neighbours[0]?.shared ?? [];
  return shared.every((t) => /^(oui|nflows|nbytes|nremote|nlocal|ndomains):/.test(t));
}

/**
 * Everything identify() reads of a device, as one string: devices with equal strings get equal identifications
 * from the same model, so a caller can keep an identification until its device's string changes. Keep in step
 * with identify, ruleMatches, firmwareOf, otIdentity and deviceFeatures: the MAC and its OUI facts, the evidence
 * (in order, with its time: firmwareOf takes the latest), the services' ports, the remote ports and the traffic
 * buckets — not addresses, host names, times or exact counters.
 */
export function identificationInputs(d: Unidentified): string {
  return JSON.stringify([
    d.mac ?? null, d.oui_vendor ?? null, d.mac_local,
    d.evidence.map((e) => [e.signal, e.value, String(e.ts)]),
    d.services.map((s) => [s.transport, s.port]),
    d.talks_to.ports,
    trafficBuckets(d),
  ]);
}

/** A copy of an identification that shares no array with it (records handed out may be changed by their users). */
export function copyIdentification(id: Identification): Identification {
  const out = { ...id, because: [...id.because] };
  if (id.roles) out.roles = [...id.roles];
  return out;
}

/** Identify a device from its evidence: rules and model, whichever is stronger, agreeing ones reinforcing. */
export function identify(d: Unidentified, model: DeviceModel | null = shippedModel()): Identification {
  const matches = ruleMatches(d).sort((a, b) => b.rule.weight - a.rule.weight);
  const typeScore = new Map<DeviceType, number>();
  for (const m of matches) {
    const t = m.rule.type;
    if (!t) continue;
    typeScore.set(t, 1 - (1 - (typeScore.get(t) ?? 0)) * (1 - m.rule.weight));
  }
  let ruleType: DeviceType = 'unknown';
  let ruleConf = 0;
  for (const [t, s] of typeScore) if (s > ruleConf) [ruleType, ruleConf] = [t, s];

  const pred = model?.predict(deviceFeatures(d));
  // A prediction that rests on a module maker's OUI alone (every Espressif-based product shares it) says nothing.
  const usePred = pred && pred.confidence >= minModelConfidence && labelInfo[pred.label] && !(modelOnlyFromOui(pred) && d.oui_vendor && isModuleMaker(d.oui_vendor)) ? pred : undefined;
  const info = usePred ? labelInfo[usePred.label] : undefined;
  const modelConf = usePred ? usePred.confidence : 0;

  let type: DeviceType = ruleType;
  let conf = ruleConf;
  let decidedBy: Identification['decided_by'] = 'rules';
  if (info) {
    if (info.type === ruleType) {
      conf = 1 - (1 - ruleConf) * (1 - modelConf);
      decidedBy = modelConf > ruleConf ? 'model' : 'rules';
    } else if (modelConf > ruleConf) {
      type = info.type;
      conf = modelConf * (1 - ruleConf / 2);
      decidedBy = 'model';
    } else {
      conf = ruleConf * (1 - modelConf / 2);
    }
  }

  // Reasons: those for the type (the deciding side first), the OUI, then those that only name the vendor.
  const because: string[] = matches.filter((m) => m.rule.type && m.rule.type === type).map((m) => m.reason);
  if (info && info.type === type) {
    const r = modelReason(usePred!);
    if (decidedBy === 'model') because.unshift(r);
    else because.push(r);
  }
  if (d.oui_vendor && !matches.some((m) => m.reason === `OUI ${shortVendor(d.oui_vendor!)}` && m.rule.type === type)) {
    const note = isModuleMaker(d.oui_vendor) ? ' (maker of its network module, not the brand)' : '';
    because.splice(Math.min(1, because.length), 0, `OUI ${shortVendor(d.oui_vendor)}${note}`);
  } else if (d.mac_local) because.push('randomised (locally administered) MAC');
  for (const m of matches) if (!m.rule.type && m.rule.vendor) because.push(m.reason);

  if (conf < minTypeConfidence) {
    type = 'unknown';
    conf = 0;
    decidedBy = 'rules';
  }
  const out: Identification = { type, type_confidence: Math.round(conf * 100) / 100, because: because.slice(0, 6), decided_by: decidedBy };

  // Vendor: a rule that names one, else the model's label (when it agrees on the type), else the OUI registry.
  // A rule naming a module maker (an "ESP_…" host name) says what is inside, not whose product it is.
  const vendorRule = matches.find((m) => m.vendor && !isModuleMaker(m.vendor) && (!m.rule.type || m.rule.type === type));
  const ouiBrand = d.oui_vendor && !isModuleMaker(d.oui_vendor) ? shortVendor(d.oui_vendor) : undefined;
  const vendor = vendorRule?.vendor ?? (info && info.type === type ? info.vendor : undefined) ?? ouiBrand;
  if (vendor) out.vendor = vendor;
  const ruleModel = matches.find((m) => m.model && m.rule.type === type)?.model;
  let modelName = ruleModel ?? (info && info.type === type ? info.model : undefined);
  // Sibling models the evidence cannot tell apart (same vendor and type, equally close): say so, never pick one.
  const siblings = ruleModel === undefined && usePred && info ? siblingsOf(usePred, info) : [];
  if (modelName && siblings.length > 0) {
    modelName = `one of ${[info!.model, ...siblings.map((l) => labelInfo[l].model)].join(' / ')}`;
    out.because.push(`cannot tell ${[usePred!.label, ...siblings].join(' from ')}: their traffic here looks the same`);
    out.model_confidence = Math.round((modelConf / (siblings.length + 1)) * 100) / 100;
  } else if (modelName && !ruleModel && info && modelOnlyFromOui(usePred!)) {
    // A model name needs evidence of the product itself; the OUI names only who made the network chip or the brand.
    modelName = undefined;
  }
  if (modelName && type !== 'unknown') out.model = modelName;

  // What an industrial device says about itself through an identification service beats any guess.
  const ot = otIdentity(d.evidence);
  if (ot.vendor) out.vendor = ot.vendor;
  if (ot.model && !out.model) out.model = ot.model;
  const fw = ot.firmware ?? firmwareOf(d);
  if (fw) out.firmware = fw;
  if (ot.serial) out.serial = ot.serial;
  if (ot.roles.length > 0) out.roles = ot.roles;
  return out;
}
