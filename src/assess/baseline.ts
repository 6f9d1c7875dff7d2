/**
 * THE mapping, as data: which ETSI EN 303 645 provisions and ENISA GP-TM measures the network can speak to
 * (checkability a = passive traffic, b = active probing, from the research reference), and the rules that
 * decide each verdict. Rules name detector ids (findings naming this device in one of the roles) and fact ids
 * (predicates in facts-rules.ts). docs/assessment.md prints this table; baseline.test.ts checks it.
 *
 * Verdict, per row: fail if a fail rule matches; else pass if every pass fact holds (absence-based passes also
 * need enough observation); else 'not_assessable' for rows that need active probing (b), 'not_observed' otherwise.
 * Provisions marked c (documentation, process, hardware) are not listed: the network cannot speak to them.
 * @module
 */
import type { Role, Severity } from '../detect/types.ts';
import type { Checkability, CheckGroup, Standard } from './types.ts';

/** Observed facts a rule may name (defined in facts-rules.ts). */
export type FactId =
  | 'tls.weak_negotiated' // a TLS/SSL version below 1.2 was negotiated
  | 'tls.modern_only' // TLS sessions seen, all 1.2 or newer
  | 'encrypted.sessions' // TLS or SSH sessions seen
  | 'no_cleartext_http_remote' // no plain HTTP to Internet addresses
  | 'http.cleartext_remote' // plain HTTP requests to Internet addresses
  | 'http.firmware' // a firmware-like file fetched over plain HTTP
  | 'update.tls' // an update-like server name contacted over TLS
  | 'update.seen' // update traffic seen at all (over TLS or plain HTTP): a mechanism exists
  | 'service.telnet' // answers telnet (port 23/2323 or a telnet dialogue served)
  | 'upnp.answering' // answers SSDP searches or on udp/1900
  | 'upnp.announcing' // sends SSDP NOTIFY announcements
  | 'no_upnp_announcing' // sent no SSDP announcements
  | 'web.plain_only' // serves HTTP and no TLS service was seen
  | 'observed.enough'; // enough traffic seen for an absence to mean something (coverage not 'brief')

export interface FindingRule {
  /** Detector ids; 'c2.*' matches a namespace. */
  detectors: string[];
  /** The device's roles in the finding that count. */
  roles: Role[];
}

export interface BaselineRow {
  id: string;
  standard: Standard;
  title: string;
  checkability: Checkability;
  group: CheckGroup;
  /** Severity of a fail for the grade (capped by the finding's own severity). */
  weight: Severity;
  fail: { findings?: FindingRule[]; facts?: FactId[] };
  /** All facts must hold. Absent: the network cannot show a pass. */
  pass?: FactId[];
  /** What the pass rule means, in words (docs, report). */
  passText?: string;
}

const insecure: Role[] = ['insecure', 'victim'];
const infected: Role[] = ['infected', 'attacker'];

const cleartextCreds: FindingRule = { detectors: ['credentials.cleartext'], roles: ['insecure'] };
const defaultCreds: FindingRule = { detectors: ['credentials.default'], roles: insecure };
const weakTls: FindingRule = { detectors: ['crypto.weak-tls'], roles: ['insecure', 'peer'] };
const exposure: FindingRule = { detectors: ['exposure.service', 'ddos.reflection', 'ot.exposed-service'], roles: ['insecure', 'victim', 'attacker'] };
/** An industrial device obeyed (or was sent) writes, stops or reprogramming that nothing authenticated. */
const otUnauthenticated: FindingRule = { detectors: ['ot.device-control', 'ot.unauthorised-write'], roles: ['victim'] };
const malicious: FindingRule = {
  detectors: ['botnet.*', 'c2.*', 'p2p.botnet', 'ddos.flood-source', 'scan.horizontal', 'scan.vertical', 'bruteforce.login', 'ot.scan'],
  roles: infected,
};
const infection: FindingRule = { detectors: ['botnet.*', 'c2.*', 'p2p.botnet', 'ddos.flood-source'], roles: infected };
const exposedServices: FactId[] = ['service.telnet', 'upnp.answering'];

