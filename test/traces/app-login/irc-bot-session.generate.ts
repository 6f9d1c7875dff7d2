/**
 * Writes irc-bot-session.generated.pcap: a GENERATED (not captured) IRC bot session, built from the
 * RFC 1459 / RFC 2812 message formats and the shape of typical IRC-controlled IoT bots (random-looking
 * NICK, JOIN with a channel key, commands in PRIVMSG/TOPIC such as "!scan", PING/PONG keep-alives).
 * Addresses are documentation ranges (RFC 5737). Deterministic: running it again gives the same bytes.
 *   node_modules/.bin/node test/traces/app-login/irc-bot-session.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One IRC session to write: who talks, and the conversation as [from client?, payload, seconds before it]. */
export interface IrcSessionSpec {
  client: number[];
  server: number[];
  clientPort: number;
  serverPort: number;
  conversation: [boolean, string, number?][];
}

/** The conversation: [from client?, payload]. Some messages are split across segments on purpose. */
export const conversation: [boolean, string, number?][] = [
  [true, 'PASS b0tp4ss\r\nNICK [x86|US|4821]\r\nUSER x86 localhost localhost :Bulwark generated bot\r\n'],
  [false, ':irc.example.net NOTICE AUTH :*** Looking up your hostname...\r\n'],
  [false, 'PING :1234567890\r\n'],
  [true, 'PONG :1234567890\r\n'],
  [false, ':irc.example.net 001 [x86|US|4821] :Welcome to the Internet Relay Network [x86|US|4821]!x86@192.0.2.10\r\n'
    + ':irc.example.net 376 [x86|US|4821] :End of /MOTD command.\r\n'],
  [true, 'JOIN #b0ts s3cretkey\r\n'],
  [false, ':[x86|US|4821]!x86@192.0.2.10 JOIN :#b0ts\r\n:irc.example.net 332 [x86|US|4821] #b0ts :!scan 10.0.0.0/8 23\r\n'
    + ':irc.example.net 353 [x86|US|4821] = #b0ts :[x86|US|4821] @herder\r\n:irc.example.net 366 [x86|US|4821] #b0ts :End of /NAMES list.\r\n'],
  [false, ':herder!h@203.0.113.7 PRIVMSG #b0ts :!scan 192.168.1.0/24 23\r\n:herder!h@203.0.113.7 PRIV'],
  [false, 'MSG #b0ts :!udp 203.0.113.9 80 60\r\n'],
  [true, 'PRIVMSG #b0ts :scanning 192.168.1.0/24:23\n'],
  [true, 'NOTICE herder :flooding 203.0.113.9 for 60s\r\n'],
  [false, ':herder!h@203.0.113.7 MODE #b0ts +o [x86|US|4821]\r\n:herder!h@203.0.113.7 TOPIC #b0ts :!update http://203.0.113.7/x86\r\n'],
  [false, 'PING :irc.example.net\r\n'],
  [true, 'PONG :irc.example.net\r\n'],
  [true, 'QUIT :bye\r\n'],
];

function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function packet(spec: IrcSessionSpec, fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array, id: number): Uint8Array {
  const { client: CLIENT, server: SERVER, clientPort: CLIENT_PORT, serverPort: SERVER_PORT } = spec;
  const src = fromClient ? CLIENT : SERVER;
  const dst = fromClient ? SERVER : CLIENT;
  const tcp = new Uint8Array(20 + payload.length);
  const tv = new DataView(tcp.buffer);
  tv.setUint16(0, fromClient ? CLIENT_PORT : SERVER_PORT);
  tv.setUint16(2, fromClient ? SERVER_PORT : CLIENT_PORT);
  tv.setUint32(4, seq >>> 0);
  tv.setUint32(8, ack >>> 0);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tv.setUint16(14, 65535);
  tcp.set(payload, 20);
  const pseudo = new Uint8Array(12 + tcp.length);
  pseudo.set(src, 0);
  pseudo.set(dst, 4);
  pseudo[9] = 6;
  new DataView(pseudo.buffer).setUint16(10, tcp.length);
  pseudo.set(tcp, 12);
  tv.setUint16(16, checksum(pseudo));
  const ip = new Uint8Array(20 + tcp.length);
  const iv = new DataView(ip.buffer);
  ip[0] = 0x45;
  iv.setUint16(2, ip.length);
  iv.setUint16(4, id);
  iv.setUint16(6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  ip.set(src, 12);
  ip.set(dst, 16);
  iv.setUint16(10, checksum(ip.subarray(0, 20)));
  ip.set(tcp, 20);
  const eth = new Uint8Array(14 + ip.length);
  eth.set([0x02, 0, 0, 0, 0, fromClient ? 2 : 1, 0x02, 0, 0, 0, 0, fromClient ? 1 : 2, 0x08, 0x00]);
  eth.set(ip, 14);
  return eth;
}

/** The pcap file bytes (classic pcap, Ethernet, microsecond timestamps from 2024-01-01T00:00:00Z). */
export function buildPcap(): Uint8Array {
  return buildIrcPcap({ client: [192, 0, 2, 10], server: [198, 51, 100, 20], clientPort: 49152, serverPort: 6667, conversation });
}

/** Any IRC session as pcap bytes: handshake, the conversation (with its pauses), FIN exchange. */
export function buildIrcPcap(spec: IrcSessionSpec): Uint8Array {
  const records: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setUint32(16, 65535, true);
  hv.setUint32(20, 1, true);
  records.push(header);
  let time = 1704067200 * 1e6;
  let id = 1;
  const add = (frame: Uint8Array) => {
    const rec = new Uint8Array(16 + frame.length);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, Math.floor(time / 1e6), true);
    rv.setUint32(4, time % 1e6, true);
    rv.setUint32(8, frame.length, true);
    rv.setUint32(12, frame.length, true);
    rec.set(frame, 16);
    records.push(rec);
    time += 20000;
  };
  let cseq = 1000;
  let sseq = 5000;
  add(packet(spec, true, cseq, 0, 0x02, new Uint8Array(0), id++));
  add(packet(spec, false, sseq, cseq + 1, 0x12, new Uint8Array(0), id++));
  cseq++;
  sseq++;
  add(packet(spec, true, cseq, sseq, 0x10, new Uint8Array(0), id++));
  for (const [fromClient, text, pause] of spec.conversation) {
    if (pause !== undefined) time += Math.round(pause * 1e6);
    const payload = new TextEncoder().encode(text);
    if (fromClient) {
      add(packet(spec, true, cseq, sseq, 0x18, payload, id++));
      cseq += payload.length;
    } else {
      add(packet(spec, false, sseq, cseq, 0x18, payload, id++));
      sseq += payload.length;
    }
  }
  add(packet(spec, true, cseq, sseq, 0x11, new Uint8Array(0), id++));
  add(packet(spec, false, sseq, cseq + 1, 0x11, new Uint8Array(0), id++));
  add(packet(spec, true, cseq + 1, sseq + 1, 0x10, new Uint8Array(0), id++));
  const total = records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

export const pcapPath = fileURLToPath(new URL('./irc-bot-session.generated.pcap', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(pcapPath, buildPcap());
