/**
 * The typed event contract: event type → TypeScript type of its record, derived from the same `as const`
 * spec lists that generate docs/events.md and the JSON Schema. `pipeline.on('telnet.login', (ev) =>
 * ev.username)` type-checks against it, so consumers read fields without re-validating their shapes.
 * @module
 */
import type { events as ftpEvents } from '../app/ftp/events.ts';
import type { events as httpEvents } from '../app/http/events.ts';
import type { events as ircEvents } from '../app/irc/events.ts';
import type { events as mqttEvents } from '../app/mqtt/events.ts';
import type { events as rtspEvents } from '../app/rtsp/events.ts';
import type { events as sshEvents } from '../app/ssh/events.ts';
import type { events as telnetEvents } from '../app/telnet/events.ts';
import type { events as tlsEvents } from '../app/tls/events.ts';
import type { coapEvents } from '../app/coap/events.ts';
import type { dhcpEvents } from '../app/dhcp/events.ts';
import type { dhcp6Events } from '../app/dhcp6/events.ts';
import type { dnsEvents } from '../app/dns/events.ts';
import type { ntpEvents } from '../app/ntp/events.ts';
import type { snmpEvents } from '../app/snmp/events.ts';
import type { ssdpEvents } from '../app/ssdp/events.ts';
import type { decodeEvents } from '../decode/events.ts';
import type { flowEvents } from './core.ts';
import type { EventEnvelope } from './record.ts';
import type { PayloadMapOf } from './types.ts';

/** Event type → payload fields (without the envelope). A new protocol adds its list here. */
export type EventPayloads =
  & PayloadMapOf<typeof decodeEvents>
  & PayloadMapOf<typeof flowEvents>
  & PayloadMapOf<typeof coapEvents>
  & PayloadMapOf<typeof dhcpEvents>
  & PayloadMapOf<typeof dhcp6Events>
  & PayloadMapOf<typeof dnsEvents>
  & PayloadMapOf<typeof ftpEvents>
  & PayloadMapOf<typeof httpEvents>
  & PayloadMapOf<typeof ircEvents>
  & PayloadMapOf<typeof mqttEvents>
  & PayloadMapOf<typeof ntpEvents>
  & PayloadMapOf<typeof rtspEvents>
  & PayloadMapOf<typeof snmpEvents>
  & PayloadMapOf<typeof ssdpEvents>
  & PayloadMapOf<typeof sshEvents>
  & PayloadMapOf<typeof telnetEvents>
  & PayloadMapOf<typeof tlsEvents>;

/** Every event type name Bulwark can publish. */
export type EventType = keyof EventPayloads & string;

/** The record of one event type as subscribers receive it: envelope, type, payload. */
export type EventOf<T extends EventType> = Omit<EventEnvelope, 'type'> & { type: T } & EventPayloads[T];

/** A subscriber for one event type. */
export type TypedEventHandler<T extends EventType> = (ev: EventOf<T>) => void;
