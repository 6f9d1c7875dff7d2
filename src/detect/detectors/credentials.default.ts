/**
 * credentials.default: a login with a known default pair (Mirai's 62 and other published IoT defaults,
 * SNMP 'public'/'private') seen in clear, and whether the device accepted it.
 * @module
 */
import type { Detector, Report } from '../types.ts';
import { LoginTracker, loginEventTypes, type LoginAttempt } from '../lib/logins.ts';
import { joinedKey } from '../lib/joined-key.ts';
import { defaultCommunities, matchDefault } from '../lib/default-credentials.ts';
import { secretHint } from '../lib/redact.ts';

/** Protocol names as the texts show them (toUpperCase made a new string per attempt). */
const protocolLabels: Readonly<Record<LoginAttempt['protocol'], string>> = {
  telnet: 'TELNET', ftp: 'FTP', http: 'HTTP', rtsp: 'RTSP', mqtt: 'MQTT', snmp: 'SNMP',
};

const miraiList = "in Mirai's credential table";

interface Options extends Record<string, unknown> {
  showSecrets: boolean;
  includeSnmpCommunities: boolean;
  maxPending: number;
}

const detector: Detector<Options> = {
  id: 'credentials.default',
  description: "A login with a well-known default user name and password (Mirai's table of 62, other published IoT factory defaults, SNMP communities 'public'/'private') seen in clear, with the device that accepted it.",
  category: 'credentials',
  severity: 'high',
  confidence: 0.95,
  references: {
    etsi: ['5.1-1', '5.1-2'],
    enisa: ['GP-TM-09', 'GP-TM-22', 'GP-TM-23'],
    attack: ['T1078.001', 'T1110.001'],
    other: ['https://github.com/jgamblin/Mirai-Source-Code/blob/master/mirai/bot/scanner.c'],
  },
  options: {
    showSecrets: { default: false, description: 'Keep the default password itself in `facts.secret` (it is public knowledge, but it also opens this device).' },
    includeSnmpCommunities: { default: true, description: "Report SNMP v1/v2c requests with the factory communities 'public' and 'private'." },
    maxPending: { default: 1024, description: 'HTTP/RTSP requests and MQTT CONNECTs waiting for the answer that tells whether the login worked.' },
  },
  messages: {
    accepted: {
      title: '{server} accepts the default {protocol} login {username}',
      explanation: "{server} accepted a {protocol} login from {client} with user '{username}' and a well-known default password ({secret_hint}; {list}). Anyone, including botnets such as Mirai that try these pairs, can take over this device. Seen {count} time(s). Change the password now (ETSI EN 303 645 5.1-1).",
    },
    unverified: {
      title: 'Default {protocol} login {username} used on {server}',
      explanation: "{client} logged in to {server}:{port} over {protocol} with user '{username}' and a well-known default password ({secret_hint}; {list}); the answer was not seen, so assume the device accepts it. Seen {count} time(s). Change the password (ETSI EN 303 645 5.1-1).",
    },
    refused: {
      title: 'Default {protocol} logins tried against {server} (refused)',
      explanation: "{client} tried well-known default credentials (last: user '{username}', {list}) on {server}:{port} over {protocol}; the device refused them. Seen {count} time(s), {first_seen} to {last_seen}. Typical of botnet brute forcing; the device itself held.",
    },
    community: {
      title: "SNMP agent {server} uses the default community '{community}'",
      explanation: "{client} queried the SNMP agent {server}:{port} with the factory-default community '{community}'. Default communities let anyone read (or, for 'private', often write) the device configuration. Seen {count} time(s). Set a unique community, or better use SNMPv3.",
    },
  },
  subscribes: loginEventTypes,
  needs: 'packets',
  create(ctx, options) {
    // A brute force is refused by one server many times in a row: the key of its refusals is remembered.
    const refusedKeys = joinedKey();
    const acceptedKeys = joinedKey();
    // The engine copies a report's devices: one pair of server and client reports the same array while it repeats.
    let lastDevices: Report['devices'] = [];
    let lastRefused = false;
    const devicesOf = (refused: boolean, server: string, client: string): Report['devices'] => {
      const d = lastDevices;
      if (refused !== lastRefused || d.length !== 2 || d[0].ip !== server || d[1].ip !== client) {
        lastRefused = refused;
        lastDevices = refused
          ? [{ role: 'victim', ip: server }, { role: 'attacker', ip: client }]
          : [{ role: 'insecure', ip: server }, { role: 'peer', ip: client }];
      }
      return lastDevices;
    };
    const onAttempt = (a: LoginAttempt): void => {
      if (a.secret === undefined) return;
      if (a.secretKind === 'community') {
        if (!options.includeSnmpCommunities || !defaultCommunities.includes(a.secret)) return;
        ctx.report({
          messageId: 'community',
          key: `snmp|${a.server}|${a.secret}`,
          data: { server: a.server, client: a.client, port: a.serverPort, community: a.secret },
          devices: [{ role: 'insecure', ip: a.server }, { role: 'peer', ip: a.client }],
          ts: a.ts,
          evidence: a.evidence,
          severity: 'medium',
          facts: { protocol: 'snmp', community: a.secret },
        });
        return;
      }
      if (a.secretKind !== 'password' || a.username === undefined) return;
      const match = matchDefault(a.username, a.secret);
      if (match === undefined) return;
      const messageId = a.success === true ? 'accepted' : a.success === false ? 'refused' : 'unverified';
      const facts: Record<string, unknown> = { protocol: a.protocol, username: a.username, list: match.source, outcome: messageId };
      if (match.note) facts.note = match.note;
      if (options.showSecrets) facts.secret = a.secret;
      ctx.report({
        messageId,
        // Refusals against one server are one finding; each accepted pair is its own.
        key: messageId === 'refused' ? refusedKeys(a.protocol, a.server, 'refused') : acceptedKeys(a.protocol, a.server, a.username, 'ok'),
        data: {
          protocol: protocolLabels[a.protocol] ?? a.protocol.toUpperCase(), server: a.server, client: a.client, port: a.serverPort, username: a.username,
          // The refusal's text does not show the hint (the data's other values are never read).
          secret_hint: messageId === 'refused' ? '' : secretHint(a.secret),
          list: match.source === 'mirai' ? miraiList : `published default${match.note ? ` (${match.note})` : ''}`,
        },
        devices: devicesOf(messageId === 'refused', a.server, a.client),
        ts: a.ts,
        evidence: a.evidence,
        severity: messageId === 'refused' ? 'low' : 'high',
        facts,
      });
    };
    const tracker = new LoginTracker(onAttempt, { maxPending: options.maxPending });
    return {
      onEvent: (ev) => tracker.onEvent(ev),
      finish: () => tracker.finish(),
    };
  },
};

export default detector;
