/**
 * Login attempts seen in clear, from every protocol that carries them (telnet, FTP, HTTP Basic and
 * password-like form/query fields, RTSP Basic, MQTT CONNECT, SNMP communities), with the server's verdict
 * when the protocol shows it. Shared by the credential and brute-force detectors; bounded state.
 *
 * Each of those detectors runs its own tracker (its own options and pending requests), but the attempts an
 * event carries are built once: the engine hands one event object to every tracker in turn, the first
 * builds its attempts and the others reuse them (`attemptsOf`). Attempts handed to `onAttempt` are shared
 * between detectors and must not be changed; a tracker that holds attempts for an answer holds copies.
 * @module
 */
import type { EventRecord } from '../../pipeline/analyze.ts';
import type { EvidenceRef } from '../types.ts';
import { clientServer, evidenceOf } from './net.ts';
import { isPasswordName, isSecretName } from '../../events/secrets.ts';

export type SecretKind = 'password' | 'community' | 'token';

export interface LoginAttempt {
  protocol: 'telnet' | 'ftp' | 'http' | 'rtsp' | 'mqtt' | 'snmp';
  client: string;
  server: string;
  serverPort: number;
  username?: string;
  /** The secret as sent (detectors must not put it into templates). */
  secret?: string;
  secretKind: SecretKind;
  /** Where it was carried: 'login prompt', 'USER/PASS', 'Authorization: Basic', 'query string "pwd"', ... */
  carrier: string;
  /** true accepted, false refused, undefined when the protocol or capture does not tell. */
  success?: boolean;
  ts: number;
  evidence: EvidenceRef;
}

/** Event types the tracker reads. */
export const loginEventTypes = [
  'telnet.login', 'ftp.login', 'http.request', 'http.response', 'rtsp.request', 'rtsp.response',
  'mqtt.connect', 'mqtt.connack', 'snmp.message',
];

/** Field names that carry the user name (which ones carry a secret: src/events/secrets.ts). */
const userField = /^(user(_?name)?|login|email|account|usr|uid|name)$/i;

interface Pending {
  flowId: number;
  /** Matches the response: HTTP request URI, RTSP CSeq, or '' for MQTT (one CONNECT per connection). */
  match: string;
  attempts: LoginAttempt[];
}

export interface LoginTrackerOptions {
  /** Requests waiting for their response (oldest are settled as "outcome unknown" beyond this). */
  maxPending: number;
}

/** The last event whose attempts were built, and those attempts (events are not changed once published). */
let builtFor: EventRecord | undefined;
let built: readonly LoginAttempt[] = [];

/** The login attempts `ev` carries, built at most once per event object (see the module comment). */
export function attemptsOf(ev: EventRecord): readonly LoginAttempt[] {
  if (ev !== builtFor) {
    built = buildAttempts(ev);
    builtFor = ev;
  }
  return built;
}

const none: readonly LoginAttempt[] = [];

function buildAttempts(ev: EventRecord): readonly LoginAttempt[] {
  switch (ev.type) {
    case 'telnet.login': return directAttempt(ev, 'telnet', 'login prompt', ev.username, ev.password);
    case 'ftp.login': return directAttempt(ev, 'ftp', 'USER/PASS', ev.username, ev.password);
    case 'http.request': return httpAttempts(ev, 'http');
    case 'rtsp.request': return httpAttempts(ev, 'rtsp');
    case 'mqtt.connect': return mqttAttempt(ev);
    case 'snmp.message': return snmpAttempt(ev);
  }
  return none;
}

function attempt(ev: EventRecord, protocol: LoginAttempt['protocol'], carrier: string, kind: SecretKind, username: unknown, secret: unknown): LoginAttempt {
  const { client, server, serverPort } = clientServer(ev);
  const a: LoginAttempt = { protocol, client, server, serverPort, secretKind: kind, carrier, ts: ev.ts, evidence: evidenceOf(ev) };
  if (typeof username === 'string') a.username = username;
  if (typeof secret === 'string') a.secret = secret;
  return a;
}

