/**
 * NTP events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface NtpEvent {
  version: number;
  mode: number;
  mode_name: string;
  stratum?: number;
  poll?: number;
  precision?: number;
  reference_id?: string;
  transmit_time?: number;
  response?: boolean;
  opcode?: number;
  request_code?: number;
  implementation?: number;
}

export const ntpEvents = [
  {
    type: 'ntp.message',
    description: 'One NTP datagram: time exchange (modes 1-5), control query (mode 6) or ntpd private request (mode 7).',
    fields: {
      version: { type: 'number', description: 'NTP version (1-4).' },
      mode: { type: 'number', description: 'Association mode: 1 symmetric active, 2 passive, 3 client, 4 server, 5 broadcast, 6 control, 7 private.' },
      mode_name: { type: 'string', description: 'Mode as a word: symmetric_active, symmetric_passive, client, server, broadcast, control, private.' },
      stratum: { type: 'number', description: 'Modes 1-5: stratum (0 unspecified / kiss-o-death, 1 reference clock, 2-15 secondary).', optional: true },
      poll: { type: 'number', description: 'Modes 1-5: poll interval, log2 seconds.', optional: true },
      precision: { type: 'number', description: 'Modes 1-5: clock precision, log2 seconds (signed, e.g. -19).', optional: true },
      reference_id: {
        type: 'string',
        description: 'Modes 1-5: reference id, as text for stratum 0/1 (kiss code or clock name such as "GPS"), dotted quad otherwise.',
        optional: true,
      },
      transmit_time: { type: 'number', description: 'Modes 1-5: transmit timestamp as Unix seconds (absent when zero).', optional: true },
      response: { type: 'boolean', description: 'Modes 6 and 7: the response bit.', optional: true },
      opcode: { type: 'number', description: 'Mode 6: control opcode (1 read status, 2 read variables, ...).', optional: true },
      request_code: { type: 'number', description: 'Mode 7: request code (42 MON_GETLIST_1 and 20 MON_GETLIST are "monlist").', optional: true },
      implementation: { type: 'number', description: 'Mode 7: implementation number (3 XNTPD).', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const ntpAnomalies: readonly AnomalySpec[] = [
  { id: 'app.ntp.truncated', description: 'An NTP datagram is shorter than the header of its mode (48, 12 or 8 bytes).' },
  { id: 'app.ntp.bad_version', description: 'The version field is 0 or above 4.' },
  { id: 'app.ntp.bad_mode', description: 'Mode 0 (reserved).' },
];
