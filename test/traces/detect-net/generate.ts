/**
 * Writes the *.generated.pcap files of this folder: GENERATED (not captured) traffic for attacks no public
 * capture shows, built from the documented on-wire traits (see PROVENANCE.md for each file's source of traits).
 * Local devices are 192.168.1.x; remote victims use RFC 5737 documentation addresses; P2P peers and reflectors
 * are pseudo-random public addresses (nothing is sent anywhere: frames only go to files).
 * Deterministic: running it again gives the same bytes.
 *   node_modules/.bin/node test/traces/detect-net/generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, gre, ip, ipv4, pcapFile, rng, tcp, udp, type Frame } from './pcap-writer.ts';

const T0 = 1704067200; // 2024-01-01T00:00:00Z
const ROUTER_MAC = [0x02, 0, 0, 0, 0, 0x01];
const mac = (last: number): number[] => [0x02, 0, 0, 0, 0, last];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function randomBytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** A random public unicast IPv4 address (skips private, loopback, CGNAT, link-local, multicast and reserved). */
function publicIp(r: () => number): number[] {
  for (;;) {
    const a = 1 + Math.floor(r() * 222);
    const b = Math.floor(r() * 256);
    if (a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) continue;
    return [a, b, Math.floor(r() * 256), 1 + Math.floor(r() * 254)];
  }
}

const randomPort = (r: () => number): number => 1024 + Math.floor(r() * 64511);

/** Mirai attack_udp_generic: raw UDP, 512 B random payload, random ports, TTL 64. */
function udpFlood(): Frame[] {
  const r = rng(1);
  const src = ip('192.168.1.50');
  const dst = ip('203.0.113.9');
  const frames: Frame[] = [];
  for (let i = 0; i < 1500; i++) {
    const seg = udp(src, dst, randomPort(r), randomPort(r), randomBytes(r, 512));
    frames.push({ ts: T0 + i * 0.001, bytes: ethernet(mac(50), ROUTER_MAC, ipv4(src, dst, 17, seg, Math.floor(r() * 65536))) });
  }
  return frames;
}

/** Mirai attack_tcp_ack: raw ACK with 512 B random payload, random seq/ack/ports. */
function ackFlood(): Frame[] {
  const r = rng(2);
  const src = ip('192.168.1.51');
  const dst = ip('203.0.113.9');
  const frames: Frame[] = [];
  for (let i = 0; i < 1500; i++) {
    const seg = tcp(src, dst, { sport: randomPort(r), dport: randomPort(r), seq: Math.floor(r() * 2 ** 32), ack: Math.floor(r() * 2 ** 32), flags: 0x10, payload: randomBytes(r, 512), window: Math.floor(r() * 65536) });
    frames.push({ ts: T0 + i * 0.001, bytes: ethernet(mac(51), ROUTER_MAC, ipv4(src, dst, 6, seg, Math.floor(r() * 65536))) });
  }
  return frames;
}

/** Mirai attack_gre_ip: GRE (0x0800) wrapping IPv4/UDP with 512 B payload; inner IP id = ~outer id. */
function greFlood(): Frame[] {
  const r = rng(3);
  const src = ip('192.168.1.52');
  const dst = ip('203.0.113.9');
  const frames: Frame[] = [];
  for (let i = 0; i < 1200; i++) {
    const id = Math.floor(r() * 65536);
    const inner = ipv4(src, dst, 17, udp(src, dst, randomPort(r), randomPort(r), randomBytes(r, 512)), ~id & 0xffff);
    frames.push({ ts: T0 + i * 0.001, bytes: ethernet(mac(52), ROUTER_MAC, ipv4(src, dst, 47, gre(0x0800, inner), id)) });
  }
  return frames;
}

