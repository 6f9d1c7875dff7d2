/**
 * Matching observed flows against a device's MUD profile. Each direction of a flow is one "packet" checked
 * against the ACLs of that direction's policy (from-device-policy for device → peer, to-device-policy for
 * peer → device) in order, first match wins, no match = drop (RFC 8520: what is not allowed is denied).
 * A flow is allowed when every direction it carried was accepted. This is the policy half the `policy.mud`
 * detector, `bulwark mud check` and the review's rule counts share.
 * @module
 */
import type { FlowRecord } from '../flow/types.ts';
import { NetSet } from '../inventory/addresses.ts';
import { identity, policyAcls } from './document.ts';
import type { NameBook } from './names.ts';
import type { Ace, MudFile, PortMatch, ProfileSidecar } from './types.ts';

/** What "local-networks" covers by default: private, link-local, multicast and broadcast space. */
export const defaultLocalNetworks: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32', '0.0.0.0/32',
  'fc00::/7', 'fe80::/10', 'ff00::/8',
];

/** Facts about the other end of a flow that MUD classes compare (RFC 8520 section 4). */
export interface PeerFacts {
  /** Manufacturer of a device (OUI vendor, or the authority of its MUD URL). */
  manufacturerOf(ip: string, mac?: string): string | undefined;
  /** MUD URL the peer announced (for the `model` class). */
  mudUrlOf?(ip: string, mac?: string): string | undefined;
}

/** One side of a flow as the ACLs see it. */
export interface DirectedPacket {
  fromDevice: boolean;
  family: 4 | 6;
  protocol: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** Who opened the flow. */
  initiatedBy: 'device' | 'peer';
}

export interface FlowVerdict {
  allowed: boolean;
  /** Names of the accepting ACEs (one per direction carried). */
  used: string[];
  /** The direction that was denied, and the ACE that denied it explicitly (absent: no rule matched). */
  denied?: { fromDevice: boolean; ace?: string };
}

const protocolNumber: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 };

const cidrCache = new Map<string, NetSet>();
function inCidr(ip: string, cidr: string): boolean {
  let set = cidrCache.get(cidr);
  if (set === undefined) {
    try {
      set = new NetSet([cidr]);
    } catch {
      return false;
    }
    if (cidrCache.size < 10_000) cidrCache.set(cidr, set);
  }
  return set.has(ip);
}

function portMatches(m: PortMatch | undefined, port: number): boolean {
  if (m === undefined) return true;
  if (m['lower-port'] !== undefined) return port >= m['lower-port'] && port <= (m['upper-port'] ?? m['lower-port']);
  const p = m.port ?? 0;
  switch (m.operator ?? 'eq') {
    case 'lte': return port <= p;
    case 'gte': return port >= p;
    case 'neq': return port !== p;
    default: return port === p;
  }
}

/** A profile ready to match: the MUD file, its sidecar facts, and the shared name book. */
export class ProfileMatcher {
  readonly mac: string;
  private readonly from: Ace[];
  private readonly to: Ace[];
  private readonly familiesFrom: (4 | 6 | 0)[];
  private readonly familiesTo: (4 | 6 | 0)[];
  private readonly localNets: NetSet;
  readonly mud: MudFile;
  readonly sidecar: Pick<ProfileSidecar, 'mac' | 'controllers' | 'manufacturer'>;
  private readonly names: NameBook;
  private readonly peers?: PeerFacts;

  constructor(
    mud: MudFile,
    sidecar: Pick<ProfileSidecar, 'mac' | 'controllers' | 'manufacturer'>,
    names: NameBook,
    peers?: PeerFacts,
    localNetworks: readonly string[] = defaultLocalNetworks,
  ) {
    this.mud = mud;
    this.sidecar = sidecar;
    this.names = names;
    this.peers = peers;
    this.mac = sidecar.mac;
    this.localNets = new NetSet(localNetworks);
    const flatten = (side: 'from-device-policy' | 'to-device-policy'): { aces: Ace[]; fam: (4 | 6 | 0)[] } => {
      const aces: Ace[] = [];
      const fam: (4 | 6 | 0)[] = [];
      for (const acl of policyAcls(mud, side)) {
        const t = identity(acl.type);
        const f = t.includes('ipv4') && !t.includes('ipv6') ? 4 : t.includes('ipv6') && !t.includes('ipv4') ? 6 : 0;
        for (const ace of acl.aces?.ace ?? []) {
          aces.push(ace);
          fam.push(f);
        }
      }
      return { aces, fam };
    };
    const f = flatten('from-device-policy');
    const t = flatten('to-device-policy');
    this.from = f.aces;
    this.familiesFrom = f.fam;
    this.to = t.aces;
    this.familiesTo = t.fam;
  }

  /** Every ACE name of the profile with its direction (for the review's "never used"). */
  aceNames(): { name: string; fromDevice: boolean }[] {
    return [...this.from.map((a) => ({ name: a.name, fromDevice: true })), ...this.to.map((a) => ({ name: a.name, fromDevice: false }))];
  }

