/**
 * exposure.service: a device runs a risky service that is reachable and answers: telnet, plain MQTT (no TLS),
 * RTSP, SNMP, UPnP/SSDP. Judged on flow records: the server side sent application data back (for SSDP, the
 * device sent NOTIFYs or M-SEARCH answers from port 1900). Severity rises when the client was on the Internet.
 * @module
 */
import { flowAppName } from '../lib/flow-app.ts';
import type { Detector, EvidenceRef, Severity } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { isLocalAddr } from '../lib/net.ts';
import { FlowBound } from '../../flow/lazy-record.ts';

interface Options extends Record<string, unknown> {
  services: string[];
  reportRemoteServers: boolean;
}

interface ServiceInfo {
  name: string;
  severity: Severity;
  why: string;
}

const serviceInfo: Record<string, ServiceInfo> = {
  telnet: { name: 'telnet', severity: 'medium', why: 'Telnet sends logins in clear and is the door Mirai and its variants brute-force.' },
  mqtt: { name: 'MQTT without TLS', severity: 'medium', why: 'Plain MQTT carries credentials and messages in clear; anyone on the path can read or inject commands.' },
  rtsp: { name: 'RTSP', severity: 'low', why: 'RTSP streams camera video, often with weak or no authentication.' },
  snmp: { name: 'SNMP', severity: 'medium', why: 'SNMP v1/v2c authenticates with a community string sent in clear and can be abused for amplification.' },
  ssdp: { name: 'UPnP/SSDP', severity: 'low', why: 'UPnP discovery tells anyone who asks what the device is; reachable from the Internet it is abused for amplification and port-mapping.' },
};