/** Mirai attack_app_http: connections to port 80, each a GET / with a browser User-Agent, answered by the server. */
function httpFlood(): Frame[] {
  const r = rng(4);
  const src = ip('192.168.1.53');
  const dst = ip('203.0.113.80');
  const ua = 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36';
  const get = enc(`GET / HTTP/1.1\r\nUser-Agent: ${ua}\r\nHost: 203.0.113.80\r\nConnection: keep-alive\r\nAccept: text/html\r\n\r\n`);
  const resp = enc('HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n');
  const frames: Frame[] = [];
  let t = T0;
  for (let c = 0; c < 300; c++) {
    const sport = 30000 + c;
    const cs = Math.floor(r() * 2 ** 32);
    const ss = Math.floor(r() * 2 ** 32);
    const out = (seg: Uint8Array): void => { frames.push({ ts: t, bytes: ethernet(mac(53), ROUTER_MAC, ipv4(src, dst, 6, seg, c, 64, true)) }); t += 0.002; };
    const back = (seg: Uint8Array): void => { frames.push({ ts: t, bytes: ethernet(ROUTER_MAC, mac(53), ipv4(dst, src, 6, seg, c, 52, true)) }); t += 0.002; };
    out(tcp(src, dst, { sport, dport: 80, seq: cs, ack: 0, flags: 0x02 }));
    back(tcp(dst, src, { sport: 80, dport: sport, seq: ss, ack: cs + 1, flags: 0x12 }));
    out(tcp(src, dst, { sport, dport: 80, seq: cs + 1, ack: ss + 1, flags: 0x18, payload: get }));
    back(tcp(dst, src, { sport: 80, dport: sport, seq: ss + 1, ack: cs + 1 + get.length, flags: 0x18, payload: resp }));
    out(tcp(src, dst, { sport, dport: 80, seq: cs + 1 + get.length, ack: ss + 1 + resp.length, flags: 0x04 }));
  }
  return frames;
}

function dnsName(name: string): Uint8Array {
  const parts = name.split('.');
  const out: number[] = [];
  for (const p of parts) out.push(p.length, ...enc(p));
  out.push(0);
  return Uint8Array.from(out);
}

/** Mirai attack_udp_dns ("water torture"): A queries for a random 12-character label under the target domain, RD=1, random id. */
function dnsWaterTorture(): Frame[] {
  const r = rng(5);
  const src = ip('192.168.1.54');
  const resolver = ip('8.8.8.8');
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const frames: Frame[] = [];
  for (let i = 0; i < 400; i++) {
    let label = '';
    for (let k = 0; k < 12; k++) label += alnum[Math.floor(r() * alnum.length)];
    const q = dnsName(`${label}.victim-shop.example`);
    const msg = new Uint8Array(12 + q.length + 4);
    const v = new DataView(msg.buffer);
    v.setUint16(0, Math.floor(r() * 65536));
    v.setUint16(2, 0x0100);
    v.setUint16(4, 1);
    msg.set(q, 12);
    v.setUint16(12 + q.length, 1);
    v.setUint16(14 + q.length, 1);
    frames.push({ ts: T0 + i * 0.005, bytes: ethernet(mac(54), ROUTER_MAC, ipv4(src, resolver, 17, udp(src, resolver, randomPort(r), 53, msg), i)) });
  }
  return frames;
}

/** Answers reflected at a victim here: unsolicited responses from many reflectors' amplifying services. */
function amplificationVictim(): Frame[] {
  const r = rng(6);
  const victim = ip('192.168.1.60');
  const services: [number, Uint8Array][] = [
    [1900, enc('HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://10.0.0.1:49152/rootDesc.xml\r\nSERVER: Linux/3.14 UPnP/1.0 IpBridge/1.26.0\r\nST: upnp:rootdevice\r\nUSN: uuid:2f402f80-da50-11e1-9b23-001788102201::upnp:rootdevice\r\n\r\n')],
    [161, Uint8Array.of(0x30, 0x82, 0x01, 0x70, 0x02, 0x01, 0x01, 0x04, 0x06, ...enc('public'), 0xa2, 0x82, 0x01, 0x61, ...randomBytes(r, 353))],
    [47808, Uint8Array.of(0x81, 0x0a, 0x01, 0x20, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, ...randomBytes(r, 270))],
    [37810, Uint8Array.of(0xb3, 0x00, 0x00, 0x00, ...randomBytes(r, 496))],
    [53, Uint8Array.of(0x12, 0x34, 0x81, 0x80, 0, 1, 0, 12, 0, 0, 0, 1, ...randomBytes(r, 480))],
    [123, Uint8Array.of(0xd7, 0x00, 0x03, 0x2a, 0x00, 0x06, 0x00, 0x48, ...randomBytes(r, 432))],
  ];
  const frames: Frame[] = [];
  let t = T0;
  for (let i = 0; i < 120; i++) {
    const reflector = publicIp(r);
    const [port, payload] = services[i % services.length];
    for (let k = 0; k < 4; k++) {
      frames.push({ ts: t, bytes: ethernet(ROUTER_MAC, mac(60), ipv4(reflector, victim, 17, udp(reflector, victim, port, 80, payload), i * 4 + k, 50)) });
      t += 0.001;
    }
  }
  return frames;
}

