/**
 * crypto.weak-tls: obsolete or weak TLS on a device's connections: SSLv2/SSLv3 or TLS 1.0/1.1 negotiated,
 * a NULL, export, anonymous, RC4 or single-DES suite selected, a client that cannot do better than TLS 1.0/1.1
 * (or still sends SSLv2-format hellos), expired, not-yet-valid or self-signed certificates.
 * @module
 */
import type { Detector, EvidenceRef, Report, Severity } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf, isLocalIp } from '../lib/net.ts';
import { BoundedMap } from '../lib/bounded-map.ts';

interface Options extends Record<string, unknown> {
  minVersion: number;
  reportOffers: boolean;
  reportSelfSigned: boolean;
  maxTrackedClients: number;
}

/** What one client offered over all its hellos. */
interface ClientOffers {
  best: number;
  worst: number;
  hellos: number;
  weakHellos: number;
  sslv2: boolean;
  servers: Set<string>;
  weak: { ev: EvidenceRef; server: string; port: number; version: number }[];
}

/** Connections of one client and server that settled on an obsolete version. */
interface WeakUse {
  client: string;
  server: string;
  port: number;
  version: number;
  /** Best version the client offered on these connections (0: hello not seen). */
  offered: number;
  count: number;
  evidence: EvidenceRef[];
}

