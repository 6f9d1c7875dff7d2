/**
 * SSDP events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

export interface SsdpNotifyEvent {
  nt?: string;
  nts?: string;
  usn?: string;
  location?: string;
  server?: string;
  cache_control?: string;
  host?: string;
}

export interface SsdpMsearchEvent {
  st?: string;
  man?: string;
  mx?: number;
  user_agent?: string;
  host?: string;
}

export interface SsdpResponseEvent {
  status: number;
  st?: string;
  usn?: string;
  location?: string;
  server?: string;
  cache_control?: string;
}

const opt = (description: string) => ({ type: 'string', description, optional: true }) as const satisfies FieldSpec;
const usn = opt('USN: unique service name (uuid:...::type).');
const location = opt('LOCATION: URL of the device description.');
const server = opt('SERVER: OS/version UPnP/version product/version of the device.');
const cacheControl = opt('CACHE-CONTROL (max-age=seconds).');

export const ssdpEvents = [
  {
    type: 'ssdp.notify',
    description: 'An SSDP NOTIFY: a device announcing (ssdp:alive), updating or withdrawing (ssdp:byebye) a service.',
    fields: {
      nt: opt('NT: notification type (upnp:rootdevice, uuid:..., urn:...).'),
      nts: opt('NTS: ssdp:alive, ssdp:byebye or ssdp:update.'),
      usn, location, server, cache_control: cacheControl,
      host: opt('HOST header (239.255.255.250:1900).'),
    },
  },
  {
    type: 'ssdp.msearch',
    description: 'An SSDP M-SEARCH: a control point searching for devices or services.',
    fields: {
      st: opt('ST: search target (ssdp:all, upnp:rootdevice, urn:...).'),
      man: opt('MAN header ("ssdp:discover").'),
      mx: { type: 'number', description: 'MX: maximum wait in seconds.', optional: true },
      user_agent: opt('USER-AGENT of the control point.'),
      host: opt('HOST header.'),
    },
  },
  {
    type: 'ssdp.response',
    description: 'A unicast HTTP response to an M-SEARCH, describing one matching device or service.',
    fields: {
      status: { type: 'number', description: 'HTTP status code (200).' },
      st: opt('ST: the search target matched.'),
      usn, location, server, cache_control: cacheControl,
    },
  },
] as const satisfies readonly EventSpec[];

export const ssdpAnomalies: readonly AnomalySpec[] = [
  { id: 'app.ssdp.bad_start_line', description: 'A datagram on an SSDP flow does not start with NOTIFY, M-SEARCH or an HTTP/1.x status line.' },
  { id: 'app.ssdp.line_too_long', description: 'A header line is longer than the analyzer reads (default 1024 bytes); later headers are skipped.' },
  { id: 'app.ssdp.too_many_headers', description: 'More header lines than the analyzer reads (default 32).' },
  { id: 'app.ssdp.bad_header', description: 'A header line without a name and colon.' },
];
