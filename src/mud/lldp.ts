/**
 * MUD URLs announced in LLDP (RFC 8520 section 10: an organizationally specific TLV, type 127, with the IANA
 * OUI 00-00-5E and subtype 1, whose value is the URL). The pipeline does not decode LLDP (it is not IP), so
 * `announcedInCaptures` reads the capture files itself, Ethernet frames with EtherType 0x88CC only.
 * The parser is pure, bounded, and never throws.
 * @module
 */
import { openCapture } from '../capture/open.ts';

export type LldpMudUrl =
  | { kind: 'ok'; url: string; source: string }
  | { kind: 'none' }
  | { kind: 'invalid'; anomaly: 'mud.lldp.truncated_tlv' | 'mud.lldp.bad_url' };

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_LLDP = 0x88cc;
const maxTlvs = 64;

/** The MUD URL of one Ethernet frame's LLDPDU, if it carries one. `data[offset .. offset+length)` is the frame. */
export function lldpMudUrl(data: Uint8Array, offset: number, length: number): LldpMudUrl {
  if (length < 14) return { kind: 'none' };
  let p = offset + 12;
  let type = (data[p] << 8) | data[p + 1];
  if (type === 0x8100 || type === 0x88a8) {
    if (length < 18) return { kind: 'none' };
    p += 4;
    type = (data[p] << 8) | data[p + 1];
  }
  if (type !== ETHERTYPE_LLDP) return { kind: 'none' };
  const source = [...data.subarray(offset + 6, offset + 12)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  p += 2;
  const end = offset + length;
  for (let n = 0; n < maxTlvs; n++) {
    if (p + 2 > end) return { kind: 'invalid', anomaly: 'mud.lldp.truncated_tlv' };
    const tlvType = data[p] >> 1;
    const tlvLen = ((data[p] & 1) << 8) | data[p + 1];
    p += 2;
    if (tlvType === 0) return { kind: 'none' }; // End of LLDPDU
    if (p + tlvLen > end) return { kind: 'invalid', anomaly: 'mud.lldp.truncated_tlv' };
    if (tlvType === 127 && tlvLen >= 4 && data[p] === 0x00 && data[p + 1] === 0x00 && data[p + 2] === 0x5e && data[p + 3] === 0x01) {
      const bytes = data.subarray(p + 4, p + tlvLen);
      let url = '';
      for (const b of bytes) {
        if (b < 0x21 || b > 0x7e) return { kind: 'invalid', anomaly: 'mud.lldp.bad_url' };
        url += String.fromCharCode(b);
      }
      if (!/^https:\/\/[^/]+/.test(url)) return { kind: 'invalid', anomaly: 'mud.lldp.bad_url' };
      return { kind: 'ok', url, source };
    }
    p += tlvLen;
  }
  return { kind: 'none' };
}

export interface Announcement {
  mac: string;
  url: string;
  via: 'lldp';
  file: string;
  packet: number;
}

/** MUD URLs in the LLDP frames of capture files (first announcement per MAC and URL), and anomalies counted. */
export async function announcedInCaptures(paths: readonly string[], max = 10_000): Promise<{ found: Announcement[]; anomalies: Record<string, number> }> {
  const found: Announcement[] = [];
  const seen = new Set<string>();
  const anomalies: Record<string, number> = {};
  for (const file of paths) {
    await openCapture(file).read((rec) => {
      if (rec.linkType !== LINKTYPE_ETHERNET) return;
      const r = lldpMudUrl(rec.data, rec.offset, rec.caplen);
      if (r.kind === 'invalid') anomalies[r.anomaly] = (anomalies[r.anomaly] ?? 0) + 1;
      if (r.kind !== 'ok' || seen.has(`${r.source}|${r.url}`) || found.length >= max) return;
      seen.add(`${r.source}|${r.url}`);
      found.push({ mac: r.source, url: r.url, via: 'lldp', file, packet: rec.packetNo });
    });
  }
  return { found, anomalies };
}
