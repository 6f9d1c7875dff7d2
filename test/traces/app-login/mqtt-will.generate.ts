/**
 * Writes mqtt-will.generated.pcap: a GENERATED (not captured) MQTT 3.1.1 CONNECT with a will message, a user name
 * and a password (OASIS MQTT 3.1.1 §3.1: flags 0xC6 = user name, password, will QoS 0, clean session), from a
 * local sensor 192.168.1.41 to a broker 203.0.113.83 (RFC 5737), answered by CONNACK 0. Deterministic.
 *   node_modules/.bin/node test/traces/app-login/mqtt-will.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, ip, ipv4, pcapFile, tcp, type Frame } from '../detect-net/pcap-writer.ts';

export const will = { topic: 'home/sensor41/status', message: 'offline;key=W1llS3cr3t' };
export const login = { user: 'sensor41', password: 'Mq7tP4ssw0rd' };

const utf8 = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [b.length >> 8, b.length & 0xff, ...b];
};

function connect(): Uint8Array {
  const body = [...utf8('MQTT'), 4, 0xc6, 0, 60, ...utf8('sensor41'), ...utf8(will.topic), ...utf8(will.message), ...utf8(login.user), ...utf8(login.password)];
  return Uint8Array.from([0x10, body.length, ...body]);
}

function build(): Frame[] {
  const c = ip('192.168.1.41');
  const s = ip('203.0.113.83');
  const cm = [0x02, 0, 0, 0, 0, 0x41];
  const rm = [0x02, 0, 0, 0, 0, 0x01];
  const frames: Frame[] = [];
  let t = 1704067200;
  let id = 1;
  let cs = 100;
  let ss = 900;
  const out = (flags: number, payload?: Uint8Array) => frames.push({ ts: (t += 0.01), bytes: ethernet(cm, rm, ipv4(c, s, 6, tcp(c, s, { sport: 41000, dport: 1883, seq: cs, ack: ss, flags, payload }), id++)) });
  const back = (flags: number, payload?: Uint8Array) => frames.push({ ts: (t += 0.01), bytes: ethernet(rm, cm, ipv4(s, c, 6, tcp(s, c, { sport: 1883, dport: 41000, seq: ss, ack: cs, flags, payload }), id++)) });
  out(0x02);
  cs++;
  back(0x12);
  ss++;
  out(0x10);
  const msg = connect();
  out(0x18, msg);
  cs += msg.length;
  back(0x18, Uint8Array.of(0x20, 2, 0, 0));
  return frames;
}

export const pcapPath = fileURLToPath(new URL('./mqtt-will.generated.pcap', import.meta.url));
export const buildPcap = (): Uint8Array => pcapFile(build());

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(pcapPath, buildPcap());
