/**
 * DHCPv4 events (one type per message type) and anomalies. Every message type carries the same fields.
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';
import { messageTypeNames } from './parser.ts';

export interface DhcpEvent {
  xid: number;
  client_mac: string;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr?: string;
  requested_ip?: string;
  server_id?: string;
  host_name?: string;
  vendor_class?: string;
  client_id?: string;
  param_list?: number[];
  mud_url?: string;
  lease_time?: number;
  subnet_mask?: string;
  routers?: string[];
  dns_servers?: string[];
  domain_name?: string;
  fqdn?: string;
  options: number[];
}

const fields = {
  xid: { type: 'number', description: 'Transaction id.' },
  client_mac: { type: 'string', description: 'Client hardware address (chaddr): aa:bb:cc:dd:ee:ff for Ethernet, hex otherwise.' },
  ciaddr: { type: 'string', description: 'Client IP address field (0.0.0.0 when unset).' },
  yiaddr: { type: 'string', description: "'Your' IP address: the address offered or assigned." },
  siaddr: { type: 'string', description: 'Next server IP address field.' },
  giaddr: { type: 'string', description: 'Relay agent address, when not 0.0.0.0.', optional: true },
  requested_ip: { type: 'string', description: 'Option 50, requested IP address.', optional: true },
  server_id: { type: 'string', description: 'Option 54, server identifier.', optional: true },
  host_name: { type: 'string', description: 'Option 12, host name.', optional: true },
  vendor_class: { type: 'string', description: 'Option 60, vendor class identifier (e.g. "udhcp 1.22.1").', optional: true },
  client_id: { type: 'string', description: 'Option 61, client identifier, hex (type byte first).', optional: true },
  param_list: { type: 'number[]', description: 'Option 55, parameter request list, in the order sent (a client fingerprint).', optional: true },
  mud_url: { type: 'string', description: 'Option 161, Manufacturer Usage Description URL (RFC 8520).', optional: true },
  lease_time: { type: 'number', description: 'Option 51, lease time in seconds.', optional: true },
  subnet_mask: { type: 'string', description: 'Option 1, subnet mask.', optional: true },
  routers: { type: 'string[]', description: 'Option 3, routers.', optional: true },
  dns_servers: { type: 'string[]', description: 'Option 6, DNS servers.', optional: true },
  domain_name: { type: 'string', description: 'Option 15, domain name.', optional: true },
  fqdn: { type: 'string', description: 'Option 81, client FQDN.', optional: true },
  options: { type: 'number[]', description: 'Codes of every option present, in wire order (pad and end excluded; unknown codes kept).' },
} as const satisfies Record<keyof DhcpEvent, FieldSpec>;

const verbs = {
  discover: 'A client looks for servers (DHCPDISCOVER).',
  offer: 'A server offers an address (DHCPOFFER).',
  request: 'A client requests or renews an address (DHCPREQUEST).',
  decline: 'A client declines an offered address already in use (DHCPDECLINE).',
  ack: 'A server assigns an address and parameters (DHCPACK).',
  nak: 'A server refuses a request (DHCPNAK).',
  release: 'A client gives its address back (DHCPRELEASE).',
  inform: 'A client with an address asks for parameters (DHCPINFORM).',
} as const satisfies Record<string, string>;

/** One spec per message type, all with the same fields (typed so `dhcp.<name>` events get their payload type). */
export const dhcpEvents = Object.values(messageTypeNames).map((name) => ({
  type: `dhcp.${name as keyof typeof verbs}` as const,
  description: verbs[name as keyof typeof verbs],
  fields,
})) satisfies readonly EventSpec[];

export const dhcpAnomalies: readonly AnomalySpec[] = [
  { id: 'app.dhcp.truncated', description: 'A datagram on a DHCP flow is shorter than the 236-byte BOOTP header.' },
  { id: 'app.dhcp.bad_op', description: 'The BOOTP op field is neither 1 (request) nor 2 (reply).' },
  { id: 'app.dhcp.bad_cookie', description: 'The four bytes after the BOOTP header are not the DHCP magic cookie 99.130.83.99.' },
  { id: 'app.dhcp.bad_option', description: 'An option runs past its area, or has a length its type does not allow.' },
  { id: 'app.dhcp.too_many_options', description: 'More than 128 options in one message; the rest are ignored.' },
  { id: 'app.dhcp.no_message_type', description: 'A message with the magic cookie but no option 53 (plain BOOTP or malformed).' },
  { id: 'app.dhcp.unknown_message_type', description: 'Option 53 holds a type other than 1-8 (e.g. leasequery); no event.' },
];
