/**
 * A minimal pcapng writer for evidence: one section, one interface per link type (nanosecond time
 * resolution, so packet times stay exact), Enhanced Packet Blocks with an opt_comment each.
 * @module
 */

export interface EvidencePacket {
  linkType: number;
  tsSec: number;
  tsNsec: number;
  origLen: number;
  data: Uint8Array;
  comment: string;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function option(code: number, value: Uint8Array): Buffer {
  const b = Buffer.alloc(4 + pad4(value.length));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  b.set(value, 4);
  return b;
}

const endOfOptions = Buffer.alloc(4);

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

export function writePcapng(packets: readonly EvidencePacket[], appName: string, sectionComment: string): Buffer {
  const parts: Buffer[] = [];
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  parts.push(block(0x0a0d0d0a, Buffer.concat([shb, option(1, Buffer.from(sectionComment)), option(4, Buffer.from(appName)), endOfOptions])));
  const interfaces = new Map<number, number>();
  for (const p of packets) {
    if (interfaces.has(p.linkType)) continue;
    interfaces.set(p.linkType, interfaces.size);
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(p.linkType, 0);
    idb.writeUInt32LE(0, 4); // snaplen 0: no limit
    parts.push(block(1, Buffer.concat([idb, option(9, Uint8Array.of(9)), endOfOptions])));
  }
  for (const p of packets) {
    const head = Buffer.alloc(20);
    const ts = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
    head.writeUInt32LE(interfaces.get(p.linkType) ?? 0, 0);
    head.writeUInt32LE(Number(ts >> 32n), 4);
    head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(p.origLen, 16);
    const data = Buffer.alloc(pad4(p.data.length));
    data.set(p.data);
    // Comments are bounded by the 16-bit option length.
    const comment = Buffer.from(p.comment).subarray(0, 65535);
    parts.push(block(6, Buffer.concat([head, data, option(1, comment), endOfOptions])));
  }
  return Buffer.concat(parts);
}