const maxServersKept = 64;
const maxEvidenceKept = 20;

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
    maxTrackedClients: { default: 10000, description: 'TLS clients (and client/server pairs on obsolete versions) remembered until the end of the run (the oldest is forgotten beyond it).' },
  },
  messages: {
    version: {
      title: '{server} chose {version} for {client}',
      explanation: '{server} (port {port}) selected {version} although {client} offered up to {offered}; {version} is obsolete and has known attacks (RFC 8996 deprecates TLS 1.0 and 1.1, RFC 7568 SSLv3); {count} connections from {first_seen} to {last_seen}. Update the server so it uses TLS 1.2 or newer.',
    },
    negotiated: {
      title: '{client} and {server} use {version}',
      explanation: '{client} and {server} (port {port}) agreed on {version}, which is obsolete and has known attacks (RFC 8996 deprecates TLS 1.0 and 1.1, RFC 7568 SSLv3); the client\'s hello was not seen, so which side holds back is unknown. {count} connections from {first_seen} to {last_seen}. Update the firmware (or the server) so it uses TLS 1.2 or newer.',
    },
    suite: {
      title: '{server} chose a {weakness} cipher suite for {client}',
      explanation: '{server} selected cipher suite 0x{suite} ({weakness}) for {client} (port {port}); {count} connections. Traffic protected this way can be read or altered. Disable such suites on both sides.',
    },
    offer: {
      title: '{client} offers at most {version}',
      explanation: '{client} sent {hellos} TLS ClientHello(s), to {servers} server(s) such as {server} (port {port}), and none offered more than {version}{sslv2}; {used}. A client that cannot do TLS 1.2 is outdated firmware: update it.',
    },
    some_offers: {
      title: '{client} sometimes offers at most {version}',
      explanation: '{client} sent {weak_hellos} of its {hellos} TLS ClientHellos with {version} as the best version{sslv2} (to {server}, port {port}, and {servers} server(s) in all), while its other hellos offer up to {best}; {used}. One of its programs or libraries is outdated: update the firmware.',
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
    // Offers and negotiations are judged at the end, per client: a client is said to "offer at most" a version
    // only when no hello of it offered more, and one obsolete TLS connection is one finding, not one per side.
    const clients = new BoundedMap<string, ClientOffers>(options.maxTrackedClients);
    // Best version offered on each connection, so a server's choice is judged against that connection's offer.
    const offerOfFlow = new BoundedMap<number, number>(options.maxTrackedClients);
    const weakUses = new BoundedMap<string, WeakUse>(options.maxTrackedClients);

    const sides = (ev: EventRecord) => {
      const fromClient = ev.from_orig !== false;
      const client = String((fromClient ? ev.src_ip : ev.dst_ip) ?? '');
      const server = String((fromClient ? ev.dst_ip : ev.src_ip) ?? '');
      const port = Number((fromClient ? ev.dst_port : ev.src_port) ?? 0);
      return { client, server, port };
    };
    /** The server did it (certificates, suites, a version the client could have bettered): the server is insecure. */
    const serverDevices = (client: string, server: string) => [{ role: 'insecure' as const, ip: server }, { role: 'peer' as const, ip: client }];
    const report = (ev: EventRecord, messageId: string, what: string, data: Record<string, string | number>, severity?: Severity): void => {
      const s = sides(ev);
      ctx.report({
        messageId, key: `${s.server}|${what}`,
        data: { client: s.client, server: s.server, port: s.port, ...data },
        devices: serverDevices(s.client, s.server), ts: ev.ts, evidence: evidenceOf(ev), severity, facts: { issue: what },
      });
    };

    const onClientHello = (ev: EventRecord): void => {
      const s = sides(ev);
      const versions = Array.isArray(ev.versions) ? (ev.versions as unknown[]).filter((v): v is number => typeof v === 'number' && (v & 0x0f0f) !== 0x0a0a) : [];
      const best = versions.length > 0 ? Math.max(...versions) : Number(ev.client_version ?? 0);
      if (!(best > 0)) return;
      if (typeof ev.flow_id === 'number') offerOfFlow.set(ev.flow_id, best);
      const c = clients.getOrCreate(s.client, () => ({ best: 0, worst: Infinity, hellos: 0, weakHellos: 0, sslv2: false, servers: new Set(), weak: [] }));
      c.hellos++;
      if (best > c.best) c.best = best;
      if (best < c.worst) c.worst = best;
      if (c.servers.size < maxServersKept) c.servers.add(s.server);
      const sslv2 = ev.sslv2_hello === true;
      if (best < options.minVersion || sslv2) {
        c.weakHellos++;
        if (sslv2) c.sslv2 = true;
        if (c.weak.length < maxEvidenceKept) c.weak.push({ ev: evidenceOf(ev), server: s.server, port: s.port, version: best });
      }
    };

    const onWeakVersion = (ev: EventRecord, version: number): void => {
      const s = sides(ev);
      const offered = typeof ev.flow_id === 'number' ? offerOfFlow.get(ev.flow_id) ?? 0 : 0;
      const key = `${s.client}|${s.server}|${version}|${offered}`;
      const u = weakUses.getOrCreate(key, () => ({ client: s.client, server: s.server, port: s.port, version, offered, evidence: [], count: 0 }));
      u.count++;
      if (u.evidence.length < maxEvidenceKept) u.evidence.push(evidenceOf(ev));
    };

    /** One finding from many pieces of evidence: the first carries the count, the rest only add evidence. */
    const emitAll = (base: Omit<Report, 'ts' | 'evidence' | 'count'>, evidence: EvidenceRef[], count: number): void => {
      evidence.forEach((e, i) => ctx.report({ ...base, ts: e.ts, evidence: e, count: i === 0 ? count : 0 }));
    };

    const finish = (): void => {
      const usedOld = new Map<string, number>();
      for (const u of weakUses.values()) {
        usedOld.set(u.client, (usedOld.get(u.client) ?? 0) + u.count);
        const severity: Severity | undefined = u.version <= 0x0300 ? 'high' : undefined;
        if (u.offered === 0) {
          const local = [u.client, u.server].filter(isLocalIp);
          emitAll({
            messageId: 'negotiated', key: `${u.client}|${u.server}|version-${u.version}`,
            data: { client: u.client, server: u.server, port: u.port, version: versionName(u.version) },
            devices: (local.length > 0 ? local : [u.client, u.server]).map((ip) => ({ role: 'insecure' as const, ip })), severity, facts: { issue: `version-${u.version}` },
          }, u.evidence, u.count);
        } else if (u.offered >= options.minVersion) {
          emitAll({
            messageId: 'version', key: `${u.server}|version-${u.version}`,
            data: { client: u.client, server: u.server, port: u.port, version: versionName(u.version), offered: versionName(u.offered) },
            devices: serverDevices(u.client, u.server), severity, facts: { issue: `version-${u.version}`, client_offered: versionName(u.offered) },
          }, u.evidence, u.count);
        }
        // Otherwise the client offered nothing better: its offer finding tells the whole story.
      }
      if (!options.reportOffers) return;
      for (const [client, c] of clients.entries()) {
        if (c.weak.length === 0) continue;
        const weakest = Math.min(...c.weak.map((w) => w.version));
        const first = c.weak[0];
        const used = usedOld.get(client) ?? 0;
        const all = c.weakHellos === c.hellos;
        const onlySslv2Format = c.best >= options.minVersion && all;
        const data = {
          client, server: first.server, port: first.port, hellos: c.hellos, weak_hellos: c.weakHellos, servers: c.servers.size,
          version: versionName(all ? c.best : weakest), best: versionName(c.best), sslv2: c.sslv2 ? ', in the SSLv2-compatible hello format' : '',
          used: used > 0 ? `${used} connection(s) then used an obsolete version` : 'no connection was seen using an obsolete version',
        };
        emitAll({
          messageId: all || onlySslv2Format ? 'offer' : 'some_offers', key: `${client}|offer`, data,
          devices: [{ role: 'insecure', ip: client }, { role: 'peer', ip: first.server }],
          severity: used > 0 ? 'medium' : 'low', facts: { issue: 'offer', best_offered: versionName(c.best), weak_hellos: c.weakHellos, hellos: c.hellos, obsolete_connections: used },
        }, c.weak.map((w) => w.ev), c.weakHellos);
      }
    };

    return {
      onEvent(ev) {
        if (ev.type === 'tls.server_hello') {
          const version = typeof ev.selected_version === 'number' ? ev.selected_version : Number(ev.version ?? 0);
          if (version > 0 && version < options.minVersion) onWeakVersion(ev, version);
          const suite = Number(ev.cipher_suite ?? -1);
          const weakness = weakSuite(suite);
          if (weakness !== undefined) {
            const severe = weakness.startsWith('NULL') || weakness.startsWith('export') || weakness.startsWith('anonymous');
            report(ev, 'suite', `suite-${suite}`, { suite: suite.toString(16).padStart(4, '0'), weakness }, severe ? 'high' : undefined);
          }
        } else if (ev.type === 'tls.client_hello') {
          onClientHello(ev);
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
      finish,
    };
  },
};

export default detector;