/** A device here used as an amplifier: spoofed small M-SEARCH requests "from" a victim, large answers back to it. */
function amplifier(): Frame[] {
  const device = ip('192.168.1.70');
  const victim = ip('198.51.100.23');
  const msearch = enc('M-SEARCH * HTTP/1.1\r\nHOST:239.255.255.250:1900\r\nMAN:"ssdp:discover"\r\nMX:1\r\nST:ssdp:all\r\n\r\n');
  const targets = ['upnp:rootdevice', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'urn:schemas-upnp-org:service:WANIPConnection:1', 'urn:schemas-upnp-org:device:MediaServer:1'];
  const frames: Frame[] = [];
  let t = T0;
  for (let i = 0; i < 150; i++) {
    frames.push({ ts: t, bytes: ethernet(ROUTER_MAC, mac(70), ipv4(victim, device, 17, udp(victim, device, 80, 1900, msearch), i, 48)) });
    t += 0.002;
    for (const st of targets) {
      const answer = enc(`HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${st}\r\nUSN: uuid:9f0865b3-f5da-4ad5-85b7-7404637fdf37::${st}\r\nEXT:\r\nSERVER: Linux/2.6 UPnP/1.0 miniupnpd/1.9\r\nLOCATION: http://192.168.1.70:5431/igdevicedesc.xml\r\nOPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01\r\n\r\n`);
      frames.push({ ts: t, bytes: ethernet(mac(70), ROUTER_MAC, ipv4(device, victim, 17, udp(device, victim, 1900, 80, answer), i * 8 + targets.indexOf(st), 64)) });
      t += 0.001;
    }
  }
  return frames;
}

/**
 * P2P botnet nodes: 192.168.1.80 sends Mozi-style BitTorrent-DHT find_node queries (bencoded, one fixed
 * node id, so one payload length) to random public IP:port pairs, a few of which answer; 192.168.1.81 sends
 * a Hide'N Seek-style fixed 12-byte UDP probe to random IP:port pairs.
 */
function p2pBotnet(): Frame[] {
  const r = rng(8);
  const frames: Frame[] = [];
  const mozi = ip('192.168.1.80');
  const hns = ip('192.168.1.81');
  const nodeId = '888888' + 'a9c1f0e2b7d4c5'; // 20 bytes; "888888" prefix as analysts report for Mozi
  let t = T0;
  for (let i = 0; i < 120; i++) {
    const peer = publicIp(r);
    const port = randomPort(r);
    const tx = String.fromCharCode(97 + (i % 26), 97 + ((i >> 3) % 26));
    const query = enc(`d1:ad2:id20:${nodeId}6:target20:${nodeId}e1:q9:find_node1:t2:${tx}1:y1:qe`);
    frames.push({ ts: t, bytes: ethernet(mac(80), ROUTER_MAC, ipv4(mozi, peer, 17, udp(mozi, peer, 6881, port, query), i)) });
    t += 0.25;
    if (i % 4 === 0) {
      const reply = enc(`d1:rd2:id20:${'b'.repeat(20)}5:nodes26:${'c'.repeat(26)}e1:t2:${tx}1:y1:re`);
      frames.push({ ts: t, bytes: ethernet(ROUTER_MAC, mac(80), ipv4(peer, mozi, 17, udp(peer, mozi, port, 6881, reply), i, 50)) });
      t += 0.01;
    }
    const hnsPeer = publicIp(r);
    frames.push({ ts: t, bytes: ethernet(mac(81), ROUTER_MAC, ipv4(hns, hnsPeer, 17, udp(hns, hnsPeer, 40000, randomPort(r), Uint8Array.of(0x6a, 0x3e, 0x91, 0x02, 0, 0, 0, 0, 0x7f, 0, 0, 1)), i)) });
    t += 0.2;
  }
  return frames;
}

export const generated: Record<string, () => Frame[]> = {
  'flood-udp.generated.pcap': udpFlood,
  'flood-ack.generated.pcap': ackFlood,
  'flood-gre.generated.pcap': greFlood,
  'flood-http.generated.pcap': httpFlood,
  'dns-water-torture.generated.pcap': dnsWaterTorture,
  'udp-amplification-victim.generated.pcap': amplificationVictim,
  'udp-amplifier.generated.pcap': amplifier,
  'p2p-botnet.generated.pcap': p2pBotnet,
};

export const folder = fileURLToPath(new URL('.', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, build] of Object.entries(generated)) writeFileSync(folder + name, pcapFile(build()));
}
