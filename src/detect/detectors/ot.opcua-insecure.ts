/**
 * ot.opcua-insecure: OPC UA used without its security: sessions over a channel with security mode or policy
 * None, anonymous sessions a server accepts, user-name passwords readable on the wire, and (low) servers whose
 * GetEndpoints answer offers session endpoints without security.
 * @module
 */
import type { Detector, Role } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { clientServer, evidenceOf, isLocalIp } from '../lib/net.ts';
import { secretHint } from '../lib/redact.ts';

interface Options extends Record<string, unknown> {
  reportOffers: boolean;
  showSecrets: boolean;
  maxPending: number;
}

/** An ActivateSession waiting for its answer: anonymous, or carrying a readable password. */
interface PendingSession {
  ev: EventRecord;
  client: string;
  server: string;
  port: number;
  anonymous: boolean;
  password?: { user: string; secret: string };
}

const detector: Detector<Options> = {
  id: 'ot.opcua-insecure',
  description: 'OPC UA without security: sessions over a channel with security mode or policy None, anonymous sessions accepted by a server, user-name passwords sent readable, and servers offering endpoints without security.',
  category: 'crypto',
  severity: 'medium',
  confidence: 0.95,
  references: {
    etsi: ['5.5-1', '5.5-7'],
    attack: ['T0842', 'T0830', 'T0859', 'T0855'],
    iec62443: ['SR 1.1', 'SR 1.2', 'SR 1.5', 'SR 2.1', 'SR 3.1', 'SR 4.1', 'SR 4.3'],
    other: ['https://reference.opcfoundation.org/Core/Part2/v105/docs/', 'https://attack.mitre.org/techniques/T0842/'],
  },
  options: {
    reportOffers: { default: true, description: 'Also report (low) servers whose GetEndpoints answer offers a session endpoint with security mode None.' },
    showSecrets: { default: false, description: 'Keep a cleartext password in `facts.secret`. Off: only a hint (first character and length).' },
    maxPending: { default: 1024, description: 'Anonymous ActivateSession requests waiting for the server\'s answer.' },
  },
  messages: {
    no_security: {
      title: 'OPC UA session without security between {client} and {server}',
      explanation: '{client} activated an OPC UA session on {server}:{port} over a secure channel with security policy {policy} and mode {mode}: {count} session(s) from {first_seen} to {last_seen}. Nothing is signed or encrypted, so anyone on the path reads every value and can alter writes and method calls in transit. Configure the server to offer only Sign or SignAndEncrypt endpoints with a current policy (Basic256Sha256 or Aes*).',
    },
    anonymous: {
      title: 'OPC UA server {server} accepts anonymous sessions',
      explanation: '{server}:{port} activated an anonymous session for {client} (channel {policy}/{mode}); {count} time(s) from {first_seen} to {last_seen}. Any host that reaches it can read (and, with the anonymous role\'s rights, write) the address space. Disable the anonymous user token policy or restrict its rights.',
    },
    cleartext_password: {
      title: "{client} sent the OPC UA password of '{user}' in clear to {server}",
      explanation: "ActivateSession from {client} to {server}:{port} carried user '{user}' with password {secret_hint} unencrypted (no token encryption, channel {policy}/{mode}); the server answered: {outcome}. Anyone on the path can log in as this user. Use a user token policy with a security policy (the password is then encrypted with the server certificate) and change this password.",
    },
    offers_none: {
      title: 'OPC UA server {server} offers endpoints without security',
      explanation: '{server}:{port} answered GetEndpoints from {client} with {none_count} of {endpoint_count} endpoint(s) using security mode None ({urls}), for user tokens {tokens}. Clients may pick them; remove them unless only discovery needs them.',
    },
  },
  subscribes: ['opcua.activate_session', 'opcua.activate_session_response', 'opcua.get_endpoints_response'],
  needs: 'packets',
  create(ctx, options) {
    const pending = new BoundedMap<string, PendingSession>(options.maxPending);
    const sides = (ev: EventRecord) => {
      const { client, server, serverPort } = clientServer(ev);
      const flowKey = `${client}|${server}|${String(ev.from_orig === false ? ev.dst_port : ev.src_port)}`;
      return { client, server, port: serverPort, flowKey };
    };
    const role = (ip: string, fallback: Role): Role => (isLocalIp(ip) ? 'insecure' : fallback);
    const channel = (ev: EventRecord) => ({ policy: String(ev.security_policy ?? 'unknown'), mode: String(ev.security_mode ?? 'unknown') });

    function answered(p: PendingSession, outcome: string): void {
      const data = { client: p.client, server: p.server, port: p.port, ...channel(p.ev) };
      if (p.anonymous && outcome !== 'refused') {
        ctx.report({
          messageId: 'anonymous', key: `anonymous|${p.server}`, ts: p.ev.ts, evidence: evidenceOf(p.ev), data,
          devices: [{ role: 'insecure', ip: p.server }, { role: 'peer', ip: p.client }],
          confidence: outcome === 'accepted' ? undefined : 0.6, facts: { outcome },
        });
      }
      if (p.password) {
        const { user, secret } = p.password;
        ctx.report({
          messageId: 'cleartext_password', key: `password|${p.server}|${user}`, ts: p.ev.ts, evidence: evidenceOf(p.ev), severity: 'high',
          data: { ...data, user, secret_hint: secretHint(secret), outcome },
          devices: [{ role: 'insecure', ip: p.server }, { role: 'insecure', ip: p.client }],
          facts: options.showSecrets ? { user, secret, outcome } : { user, outcome },
        });
      }
    }

    return {
      onEvent(ev) {
        if (ev.type === 'opcua.activate_session') {
          const s = sides(ev);
          const ch = channel(ev);
          if (ch.policy === 'None' || ch.mode === 'None') {
            ctx.report({
              messageId: 'no_security', key: `no_security|${s.client}|${s.server}`, ts: ev.ts, evidence: evidenceOf(ev),
              data: { client: s.client, server: s.server, port: s.port, ...ch },
              devices: [{ role: role(s.server, 'peer'), ip: s.server }, { role: role(s.client, 'peer'), ip: s.client }],
              facts: { policy: ch.policy, mode: ch.mode },
            });
          }
          const p: PendingSession = { ev, client: s.client, server: s.server, port: s.port, anonymous: ev.identity_token === 'anonymous' };
          if (ev.password_cleartext === true && ev.identity_token === 'user_name') {
            p.password = { user: String(ev.user_name ?? '').slice(0, 64), secret: typeof ev.password === 'string' ? ev.password : '' };
          }
          if (p.anonymous || p.password) {
            const earlier = pending.get(s.flowKey);
            if (earlier) answered(earlier, 'no answer seen');
            pending.set(s.flowKey, p);
          }
        } else if (ev.type === 'opcua.activate_session_response') {
          const s = sides(ev);
          const p = pending.get(s.flowKey);
          if (!p) return;
          pending.delete(s.flowKey);
          answered(p, ev.status === 'Good' ? 'accepted' : 'refused');
        } else if (ev.type === 'opcua.get_endpoints_response' && options.reportOffers) {
          const endpoints = Array.isArray(ev.endpoints) ? (ev.endpoints as Record<string, unknown>[]).slice(0, 64) : [];
          const none = endpoints.filter((e) => e && e.security_mode === 'None' && Array.isArray(e.user_token_types) && e.user_token_types.length > 0);
          if (none.length === 0) return;
          const s = sides(ev);
          const tokens = [...new Set(none.flatMap((e) => e.user_token_types as string[]))].join(', ');
          ctx.report({
            messageId: 'offers_none', key: `offers|${s.server}`, ts: ev.ts, evidence: evidenceOf(ev), severity: 'low',
            data: { client: s.client, server: s.server, port: s.port, none_count: none.length, endpoint_count: endpoints.length,
              urls: [...new Set(none.map((e) => String(e.endpoint_url ?? '?')))].slice(0, 3).join(', '), tokens },
            devices: [{ role: role(s.server, 'peer'), ip: s.server }],
          });
        }
      },
      finish() {
        for (const p of pending.values()) answered(p, 'no answer seen');
        pending.clear();
      },
    };
  },
};

export default detector;
