/**
 * What the inventory takes from each event type: address bindings, host names, services and identification
 * evidence. Field values are checked for type before use (events carry attacker-controlled text).
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import { FirstPacket, TcpFlag } from '../pipeline/first-packet.ts';
import type { Inventory } from './inventory.ts';
import type { DeviceState, Source } from './device-state.ts';
import { otHandlers } from './ot-handlers.ts';

type Handler = (inv: Inventory, ev: EventRecord) => void;

/** A field's text, at most `max` characters, without control characters or white space at the ends; else undefined. */
export function str(v: unknown, max = 256): string | undefined {
  if (typeof v !== 'string') return undefined;
  const cut = v.slice(0, max);
  // Most values are printable ASCII with no space at either end: nothing to remove (no regex, no new string).
  if (plainAscii(cut)) return cut;
  // Printable text only: control characters cannot reach a terminal through the device table.
  const s = cut.replace(/\p{Cc}/gu, '').trim();
  return s === '' ? undefined : s;
}

/**
 * Non-empty, every character printable ASCII (0x20-0x7e, so no control character) and no space at either end
 * (the only ASCII white space that is printable): str() would return it unchanged.
 */
function plainAscii(s: string): boolean {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}


function records(ev: EventRecord, ...keys: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const k of keys) {
    const list = ev[k];
    if (!Array.isArray(list)) continue;
    const n = Math.min(list.length, 64);
    for (let i = 0; i < n; i++) {
      const r: unknown = list[i];
      if (r && typeof r === 'object') out.push(r as Record<string, unknown>);
    }
  }
  return out;
}

/** Where an evidence item was seen: the event itself (addEvidence copies the three fields it keeps). */
function src(ev: EventRecord): Source {
  return ev;
}

/** The sender of the event's packet, as a device. */
function sender(inv: Inventory, ev: EventRecord): DeviceState | undefined {
  return inv.deviceForIp(ev.src_ip, ev.ts);
}

/**
 * A pure function of a name, remembered: the same names come in every announcement (mDNS repeats its records
 * every few seconds). Bounded: the map is cleared when full.
 */
function memo(f: (name: string) => string | undefined): (name: string) => string | undefined {
  const seen = new Map<string, string | null>();
  return (name) => {
    const known = seen.get(name);
    if (known !== undefined) return known ?? undefined;
    const value = f(name);
    if (seen.size >= 4096) seen.clear();
    seen.set(name, value ?? null);
    return value;
  };
}

/** Host name as a label: lower case, without the .local / trailing dot. */
const hostLabel = memo((name) => {
  const h = name.toLowerCase().replace(/\.$/, '').replace(/\.local$/, '');
  return /^[^\s"'<>\\]{1,63}$/.test(h) ? h : undefined;
});

function addHostname(d: DeviceState, name: string | undefined): void {
  const h = name && hostLabel(name);
  if (h) d.add(d.hostnames, h);
}

/** Registered-domain-ish suffix of a DNS name for the talks_to list (names, not IPs). Remembered: devices repeat their queries. */
const domainOf = memo((name) => {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9_.-]+\.[a-z]{2,}$/.test(n) || n.endsWith('.local') || n.endsWith('.arpa')) return undefined;
  return n;
});

function arp(inv: Inventory, ev: EventRecord): void {
  const d = ev.sender_ip === '0.0.0.0' ? inv.deviceForMac(ev.sender_mac, ev.ts) : inv.bind(ev.sender_ip, ev.sender_mac, ev.ts, 'arp');
  d?.seen(ev.ts);
}

function ndp(inv: Inventory, ev: EventRecord): void {
  const lla = ev.link_layer_address;
  if (ev.type === 'ndp.neighbor_advert') {
    inv.bind(ev.target_address, lla, ev.ts, 'ndp');
    return;
  }
  if (ev.type === 'ndp.neighbor_solicit' && ev.duplicate_address_detection === true) return;
  const d = inv.bind(ev.src_ip, lla, ev.ts, 'ndp');
  if (d && ev.type === 'ndp.router_advert') d.addEvidence('ndp.router_advert', 'sends IPv6 router advertisements', src(ev));
}

