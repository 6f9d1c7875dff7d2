/**
 * DHCPv6 events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface Dhcp6Event {
  msg_type: string;
  transaction_id: number;
  client_duid?: string;
  server_duid?: string;
  options: number[];
  oro?: number[];
  fqdn?: string;
  vendor_enterprise?: number;
  vendor_class?: string[];
  user_class?: string[];
  relay_hops?: number;
  mud_url?: string;
}

export const dhcp6Events = [
  {
    type: 'dhcp6.message',
    description: 'One DHCPv6 client or server message (relayed messages are reported as the message they carry).',
    fields: {
      msg_type: {
        type: 'string',
        description: 'solicit, advertise, request, confirm, renew, rebind, reply, release, decline, reconfigure, information_request, ' +
          'relay_forw or relay_repl (a relay message without a Relay Message option).',
      },
      transaction_id: { type: 'number', description: '24-bit transaction id.' },
      client_duid: { type: 'string', description: 'Client Identifier option (1): DUID, hex.', optional: true },
      server_duid: { type: 'string', description: 'Server Identifier option (2): DUID, hex.', optional: true },
      options: { type: 'number[]', description: 'Option codes in wire order.' },
      oro: { type: 'number[]', description: 'Option Request option (6): requested option codes in order (a client fingerprint).', optional: true },
      fqdn: { type: 'string', description: 'Client FQDN option (39) name.', optional: true },
      vendor_enterprise: { type: 'number', description: 'Vendor Class option (16): IANA enterprise number.', optional: true },
      vendor_class: { type: 'string[]', description: 'Vendor Class option (16): data strings.', optional: true },
      user_class: { type: 'string[]', description: 'User Class option (15): data strings.', optional: true },
      relay_hops: { type: 'number', description: 'Number of relay wrappers the message came in, when relayed.', optional: true },
      mud_url: { type: 'string', description: 'MUD URL option (112, RFC 8520 section 10): the Manufacturer Usage Description URL.', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const dhcp6Anomalies: readonly AnomalySpec[] = [
  { id: 'app.dhcp6.truncated', description: 'A DHCPv6 message is shorter than its header (4 bytes, 34 for relay messages).' },
  { id: 'app.dhcp6.unknown_message_type', description: 'Message type 0 or above 13.' },
  { id: 'app.dhcp6.bad_option', description: 'An option runs past the end of its message, or its value does not fit its format.' },
  { id: 'app.dhcp6.too_many_options', description: 'More than 64 options in one message.' },
  { id: 'app.dhcp6.relay_too_deep', description: 'Relay messages nested deeper than the hop-count limit (8).' },
];