function directAttempt(ev: EventRecord, protocol: 'telnet' | 'ftp', carrier: string, username: unknown, password: unknown): readonly LoginAttempt[] {
  if (typeof password !== 'string' && typeof username !== 'string') return none;
  const success = ev.success;
  if (typeof username === 'string' && typeof password === 'string' && typeof success === 'boolean') {
    // The usual login (a brute force's: user, password and verdict known) as one literal, in the order the
    // fields are added below: no intermediate client/server object, no field added after creation.
    const fromOrig = ev.from_orig !== false;
    const src = String(ev.src_ip ?? '');
    const dst = String(ev.dst_ip ?? '');
    return [{
      protocol, client: fromOrig ? src : dst, server: fromOrig ? dst : src, serverPort: Number((fromOrig ? ev.dst_port : ev.src_port) ?? 0),
      secretKind: 'password', carrier, ts: ev.ts, evidence: evidenceOf(ev), username, secret: password, success,
    }];
  }
  const a = attempt(ev, protocol, carrier, 'password', username, password);
  if (typeof ev.success === 'boolean') a.success = ev.success;
  return [a];
}

function httpAttempts(ev: EventRecord, protocol: 'http' | 'rtsp'): readonly LoginAttempt[] {
  const attempts: LoginAttempt[] = [];
  if (typeof ev.basic_user === 'string' || typeof ev.basic_password === 'string') {
    attempts.push(attempt(ev, protocol, 'Authorization: Basic', 'password', ev.basic_user, ev.basic_password));
  }
  if (typeof ev.authorization_credentials === 'string' && ev.authorization_credentials !== '') {
    attempts.push(attempt(ev, protocol, `Authorization: ${String(ev.authorization_scheme ?? '').slice(0, 32)}`, 'token', undefined, ev.authorization_credentials));
  }
  if (Array.isArray(ev.token_headers)) {
    for (const h of ev.token_headers as { name?: unknown; value?: unknown }[]) {
      if (typeof h?.name !== 'string' || typeof h.value !== 'string' || h.value === '') continue;
      attempts.push(attempt(ev, protocol, `header "${h.name.slice(0, 32)}"`, 'token', undefined, h.value));
    }
  }
  if (protocol === 'http') {
    for (const [list, where] of [[ev.query_params, 'query string'], [ev.form_params, 'form']] as const) {
      if (!Array.isArray(list)) continue;
      let user: string | undefined;
      for (const p of list as { name?: unknown; value?: unknown }[]) {
        if (typeof p?.name === 'string' && typeof p.value === 'string' && userField.test(p.name)) user = p.value;
      }
      for (const p of list as { name?: unknown; value?: unknown }[]) {
        if (typeof p?.name !== 'string' || typeof p.value !== 'string' || p.value.length === 0) continue;
        if (!isSecretName(p.name)) continue;
        const kind: SecretKind = isPasswordName(p.name) ? 'password' : 'token';
        attempts.push(attempt(ev, 'http', `${where} field "${p.name.slice(0, 32)}"`, kind, kind === 'password' ? user : undefined, p.value));
      }
    }
  }
  return attempts;
}

function mqttAttempt(ev: EventRecord): readonly LoginAttempt[] {
  if (typeof ev.password !== 'string' && typeof ev.username !== 'string') return none;
  return [attempt(ev, 'mqtt', 'CONNECT', 'password', ev.username, ev.password)];
}

function snmpAttempt(ev: EventRecord): readonly LoginAttempt[] {
  if (typeof ev.community !== 'string') return none;
  const pdu = ev.pdu_type;
  if (pdu === 'response' || pdu === 'report') return none; // the agent echoes the manager's community
  // A message from the agent port that is not a trap is an answer, whatever its PDU: reflected answers sprayed
  // at a DDoS victim must not make the victim "the agent with a default community".
  if (Number(ev.src_port) === 161 && Number(ev.dst_port) !== 161 && pdu !== 'trap' && pdu !== 'trapv2' && pdu !== 'inform') return none;
  const a = attempt(ev, 'snmp', `SNMP ${String(ev.version ?? '')} community`, 'community', undefined, ev.community);
  if (pdu === 'trap' || pdu === 'trapv2' || pdu === 'inform') {
    // A trap is sent by the agent: the device that owns the community is the sender.
    a.server = String(ev.src_ip ?? '');
    a.client = String(ev.dst_ip ?? '');
    a.serverPort = Number(ev.src_port ?? 0);
  }
  return [a];
}