const mudOrFp = (d: DeviceState, ev: EventRecord): void => {
  const s = src(ev);
  const host = str(ev.host_name, 64);
  if (host) {
    d.addEvidence('dhcp.hostname', host, s);
    addHostname(d, host);
  }
  const fqdn = str(ev.fqdn, 128);
  if (fqdn) addHostname(d, fqdn.split('.')[0]);
  d.addListEvidence('dhcp.fingerprint', ev.param_list, s);
  d.addListEvidence('dhcp.options', ev.options, s);
  const vc = str(ev.vendor_class, 128);
  if (vc) d.addEvidence('dhcp.vendor_class', vc, s);
  const mud = str(ev.mud_url, 256);
  if (mud) d.addEvidence('mud_url', mud, s);
};

function dhcpClient(inv: Inventory, ev: EventRecord): void {
  const d = inv.deviceForMac(ev.client_mac, ev.ts);
  if (!d) return;
  if (typeof ev.ciaddr === 'string' && ev.ciaddr !== '0.0.0.0') inv.bind(ev.ciaddr, ev.client_mac, ev.ts, 'dhcp');
  mudOrFp(d, ev);
}

function dhcpAck(inv: Inventory, ev: EventRecord): void {
  inv.bind(ev.yiaddr, ev.client_mac, ev.ts, 'dhcp');
  const server = sender(inv, ev);
  server?.addEvidence('dhcp.server', 'answers DHCP requests', src(ev));
}

function dhcpOffer(inv: Inventory, ev: EventRecord): void {
  sender(inv, ev)?.addEvidence('dhcp.server', 'answers DHCP requests', src(ev));
}

function dhcp6(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  d.addListEvidence('dhcp6.fingerprint', ev.oro, s);
  if (Array.isArray(ev.vendor_class)) {
    const vc = str(ev.vendor_class.filter((x) => typeof x === 'string').join(' '), 128);
    if (vc) d.addEvidence('dhcp6.vendor_class', vc, s);
  }
  const fqdn = str(ev.fqdn, 128);
  if (fqdn) addHostname(d, fqdn.split('.')[0]);
  const mud = str(ev.mud_url, 256);
  if (mud) d.addEvidence('mud_url', mud, s);
}

const modelTxtKeys = new Set(['md', 'model', 'mdl', 'ty', 'product', 'mfg', 'manufacturer', 'usb_mfg', 'usb_mdl', 'am', 'rpmd', 'vendor', 'devtype', 'fn', 'mn']);

function isMdns(ev: EventRecord): boolean {
  return ev.src_port === 5353 || ev.dst_port === 5353;
}

/** The service type a PTR record's name browses (`_ipp._tcp.local`), lower case. */
const browsedService = memo((name) => /^(_[a-z0-9-]+\._(?:tcp|udp))\.local\.?$/i.exec(name)?.[1].toLowerCase());
/** The service type of an SRV record's instance name (`Printer._ipp._tcp.local`), lower case. */
const instanceService = memo((name) => /\.(_[a-z0-9-]+\._(?:tcp|udp))\.local\.?$/i.exec(name)?.[1].toLowerCase());

/** The host label of an address record's name in .local (`Printer.local.` → 'printer'), else undefined. */
const localHostLabel = memo((name) => (/\.local\.?$/i.test(name) ? hostLabel(name) : undefined));

/** A TXT string (str'd) that names the model or maker (`md=…`, `mfg=…`: a key of modelTxtKeys), else undefined. */
const modelTxt = memo((t) => {
  const eq = t.indexOf('=');
  return eq > 0 && modelTxtKeys.has(t.slice(0, eq).toLowerCase()) ? t : undefined;
});

/**
 * mDNS records of one section of the event (its first 64 objects) announced by the sender: service types, host
 * names, model fields of TXT records. What is read of a name or TXT string is remembered per text: mDNS repeats
 * its records every few seconds.
 */
function mdnsRecords(d: DeviceState, ev: EventRecord, section: unknown): void {
  if (!Array.isArray(section)) return;
  const n = Math.min(section.length, 64);
  for (let i = 0; i < n; i++) {
    const r: unknown = section[i];
    if (r && typeof r === 'object') mdnsRecord(d, ev, r as Record<string, unknown>);
  }
}

