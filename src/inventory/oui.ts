/**
 * MAC address facts: IEEE OUI registry vendor (from the maintained `oui-data` package, never a hand-written
 * list), locally administered (randomised/virtual) and group (multicast/broadcast) bits.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Registry entries by prefix (hex digits, upper case): the raw JSON string of the organisation's text. */
interface OuiIndex {
  get(prefix: string): string | undefined;
}

let index: OuiIndex | undefined;

/**
 * The registry, loaded on first use. Parsing its 5.6 MB of JSON into an object cost 0.3 s of CPU (most of
 * a short run's start-up); instead the file is read as bytes and indexed line by line (`oui-data` writes
 * one `"PREFIX": "text",` entry per line), and only the entries asked for are decoded. A file in any other
 * layout is parsed whole, as before.
 */
function registry(): OuiIndex {
  if (index !== undefined) return index;
  let bytes: Buffer;
  try {
    bytes = readFileSync(createRequire(import.meta.url).resolve('oui-data'));
  } catch {
    index = new Map<string, string>();
    return index;
  }
  index = lineIndex(bytes) ?? parsedWhole(bytes);
  return index;
}

/** Value of a hex digit (0-9, A-F), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** A prefix as one number: its value and its length in digits (6, 7 or 9 digits fit a double exactly). */
function prefixCode(value: number, digits: number): number {
  return value * 16 + digits;
}

/**
 * Entries of a registry written one per line (` "PREFIX": "text",`); undefined when a line is in another
 * form. One pass over the bytes (about 10 ms for the 5.6 MB file), no string made per entry.
 */
function lineIndex(bytes: Buffer): OuiIndex | undefined {
  const at = new Map<number, number>(); // prefix code → index into `spans`
  const spans: number[] = []; // start (opening quote) and end (after the closing quote) of each value
  const n = bytes.length;
  let pos = 0;
  while (pos < n) {
    let i = pos;
    while (i < n && (bytes[i] === 32 || bytes[i] === 9)) i++;
    if (i < n && bytes[i] === 34) {
      let value = 0;
      let digits = 0;
      let d: number;
      i++;
      while (i < n && (d = hexDigit(bytes[i])) >= 0) {
        value = value * 16 + d;
        digits++;
        i++;
      }
      if (digits < 6 || digits > 9 || bytes[i] !== 34 || bytes[i + 1] !== 58 || bytes[i + 2] !== 32 || bytes[i + 3] !== 34) return undefined;
      const start = i + 3;
      let end = start + 1;
      while (end < n && bytes[end] !== 10) end++;
      pos = end + 1;
      if (bytes[end - 1] === 13) end--; // CRLF
      if (bytes[end - 1] === 44) end--; // the comma between entries
      if (bytes[end - 1] !== 34 || end - 1 <= start) return undefined;
      at.set(prefixCode(value, digits), spans.length);
      spans.push(start, end);
      continue;
    }
    // Only the braces around the entries and blank lines may stand between them.
    if (i < n && (bytes[i] === 123 || bytes[i] === 125)) i++;
    while (i < n && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 13)) i++;
    if (i < n && bytes[i] !== 10) return undefined;
    pos = i + 1;
  }
  return {
    get(prefix: string): string | undefined {
      let value = 0;
      for (let k = 0; k < prefix.length; k++) {
        const d = hexDigit(prefix.charCodeAt(k));
        if (d < 0) return undefined;
        value = value * 16 + d;
      }
      const i = at.get(prefixCode(value, prefix.length));
      if (i === undefined) return undefined;
      const text: unknown = JSON.parse(bytes.toString('utf8', spans[i], spans[i + 1]));
      return typeof text === 'string' ? text : undefined;
    },
  };
}

function parsedWhole(bytes: Buffer): OuiIndex {
  const map = new Map<string, string>();
  try {
    const table = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(table)) if (typeof v === 'string') map.set(k, v);
  } catch {
    // an unreadable registry names no vendor
  }
  return map;
}

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
  const reg = registry();
  for (const len of [9, 7, 6]) {
    const entry = reg.get(hex.slice(0, len));
    if (typeof entry === 'string') {
      const name = entry.split('\n')[0].trim();
      if (name !== '') return name;
    }
  }
  return undefined;
}
