/**
 * The soak workload: days of packet time built from the shared captures, as a home or small office sees
 * them. A stable population of devices (IoT Sentinel setup captures as behaviour templates: each simulated
 * device replays its template's captures, one every four simulated hours, with its own MAC (the template's OUI and
 * a distinct host part) and IPv4 address, behind one router), with attacks interleaved on given days (real
 * attack captures whose local party is rewritten to one of the devices). Times are shifted; all rewriting
 * is byte-pattern replacement of the template's MAC and IPv4 addresses (checksums are left as they are:
 * Bulwark does not verify them). Deterministic: the same options give the same bytes.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCapture, type BenchPacket } from './pcap.ts';

export const CAPTURES = '/work/shared/captures';

interface Template {
  file: string;
  packets: BenchPacket[];
  /** Byte patterns replaced per device: the template device's MAC and IPv4, the router's MAC and IPv4. */
  mac: Uint8Array;
  ip?: Uint8Array;
  gwMac?: Uint8Array;
  gwIp?: Uint8Array;
}

interface AttackTemplate {
  file: string;
  packets: BenchPacket[];
  /** The local party of the attack: rewritten to the chosen device. */
  localIp: Uint8Array;
  localMac?: Uint8Array;
  /** Day (0-based) and hour of each replay, and the device it involves. */
  when: { day: number; hour: number; device: number }[];
}

const macBytes = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((h) => parseInt(h, 16)));
const ipBytes = (s: string): Uint8Array => Uint8Array.from(s.split('.').map(Number));

/** Replace every occurrence of `from` by `to` (same length) in `buf`. */
function replaceAll(buf: Uint8Array, from: Uint8Array, to: Uint8Array): void {
  const n = from.length;
  const first = from[0];
  for (let i = buf.indexOf(first); i >= 0 && i + n <= buf.length; i = buf.indexOf(first, i + 1)) {
    let same = true;
    for (let j = 1; j < n; j++) if (buf[i + j] !== from[j]) { same = false; break; }
    if (same) {
      buf.set(to, i);
      i += n - 1;
    }
  }
}

