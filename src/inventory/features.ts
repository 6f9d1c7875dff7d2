/**
 * Fingerprint features of a device for the learned model: a bag of string tokens built from its evidence
 * and traffic shape. Unit-specific values are normalised away so a model generalises to another unit of the
 * same model: no MAC or IP address, and hex/digit runs (serial numbers, MAC suffixes in host names) become '#'.
 * @module
 */
import type { DeviceRecord } from './types.ts';

type Unidentified = Omit<DeviceRecord, 'identification'>;

/**
 * Lower case, with unit-specific parts replaced by '#': the device's own MAC address digits (host names like
 * 'ESP_06D902' end in them), UUIDs, long hex runs (serials) and long digit runs. Model numbers ('HS110',
 * 'DCS-930L') stay: they name the model, not the unit.
 */
export function normaliseText(s: string, mac?: string): string {
  let out = s.toLowerCase();
  if (mac) {
    const hex = mac.replace(/:/g, '');
    for (const part of [hex, hex.slice(6), hex.slice(8)]) out = out.split(part).join('#');
  }
  return out
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '#')
    .replace(/[0-9a-f]{8,}/g, (m) => (/\d/.test(m) ? '#' : m))
    .replace(/\d{6,}/g, '#');
}

/** Word tokens of a normalised text, at most 12, each at least 2 characters. */
export function words(s: string): string[] {
  const out = s.split(/[^a-z0-9#]+/).filter((w) => w.length >= 2);
  return [...new Set(out)].slice(0, 12);
}

/** Order-of-magnitude bucket of a count (0, 1, 2-3, 4-7, ...). */
function bucket(n: number): number {
  return n <= 0 ? 0 : 1 + Math.floor(Math.log2(n));
}

/** Last two labels of a DNS name (three for common second-level public suffixes like co.uk). */
export function baseDomain(name: string): string {
  const parts = name.split('.');
  const n = parts.length >= 3 && /^(co|com|net|org|ac|gov)$/.test(parts[parts.length - 2]) ? 3 : 2;
  return parts.slice(-n).join('.');
}

/** Feature tokens of a device; each token is 'kind:value' (the kind is the weight group, see model.ts). */
export function deviceFeatures(d: Unidentified): string[] {
  const t = new Set<string>();
  const norm = (v: string): string => normaliseText(v, d.mac);
  if (d.oui_vendor) t.add(`oui:${d.oui_vendor.toLowerCase()}`);
  if (d.mac_local) t.add('mac:local');
  for (const e of d.evidence) {
    const v = e.value;
    switch (e.signal) {
      case 'dhcp.hostname':
        t.add(`host:${norm(v)}`);
        for (const w of words(norm(v))) t.add(`hostw:${w}`);
        break;
      case 'dhcp.fingerprint': t.add(`p55:${v}`); break;
      case 'dhcp.options': t.add(`dopt:${v}`); break;
      case 'dhcp.vendor_class': t.add(`vc:${norm(v)}`); break;
      case 'dhcp6.fingerprint': t.add(`oro:${v}`); break;
      case 'mud_url': t.add(`mud:${v.toLowerCase()}`); break;
      case 'mdns.service': t.add(`mdns:${v}`); break;
      case 'mdns.txt': t.add(`txt:${norm(v)}`); break;
      case 'mdns.query':
        if (v.startsWith('_')) t.add(`mq:${v}`);
        break;
      case 'ssdp.server':
        t.add(`ssdp:${norm(v)}`);
        for (const w of words(norm(v))) t.add(`ssdpw:${w}`);
        break;
      case 'ssdp.usn':
      case 'ssdp.type': {
        const at = v.indexOf('::');
        const type = norm(at >= 0 ? v.slice(at + 2) : v);
        // The UPnP device type names the product line; service types are shared across it.
        if (type.includes(':device:')) t.add(`udev:${type}`);
        else if (at >= 0 || e.signal === 'ssdp.type') t.add(`usn:${type}`);
        break;
      }
      case 'ssdp.user_agent':
      case 'http.user_agent':
        t.add(`ua:${norm(v)}`);
        for (const w of words(norm(v))) t.add(`uaw:${w}`);
        break;
      case 'ssdp.search': t.add(`st:${norm(v)}`); break;
      case 'http.server':
        t.add(`hs:${norm(v)}`);
        for (const w of words(norm(v))) t.add(`hsw:${w}`);
        break;
      case 'http.realm': t.add(`realm:${norm(v)}`); break;
      case 'tls.ja3': t.add(`ja3:${v}`); break;
      case 'tls.ja4': t.add(`ja4:${v}`); break;
      case 'tcp.syn_signature': t.add(`syn:${v}`); break;
      case 'dns.query':
      case 'tls.sni':
      case 'http.host':
        t.add(`dom:${norm(v)}`);
        t.add(`dom2:${baseDomain(v)}`);
        break;
      case 'tls.cert_subject': t.add(`cert:${norm(v)}`); break;
      case 'ssh.server':
      case 'ssh.client': t.add(`ssh:${norm(v)}`); break;
      case 'gateway':
      case 'dhcp.server':
      case 'ndp.router_advert':
        t.add(`role:${e.signal}`);
        break;
    }
  }
  for (const s of d.services) t.add(`svc:${s.transport}/${s.port}`);
  for (const p of d.talks_to.ports) {
    const [proto, port] = p.split('/');
    // Ephemeral peer ports carry no identity; well-known and registered ones do.
    if (Number(port) < 49152) t.add(`port:${proto}/${port}`);
  }
  const [flows, bytes, remote, local, domains] = trafficBuckets(d);
  t.add(`nflows:${flows}`);
  t.add(`nbytes:${bytes}`);
  t.add(`nremote:${remote}`);
  t.add(`nlocal:${local}`);
  t.add(`ndomains:${domains}`);
  return [...t];
}

/**
 * The traffic shape the features see: buckets of flows, bytes, remote and local peers and domains. All that
 * identification reads of the traffic counters (see identificationInputs in identify.ts).
 */
export function trafficBuckets(d: Unidentified): [flows: number, bytes: number, remote: number, local: number, domains: number] {
  return [bucket(d.flows_out + d.flows_in), bucket(d.bytes_out + d.bytes_in), bucket(d.peers_remote), bucket(d.peers_local), bucket(d.talks_to.domains.length)];
}
