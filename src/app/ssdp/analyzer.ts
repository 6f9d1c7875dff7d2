/**
 * SSDP analyzer (UDP 1900 and unicast M-SEARCH responses): `ssdp.notify`, `ssdp.msearch`, `ssdp.response`.
 * @module
 */
import type { AppProtocol } from '../types.ts';
import { type SsdpLimits, type SsdpMessage, defaultSsdpLimits, header, parseMessage, parseStartLine } from './parser.ts';
import { ssdpAnomalies, ssdpEvents } from './events.ts';

/** Stateless: every datagram stands alone. */
export type SsdpState = null;

const eventType = { notify: 'ssdp.notify', msearch: 'ssdp.msearch', response: 'ssdp.response' } as const;

/** Event fields of a message: the headers its kind defines, those present. */
export function eventFields(m: SsdpMessage): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  const put = (key: string, name: string) => {
    const v = header(m, name);
    if (v !== undefined) f[key] = v;
  };
  if (m.kind === 'response') f.status = m.status;
  if (m.kind === 'msearch') {
    put('st', 'st');
    put('man', 'man');
    const mx = header(m, 'mx');
    if (mx !== undefined && /^\d{1,6}$/.test(mx)) f.mx = Number(mx);
    put('user_agent', 'user-agent');
    put('host', 'host');
    return f;
  }
  if (m.kind === 'notify') {
    put('nt', 'nt');
    put('nts', 'nts');
  } else put('st', 'st');
  put('usn', 'usn');
  put('location', 'location');
  put('server', 'server');
  put('cache_control', 'cache-control');
  if (m.kind === 'notify') put('host', 'host');
  return f;
}

export function createSsdp(limits: Partial<SsdpLimits> = {}): AppProtocol<SsdpState> {
  const opts = { ...defaultSsdpLimits, ...limits };
  return {
    name: 'ssdp',
    transports: ['udp'],
    ports: [1900],
    probe(bytes) {
      const s = parseStartLine(bytes, 0, bytes.length);
      if (s.status !== 'ok') return 'no';
      // NOTIFY * / M-SEARCH * over UDP is SSDP whatever the port; an HTTP status line is SSDP only if it
      // carries the SSDP headers.
      if (s.value.kind !== 'response') return 'yes';
      const m = parseMessage(bytes, 0, bytes.length, opts);
      return m.status === 'ok' && header(m.value, 'usn') !== undefined && header(m.value, 'st') !== undefined ? 'yes' : 'no';
    },
    newState: () => null,
    data(_state, _dir, bytes, ctx) {
      const m = parseMessage(bytes, 0, bytes.length, opts);
      if (m.status !== 'ok') {
        ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.ssdp.bad_start_line');
        return;
      }
      if (m.value.anomaly) ctx.anomaly(m.value.anomaly);
      const type = eventType[m.value.kind];
      if (ctx.wants(type)) ctx.emit(type, eventFields(m.value));
    },
    events: ssdpEvents,
    anomalies: ssdpAnomalies,
  };
}

export const ssdp: AppProtocol<SsdpState> = createSsdp();
