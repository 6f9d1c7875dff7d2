/**
 * NTP analyzer (UDP 123): one `ntp.message` per datagram.
 * @module
 */
import type { AppProtocol } from '../types.ts';
import { type NtpMessage, NTP_HEADER_LEN, modeNames, parseMessage } from './parser.ts';
import { type NtpEvent, ntpAnomalies, ntpEvents } from './events.ts';

/** Stateless: every datagram stands alone. */
export type NtpState = null;

export function eventFields(m: NtpMessage): NtpEvent {
  const ev: NtpEvent = { version: m.version, mode: m.mode, mode_name: modeNames[m.mode] };
  if (m.kind === 'control') {
    ev.response = m.response;
    ev.opcode = m.opcode;
  } else if (m.kind === 'private') {
    ev.response = m.response;
    ev.request_code = m.requestCode;
    ev.implementation = m.implementation;
  } else {
    ev.stratum = m.stratum;
    ev.poll = m.poll;
    ev.precision = m.precision;
    ev.reference_id = m.referenceId;
    if (m.transmitTime !== 0) ev.transmit_time = m.transmitTime;
  }
  return ev;
}

export const ntp: AppProtocol<NtpState> = {
  name: 'ntp',
  transports: ['udp'],
  ports: [123],
  // NTP has no magic: a plausible first byte and length are all there is, so never more than 'maybe'.
  probe(bytes) {
    if (bytes.length < 1) return 'no';
    const version = (bytes[0] >> 3) & 7;
    const mode = bytes[0] & 7;
    if (version < 1 || version > 4 || mode === 0) return 'no';
    if (mode === 6) return bytes.length >= 12 ? 'maybe' : 'no';
    if (mode === 7) return bytes.length >= 8 ? 'maybe' : 'no';
    return bytes.length >= NTP_HEADER_LEN && bytes[1] <= 16 ? 'maybe' : 'no';
  },
  newState: () => null,
  data(_state, _dir, bytes, ctx) {
    const m = parseMessage(bytes, 0, bytes.length);
    if (m.status !== 'ok') {
      ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.ntp.truncated');
      return;
    }
    if (ctx.wants('ntp.message')) ctx.emit('ntp.message', eventFields(m.value) as unknown as Record<string, unknown>);
  },
  events: ntpEvents,
  anomalies: ntpAnomalies,
};
