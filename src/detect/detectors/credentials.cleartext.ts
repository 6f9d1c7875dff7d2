/**
 * credentials.cleartext: a user name/password, token or SNMP community sent unencrypted. One finding per
 * (protocol, server, user, secret); the secret is never in the text (a hint only) and in facts only when
 * `showSecrets` is set.
 * @module
 */
import type { Detector, Report, Role } from '../types.ts';
import { LoginTracker, loginEventTypes, type LoginAttempt } from '../lib/logins.ts';
import { joinedKey } from '../lib/joined-key.ts';
import { isLocalIp } from '../lib/net.ts';
import { secretHint } from '../lib/redact.ts';
import { secretDigest } from '../lib/secret-key.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { LastEntry } from '../lib/last-entry.ts';

interface Options extends Record<string, unknown> {
  showSecrets: boolean;
  includeTokens: boolean;
  maxPending: number;
  maxTrackedCredentials: number;
}

interface Outcomes {
  accepted: number;
  refused: number;
  unknown: number;
}

/** Protocol names as the texts show them (toUpperCase made a new string per attempt). */
const protocolLabels: Readonly<Record<LoginAttempt['protocol'], string>> = {
  telnet: 'TELNET', ftp: 'FTP', http: 'HTTP', rtsp: 'RTSP', mqtt: 'MQTT', snmp: 'SNMP',
};

/** "accepted 3×, refused 1×" over every use of one credential so far. */
function outcomeSummary(o: Outcomes): string {
  // One string, no array joined: this runs for every login attempt.
  let out = o.accepted > 0 ? `accepted ${o.accepted}×` : '';
  if (o.refused > 0) out += `${out === '' ? '' : ', '}refused ${o.refused}×`;
  if (o.unknown > 0) out += `${out === '' ? '' : ', '}not seen ${o.unknown}×`;
  return out;
}

