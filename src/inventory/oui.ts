/**
 * MAC address facts: IEEE OUI registry vendor (from the maintained `oui-data` package, never a hand-written
 * list), locally administered (randomised/virtual) and group (multicast/broadcast) bits.
 * @module
 */
import { vendorTable } from './oui-table.ts';

/** Lower-case colon form 'aa:bb:cc:dd:ee:ff', or undefined when `mac` is not a 48-bit address. */
export function normaliseMac(mac: unknown): string | undefined {
  if (typeof mac !== 'string') return undefined;
  if (isCanonicalMac(mac)) return mac; // the pipeline's own form: skip the regexes (hot: every event)
  const hex = mac.replace(/[:\-.]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** 'aa:bb:cc:dd:ee:ff' with lower-case hex digits. */
function isCanonicalMac(mac: string): boolean {
  if (mac.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = mac.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function firstOctet(mac: string): number {
  return parseInt(mac.slice(0, 2), 16);
}

/** Locally administered bit (U/L): randomised (phones), virtual or otherwise not registry-assigned. */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** Group bit (multicast and broadcast): never a device. */
export function isGroupMac(mac: string): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}

/** A MAC that can name one device: unicast, not all zeros. */
export function isDeviceMac(mac: string): boolean {
  return !isGroupMac(mac) && mac !== '00:00:00:00:00:00';
}

/**
 * Organisation name of the IEEE assignment covering `mac` (MA-S 36-bit, MA-M 28-bit, MA-L 24-bit, longest
 * first), or undefined when unassigned or locally administered.
 */
export function ouiVendor(mac: string): string | undefined {
  if (isLocallyAdministered(mac)) return undefined;
  const hex = mac.replace(/:/g, '').toUpperCase();
  const table = vendorTable();
  for (const len of [9, 7, 6]) {
    const name = table.name(hex.slice(0, len));
    if (name) return name;
  }
  return undefined;
}
