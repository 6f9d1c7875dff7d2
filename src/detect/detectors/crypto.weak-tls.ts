/**
 * crypto.weak-tls: obsolete or weak TLS on a device's connections: SSLv2/SSLv3 or TLS 1.0/1.1 negotiated,
 * a NULL, export, anonymous, RC4 or single-DES suite selected, a client that cannot do better than TLS 1.0/1.1
 * (or still sends SSLv2-format hellos), expired, not-yet-valid or self-signed certificates.
 * @module
 */
import type { Detector, Severity } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf, isLocalIp } from '../lib/net.ts';

interface Options extends Record<string, unknown> {
  minVersion: number;
  reportOffers: boolean;
  reportSelfSigned: boolean;
}

export function versionName(v: number): string {
  switch (v) {
    case 0x0002: return 'SSLv2';
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLS 1.0';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    default: return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

const nullSuites = [0x0000, 0x0001, 0x0002, 0x002c, 0x002d, 0x002e, 0x003b, 0x00b0, 0x00b1, 0x00b4, 0x00b5, 0x00b8, 0x00b9, 0xc001, 0xc006, 0xc00b, 0xc010, 0xc015, 0xc039, 0xc03a, 0xc03b];
const exportSuites = [0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0017, 0x0019, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065];
const anonSuites = [0x0018, 0x001a, 0x001b, 0x0034, 0x003a, 0x0046, 0x006c, 0x006d, 0x0089, 0x009b, 0x00a6, 0x00a7, 0xc016, 0xc017, 0xc018, 0xc019];
const rc4Suites = [0x0004, 0x0005, 0x0018, 0x0020, 0x0024, 0x008a, 0x008e, 0x0092, 0xc002, 0xc007, 0xc00c, 0xc011, 0xc016, 0xc033];
const desSuites = [0x0009, 0x000c, 0x000f, 0x0012, 0x0015, 0x001a, 0x001e, 0x0022];
const suiteClass = new Map<number, string>();
for (const [list, name] of [[desSuites, 'single DES'], [rc4Suites, 'RC4'], [anonSuites, 'anonymous (no authentication)'], [exportSuites, 'export-grade'], [nullSuites, 'NULL (no encryption)']] as const) {
  for (const s of list) suiteClass.set(s, name);
}

/** Weakness of a cipher suite ('NULL (no encryption)', 'export-grade', ...), undefined when not known weak. */
export function weakSuite(suite: number): string | undefined {
  return suiteClass.get(suite);
}

export const detector: Detector<Options> = {
  id: 'crypto.weak-tls',
  description: 'Obsolete or weak TLS: SSLv2/SSLv3 or TLS 1.0/1.1 negotiated, a NULL, export, anonymous, RC4 or DES cipher suite selected, clients limited to old versions or SSLv2-format hellos, and expired, not-yet-valid or self-signed certificates.',
  category: 'crypto',
  severity: 'medium',
  confidence: 0.95,
  references: {
    etsi: ['5.5-1', '5.5-6'],
    enisa: ['GP-OP-04', 'GP-TM-34', 'GP-TM-39'],
    attack: ['T1557', 'T1040'],
    other: ['https://www.rfc-editor.org/rfc/rfc8996', 'https://www.rfc-editor.org/rfc/rfc7465', 'https://www.rfc-editor.org/rfc/rfc7568'],
  },
  options: {
    minVersion: { default: 0x0303, description: 'Lowest acceptable negotiated protocol version (0x0303 = TLS 1.2).' },
    reportOffers: { default: true, description: 'Also report clients whose best offer is below minVersion or that use SSLv2-format hellos (low severity).' },
    reportSelfSigned: { default: true, description: 'Report self-signed leaf certificates (low severity: common on devices, but unverifiable).' },
  },
  messages: {
    version: {
      title: '{device} uses {version} with {peer}',
      explanation: '{client} and {server} (port {port}) agreed on {version}, which is obsolete and has known attacks (RFC 8996 deprecates TLS 1.0 and 1.1, RFC 7568 SSLv3); {count} connections from {first_seen} to {last_seen}. Update the firmware (or the server) so it uses TLS 1.2 or newer.',
    },
    suite: {
      title: '{device} uses a {weakness} cipher suite with {peer}',
      explanation: '{server} selected cipher suite 0x{suite} ({weakness}) for {client} (port {port}); {count} connections. Traffic protected this way can be read or altered. Disable such suites on both sides.',
    },
    offer: {
      title: '{device} offers at most {version}',
      explanation: '{client} sent a TLS ClientHello to {server} (port {port}) whose best version is {version}{sslv2}; {count} hellos. A client that cannot do TLS 1.2 is outdated firmware.',
    },
    expired: {
      title: 'Expired certificate on {server}',
      explanation: '{server} (port {port}) presented a certificate for "{subject}" that expired on {not_after}, to {client}. Clients that accept it do not check certificates, so a man in the middle would go unnoticed.',
    },
    not_yet_valid: {
      title: 'Not-yet-valid certificate on {server}',
      explanation: '{server} (port {port}) presented a certificate for "{subject}" valid only from {not_before}, to {client}. The device clock or the certificate is wrong.',
    },
    self_signed: {
      title: 'Self-signed certificate on {server}',
      explanation: '{server} (port {port}) presented a self-signed certificate for "{subject}" to {client}. Nobody can verify it, so clients either skip verification or pin it; a shared built-in certificate breaks ETSI EN 303 645 provision 5.4-3.',
    },
  },
  subscribes: ['tls.client_hello', 'tls.server_hello', 'tls.certificate'],
  needs: 'packets',
  create(ctx, options) {
    const sides = (ev: EventRecord) => {
      const fromClient = ev.from_orig !== false;
      const client = String((fromClient ? ev.src_ip : ev.dst_ip) ?? '');
      const server = String((fromClient ? ev.dst_ip : ev.src_ip) ?? '');
      const port = Number((fromClient ? ev.dst_port : ev.src_port) ?? 0);
      // The device is the side on this network (the server when both are, the client when neither is).
      const device = isLocalIp(server) ? server : client;
      const peer = device === server ? client : server;
      const devices = [
        { role: (isLocalIp(client) ? 'insecure' : 'peer') as 'insecure' | 'peer', ip: client },
        { role: (isLocalIp(server) || !isLocalIp(client) ? 'insecure' : 'peer') as 'insecure' | 'peer', ip: server },
      ];
      return { client, server, port, device, peer, devices };
    };
    const report = (ev: EventRecord, messageId: string, what: string, data: Record<string, string | number>, severity?: Severity): void => {
      const s = sides(ev);
      ctx.report({
        messageId, key: `${s.device}|${what}`,
        data: { client: s.client, server: s.server, port: s.port, device: s.device, peer: s.peer, ...data },
        devices: s.devices, ts: ev.ts, evidence: evidenceOf(ev), severity, facts: { issue: what },
      });
    };
    return {
      onEvent(ev) {
        if (ev.type === 'tls.server_hello') {
          const version = typeof ev.selected_version === 'number' ? ev.selected_version : Number(ev.version ?? 0);
          if (version > 0 && version < options.minVersion) {
            report(ev, 'version', `version-${version}`, { version: versionName(version) }, version <= 0x0300 ? 'high' : undefined);
          }
          const suite = Number(ev.cipher_suite ?? -1);
          const weakness = weakSuite(suite);
          if (weakness !== undefined) {
            const severe = weakness.startsWith('NULL') || weakness.startsWith('export') || weakness.startsWith('anonymous');
            report(ev, 'suite', `suite-${suite}`, { suite: suite.toString(16).padStart(4, '0'), weakness }, severe ? 'high' : undefined);
          }
        } else if (ev.type === 'tls.client_hello') {
          if (!options.reportOffers) return;
          const versions = Array.isArray(ev.versions) ? (ev.versions as unknown[]).filter((v): v is number => typeof v === 'number' && (v & 0x0f0f) !== 0x0a0a) : [];
          const best = versions.length > 0 ? Math.max(...versions) : Number(ev.client_version ?? 0);
          const sslv2 = ev.sslv2_hello === true;
          if ((best > 0 && best < options.minVersion) || sslv2) {
            report(ev, 'offer', `offer-${best}-${sslv2}`, { version: versionName(best), sslv2: sslv2 ? ', in the SSLv2-compatible hello format' : '' }, 'low');
          }
        } else if (ev.type === 'tls.certificate') {
          if (ev.chain_index !== 0) return;
          const subject = String(ev.subject ?? '').slice(0, 160);
          const notAfter = Date.parse(String(ev.not_after ?? '')) / 1000;
          const notBefore = Date.parse(String(ev.not_before ?? '')) / 1000;
          const fp = String(ev.fingerprint_sha256 ?? '').slice(0, 16);
          if (notAfter < ev.ts) report(ev, 'expired', `expired-${fp}`, { subject, not_after: String(ev.not_after) });
          else if (notBefore > ev.ts) report(ev, 'not_yet_valid', `not-yet-valid-${fp}`, { subject, not_before: String(ev.not_before) }, 'low');
          if (options.reportSelfSigned && ev.self_signed === true) report(ev, 'self_signed', `self-signed-${fp}`, { subject }, 'low');
        }
      },
    };
  },
};

export default detector;