function mdnsRecord(d: DeviceState, ev: EventRecord, r: Record<string, unknown>): void {
  const name = str(r.name, 256);
  const type = r.type;
  if (!name) return;
  if (type === 12) {
    const service = browsedService(name);
    if (service) d.addEvidence('mdns.service', service, src(ev));
  } else if (type === 1 || type === 28) {
    const h = localHostLabel(name);
    if (h) d.add(d.hostnames, h);
  } else if (type === 33) {
    const service = instanceService(name);
    if (service) d.addEvidence('mdns.service', service, src(ev));
    const target = str(r.target, 256);
    if (target) addHostname(d, target);
  } else if (type === 16 && Array.isArray(r.txt)) {
    const txt: unknown[] = r.txt;
    const n = Math.min(txt.length, 32);
    for (let i = 0; i < n; i++) {
      const t = str(txt[i], 128);
      const kept = t && modelTxt(t);
      if (kept) d.addEvidence('mdns.txt', kept, src(ev));
    }
  }
}

/** One question's name (str'd): mDNS query evidence, or a DNS query's domain for talks_to. */
function queried(d: DeviceState, ev: EventRecord, name: string | undefined, mdns: boolean): void {
  if (!name) return;
  if (mdns) {
    d.addEvidence('mdns.query', name.toLowerCase(), src(ev));
    return;
  }
  const dom = domainOf(name);
  if (dom) {
    d.addEvidence('dns.query', dom, src(ev));
    d.add(d.domains, dom);
  }
}

/** A query's names (its first 64 questions, else its qname), then for mDNS the records it carries. */
function dnsQuery(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const mdns = isMdns(ev);
  // The questions read in place (no list of them, nor of their names, per query).
  const qs = ev.questions;
  let questions = 0;
  if (Array.isArray(qs)) {
    const n = Math.min(qs.length, 64);
    for (let i = 0; i < n; i++) {
      const q: unknown = qs[i];
      if (!q || typeof q !== 'object') continue;
      questions++;
      queried(d, ev, str((q as Record<string, unknown>).qname, 256), mdns);
    }
  }
  if (questions === 0) queried(d, ev, str(ev.qname, 256), mdns);
  if (mdns) {
    mdnsRecords(d, ev, ev.answers);
    mdnsRecords(d, ev, ev.authority);
  }
}

function dnsResponse(inv: Inventory, ev: EventRecord): void {
  if (isMdns(ev)) {
    const d = sender(inv, ev);
    if (d) {
      mdnsRecords(d, ev, ev.answers);
      mdnsRecords(d, ev, ev.additional);
      mdnsRecords(d, ev, ev.authority);
    }
    return;
  }
  // PTR answers name the host behind a local address. The answers read in place: most responses have none.
  const answers = ev.answers;
  if (!Array.isArray(answers)) return;
  const n = Math.min(answers.length, 64);
  for (let i = 0; i < n; i++) {
    const r: unknown = answers[i];
    if (!r || typeof r !== 'object') continue;
    if ((r as Record<string, unknown>).type !== 12) continue;
    ptrAnswer(inv, ev, r as Record<string, unknown>);
  }
}

/** A PTR answer of a reverse name in in-addr.arpa: its name, as host name evidence, for a local address's device. */
function ptrAnswer(inv: Inventory, ev: EventRecord, r: Record<string, unknown>): void {
  const name = str(r.name, 256);
  const data = str(r.data, 256);
  const m = name && /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.?$/i.exec(name);
  if (!m || !data) return;
  const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  if (!inv.isLocal(ip)) return;
  const d = inv.deviceForIp(ip, ev.ts);
  if (!d) return;
  d.addEvidence('dns.ptr', data, src(ev));
  addHostname(d, data.split('.')[0]);
}

function ssdpAnnounce(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  const server = str(ev.server, 200);
  if (server) d.addEvidence('ssdp.server', server, s);
  const usn = str(ev.usn, 200);
  if (usn) d.addEvidence('ssdp.usn', usn, s);
  const nt = str(ev.nt ?? ev.st, 200);
  if (nt && nt.startsWith('urn:')) d.addEvidence('ssdp.type', nt, s);
}

