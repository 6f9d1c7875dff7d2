/**
 * ot.exposed-service: an industrial protocol server answers a client outside the local networks (the
 * controller is reachable from the Internet), or a local client talks an industrial protocol to a server
 * outside them (control traffic leaves the site). Judged on flow records: the flow's application (content
 * decides it, not the port) and whether the server sent application data back.
 * @module
 */
import type { Detector } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { isLocalIp } from '../lib/net.ts';
import { flowEvidence } from '../lib/probes.ts';
import { otApps } from '../lib/ot-commands.ts';

interface Options extends Record<string, unknown> {
  apps: string[];
  reportRemoteServers: boolean;
}

export const detector: Detector<Options> = {
  id: 'ot.exposed-service',
  description: 'An industrial protocol service (Modbus/TCP, DNP3, S7comm, BACnet/IP, OPC UA) answers a client outside the local networks, or a local client controls a device outside them.',
  category: 'exposure',
  severity: 'critical',
  confidence: 0.9,
  references: {
    attack: ['T0883', 'T0822', 'T0886'],
    other: ['IEC 62443-3-3 SR 5.1', 'IEC 62443-3-3 SR 5.2', 'IEC 62443-3-3 SR 1.13', 'IEC 62443-3-3 SR 7.7'],
  },
  options: {
    apps: { default: Object.keys(otApps), description: 'Application names (flow app) of the industrial protocols to report: modbus, dnp3, s7comm, bacnet, opcua.' },
    reportRemoteServers: { default: true, description: 'Also report local clients talking an industrial protocol to servers outside the local networks.' },
  },
  messages: {
    internet: {
      title: '{service} on {server} answers {client} from outside',
      explanation: '{server} answered {service} on port {port} to {client}, an address outside the local networks; {count} sessions from {first_seen} to {last_seen}. Industrial protocols have no authentication: anyone who reaches the port can read and write the process and stop the controller. Put it behind a firewall or VPN now.',
    },
    remote: {
      title: '{client} talks {service} to {server} outside the local networks',
      explanation: '{client} exchanged {service} with {server} (port {port}), an address outside the local networks; {count} sessions. Control traffic crossing the site boundary in clear can be read and altered on the way: carry it in a VPN, or check that the remote site is part of this plant.',
    },
  },
  subscribes: ['flow.end'],
  needs: 'packets',
  create(ctx, options) {
    const apps = new Set(options.apps);
    return {
      onFlow(f: FlowRecord) {
        const app = f.app;
        if (app === undefined || !apps.has(app) || f.resp_pkts === 0 || f.resp_payload_bytes === 0) return;
        const service = otApps[app] ?? app;
        const serverLocal = isLocalIp(f.resp_ip);
        const clientLocal = isLocalIp(f.orig_ip);
        if (serverLocal && !clientLocal) {
          ctx.report({
            messageId: 'internet', key: `${f.resp_ip}|${app}|${f.resp_port}`,
            data: { server: f.resp_ip, client: f.orig_ip, service, port: f.resp_port },
            devices: [{ role: 'insecure', ip: f.resp_ip, mac: f.resp_mac }, { role: 'attacker', ip: f.orig_ip }],
            ts: f.first_ts, evidence: flowEvidence(f), facts: { protocol: app, port: f.resp_port, client: f.orig_ip, server: f.resp_ip },
          });
        } else if (!serverLocal && clientLocal && options.reportRemoteServers) {
          ctx.report({
            messageId: 'remote', key: `${f.orig_ip}|${f.resp_ip}|${app}`, severity: 'high',
            data: { server: f.resp_ip, client: f.orig_ip, service, port: f.resp_port },
            devices: [{ role: 'insecure', ip: f.orig_ip, mac: f.orig_mac }, { role: 'peer', ip: f.resp_ip }],
            ts: f.first_ts, evidence: flowEvidence(f), facts: { protocol: app, port: f.resp_port, client: f.orig_ip, server: f.resp_ip },
          });
        }
      },
    };
  },
};

export default detector;