export const detector: Detector<Options> = {
  id: 'exposure.service',
  description: 'Exposed risky services: a device runs telnet, MQTT without TLS, RTSP, SNMP or UPnP/SSDP and answers on it; higher severity when the client was on the Internet.',
  category: 'exposure',
  severity: 'medium',
  confidence: 0.9,
  references: {
    etsi: ['5.6-1', '5.6-2', '5.5-1'],
    enisa: ['GP-TM-08', 'GP-TM-34', 'GP-TM-40', 'GP-TM-45', 'GP-TM-50'],
    attack: ['T1133', 'T1190', 'T1040'],
  },
  options: {
    services: { default: Object.keys(serviceInfo), description: 'Services to report (telnet, mqtt, rtsp, snmp, ssdp).' },
    reportRemoteServers: { default: false, description: 'Also report devices using these cleartext services on servers outside this network.' },
  },
  messages: {
    local: {
      title: '{service} open on {device}',
      explanation: '{device} answers {service} on port {port} (seen answering {client}); {count} sessions from {first_seen} to {last_seen}. {why} Switch it off if it is not needed, or restrict it to the devices that need it.',
    },
    internet: {
      title: '{service} on {device} reachable from the Internet',
      explanation: '{device} answered {service} on port {port} to {client}, an address on the Internet; {count} sessions from {first_seen} to {last_seen}. {why} Close the port on the router (and disable UPnP port mapping) now.',
    },
    remote: {
      title: '{device} uses {service} to {server}',
      explanation: '{device} talks {service} to {server} (port {port}) on the Internet; {count} sessions. {why}',
    },
  },
  // SSDP is judged on flow records too (flows from port 1900 carry NOTIFYs and M-SEARCH answers): building
  // ssdp.* events for every announcement would cost more than this detector is worth.
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const enabled = new Set(options.services.map((s) => s.toLowerCase()));

    // A service answers many sessions in a row (a brute force's, a scan's): the key, devices and facts of the last
    // report are reused while they repeat (the engine copies devices and facts and keeps neither).
    let lastServer = '';
    let lastApp = '';
    let lastPort = -1;
    let lastKey = '';
    const keyOf = (server: string, app: string, port: number): string => {
      if (server !== lastServer || app !== lastApp || port !== lastPort) {
        lastServer = server;
        lastApp = app;
        lastPort = port;
        lastKey = `${server}|${app}|${port}`;
      }
      return lastKey;
    };
    type Devices = { role: 'insecure' | 'attacker' | 'peer'; ip: string; mac?: string }[];
    let lastDevices: Devices = [];
    let lastMac: string | undefined;
    let lastClient = '';
    let lastInternet = false;
    const devicesOf = (server: string, mac: string | undefined, client: string, internet: boolean): Devices => {
      const d = lastDevices;
      if (d.length === 0 || d[0].ip !== server || mac !== lastMac || client !== lastClient || internet !== lastInternet) {
        lastMac = mac;
        lastClient = client;
        lastInternet = internet;
        lastDevices = [{ role: 'insecure', ip: server, mac }];
        if (client !== '') lastDevices.push({ role: internet ? 'attacker' : 'peer', ip: client });
      }
      return lastDevices;
    };
    let lastFacts: { service: string; port: number; from_internet: boolean } = { service: '', port: -1, from_internet: false };
    const factsOf = (app: string, port: number, internet: boolean): typeof lastFacts => {
      const f = lastFacts;
      if (f.service !== app || f.port !== port || f.from_internet !== internet) lastFacts = { service: app, port, from_internet: internet };
      return lastFacts;
    };

    /** `server4`, `client4`: the addresses' IPv4 values where the flow record has them (FlowBound), else -1. */
    const reportServer = (server: string, server4: number, client: string, client4: number, port: number, app: string, ts: number, evidence: EvidenceRef,
      mac?: string): void => {
      const info = serviceInfo[app];
      const serverLocal = isLocalAddr(server4, server);
      const clientLocal = client === '' || isLocalAddr(client4, client);
      if (!serverLocal) {
        if (!options.reportRemoteServers || !clientLocal) return;
        ctx.report({
          messageId: 'remote', key: `${client}|remote|${app}`, severity: 'low',
          data: { device: client, service: info.name, server, port, why: info.why },
          devices: [{ role: 'insecure', ip: client }], ts, evidence,
        });
        return;
      }
      const internet = !clientLocal;
      ctx.report({
        messageId: internet ? 'internet' : 'local', key: keyOf(server, app, port),
        severity: internet ? 'high' : info.severity,
        data: { device: server, service: info.name, port, client: client || '(multicast)', why: info.why },
        devices: devicesOf(server, mac, client, internet), ts, evidence, facts: factsOf(app, port, internet),
      });
    };

    const onFlow = (f: FlowRecord): void => {
      // Exported flows (NetFlow/IPFIX) name the service by its well-known port (src/detect/lib/flow-app.ts).
      const app = flowAppName(f);
      if (app === undefined || !(app in serviceInfo) || !enabled.has(app)) return;
      if (app === 'ssdp') {
        // NOTIFY (to the multicast group) or an answer to an M-SEARCH (to the searcher), sent from port 1900.
        if (f.orig_port !== 1900 || f.orig_payload_bytes === 0) return;
        const searcher = f.resp_ip.startsWith('239.') || f.resp_ip.toLowerCase().startsWith('ff0') ? '' : f.resp_ip;
        reportServer(f.orig_ip, FlowBound.origV4(f), searcher, searcher === '' ? -1 : FlowBound.respV4(f), 1900, app, f.first_ts, { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id }, f.orig_mac);
        return;
      }
      // Answering: the server sent application data back (a refused or silent port is not an exposure).
      if (f.resp_pkts === 0 || f.resp_payload_bytes === 0) return;
      if (app === 'snmp' && f.resp_port !== 161) return;
      reportServer(f.resp_ip, FlowBound.respV4(f), f.orig_ip, FlowBound.origV4(f), f.resp_port, app, f.first_ts, { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id }, f.resp_mac);
    };

    return { onFlow };
  },
};

export default detector;