function ssdpSearch(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const ua = str(ev.user_agent, 200);
  if (ua) d.addEvidence('ssdp.user_agent', ua, src(ev));
  const st = str(ev.st, 200);
  if (st) d.addEvidence('ssdp.search', st, src(ev));
}

function httpRequest(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  const ua = str(ev.user_agent, 200);
  if (ua) d.addEvidence('http.user_agent', ua, s);
  const host = str(ev.host, 200);
  const dom = host && domainOf(host.replace(/:\d+$/, ''));
  if (dom) {
    d.addEvidence('http.host', dom, s);
    d.add(d.domains, dom);
  }
}

function httpResponse(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  const server = str(ev.server, 200);
  if (server) d.addEvidence('http.server', server, s);
  const auth = str(ev.www_authenticate, 200);
  const realm = auth && /realm="?([^",]{1,64})/i.exec(auth);
  if (realm) d.addEvidence('http.realm', realm[1].trim(), s);
}

function tlsHello(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  const ja4 = str(ev.ja4, 64);
  if (ja4) d.addEvidence('tls.ja4', ja4, s);
  const ja3 = str(ev.ja3_hash, 64);
  if (ja3) d.addEvidence('tls.ja3', ja3, s);
  const sni = str(ev.sni, 200);
  const dom = sni && domainOf(sni);
  if (dom) {
    d.addEvidence('tls.sni', dom, s);
    d.add(d.domains, dom);
  }
}

function tlsCertificate(inv: Inventory, ev: EventRecord): void {
  if (ev.chain_index !== 0 || typeof ev.src_ip !== 'string' || !inv.isLocal(ev.src_ip)) return;
  const subject = str(ev.subject, 200);
  if (subject) sender(inv, ev)?.addEvidence('tls.cert_subject', subject, src(ev));
}

function sshBanner(inv: Inventory, ev: EventRecord): void {
  const raw = str(ev.software, 100);
  if (raw) sender(inv, ev)?.addEvidence(ev.from_orig === true ? 'ssh.client' : 'ssh.server', raw, src(ev));
}

/** Initial TTL as p0f guesses it: the next of 32, 64, 128, 255 at or above the observed TTL. */
export function initialTtl(ttl: number): number {
  return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

/**
 * A local host's bare SYN (a new flow's first packet, as numbers): its p0f-like signature as evidence,
 * ittl:mss:window,wscale:options (no per-connection values). `fromEvent`: `p` was made from a `flow.start`
 * event, whose address text may not be written as the flow table writes it: its device is found by that text.
 */
export function synSignature(inv: Inventory, p: FirstPacket, fromEvent = false): void {
  if (p.tcpFlags !== TcpFlag.SYN || !p.isTcp) return;
  if (p.src >= 0 ? !inv.isLocalV4(p.src) : !inv.isLocal(p.srcIp())) return;
  // A packet's IPv4 source by its number: its text (ipv4Text) is canonical, deviceForIpV4 finds what deviceForIp would.
  const d = p.src >= 0 && !fromEvent ? inv.deviceForIpV4(p.src, p.ts) : inv.deviceForIp(p.srcIp(), p.ts);
  if (!d) return;
  const opts = p.tcpOptions().slice(0, 64);
  const mss = p.tcpMss >= 0 ? p.tcpMss : '*';
  const ws = p.tcpWscale >= 0 ? p.tcpWscale : '*';
  d.addEvidence('tcp.syn_signature', `${initialTtl(p.ttl)}:${mss}:${p.window},${ws}:${opts}`, { ts: p.ts, file: p.file, packet: p.packet });
}

/** A `flow.start` event fed directly (tests, replays): the same signature, from the event's fields. */
const startFact = new FirstPacket();
function flowStart(inv: Inventory, ev: EventRecord): void {
  if (typeof ev.ttl !== 'number' || typeof ev.src_ip !== 'string') return;
  synSignature(inv, startFact.fromEvent(ev), true);
}

/** BACnet device-object properties that identify the device, by property name → evidence signal. */
const bacnetDeviceProperties: Readonly<Record<string, string>> = {
  'object-name': 'bacnet.object_name', 'vendor-name': 'bacnet.vendor', 'model-name': 'bacnet.model',
  'firmware-revision': 'bacnet.firmware', 'application-software-version': 'bacnet.application_software',
  location: 'bacnet.location', 'serial-number': 'bacnet.serial', description: 'bacnet.description',
};

function bacnetIAm(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d || typeof ev.device_instance !== 'number') return;
  const s = src(ev);
  d.addEvidence('bacnet.device', `device ${ev.device_instance}`, s);
  const vendor = str(ev.vendor, 128);
  if (vendor) d.addEvidence('bacnet.vendor', vendor, s);
  else if (typeof ev.vendor_id === 'number') d.addEvidence('bacnet.vendor_id', String(ev.vendor_id), s);
}

