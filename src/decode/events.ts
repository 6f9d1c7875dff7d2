/**
 * Events the decode stage provides facts for: ARP requests/replies and ICMPv6 neighbour discovery.
 * The pipeline calls these builders only when someone listens (they allocate strings).
 * @module
 */
import type { EventFields, EventSpec, FieldSpec } from '../events/types.ts';
import { IpProto, L3, type PacketView } from './packet-view.ts';
import { ipv4ToString, ipv6ToString, macToString } from './address.ts';
import { Icmp6Type } from './icmp.ts';

export { decodeAnomalies } from './anomalies.ts';

const arpFields = {
  operation: { type: 'number', description: 'ARP opcode (1 request, 2 reply).' },
  sender_mac: { type: 'string', description: 'Sender hardware address.', optional: true },
  sender_ip: { type: 'string', description: 'Sender protocol (IPv4) address.', optional: true },
  target_mac: { type: 'string', description: 'Target hardware address (00:00:00:00:00:00 in most requests).', optional: true },
  target_ip: { type: 'string', description: 'Target protocol (IPv4) address.', optional: true },
  gratuitous: { type: 'boolean', description: 'Sender and target IP are equal and not 0.0.0.0 (an announcement of its own address).', optional: true },
  probe: { type: 'boolean', description: 'Sender IP is 0.0.0.0 (RFC 5227 address probe).', optional: true },
} as const satisfies Record<string, FieldSpec>;

const linkLayerAddress = {
  type: 'string',
  description: 'Link-layer address from the first source (NS/RS/RA) or target (NA) link-layer address option.',
  optional: true,
} as const satisfies FieldSpec;

export const decodeEvents = [
  { type: 'arp.request', description: 'ARP request (opcode other than 2), Ethernet/IPv4 fields when present.', fields: arpFields },
  { type: 'arp.reply', description: 'ARP reply (opcode 2).', fields: arpFields },
  {
    type: 'ndp.neighbor_solicit',
    description: 'ICMPv6 neighbour solicitation (type 135): who has the target address.',
    fields: {
      target_address: { type: 'string', description: 'Address being resolved or checked.' },
      link_layer_address: linkLayerAddress,
      duplicate_address_detection: { type: 'boolean', description: 'Sent from the unspecified address :: (RFC 4862 DAD probe).' },
    },
  },
  {
    type: 'ndp.neighbor_advert',
    description: 'ICMPv6 neighbour advertisement (type 136): the target address is at the link-layer address.',
    fields: {
      target_address: { type: 'string', description: 'Address being advertised.' },
      link_layer_address: linkLayerAddress,
      router: { type: 'boolean', description: 'R flag: the sender is a router.' },
      solicited: { type: 'boolean', description: 'S flag: answers a solicitation.' },
      override: { type: 'boolean', description: 'O flag: should override cached entries.' },
    },
  },
  {
    type: 'ndp.router_solicit',
    description: 'ICMPv6 router solicitation (type 133).',
    fields: { link_layer_address: linkLayerAddress },
  },
  {
    type: 'ndp.router_advert',
    description: 'ICMPv6 router advertisement (type 134).',
    fields: {
      link_layer_address: linkLayerAddress,
      hop_limit: { type: 'number', description: 'Current hop limit the router advertises (0: unspecified).', optional: true },
      managed: { type: 'boolean', description: 'M flag: addresses via DHCPv6.', optional: true },
      other_config: { type: 'boolean', description: 'O flag: other configuration via DHCPv6.', optional: true },
      router_lifetime: { type: 'number', description: 'Seconds the sender is a default router (0: not a default router).', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

/** Fields of `arp.request` / `arp.reply` for a view with `l3 === L3.ARP` (type: `arpOp === 2` → reply). */
export function arpEventFields(view: PacketView): EventFields {
  const fields: EventFields = { operation: view.arpOp };
  if (view.l3 !== L3.ARP || view.l3HeaderLen !== 28) return fields;
  const d = view.data;
  fields.sender_mac = macToString(d, view.arpSenderMacOff);
  fields.sender_ip = ipv4ToString(view.arpSenderIp);
  fields.target_mac = macToString(d, view.arpTargetMacOff);
  fields.target_ip = ipv4ToString(view.arpTargetIp);
  fields.gratuitous = view.arpSenderIp !== 0 && view.arpSenderIp === view.arpTargetIp;
  fields.probe = view.arpSenderIp === 0;
  return fields;
}

/** Event type and fields of an ICMPv6 RS/RA/NS/NA in `view`, or undefined when it holds none (or too little of one). */
export function ndpEventFields(view: PacketView): { type: string; fields: EventFields } | undefined {
  if (view.l3 !== L3.IPV6 || view.ipProto !== IpProto.ICMPV6 || view.l4Off === 0) return undefined;
  const d = view.data;
  const o = view.l4Off;
  const lla = view.ndLlAddrOff >= 0 ? macToString(d, view.ndLlAddrOff) : undefined;
  const withLla = (fields: EventFields): EventFields => {
    if (lla !== undefined) fields.link_layer_address = lla;
    return fields;
  };
  switch (view.icmpType) {
    case Icmp6Type.NS: {
      if (view.ndTargetOff < 0) return undefined;
      let dad = true;
      for (let i = 0; i < 16; i++) if (d[view.src6Off + i] !== 0) dad = false;
      return {
        type: 'ndp.neighbor_solicit',
        fields: withLla({ target_address: ipv6ToString(d, view.ndTargetOff), duplicate_address_detection: dad }),
      };
    }
    case Icmp6Type.NA: {
      if (view.ndTargetOff < 0) return undefined;
      const flags = d[o + 4];
      return {
        type: 'ndp.neighbor_advert',
        fields: withLla({
          target_address: ipv6ToString(d, view.ndTargetOff),
          router: (flags & 0x80) !== 0,
          solicited: (flags & 0x40) !== 0,
          override: (flags & 0x20) !== 0,
        }),
      };
    }
    case Icmp6Type.RS:
      return { type: 'ndp.router_solicit', fields: withLla({}) };
    case Icmp6Type.RA: {
      const fields = withLla({});
      if (o + 8 <= view.end) {
        fields.hop_limit = d[o + 4];
        fields.managed = (d[o + 5] & 0x80) !== 0;
        fields.other_config = (d[o + 5] & 0x40) !== 0;
        fields.router_lifetime = (d[o + 6] << 8) | d[o + 7];
      }
      return { type: 'ndp.router_advert', fields };
    }
  }
  return undefined;
}