const detector: Detector<Options> = {
  id: 'credentials.cleartext',
  description: 'User names and passwords, tokens or SNMP community strings sent unencrypted (telnet, FTP, HTTP Basic, HTTP form/query fields, RTSP Basic, MQTT CONNECT, SNMP v1/v2c).',
  category: 'credentials',
  severity: 'medium',
  confidence: 0.95,
  references: {
    etsi: ['5.1-3', '5.5-1', '5.5-6', '5.5-7'],
    enisa: ['GP-TM-34', 'GP-TM-39', 'GP-TM-40'],
    attack: ['T1040', 'T1552'],
  },
  options: {
    showSecrets: { default: false, description: 'Keep the secret itself in the finding facts (`facts.secret`). Off: only a hint (first character and length).' },
    includeTokens: { default: true, description: 'Also report token/API-key-like HTTP form or query fields (names matching pass, pwd, secret, token, api_key, credential).' },
    maxPending: { default: 1024, description: 'HTTP/RTSP requests and MQTT CONNECTs waiting for the answer that tells whether the login worked.' },
    maxTrackedCredentials: { default: 10000, description: 'Credentials whose outcomes are tallied (the oldest tally is forgotten beyond it).' },
  },
  messages: {
    login: {
      title: '{protocol} credentials sent in clear to {server}',
      explanation: "A login over {protocol} for user '{username}' (password {secret_hint}) went unencrypted from {client} to {server}:{port} ({carrier}); the server's answers: {outcome}. Anyone on the path can read and reuse it. Seen {count} time(s), {first_seen} to {last_seen}. Use the encrypted variant of the protocol and change this password.",
    },
    refused: {
      title: '{protocol} logins refused by {server}, sent in clear',
      explanation: "{count} {protocol} logins that {server}:{port} refused went unencrypted from {clients} (last user tried: '{username}', via {carrier}), {first_seen} to {last_seen}. Refused passwords are often typos of the real one, or a brute force: see bruteforce.login.",
    },
    anonymous: {
      title: 'Anonymous {protocol} login in clear to {server}',
      explanation: "An anonymous {protocol} login (user '{username}', password {secret_hint}) went unencrypted from {client} to {server}:{port}. Anonymous logins are public by design, but the server accepts unencrypted sessions. Seen {count} time(s).",
    },
    token: {
      title: 'Secret sent in clear over HTTP to {server}',
      explanation: 'A secret ({carrier}, value {secret_hint}) went unencrypted from {client} to {server}:{port}; the answers: {outcome}. Tokens and keys in plain HTTP can be captured and replayed. Seen {count} time(s), {first_seen} to {last_seen}. Use HTTPS.',
    },
    community: {
      title: 'SNMP community string in clear ({server})',
      explanation: 'The {carrier} {secret_hint} was sent unencrypted between {client} and the agent {server}:{port}. The community is the password of SNMP v1/v2c: whoever sees it can query (or, if writable, change) the device. Seen {count} time(s), {first_seen} to {last_seen}. Use SNMPv3 with authentication and privacy, or turn SNMP off.',
    },
  },
  subscribes: loginEventTypes,
  needs: 'packets',
  create(ctx, options) {
    // Looked up through their last entry: a brute force tallies one server's refusals many times in a row.
    const tallies = new LastEntry(new BoundedMap<string, Outcomes>(options.maxTrackedCredentials));
    const refusedClients = new LastEntry(new BoundedMap<string, Set<string>>(options.maxTrackedCredentials));
    const tally = (key: string, success: boolean | undefined): Outcomes => {
      let o = tallies.get(key);
      if (o === undefined) {
        o = { accepted: 0, refused: 0, unknown: 0 };
        tallies.insertAbsent(key, o);
      }
      if (success === true) o.accepted++;
      else if (success === false) o.refused++;
      else o.unknown++;
      return o;
    };
    // A brute force is refused by one server many times in a row: the key of its refusals is remembered.
    const refusedKeys = joinedKey();
    // The key of a credential and the text of a refused finding's clients, remembered for the last attempt: a
    // client tries a credential several times in a row, and its next attempt at the same server changes neither.
    let lastCredential = '';
    let lastProtocol = '';
    let lastServer = '';
    let lastUser: string | undefined;
    let lastSecret = '';
    const credentialKey = (a: LoginAttempt, secret: string): string => {
      if (a.protocol !== lastProtocol || a.server !== lastServer || a.username !== lastUser || secret !== lastSecret || lastCredential === '') {
        lastProtocol = a.protocol;
        lastServer = a.server;
        lastUser = a.username;
        lastSecret = secret;
        lastCredential = `${a.protocol}|${a.server}|${a.username ?? ''}|${secretDigest(secret)}`;
      }
      return lastCredential;
    };
    let clientsSeen: Set<string> | undefined;
    let clientsSize = 0;
    let clientsLast = '';
    let clientsText = '';
    const clientsOf = (seen: Set<string>, client: string): string => {
      if (seen !== clientsSeen || seen.size !== clientsSize || client !== clientsLast) {
        clientsSeen = seen;
        clientsSize = seen.size;
        clientsLast = client;
        clientsText = seen.size === 1 ? client : `${seen.size} clients (last ${client})`;
      }
      return clientsText;
    };
    // The engine copies a report's devices: one pair of server and client reports the same array while it repeats.
    let lastDevices: Report['devices'] = [];
    const devicesOf = (server: string, client: string, clientRole: Role): Report['devices'] => {
      const d = lastDevices;
      if (d.length !== 2 || d[0].ip !== server || d[1].ip !== client || d[1].role !== clientRole) {
        lastDevices = [{ role: 'insecure', ip: server }, { role: clientRole, ip: client }];
      }
      return lastDevices;
    };
    const onAttempt = (a: LoginAttempt): void => {
      if (a.secret === undefined) return;
      if (a.secretKind === 'token' && !options.includeTokens) return;
      const anonymous = a.protocol === 'ftp' && (a.username === 'anonymous' || a.username === 'ftp');
      const refused = a.success === false && a.secretKind === 'password';
      const messageId = a.secretKind === 'community' ? 'community' : a.secretKind === 'token' ? 'token' : anonymous ? 'anonymous' : refused ? 'refused' : 'login';
      // The server accepts cleartext; a local client sending its own secret to a remote server is insecure too.
      const clientRole: Role = isLocalIp(a.client) && !isLocalIp(a.server) ? 'insecure' : 'peer';
      // Refused logins (typos, guessing) are one finding per server and protocol, not one per password or client.
      // Tokens rotate (session ids): one finding per client, server and carrier, not one per token value.
      const key = refused ? refusedKeys(a.protocol, a.server, 'refused')
        : a.secretKind === 'token' ? `${a.protocol}|${a.server}|${a.client}|${a.carrier}|token`
          : credentialKey(a, a.secret);
      let clients = '';
      if (refused) {
        let seen = refusedClients.get(key);
        if (seen === undefined) refusedClients.insertAbsent(key, (seen = new Set()));
        if (seen.size < 1024) seen.add(a.client);
        clients = clientsOf(seen, a.client);
      }
      const outcomes = tally(key, a.success);
      // One literal per shape (with or without the user name): a field added afterwards costs a second allocation.
      const facts: Record<string, unknown> = a.username === undefined
        ? {
          protocol: a.protocol, carrier: a.carrier, server_port: a.serverPort, accepted: outcomes.accepted, refused: outcomes.refused,
          outcome_unknown: outcomes.unknown, secret_kind: a.secretKind, secret_length: a.secret.length,
        }
        : {
          protocol: a.protocol, carrier: a.carrier, server_port: a.serverPort, accepted: outcomes.accepted, refused: outcomes.refused,
          outcome_unknown: outcomes.unknown, secret_kind: a.secretKind, secret_length: a.secret.length, username: a.username,
        };
      if (options.showSecrets) facts.secret = a.secret;
      const report: Report = {
        messageId,
        key,
        data: {
          protocol: protocolLabels[a.protocol] ?? a.protocol.toUpperCase(), server: a.server, client: a.client, port: a.serverPort, carrier: a.carrier,
          username: a.username ?? '(none)',
          // Only where the message shows them (the data's other values are never read): a brute force's refused attempts are most of them.
          secret_hint: messageId === 'refused' ? '' : secretHint(a.secret),
          outcome: messageId === 'login' || messageId === 'token' ? outcomeSummary(outcomes) : '',
          clients,
        },
        devices: devicesOf(a.server, a.client, clientRole),
        ts: a.ts,
        evidence: a.evidence,
        facts,
      };
      if (anonymous || refused) report.severity = 'low';
      ctx.report(report);
    };
    const tracker = new LoginTracker(onAttempt, { maxPending: options.maxPending });
    return {
      onEvent: (ev) => tracker.onEvent(ev),
      finish: () => tracker.finish(),
    };
  },
};

export default detector;
