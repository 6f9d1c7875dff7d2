/**
 * c2.indicator: traffic matching imported indicator lists (IP addresses, domains, JA4 fingerprints) from
 * plain text, CSV or STIX 2.1 files (src/detect/indicators/). Addresses are matched on flow records
 * (attempts included), domains on DNS queries and TLS SNI, JA4 on TLS ClientHellos.
 * @module
 */
import type { Detector } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf, isLocalIp } from '../lib/net.ts';
import { loadIndicatorFiles } from '../indicators/load.ts';
import type { Indicator } from '../indicators/parse.ts';

interface Options extends Record<string, unknown> {
  paths: string[];
  maxIndicators: number;
  maxFileBytes: number;
}

export const detector: Detector<Options> = {
  id: 'c2.indicator',
  description: 'Indicator match: a device talks to an IP address, looks up or opens TLS to a domain, or presents a JA4 TLS fingerprint listed in the imported indicator lists (plain text, CSV or STIX 2.1).',
  category: 'c2',
  severity: 'high',
  confidence: 0.8,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-56'],
    attack: ['T1071', 'T1568', 'T1573'],
    other: ['https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_me3pzm77qfnf'],
  },
  options: {
    paths: { default: [], description: 'Indicator list files: .json/.stix = STIX 2.1, .csv = CSV, anything else one value per line. Empty: the detector does nothing.' },
    maxIndicators: { default: 1000000, description: 'Indicators kept over all lists (the rest are counted as dropped).' },
    maxFileBytes: { default: 67108864, description: 'Largest list file read, bytes.' },
  },
  messages: {
    outbound: {
      title: '{device} contacts listed {kind} {indicator}',
      explanation: '{device} {action} {indicator}, which is on an imported indicator list{label}; {count} times from {first_seen} to {last_seen}. Indicator lists name command-and-control servers, malware download sites and bot fingerprints: find out why the device talks to it.',
    },
    inbound: {
      title: 'Listed address {indicator} contacts {device}',
      explanation: '{indicator}, on an imported indicator list{label}, reached {device} ({count} flows, {first_seen} to {last_seen}). Make sure the device is not exposed to the Internet needlessly.',
    },
  },
  // http.request is left out on purpose: building it for every request costs much, and a bot resolving a listed
  // domain shows it in dns.query (or TLS SNI) anyway.
  subscribes: ['flow.end', 'dns.query', 'tls.client_hello'],
  needs: 'flows',
  create(ctx, options) {
    const set = loadIndicatorFiles(options.paths, options.maxIndicators, options.maxFileBytes);
    if (set.size === 0) return {};
    const labelOf = (ind: Indicator): string => (ind.label ? ` ("${ind.label}")` : '');

    const eventMatch = (ev: EventRecord, ind: Indicator, kind: string, action: string): void => {
      const device = String((ev.from_orig === false ? ev.dst_ip : ev.src_ip) ?? '');
      ctx.report({
        messageId: 'outbound', key: `${device}|${kind}|${ind.value}`,
        data: { device, kind, indicator: ind.value, action, label: labelOf(ind) },
        devices: [{ role: 'infected', ip: device }],
        ts: ev.ts, evidence: evidenceOf(ev), facts: { indicator: ind.value, kind, list_label: ind.label ?? '' },
      });
    };

    return {
      onFlow(f) {
        if (set.ips.size === 0 || f.transport === 'arp') return;
        const hitResp = set.ip(f.resp_ip);
        const hitOrig = hitResp ? undefined : set.ip(f.orig_ip);
        const hit = hitResp ?? hitOrig;
        if (hit === undefined) return;
        const evidence = { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id };
        if (hitResp) {
          const answered = f.resp_pkts > 0 ? 'connected to' : 'tried to connect to (no answer)';
          ctx.report({
            messageId: 'outbound', key: `${f.orig_ip}|address|${hit.value}`,
            data: { device: f.orig_ip, kind: 'address', indicator: hit.value, action: `${answered} port ${f.resp_port} of`, label: labelOf(hit) },
            devices: [{ role: 'infected', ip: f.orig_ip, mac: f.orig_mac }, { role: 'peer', ip: f.resp_ip }],
            ts: f.first_ts, evidence, facts: { indicator: hit.value, kind: 'address', list_label: hit.label ?? '' },
          });
          return;
        }
        const device = f.resp_ip;
        ctx.report({
          messageId: 'inbound', key: `${device}|inbound|${hit.value}`, severity: isLocalIp(device) ? 'medium' : 'low',
          data: { device, indicator: hit.value, label: labelOf(hit) },
          devices: [{ role: 'victim', ip: device, mac: f.resp_mac }, { role: 'attacker', ip: f.orig_ip }],
          ts: f.first_ts, evidence, facts: { indicator: hit.value, kind: 'address', list_label: hit.label ?? '' },
        });
      },
      onEvent(ev) {
        if (ev.type === 'dns.query') {
          const hit = typeof ev.qname === 'string' ? set.domain(ev.qname) : undefined;
          if (hit) eventMatch(ev, hit, 'domain', `looked up ${String(ev.qname)} under`);
        } else if (ev.type === 'tls.client_hello') {
          const sniHit = typeof ev.sni === 'string' ? set.domain(ev.sni) : undefined;
          if (sniHit) eventMatch(ev, sniHit, 'domain', `opened TLS to ${String(ev.sni)} under`);
          const ja4Hit = typeof ev.ja4 === 'string' ? set.fingerprint(ev.ja4) : undefined;
          if (ja4Hit) eventMatch(ev, ja4Hit, 'JA4 fingerprint', 'sent a TLS ClientHello with the fingerprint');
        }
      },
    };
  },
};

export default detector;