/** One property value the responder reports about its own device object. */
function bacnetDeviceProperty(d: DeviceState, r: Record<string, unknown>, s: ReturnType<typeof src>): void {
  if (r.object_type !== 'device' || typeof r.object_instance !== 'number' || r.object_instance === 4194303) return;
  d.addEvidence('bacnet.device', `device ${r.object_instance}`, s);
  const signal = typeof r.property === 'string' ? bacnetDeviceProperties[r.property] : undefined;
  const value = str(r.value, 128);
  if (signal && value && r.value_type === 'character_string') d.addEvidence(signal, value, s);
  if (signal === 'bacnet.object_name' && value) addHostname(d, value);
}

/** ReadProperty(Multiple) answers about the responder's own device object: name, model, firmware, ... */
function bacnetProperty(inv: Inventory, ev: EventRecord): void {
  const list = ev.type === 'bacnet.read_property_ack' ? [ev as Record<string, unknown>] : records(ev, 'results');
  if (!list.some((r) => r.object_type === 'device')) return;
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  for (const r of list) bacnetDeviceProperty(d, r, s);
}

/** OPC UA server application (CreateSession / GetEndpoints responses describe the server that sends them). */
function opcuaServer(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  if (!d) return;
  const s = src(ev);
  const first = records(ev, 'endpoints')[0] ?? {};
  const uri = str(ev.application_uri ?? first.application_uri, 200);
  const name = str(ev.application_name ?? first.application_name, 200);
  const product = str(ev.product_uri ?? first.product_uri, 200);
  d.addEvidence('opcua.server', 'answers OPC UA sessions', s);
  if (uri) d.addEvidence('opcua.application_uri', uri, s);
  if (name) d.addEvidence('opcua.application_name', name, s);
  if (product) d.addEvidence('opcua.product_uri', product, s);
}

function opcuaClient(inv: Inventory, ev: EventRecord): void {
  const uri = str(ev.application_uri, 200);
  if (uri) sender(inv, ev)?.addEvidence('opcua.client', uri, src(ev));
}

export const handlers: Record<string, Handler> = {
  'arp.request': arp,
  'arp.reply': arp,
  'ndp.neighbor_solicit': ndp,
  'ndp.neighbor_advert': ndp,
  'ndp.router_solicit': ndp,
  'ndp.router_advert': ndp,
  'dhcp.discover': dhcpClient,
  'dhcp.request': dhcpClient,
  'dhcp.inform': dhcpClient,
  'dhcp.decline': dhcpClient,
  'dhcp.release': dhcpClient,
  'dhcp.offer': dhcpOffer,
  'dhcp.ack': dhcpAck,
  'dhcp6.message': dhcp6,
  'dns.query': dnsQuery,
  'dns.response': dnsResponse,
  'ssdp.notify': ssdpAnnounce,
  'ssdp.response': ssdpAnnounce,
  'ssdp.msearch': ssdpSearch,
  'http.request': httpRequest,
  'http.response': httpResponse,
  'tls.client_hello': tlsHello,
  'tls.certificate': tlsCertificate,
  'ssh.banner': sshBanner,
  'flow.start': flowStart,
  ...otHandlers,
  'bacnet.i_am': bacnetIAm,
  'bacnet.read_property_ack': bacnetProperty,
  'bacnet.read_property_multiple_ack': bacnetProperty,
  'opcua.create_session_response': opcuaServer,
  'opcua.get_endpoints_response': opcuaServer,
  'opcua.create_session': opcuaClient,
};
