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
    const tallies = new BoundedMap<string, Outcomes>(options.maxTrackedCredentials);
    const refusedClients = new BoundedMap<string, Set<string>>(options.maxTrackedCredentials);
    const tally = (key: string, success: boolean | undefined): Outcomes => {
      let o = tallies.get(key);
      if (o === undefined) {
        o = { accepted: 0, refused: 0, unknown: 0 };
        tallies.set(key, o);
      }
      if (success === true) o.accepted++;
      else if (success === false) o.refused++;
      else o.unknown++;
      return o;
    };
    // A brute force is refused by one server many times in a row: the key of its refusals is remembered.
    const refusedKeys = joinedKey();
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
          : `${a.protocol}|${a.server}|${a.username ?? ''}|${secretDigest(a.secret)}`;
      let clients = '';
      if (refused) {
        const seen = refusedClients.getOrCreate(key, () => new Set());
        if (seen.size < 1024) seen.add(a.client);
        clients = seen.size === 1 ? a.client : `${seen.size} clients (last ${a.client})`;
      }
      const outcomes = tally(key, a.success);
      const facts: Record<string, unknown> = {
        protocol: a.protocol, carrier: a.carrier, server_port: a.serverPort,
        accepted: outcomes.accepted, refused: outcomes.refused, outcome_unknown: outcomes.unknown, secret_kind: a.secretKind, secret_length: a.secret.length,
      };
      if (a.username !== undefined) facts.username = a.username;
      if (options.showSecrets) facts.secret = a.secret;
      const report: Report = {
        messageId,
        key,
        data: {
          protocol: a.protocol.toUpperCase(), server: a.server, client: a.client, port: a.serverPort, carrier: a.carrier,
          username: a.username ?? '(none)', secret_hint: secretHint(a.secret), outcome: outcomeSummary(outcomes), clients,
        },
        devices: [{ role: 'insecure', ip: a.server }, { role: clientRole, ip: a.client }],
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