export class LoginTracker {
  private readonly pending = new Map<number, Pending[]>();
  private pendingCount = 0;
  private readonly maxPending: number;
  private readonly onAttempt: (a: LoginAttempt) => void;

  constructor(onAttempt: (a: LoginAttempt) => void, options: LoginTrackerOptions) {
    this.onAttempt = onAttempt;
    this.maxPending = Math.max(1, options.maxPending);
  }

  onEvent(ev: EventRecord): void {
    switch (ev.type) {
      case 'telnet.login': case 'ftp.login': case 'snmp.message': return this.deliver(attemptsOf(ev));
      case 'http.request': return this.held(ev, String(ev.uri ?? ''));
      case 'rtsp.request': return this.held(ev, String(ev.cseq ?? ''));
      case 'mqtt.connect': return this.held(ev, '');
      case 'http.response': return this.settle(ev, String(ev.request_uri ?? ''), verdictOfStatus(ev.status));
      case 'rtsp.response': return this.settle(ev, String(ev.cseq ?? ''), verdictOfStatus(ev.status));
      case 'mqtt.connack': return this.settle(ev, '', verdictOfConnack(ev.return_code));
    }
  }

  /** End of input: attempts still waiting for an answer are reported with an unknown outcome. */
  finish(): void {
    for (const list of this.pending.values()) for (const p of list) for (const a of p.attempts) this.onAttempt(a);
    this.pending.clear();
    this.pendingCount = 0;
  }

  private deliver(attempts: readonly LoginAttempt[]): void {
    for (let i = 0; i < attempts.length; i++) this.onAttempt(attempts[i]);
  }

  /**
   * A request (HTTP, RTSP) or CONNECT (MQTT) whose answer tells whether the login worked: held until it comes
   * (`match` pairs them), as this tracker's own copies since the answer sets their `success`.
   */
  private held(ev: EventRecord, match: string): void {
    const attempts = attemptsOf(ev);
    if (attempts.length === 0) return;
    if (typeof ev.flow_id !== 'number') return this.deliver(attempts);
    this.hold({ flowId: ev.flow_id, match, attempts: attempts.map((a) => ({ ...a })) });
  }

  private hold(p: Pending): void {
    if (this.pendingCount >= this.maxPending) this.evictOldest();
    const list = this.pending.get(p.flowId);
    if (list) list.push(p);
    else this.pending.set(p.flowId, [p]);
    this.pendingCount++;
  }

  private evictOldest(): void {
    const first = this.pending.entries().next().value;
    if (first === undefined) return;
    const [flowId, list] = first;
    const p = list.shift();
    if (list.length === 0) this.pending.delete(flowId);
    if (p) {
      this.pendingCount--;
      for (const a of p.attempts) this.onAttempt(a);
    }
  }

  private settle(ev: EventRecord, match: string, verdict: boolean | undefined): void {
    if (typeof ev.flow_id !== 'number') return;
    const list = this.pending.get(ev.flow_id);
    if (list === undefined) return;
    const i = list.findIndex((p) => p.match === match);
    if (i < 0) return;
    const [p] = list.splice(i, 1);
    if (list.length === 0) this.pending.delete(ev.flow_id);
    this.pendingCount--;
    for (const a of p.attempts) {
      if (verdict !== undefined) a.success = verdict;
      this.onAttempt(a);
    }
  }
}

/** 2xx/3xx accepted, 401/403 refused, anything else undecided. */
function verdictOfStatus(status: unknown): boolean | undefined {
  if (typeof status !== 'number') return undefined;
  if (status >= 200 && status < 400) return true;
  if (status === 401 || status === 403) return false;
  return undefined;
}

/** MQTT 3.x: 0 accepted, 4 bad user name or password, 5 not authorized; 5.0: 0x86, 0x87. */
function verdictOfConnack(code: unknown): boolean | undefined {
  if (code === 0) return true;
  if (code === 4 || code === 5 || code === 0x86 || code === 0x87) return false;
  return undefined;
}
