/**
 * DHCPv6 analyzer (UDP 546/547): one `dhcp6.message` per datagram.
 * @module
 */
import type { AppContext, AppProtocol } from '../types.ts';
import { type Dhcp6Message, fqdn, hexOf, lengthPrefixedStrings, msgTypeNames, oro, parseMessage, vendorClass } from './parser.ts';
import { type Dhcp6Event, dhcp6Anomalies, dhcp6Events } from './events.ts';

/** Stateless: every datagram stands alone. */
export type Dhcp6State = null;

/** The MUD URL option's value when it is 1..255 printable ASCII characters. */
function mudUrl(b: Uint8Array, off: number, len: number): string | undefined {
  if (len === 0 || len > 255) return undefined;
  let url = '';
  for (let i = off; i < off + len; i++) {
    if (b[i] < 0x21 || b[i] > 0x7e) return undefined;
    url += String.fromCharCode(b[i]);
  }
  return url;
}

export function eventFields(b: Uint8Array, m: Dhcp6Message, ctx: AppContext): Dhcp6Event {
  const ev: Dhcp6Event = { msg_type: msgTypeNames[m.msgType], transaction_id: m.transactionId, options: [] };
  if (m.relayHops > 0) ev.relay_hops = m.relayHops;
  for (const o of m.options) {
    ev.options.push(o.code);
    switch (o.code) {
      case 1:
        ev.client_duid = hexOf(b, o.off, o.len);
        break;
      case 2:
        ev.server_duid = hexOf(b, o.off, o.len);
        break;
      case 6: {
        const r = oro(b, o);
        if (r.status === 'ok') ev.oro = r.value;
        else ctx.anomaly('app.dhcp6.bad_option');
        break;
      }
      case 15: {
        const r = lengthPrefixedStrings(b, o.off, o.off + o.len);
        if (r.status === 'ok') ev.user_class = r.value;
        else ctx.anomaly('app.dhcp6.bad_option');
        break;
      }
      case 16: {
        const r = vendorClass(b, o);
        if (r.status === 'ok') {
          ev.vendor_enterprise = r.value.enterprise;
          ev.vendor_class = r.value.data;
        } else ctx.anomaly('app.dhcp6.bad_option');
        break;
      }
      case 39: {
        const r = fqdn(b, o);
        if (r.status === 'ok') ev.fqdn = r.value;
        else ctx.anomaly('app.dhcp6.bad_option');
        break;
      }
      case 112: {
        // OPTION_MUD_URL_V6 (RFC 8520 section 10): an https URL, printable ASCII; anything else is malformed.
        const url = mudUrl(b, o.off, o.len);
        if (url !== undefined) ev.mud_url = url;
        else ctx.anomaly('app.dhcp6.bad_option');
        break;
      }
    }
  }
  return ev;
}

export const dhcp6: AppProtocol<Dhcp6State> = {
  name: 'dhcp6',
  transports: ['udp'],
  ports: [546, 547],
  // A type byte and options that tile the datagram: plausible, not unmistakable.
  probe(bytes) {
    const m = parseMessage(bytes, 0, bytes.length);
    return m.status === 'ok' && m.value.options.length > 0 ? 'maybe' : 'no';
  },
  newState: () => null,
  data(_state, _dir, bytes, ctx) {
    const m = parseMessage(bytes, 0, bytes.length);
    if (m.status !== 'ok') {
      ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.dhcp6.truncated');
      return;
    }
    if (ctx.wants('dhcp6.message')) ctx.emit('dhcp6.message', eventFields(bytes, m.value, ctx) as unknown as Record<string, unknown>);
  },
  events: dhcp6Events,
  anomalies: dhcp6Anomalies,
};
