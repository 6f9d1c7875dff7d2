/**
 * BACnet names: vendor ids (the ASHRAE registry), object types, properties, services, errors, from
 * names.json (generated from Wireshark's value strings by scripts/gen-ot-names.ts), plus the few small
 * enumerations of the standard Bulwark names values of.
 * @module
 */
import data from './names.json' with { type: 'json' };

type Table = Readonly<Record<string, string>>;
const table = (t: Table) => (n: number): string | undefined => t[String(n)];

/** Vendor name of an ASHRAE vendor identifier, undefined when unassigned. */
export const vendorName = table(data.vendors);
export const errorClassName = table(data.error_classes);
export const errorCodeName = table(data.error_codes);
export const rejectReasonName = table(data.reject_reasons);
export const abortReasonName = table(data.abort_reasons);

export function objectTypeName(n: number): string {
  return (data.object_types as Table)[String(n)] ?? (n >= 128 ? `proprietary-${n}` : String(n));
}

export function propertyName(n: number): string {
  return (data.properties as Table)[String(n)] ?? (n >= 512 ? `proprietary-${n}` : String(n));
}

/** 'readProperty' → 'read_property', 'who-Is' → 'who_is', 'confirmedCOVNotification' → 'confirmed_cov_notification'. */
export function snakeCase(name: string): string {
  return name.replace(/[-\s]+/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

const confirmed = new Map<number, string>();
for (const [k, v] of Object.entries(data.confirmed_services as Table)) confirmed.set(Number(k), snakeCase(v));
const unconfirmed = new Map<number, string>();
for (const [k, v] of Object.entries(data.unconfirmed_services as Table)) unconfirmed.set(Number(k), snakeCase(v));

export function confirmedServiceName(n: number): string {
  return confirmed.get(n) ?? `confirmed_${n}`;
}

export function unconfirmedServiceName(n: number): string {
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