export const baseline: readonly BaselineRow[] = [
  // ---- ETSI EN 303 645 ----
  { id: '5.1-1', standard: 'ETSI EN 303 645', title: 'No universal default passwords', checkability: 'b', group: 'passwords', weight: 'high',
    fail: { findings: [defaultCreds] } },
  { id: '5.1-3', standard: 'ETSI EN 303 645', title: 'Best-practice cryptography for user authentication', checkability: 'a', group: 'passwords', weight: 'high',
    fail: { findings: [cleartextCreds] }, pass: ['encrypted.sessions', 'observed.enough'], passText: 'encrypted sessions seen and no login in clear' },
  { id: '5.1-5', standard: 'ETSI EN 303 645', title: 'Brute force over the network impracticable', checkability: 'b', group: 'passwords', weight: 'medium',
    fail: { findings: [{ detectors: ['bruteforce.login'], roles: ['victim'] }] } },
  { id: '5.3-2', standard: 'ETSI EN 303 645', title: 'Update mechanism present', checkability: 'a(p)', group: 'updates', weight: 'low',
    fail: {}, pass: ['update.seen'], passText: 'update traffic seen' },
  { id: '5.3-5', standard: 'ETSI EN 303 645', title: 'Checks for updates after initialisation and periodically', checkability: 'a', group: 'updates', weight: 'low',
    fail: {}, pass: ['update.seen'], passText: 'update traffic seen' },
  { id: '5.3-7', standard: 'ETSI EN 303 645', title: 'Best-practice cryptography for updates', checkability: 'a(p)', group: 'updates', weight: 'high',
    fail: { facts: ['http.firmware'] }, pass: ['update.tls'], passText: 'updates fetched over TLS, none over plain HTTP' },
  { id: '5.5-1', standard: 'ETSI EN 303 645', title: 'Best-practice cryptography for communication', checkability: 'a', group: 'encryption', weight: 'medium',
    fail: { findings: [weakTls, cleartextCreds], facts: ['tls.weak_negotiated'] }, pass: ['tls.modern_only'], passText: 'only TLS 1.2 or newer seen' },
  { id: '5.5-4', standard: 'ETSI EN 303 645', title: 'Network functions only after authentication', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure, otUnauthenticated] } },
  { id: '5.5-5', standard: 'ETSI EN 303 645', title: 'Security-relevant configuration changes only after authentication', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [otUnauthenticated] } },
  { id: '5.5-6', standard: 'ETSI EN 303 645', title: 'Critical security parameters encrypted in transit', checkability: 'a', group: 'passwords', weight: 'high',
    fail: { findings: [cleartextCreds] }, pass: ['encrypted.sessions', 'observed.enough'], passText: 'encrypted sessions seen and no secret in clear' },
  { id: '5.5-7', standard: 'ETSI EN 303 645', title: 'Confidentiality of critical security parameters over remote interfaces', checkability: 'a', group: 'passwords', weight: 'high',
    fail: { findings: [cleartextCreds] }, pass: ['encrypted.sessions', 'observed.enough'], passText: 'encrypted sessions seen and no secret in clear' },
  { id: '5.6-1', standard: 'ETSI EN 303 645', title: 'Unused network and logical interfaces disabled', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure], facts: exposedServices } },
  { id: '5.6-2', standard: 'ETSI EN 303 645', title: 'Minimal unauthenticated disclosure of information', checkability: 'a/b', group: 'exposure', weight: 'low',
    fail: { facts: ['upnp.announcing'] }, pass: ['no_upnp_announcing', 'observed.enough'], passText: 'no UPnP announcements seen' },
  { id: '5.6-5', standard: 'ETSI EN 303 645', title: 'Only needed software services enabled', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure], facts: ['service.telnet'] } },
  { id: '5.7-2', standard: 'ETSI EN 303 645', title: 'On unauthorised change: alert and limit connectivity', checkability: 'a(p)', group: 'behaviour', weight: 'critical',
    fail: { findings: [infection] } },
  { id: '5.8-1', standard: 'ETSI EN 303 645', title: 'Personal data protected in transit', checkability: 'a', group: 'encryption', weight: 'low',
    fail: { findings: [cleartextCreds], facts: ['http.cleartext_remote'] },
    pass: ['tls.modern_only', 'no_cleartext_http_remote', 'observed.enough'], passText: 'only TLS 1.2+ to the Internet, no plain HTTP' },
  // ---- ENISA Baseline Security Recommendations, technical measures ----
  { id: 'GP-TM-08', standard: 'ENISA GP-TM', title: 'Security on by default, unused or insecure features off', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure], facts: exposedServices } },
  { id: 'GP-TM-09', standard: 'ENISA GP-TM', title: 'Hard-to-crack, per-device default passwords', checkability: 'b', group: 'passwords', weight: 'high',
    fail: { findings: [defaultCreds] } },
  { id: 'GP-TM-18', standard: 'ENISA GP-TM', title: 'Secure over-the-air updates (secure channel)', checkability: 'a(p)', group: 'updates', weight: 'high',
    fail: { facts: ['http.firmware'] }, pass: ['update.tls'], passText: 'updates fetched over TLS, none over plain HTTP' },
  { id: 'GP-TM-19', standard: 'ENISA GP-TM', title: 'Automatic update mechanism', checkability: 'a(p)', group: 'updates', weight: 'low',
    fail: {}, pass: ['update.seen'], passText: 'update traffic seen' },
  { id: 'GP-TM-22', standard: 'ENISA GP-TM', title: 'Default password changed; no blank or weak passwords', checkability: 'b', group: 'passwords', weight: 'high',
    fail: { findings: [defaultCreds] } },
  { id: 'GP-TM-25', standard: 'ENISA GP-TM', title: 'Protection against brute-force login', checkability: 'b', group: 'passwords', weight: 'medium',
    fail: { findings: [{ detectors: ['bruteforce.login'], roles: ['victim'] }] } },
  { id: 'GP-TM-34', standard: 'ENISA GP-TM', title: 'Strong, standard cryptography; insecure protocols disabled', checkability: 'a', group: 'encryption', weight: 'medium',
    fail: { findings: [weakTls, cleartextCreds], facts: ['tls.weak_negotiated'] }, pass: ['tls.modern_only'], passText: 'only TLS 1.2 or newer seen' },
  { id: 'GP-TM-38', standard: 'ENISA GP-TM', title: 'Confidentiality and integrity of data in transit', checkability: 'a(p)', group: 'encryption', weight: 'low',
    fail: { findings: [cleartextCreds], facts: ['http.cleartext_remote'] },
    pass: ['tls.modern_only', 'no_cleartext_http_remote', 'observed.enough'], passText: 'only TLS 1.2+ to the Internet, no plain HTTP' },
  { id: 'GP-TM-39', standard: 'ENISA GP-TM', title: 'Standard secure transport (TLS)', checkability: 'a', group: 'encryption', weight: 'low',
    fail: { facts: ['http.cleartext_remote'] }, pass: ['encrypted.sessions', 'no_cleartext_http_remote', 'observed.enough'],
    passText: 'encrypted sessions seen and no plain HTTP to the Internet' },
  { id: 'GP-TM-40', standard: 'ENISA GP-TM', title: 'No credentials exposed in network traffic', checkability: 'a', group: 'passwords', weight: 'high',
    fail: { findings: [cleartextCreds] }, pass: ['encrypted.sessions', 'observed.enough'], passText: 'encrypted sessions seen and no secret in clear' },
  { id: 'GP-TM-43', standard: 'ENISA GP-TM', title: 'Restrictive rather than permissive communication', checkability: 'a', group: 'behaviour', weight: 'medium',
    fail: { findings: [{ detectors: ['policy.*'], roles: ['infected', 'attacker', 'insecure'] }] } },
  { id: 'GP-TM-45', standard: 'ENISA GP-TM', title: 'Unneeded ports and connections disabled', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure], facts: exposedServices } },
  { id: 'GP-TM-46', standard: 'ENISA GP-TM', title: 'Rate limiting against automated attacks', checkability: 'a', group: 'behaviour', weight: 'high',
    fail: { findings: [malicious] }, pass: ['observed.enough'], passText: 'no scanning, flooding or brute force from it' },
  { id: 'GP-TM-50', standard: 'ENISA GP-TM', title: 'Only necessary ports exposed', checkability: 'b', group: 'exposure', weight: 'medium',
    fail: { findings: [exposure], facts: exposedServices } },
  { id: 'GP-TM-52', standard: 'ENISA GP-TM', title: 'Web interface encrypted', checkability: 'b', group: 'encryption', weight: 'low',
    fail: { facts: ['web.plain_only'] } },
  { id: 'GP-TM-56', standard: 'ENISA GP-TM', title: 'Behaviour monitored for malware', checkability: 'a', group: 'behaviour', weight: 'critical',
    fail: { findings: [malicious] }, pass: ['observed.enough'], passText: 'no sign of infection over the observation' },
];

/** Facts that hold by absence: a pass resting only on these is not positive evidence (grade A needs some). */
export const absenceFacts: readonly FactId[] = ['observed.enough', 'no_cleartext_http_remote', 'no_upnp_announcing'];

/** A row by provision id. */
export function baselineRow(id: string): BaselineRow | undefined {
  return baseline.find((r) => r.id === id);
}

/** Does a detector id match a rule's pattern ('c2.*' matches a namespace)? */
export function detectorMatches(pattern: string, detector: string): boolean {
  return pattern.endsWith('.*') ? detector.startsWith(pattern.slice(0, -1)) : pattern === detector;
}
