/**
 * All application analyzers, in probe order: strict content checks first, looser ones last (a 'maybe'
 * probe claims a flow only on its ports, and only when no protocol said 'yes').
 * Adding a protocol: one import and one entry here.
 * @module
 */
import type { AppProtocol } from './types.ts';
import { bacnet } from './bacnet/analyzer.ts';
import { coap } from './coap/analyzer.ts';
import { dhcp } from './dhcp/analyzer.ts';
import { dhcp6 } from './dhcp6/analyzer.ts';
import { dnp3 } from './dnp3/analyzer.ts';
import { dns, mdns } from './dns/analyzer.ts';
import { ftp } from './ftp/analyzer.ts';
import { http } from './http/analyzer.ts';
import { irc } from './irc/analyzer.ts';
import { modbus } from './modbus/analyzer.ts';
import { mqtt } from './mqtt/analyzer.ts';
import { ntp } from './ntp/analyzer.ts';
import { opcua } from './opcua/analyzer.ts';
import { rtsp } from './rtsp/analyzer.ts';
import { s7comm } from './s7comm/analyzer.ts';
import { snmp } from './snmp/analyzer.ts';
import { ssdp } from './ssdp/analyzer.ts';
import { ssh } from './ssh/analyzer.ts';
import { telnet } from './telnet/analyzer.ts';
import { tls } from './tls/analyzer.ts';

// Each analyzer's state type is its own; the dispatcher only hands a state back to the analyzer that made it.
const erase = <S>(p: AppProtocol<S>): AppProtocol => p as unknown as AppProtocol;

export const appProtocols: readonly AppProtocol[] = ([
  // TCP, strict content checks
  tls, ssh, telnet, mqtt, rtsp, http, irc, opcua,
  // UDP, strict content checks
  dhcp, snmp, ssdp, mdns, dns, bacnet,
  // 'maybe' probes, decided by port
  ftp, ntp, coap, dhcp6,
  // OT/ICS (TCP): strict content checks say 'yes' anywhere, plausible headers are claimed on their ports
  modbus, s7comm, dnp3,
] as AppProtocol<unknown>[]).map(erase);
