/**
 * The application protocol of a flow for detectors that work on flow records: recognised by content on
 * the packet path; on a flow exported by a router (NetFlow/IPFIX: no payload) the service's well-known port
 * is the only hint, so it is used there, and only there.
 * @module
 */
import type { FlowRecord } from '../../flow/types.ts';

const wellKnown: Record<string, Record<number, string>> = {
  tcp: {
    21: 'ftp', 22: 'ssh', 23: 'telnet', 2323: 'telnet', 80: 'http', 8080: 'http', 443: 'tls', 554: 'rtsp',
    1883: 'mqtt', 6667: 'irc',
  },
  udp: { 53: 'dns', 123: 'ntp', 161: 'snmp', 1900: 'ssdp', 5353: 'mdns', 5683: 'coap' },
};

export interface FlowApp {
  app: string;
  /** True when the name comes from the port of an exported flow, not from the payload. */
  fromPort: boolean;
}

export function flowApp(f: FlowRecord): FlowApp | undefined {
  if (f.app !== undefined) return { app: f.app, fromPort: false };
  const app = exportedApp(f);
  return app === undefined ? undefined : { app, fromPort: true };
}

/** `flowApp(f)?.app`, without the object (detectors asking per finished flow). */
export function flowAppName(f: FlowRecord): string | undefined {
  return f.app !== undefined ? f.app : exportedApp(f);
}

/** An exported flow's application by its service's well-known port. */
function exportedApp(f: FlowRecord): string | undefined {
  if (f.provenance === undefined) return undefined;
  const byPort = wellKnown[f.transport];
  if (byPort === undefined) return undefined;
  // The service is on the responder's port; SSDP announcements go out from 1900.
  return byPort[f.resp_port] ?? (f.orig_port === 1900 ? byPort[1900] : undefined);
}
