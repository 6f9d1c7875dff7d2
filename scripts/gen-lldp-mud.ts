/**
 * Writes test/traces/mud/lldp-mud-url.generated.pcap: LLDP frames as RFC 8520 section 10 and IEEE 802.1AB
 * describe them (no public capture with the MUD URL TLV exists): a frame with Chassis ID, Port ID, TTL, the
 * MUD URL TLV (type 127, OUI 00-00-5E, subtype 1) and End; one frame without it; one truncated TLV.
 * Usage: node scripts/gen-lldp-mud.ts
 */
import { writeFileSync } from 'node:fs';

const mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const tlv = (type: number, value: number[]): number[] => [(type << 1) | (value.length >> 8), value.length & 0xff, ...value];
const url = 'https://luminaire.example.com/Luminaire_150';
const frame = (tlvs: number[]): number[] => [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, ...mac, 0x88, 0xcc, ...tlvs];
const base = [...tlv(1, [4, ...mac]), ...tlv(2, [3, ...mac]), ...tlv(3, [0, 120])];
const frames = [
  frame([...base, ...tlv(127, [0x00, 0x00, 0x5e, 0x01, ...[...url].map((c) => c.charCodeAt(0))]), ...tlv(0, [])]),
  frame([...base, ...tlv(0, [])]),
  frame([...base, 0xfe, 0x40, 0x00, 0x00]),
];
const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(65535, 16);
header.writeUInt32LE(1, 20);
const parts = [header];
frames.forEach((f, i) => {
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(1767225600 + i, 0);
  rec.writeUInt32LE(f.length, 8);
  rec.writeUInt32LE(f.length, 12);
  parts.push(rec, Buffer.from(f));
});
writeFileSync(new URL('../test/traces/mud/lldp-mud-url.generated.pcap', import.meta.url), Buffer.concat(parts));
