/**
 * DHCPv4 analyzer (UDP 67/68): one event per message, named by its message type.
 * @module
 */
import type { AppContext, AppProtocol } from '../types.ts';
import {
  BOOTP_FIXED_LEN, type DhcpMessage, MAGIC_COOKIE, hexOf, ipv4At, messageTypeNames, optionAddresses, optionFqdn, optionText,
  optionU32, parseMessage,
} from './parser.ts';
import { type DhcpEvent, dhcpAnomalies, dhcpEvents } from './events.ts';

/** Stateless: every datagram stands alone. */
export type DhcpState = null;

function byteList(b: Uint8Array, off: number, len: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(b[off + i]);
  return out;
}

/** Event fields from the message's options; a malformed option is counted and left out. */
export function eventFields(b: Uint8Array, msg: DhcpMessage, ctx: AppContext): DhcpEvent {
  const h = msg.header;
  const ev: DhcpEvent = { xid: h.xid, client_mac: h.chaddr, ciaddr: h.ciaddr, yiaddr: h.yiaddr, siaddr: h.siaddr, options: [] };
  if (h.giaddr !== '0.0.0.0') ev.giaddr = h.giaddr;
  for (let i = 0; i < msg.options.length; i++) {
    const o = msg.options[i];
    ev.options.push(o.code);
    switch (o.code) {
      case 1:
        if (o.len === 4) ev.subnet_mask = ipv4At(b, o.off);
        else ctx.anomaly('app.dhcp.bad_option');
        break;
      case 3:
      case 6: {
        const a = optionAddresses(b, o);
        if (a.status === 'ok') {
          if (o.code === 3) ev.routers = a.value;
          else ev.dns_servers = a.value;
        } else ctx.anomaly('app.dhcp.bad_option');
        break;
      }
      case 12:
        ev.host_name = optionText(b, o);
        break;
      case 15:
        ev.domain_name = optionText(b, o);
        break;
      case 50:
      case 54:
        if (o.len !== 4) ctx.anomaly('app.dhcp.bad_option');
        else if (o.code === 50) ev.requested_ip = ipv4At(b, o.off);
        else ev.server_id = ipv4At(b, o.off);
        break;
      case 51: {
        const t = optionU32(b, o);
        if (t.status === 'ok') ev.lease_time = t.value;
        else ctx.anomaly('app.dhcp.bad_option');
        break;
      }
      case 55:
        ev.param_list = byteList(b, o.off, o.len);
        break;
      case 60:
        ev.vendor_class = optionText(b, o);
        break;
      case 61:
        ev.client_id = hexOf(b, o.off, o.len);
        break;
      case 81: {
        const f = optionFqdn(b, o);
        if (f.status === 'ok') ev.fqdn = f.value;
        else ctx.anomaly('app.dhcp.bad_option');
        break;
      }
      case 161:
        ev.mud_url = optionText(b, o);
        break;
    }
  }
  return ev;
}

/** Event type by option-53 value, built once. */
const eventTypes: (string | undefined)[] = [];
for (const [code, name] of Object.entries(messageTypeNames)) eventTypes[Number(code)] = `dhcp.${name}`;

export const dhcp: AppProtocol<DhcpState> = {
  name: 'dhcp',
  transports: ['udp'],
  ports: [67, 68],
  probe(bytes) {
    if (bytes.length < BOOTP_FIXED_LEN || (bytes[0] !== 1 && bytes[0] !== 2) || bytes[2] > 16) return 'no';
    if (bytes.length >= 240) {
      const cookie = ((bytes[236] << 24) | (bytes[237] << 16) | (bytes[238] << 8) | bytes[239]) >>> 0;
      if (cookie === MAGIC_COOKIE) return 'yes';
    }
    return bytes[1] === 1 && bytes[2] === 6 ? 'maybe' : 'no';
  },
  newState: () => null,
  data(_state, _dir, bytes, ctx) {
    const m = parseMessage(bytes, 0, bytes.length);
    if (m.status !== 'ok') {
      ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.dhcp.truncated');
      return;
    }
    const msg = m.value;
    if (msg.anomaly) ctx.anomaly(msg.anomaly);
    if (msg.anomaly === 'app.dhcp.bad_cookie') return;
    if (msg.messageType === undefined) {
      ctx.anomaly('app.dhcp.no_message_type');
      return;
    }
    const type = eventTypes[msg.messageType];
    if (!type) {
      ctx.anomaly('app.dhcp.unknown_message_type');
      return;
    }
    if (ctx.wants(type)) ctx.emit(type, eventFields(bytes, msg, ctx) as unknown as Record<string, unknown>);
  },
  events: dhcpEvents,
  anomalies: dhcpAnomalies,
};