/** Most frequent value of `key` over the packets (undefined when none). */
function mostFrequent(packets: BenchPacket[], key: (d: Uint8Array) => string | undefined): string | undefined {
  const counts = new Map<string, number>();
  for (const p of packets) {
    const k = key(p.data);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestN = 0;
  for (const [k, n] of counts) if (n > bestN) { best = k; bestN = n; }
  return best;
}

const hex = (d: Uint8Array, o: number, n: number): string => Array.from(d.subarray(o, o + n), (b) => b.toString(16).padStart(2, '0')).join(':');
const dotted = (d: Uint8Array, o: number): string => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
const isIpv4 = (d: Uint8Array): boolean => d.length >= 34 && d[12] === 0x08 && d[13] === 0x00;
const isPrivate = (ip: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);

/** IoT Sentinel setup captures with the device MAC the MANIFEST gives for each. */
function sentinelTemplates(): Template[] {
  const manifest = readFileSync(join(CAPTURES, 'MANIFEST.md'), 'utf8');
  const out: Template[] = [];
  for (const m of manifest.matchAll(/^\| `(benign-iot\/iot-sentinel\/[^`]+\.pcap)` \|.*\| ([0-9a-f:]{17}) \|$/gm)) {
    const file = join(CAPTURES, m[1]);
    if (!existsSync(file)) continue;
    const cap = loadCapture(file);
    if (cap.linkType !== 1) continue;
    const mac = m[2];
    const fromDev = cap.packets.filter((p) => hex(p.data, 6, 6) === mac);
    const ip = mostFrequent(fromDev, (d) => (isIpv4(d) && isPrivate(dotted(d, 26)) ? dotted(d, 26) : undefined));
    const gwMac = mostFrequent(fromDev, (d) => (d[0] & 1 ? undefined : hex(d, 0, 6)));
    const fromGw = gwMac ? cap.packets.filter((p) => hex(p.data, 6, 6) === gwMac) : [];
    const gwIp = mostFrequent(fromGw, (d) => (isIpv4(d) && isPrivate(dotted(d, 26)) ? dotted(d, 26) : undefined));
    out.push({
      file, packets: cap.packets, mac: macBytes(mac), ip: ip ? ipBytes(ip) : undefined,
      gwMac: gwMac ? macBytes(gwMac) : undefined, gwIp: gwIp && gwIp !== ip ? ipBytes(gwIp) : undefined,
    });
  }
  return out;
}

export interface SoakOptions {
  days: number;
  devices: number;
  /** Epoch seconds of the first simulated hour. */
  start: number;
}

export interface SoakPacket {
  tsSec: number;
  tsUsec: number;
  origLen: number;
  data: Uint8Array;
}

export interface SoakPlan {
  templates: number;
  devices: { index: number; mac: string; ip: string; template: string }[];
  attacks: { file: string; day: number; hour: number; device: number }[];
}

const routerMac = macBytes('02:00:5e:10:00:01');
const routerIp = ipBytes('192.168.1.1');

export class SoakTraffic {
  private readonly opts: SoakOptions;
  private readonly byDevice: Template[][] = [];
  private readonly deviceMac: Uint8Array[] = [];
  private readonly deviceIp: Uint8Array[] = [];
  private readonly attacks: AttackTemplate[];
  readonly plan: SoakPlan;

  constructor(opts: SoakOptions) {
    this.opts = opts;
    const all = sentinelTemplates();
    // Group the captures by device type (folder), one type per simulated device, round robin.
    const types = new Map<string, Template[]>();
    for (const t of all) {
      const type = t.file.split('/').at(-2)!;
      if (!types.has(type)) types.set(type, []);
      types.get(type)!.push(t);
    }
    const typeList = [...types.values()];
    const devices: SoakPlan['devices'] = [];
    for (let k = 0; k < opts.devices; k++) {
      const tmpl = typeList[k % typeList.length];
      this.byDevice.push(tmpl);
      const mac = Uint8Array.from([...tmpl[0].mac.subarray(0, 3), 0x5a, (k >> 8) & 0xff, k & 0xff]);
      const ip = Uint8Array.from([192, 168, 1, 10 + k]);
      this.deviceMac.push(mac);
      this.deviceIp.push(ip);
      devices.push({ index: k, mac: hex(mac, 0, 6), ip: dotted(ip, 0), template: tmpl[0].file.split('/').at(-2)! });
    }
    const days = opts.days;
    const every = (startDay: number, hour: number, device: number): { day: number; hour: number; device: number }[] => {
      const out = [];
      for (let d = startDay; d < days; d += 2) out.push({ day: d, hour, device: device % opts.devices });
      return out;
    };
    this.attacks = [
      // An SSH brute force from the Internet against a device (Slips dataset): victim 147.32.80.37.
      { ...loadAttack('malicious/slips/test19-malicious-ssh/malicious-ssh-bruteforce.pcap'), localIp: ipBytes('147.32.80.37'), when: every(1, 3, 20) },
      // An nmap SYN scan from a device to the Internet (nDPI synscan): scanner 172.16.0.8.
      { ...loadAttack('malicious/ndpi/synscan.pcap'), localIp: ipBytes('172.16.0.8'), when: every(2, 14, 12) },
      // Mirai scanning, brute force and loader against a device (SpiderLabs): victim 192.168.0.2.
      { ...loadAttack('malicious/spiderlabs-mirai/2016-11-07-10-35.pcap'), localIp: ipBytes('192.168.0.2'), when: every(3, 21, 30) },
    ].filter((a) => a.packets.length > 0);
    for (const a of this.attacks) {
      const macOf = mostFrequent(a.packets, (d) => (isIpv4(d) && dotted(d, 26) === dotted(a.localIp, 0) ? hex(d, 6, 6) : undefined));
      if (macOf) a.localMac = macBytes(macOf);
    }
    this.plan = {
      templates: all.length,
      devices,
      attacks: this.attacks.flatMap((a) => a.when.map((w) => ({ file: a.file, ...w }))),
    };
  }

  /** The packets of simulated hour `h` (0-based), in time order. */
  hour(h: number): SoakPacket[] {
    const start = this.opts.start + h * 3600;
    const out: SoakPacket[] = [];
    for (let k = 0; k < this.byDevice.length; k++) {
      // A device goes through one of its captured sessions every four hours (staggered across devices).
      if ((h + k) % 4 !== 0) continue;
      const list = this.byDevice[k];
      const t = list[(h + k) % list.length];
      // Each device starts its hour's activity at its own minute, so the devices interleave.
      const offset = start + ((k * 71) % 3000) + 1;
      this.replay(t.packets, offset, out, (d) => {
        replaceAll(d, t.mac, this.deviceMac[k]);
        if (t.ip) replaceAll(d, t.ip, this.deviceIp[k]);
        if (t.gwMac) replaceAll(d, t.gwMac, routerMac);
        if (t.gwIp) replaceAll(d, t.gwIp, routerIp);
      });
    }
    const day = Math.floor(h / 24);
    for (const a of this.attacks) {
      for (const w of a.when) {
        if (w.day !== day || w.hour !== h % 24) continue;
        this.replay(a.packets, start + 1800, out, (d) => {
          replaceAll(d, a.localIp, this.deviceIp[w.device]);
          if (a.localMac) replaceAll(d, a.localMac, this.deviceMac[w.device]);
        });
      }
    }
    out.sort((x, y) => x.tsSec - y.tsSec || x.tsUsec - y.tsUsec);
    return out;
  }

  /** Copy a capture's packets, shifted to start at `at`, capped to 50 minutes, rewritten by `rewrite`. */
  private replay(packets: BenchPacket[], at: number, out: SoakPacket[], rewrite: (d: Uint8Array) => void): void {
    if (packets.length === 0) return;
    const t0 = packets[0].tsNs;
    for (const p of packets) {
      const rel = Number(p.tsNs - t0) / 1e9;
      if (rel > 3000) break;
      const ts = at + rel;
      const data = Uint8Array.from(p.data);
      rewrite(data);
      const sec = Math.floor(ts);
      out.push({ tsSec: sec, tsUsec: Math.min(999_999, Math.round((ts - sec) * 1e6)), origLen: p.origLen, data });
    }
  }
}

function loadAttack(rel: string): { file: string; packets: BenchPacket[] } {
  const file = join(CAPTURES, rel);
  if (!existsSync(file)) return { file, packets: [] };
  const cap = loadCapture(file);
  return { file, packets: cap.linkType === 1 ? cap.packets : [] };
}
