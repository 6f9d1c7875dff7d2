/**
 * How one finding contributes to a case: which devices it is about, the cause it belongs to, its
 * kill-chain phase and what it says about compromise. Works from any finding a detector produces: the
 * decisions use only the detector id's family, the category, the device roles and a few documented facts.
 * @module
 */
import { isLocalIp } from '../detect/lib/net.ts';
import type { Finding, Phase, Role } from './types.ts';

/** The cause families cases are grouped by (with the subject device). */
export type Cause = 'compromise' | 'ddos' | 'scan' | 'posture';

export interface FindingRole {
  /** Keys (`ip` of the device) of the devices this finding is about. */
  subjects: string[];
  cause: Cause;
  phase: Phase;
  /** The subject attacks others (a bot): outbound scans, brute force, floods, C2. */
  outbound: boolean;
  /** A remote party logged in to the subject (the intrusion's initial access completed). */
  remoteLogin: boolean;
  /** Malware family named by the finding, when it names one. */
  family?: string;
}

const primaryRoles: ReadonlySet<Role> = new Set(['infected', 'attacker', 'victim', 'insecure']);

/** The devices a finding is about: local devices in a primary role, else local ones, else the targets. */
export function subjectsOf(f: Finding): string[] {
  const local = f.devices.filter((d) => isLocalIp(d.ip));
  const pick = local.filter((d) => primaryRoles.has(d.role));
  if (pick.length > 0) return unique(pick.map((d) => d.ip));
  if (local.length > 0) return unique(local.map((d) => d.ip));
  const targets = f.devices.filter((d) => d.role === 'victim' || d.role === 'infected' || d.role === 'insecure');
  if (targets.length > 0) return unique(targets.map((d) => d.ip));
  return unique(f.devices.filter((d) => d.role === 'attacker').map((d) => d.ip)).slice(0, 1);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

const family = (f: Finding): string => f.detector.split('.')[0];

/** The subject's role in this finding (the subject list comes from subjectsOf). */
function subjectRole(f: Finding, subject: string): Role | undefined {
  let best: Role | undefined;
  for (const d of f.devices) if (d.ip === subject && (best === undefined || roleRank[d.role] > roleRank[best])) best = d.role;
  return best;
}

export const roleRank: Record<Role, number> = { peer: 0, insecure: 1, victim: 2, attacker: 3, infected: 4 };

/** A remote (Internet) device logged in: accepted logins with a non-local peer or attacker. */
function remoteLoginOf(f: Finding): boolean {
  const facts = f.facts ?? {};
  const accepted = facts.outcome === 'accepted' || (typeof facts.accepted === 'number' && facts.accepted > 0);
  return accepted && f.devices.some((d) => (d.role === 'peer' || d.role === 'attacker') && !isLocalIp(d.ip));
}

function malwareFamily(f: Finding): string | undefined {
  const facts = f.facts ?? {};
  if (f.detector.startsWith('botnet.mirai') || facts.list === 'mirai') return 'mirai';
  for (const key of ['family', 'malware']) {
    const v = facts[key];
    if (typeof v === 'string' && /^[a-z0-9][a-z0-9_.-]{0,40}$/i.test(v)) return v.toLowerCase();
  }
  return undefined;
}

/** Role of the finding for one subject device. */
export function classify(f: Finding, subject: string): FindingRole & { subjectRole: Role | undefined } {
  const role = subjectRole(f, subject);
  const attacking = role === 'attacker' || role === 'infected';
  const base = { subjects: [subject], subjectRole: role, remoteLogin: false, outbound: false, family: malwareFamily(f) };
  switch (family(f)) {
    case 'botnet':
      return attacking ? { ...base, cause: 'compromise', phase: 'lateral-movement', outbound: true } : { ...base, cause: 'compromise', phase: 'reconnaissance' };
    case 'bruteforce':
      return attacking ? { ...base, cause: 'compromise', phase: 'lateral-movement', outbound: true } : { ...base, cause: 'compromise', phase: 'initial-access' };
    case 'c2':
    case 'p2p':
      // A listed address reaching the device is an approach from outside, not the device calling home.
      if (role === 'victim') return { ...base, cause: 'compromise', phase: 'reconnaissance' };
      return { ...base, cause: 'compromise', phase: 'command-and-control', outbound: true };
    case 'ddos':
      if (f.detector === 'ddos.flood-source' || (attacking && f.detector !== 'ddos.reflection')) return { ...base, cause: 'compromise', phase: 'impact', outbound: true };
      return { ...base, cause: 'ddos', phase: 'impact' };
    case 'scan':
      // A scan alone is not a compromise (people run nmap): it joins one only on a device that shows more.
      return attacking ? { ...base, cause: 'scan', phase: 'lateral-movement', outbound: true } : { ...base, cause: 'scan', phase: 'reconnaissance' };
    case 'credentials': {
      const login = remoteLoginOf(f);
      if (login) return { ...base, cause: 'posture', phase: 'initial-access', remoteLogin: true };
      // Refused default logins from a remote attacker are intrusion attempts, not a property of the device.
      if (f.facts?.outcome === 'refused' && f.devices.some((d) => d.role === 'attacker' && !isLocalIp(d.ip))) return { ...base, cause: 'compromise', phase: 'initial-access' };
      return { ...base, cause: 'posture', phase: 'weakness' };
    }
    default:
      return { ...base, cause: 'posture', phase: 'weakness' };
  }
}
