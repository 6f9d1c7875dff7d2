/**
 * policy.mud: traffic outside a device's locked MUD profile (RFC 8520). Profiles are the folder `bulwark mud
 * learn` / `mud import` fill and the review locks; each IP flow of a profiled device is matched against its
 * from-device and to-device ACLs (src/mud/match.ts, DNS names through the DNS answers seen). One finding per
 * device, direction, protocol, port and peer (name, or "local" / "Internet" when unnamed), with a count.
 * @module
 */
import type { Detector } from '../types.ts';
import { loadProfiles } from '../../mud/store.ts';
import { PolicyWatch, type Violation } from '../../mud/watch.ts';
import { BoundedMap } from '../lib/bounded-map.ts';

interface Options extends Record<string, unknown> {
  profiles: string;
  lockedOnly: boolean;
  maxTracked: number;
}

/** Peers and ports listed per finding. */
const maxListed = 50;

export const detector: Detector<Options> = {
  id: 'policy.mud',
  description: 'MUD profile violation: a device whose RFC 8520 profile is locked sends or accepts traffic no rule of its profile allows (peer, protocol, port or direction).',
  category: 'policy',
  severity: 'medium',
  confidence: 0.8,
  references: {
    etsi: ['5.6-1', '5.6-2'],
    enisa: ['GP-TM-45', 'GP-TM-46'],
    attack: ['T1071', 'T1046'],
    other: ['https://www.rfc-editor.org/rfc/rfc8520'],
  },
  options: {
    profiles: { default: '', description: 'Folder of MUD profiles (<mac12>.json with <mac12>.bulwark.json sidecars). Empty: the detector does nothing.' },
    lockedOnly: { default: true, description: 'Report only devices whose profile is locked (false: every profiled device, e.g. to try a learned profile).' },
    maxTracked: { default: 10000, description: 'Findings whose peer and port lists are kept (oldest forgotten first).' },
  },
  messages: {
    outbound: {
      title: '{device} talks to {peer} outside its MUD profile',
      explanation: '{device} ({mac}) opened {transport} to {peers} on port {ports}{answered}, which no rule of its locked MUD profile allows; {count} flows from {first_seen} to {last_seen}. A device doing what its profile does not describe is misconfigured, updated, or compromised: check it, then either extend the profile or block the traffic.',
    },
    inbound: {
      title: '{peer} reaches {device} port {port} outside its MUD profile',
      explanation: '{peers} opened {transport} to {device} ({mac}) port {port}{answered}, which no rule of the device\'s locked MUD profile allows; {count} flows from {first_seen} to {last_seen}. Enforcing the profile (bulwark mud nft) would have blocked it.',
    },
  },
  subscribes: ['flow.end', 'dns.response'],
  needs: 'packets',
  create(ctx, options) {
    if (options.profiles === '') return {};
    const { profiles } = loadProfiles(options.profiles);
    // Peers and ports per finding, so one finding says "to whom" and "which ports" for a whole scan.
    const lists = new BoundedMap<string, { peers: Set<string>; ports: Set<number>; peersMore: number; portsMore: number }>(options.maxTracked);
    const listed = (key: string, peer: string, port: number): { peers: string; ports: string; peerList: string[]; portList: number[] } => {
      let l = lists.get(key);
      if (l === undefined) {
        l = { peers: new Set(), ports: new Set(), peersMore: 0, portsMore: 0 };
        lists.set(key, l);
      }
      if (!l.peers.has(peer)) {
        if (l.peers.size < maxListed) l.peers.add(peer);
        else l.peersMore++;
      }
      if (!l.ports.has(port)) {
        if (l.ports.size < maxListed) l.ports.add(port);
        else l.portsMore++;
      }
      const text = <T>(set: Set<T>, more: number): string => {
        const shown = [...set].slice(0, 5).join(', ');
        const rest = set.size - 5 + more;
        return rest > 0 ? `${shown} and ${rest} more` : shown;
      };
      return { peers: text(l.peers, l.peersMore), ports: text(l.ports, l.portsMore), peerList: [...l.peers], portList: [...l.ports] };
    };
    const report = (v: Violation): void => {
      const f = v.flow;
      const scope = v.peerName ?? (v.peerLocal ? 'local addresses' : 'Internet addresses');
      const peer = v.peerName ? `${v.peerName} (${v.peerIp})` : v.peerIp;
      const outbound = v.initiated === 'from-device';
      // Outbound: one finding per peer name (or unnamed local / Internet peers); inbound: per port reached.
      const key = outbound ? `${v.mac}|out|${v.transport}|${scope}` : `${v.mac}|in|${v.transport}|${v.port}`;
      const l = listed(key, peer, v.port);
      ctx.report({
        messageId: outbound ? 'outbound' : 'inbound',
        key,
        data: { device: v.deviceIp, mac: v.mac, peer: v.peerName ?? (outbound ? scope : peer), peers: l.peers, ports: l.ports, port: v.port, transport: v.transport.toUpperCase(), answered: v.answered ? '' : ' (no answer)' },
        devices: [{ role: outbound ? 'insecure' : 'victim', ip: v.deviceIp, mac: v.mac }, { role: 'peer', ip: v.peerIp }],
        ts: f.first_ts,
        evidence: { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id },
        facts: { direction: v.initiated, peers: l.peerList, ports: l.portList, denied_direction: v.deniedDirection, denied_by: v.deniedBy ?? '(no rule)' },
      });
    };
    const watch = new PolicyWatch(profiles, report, ctx.devices, { lockedOnly: options.lockedOnly });
    if (watch.size === 0) return {};
    return {
      onEvent: (ev) => watch.onDns(ev),
      onFlow: (f) => watch.onFlow(f),
    };
  },
};

export default detector;