  /** Check one flow in which the device is the originator or the responder. */
  checkFlow(f: FlowRecord, deviceIsOrig: boolean): FlowVerdict | undefined {
    const protocol = protocolNumber[f.transport] ?? (f.transport.startsWith('ip-') ? Number(f.transport.slice(3)) : -1);
    if (protocol < 0 || (f.ip_version !== 4 && f.ip_version !== 6)) return undefined; // ARP and non-IP: outside MUD's ACLs
    const initiatedBy = deviceIsOrig ? 'device' : 'peer';
    const origPacket: DirectedPacket = {
      fromDevice: deviceIsOrig, family: f.ip_version, protocol, srcIp: f.orig_ip, dstIp: f.resp_ip, srcPort: f.orig_port, dstPort: f.resp_port, initiatedBy,
    };
    const used: string[] = [];
    const first = this.decide(origPacket);
    if (first.action !== 'accept') return { allowed: false, used, denied: { fromDevice: deviceIsOrig, ace: first.ace } };
    used.push(first.ace as string);
    if (f.resp_pkts > 0) {
      const back: DirectedPacket = {
        fromDevice: !deviceIsOrig, family: f.ip_version, protocol, srcIp: f.resp_ip, dstIp: f.orig_ip, srcPort: f.resp_port, dstPort: f.orig_port, initiatedBy,
      };
      const second = this.decide(back);
      if (second.action !== 'accept') return { allowed: false, used, denied: { fromDevice: !deviceIsOrig, ace: second.ace } };
      used.push(second.ace as string);
    }
    return { allowed: true, used };
  }

  /** First matching ACE of the packet's direction decides; none = drop. */
  decide(p: DirectedPacket): { action: string; ace?: string } {
    const aces = p.fromDevice ? this.from : this.to;
    const fams = p.fromDevice ? this.familiesFrom : this.familiesTo;
    for (let i = 0; i < aces.length; i++) {
      if (fams[i] !== 0 && fams[i] !== p.family) continue;
      if (this.aceMatches(aces[i], p)) return { action: identity(aces[i].actions.forwarding), ace: aces[i].name };
    }
    return { action: 'drop' };
  }

  private aceMatches(ace: Ace, p: DirectedPacket): boolean {
    const m = ace.matches ?? {};
    const peerIp = p.fromDevice ? p.dstIp : p.srcIp;
    const ip = m.ipv4 ?? m.ipv6;
    if (m.ipv4 && p.family !== 4) return false;
    if (m.ipv6 && p.family !== 6) return false;
    if (ip) {
      if (ip.protocol !== undefined && ip.protocol !== p.protocol) return false;
      const srcNet = ip['source-ipv4-network'] ?? ip['source-ipv6-network'];
      const dstNet = ip['destination-ipv4-network'] ?? ip['destination-ipv6-network'];
      if (srcNet !== undefined && !inCidr(p.srcIp, srcNet)) return false;
      if (dstNet !== undefined && !inCidr(p.dstIp, dstNet)) return false;
      const srcName = ip['ietf-acldns:src-dnsname'];
      const dstName = ip['ietf-acldns:dst-dnsname'];
      if (srcName !== undefined && !this.names.resolves(srcName, p.srcIp)) return false;
      if (dstName !== undefined && !this.names.resolves(dstName, p.dstIp)) return false;
    }
    const l4 = m.tcp ?? m.udp;
    if (m.tcp && p.protocol !== 6) return false;
    if (m.udp && p.protocol !== 17) return false;
    if (m.icmp && p.protocol !== 1 && p.protocol !== 58) return false;
    if (l4) {
      if (!portMatches(l4['source-port'], p.srcPort) || !portMatches(l4['destination-port'], p.dstPort)) return false;
      const initiated = l4['ietf-mud:direction-initiated'];
      if (initiated === 'from-device' && p.initiatedBy !== 'device') return false;
      if (initiated === 'to-device' && p.initiatedBy !== 'peer') return false;
    }
    const cls = m['ietf-mud:mud'];
    if (cls) {
      if (cls['local-networks'] && !this.localNets.has(peerIp)) return false;
      if (cls['same-manufacturer']) {
        const mine = this.sidecar.manufacturer;
        if (mine === undefined || this.peers?.manufacturerOf(peerIp) !== mine) return false;
      }
      if (cls.manufacturer !== undefined && this.peers?.manufacturerOf(peerIp) !== cls.manufacturer) return false;
      if (cls.model !== undefined && this.peers?.mudUrlOf?.(peerIp) !== cls.model) return false;
      if (cls['my-controller'] && !this.sidecar.controllers['my-controller'].includes(peerIp)) return false;
      if (cls.controller !== undefined && !(this.sidecar.controllers.controller[cls.controller] ?? []).includes(peerIp)) return false;
    }
    if (m.eth) {
      const dev = p.fromDevice ? 'source-mac-address' : 'destination-mac-address';
      if (typeof m.eth[dev] === 'string' && (m.eth[dev] as string).toLowerCase() !== this.mac) return false;
    }
    return true;
  }
}
