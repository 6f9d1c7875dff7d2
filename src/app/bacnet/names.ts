/**
 * BACnet names: vendor ids (the ASHRAE registry), object types, properties, services, errors, from
 * names.json (generated from Wireshark's value strings by scripts/gen-ot-names.ts), plus the few small
 * enumerations of the standard Bulwark names values of.
 * @module
 */
import { readFileSync } from 'node:fs';

type Table = Readonly<Record<string, string>>;
/** names.json's tables, each number (as text) → name. */
interface NamesJson {
  vendors: Table;
  object_types: Table;
  properties: Table;
  confirmed_services: Table;
  unconfirmed_services: Table;
  error_classes: Table;
  error_codes: Table;
  reject_reasons: Table;
  abort_reasons: Table;
}

/**
 * names.json, read and parsed when BACnet is first named. Not imported: bundled, its 90 KB became a JavaScript
 * object literal that every run compiled or read from the code cache (100 KB of it), BACnet or not.
 */
let loaded: NamesJson | undefined;
function data(): NamesJson {
  loaded ??= JSON.parse(readFileSync(new URL('./names.json', import.meta.url), 'utf8')) as NamesJson;
  return loaded;
}

const table = (pick: (d: NamesJson) => Table) => (n: number): string | undefined => pick(data())[String(n)];

/** Vendor name of an ASHRAE vendor identifier, undefined when unassigned. */
export const vendorName = table((d) => d.vendors);
export const errorClassName = table((d) => d.error_classes);
export const errorCodeName = table((d) => d.error_codes);
export const rejectReasonName = table((d) => d.reject_reasons);
export const abortReasonName = table((d) => d.abort_reasons);

export function objectTypeName(n: number): string {
  return data().object_types[String(n)] ?? (n >= 128 ? `proprietary-${n}` : String(n));
}

export function propertyName(n: number): string {
  return data().properties[String(n)] ?? (n >= 512 ? `proprietary-${n}` : String(n));
}

/** 'readProperty' → 'read_property', 'who-Is' → 'who_is', 'confirmedCOVNotification' → 'confirmed_cov_notification'. */
export function snakeCase(name: string): string {
  return name.replace(/[-\s]+/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

let confirmed: Map<number, string> | undefined;
let unconfirmed: Map<number, string> | undefined;
const serviceMap = (services: Table): Map<number, string> => new Map(Object.entries(services).map(([k, v]) => [Number(k), snakeCase(v)]));

export function confirmedServiceName(n: number): string {
  confirmed ??= serviceMap(data().confirmed_services);
  return confirmed.get(n) ?? `confirmed_${n}`;
}

export function unconfirmedServiceName(n: number): string {
  unconfirmed ??= serviceMap(data().unconfirmed_services);
  return unconfirmed.get(n) ?? `unconfirmed_${n}`;
}

/** BACnetSegmentation (clause 21). */
export const segmentationNames = ['segmented-both', 'segmented-transmit', 'segmented-receive', 'no-segmentation'] as const;
/** BACnetEventState (clause 21), the value of property event-state (36). */
export const eventStateNames = ['normal', 'fault', 'offnormal', 'high-limit', 'low-limit', 'life-safety-alarm'] as const;
/** BACnetBinaryPV: present-value of binary-input/output/value objects (types 3, 4, 5). */
export const binaryPvNames = ['inactive', 'active'] as const;

export const Property = { EVENT_STATE: 36, PRESENT_VALUE: 85 } as const;

/** Name of an enumerated value of `property` on an object of `objectType`, where the enumeration is known. */
export function enumeratedName(objectType: number, property: number, value: number): string | undefined {
  if (property === Property.EVENT_STATE) return eventStateNames[value];
  if (property === Property.PRESENT_VALUE && objectType >= 3 && objectType <= 5) return binaryPvNames[value];
  return undefined;
}
