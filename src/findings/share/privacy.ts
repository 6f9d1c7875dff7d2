/**
 * Privacy by default for what leaves the sensor: local identities (addresses of devices on this network,
 * MAC addresses, host names, user names) become pseudonyms made with an HMAC under a local key, the same
 * identity always the same pseudonym (so exports still correlate), never reversible without the key.
 * Passwords and other secrets are removed outright, whatever the mode. Internet addresses (attackers,
 * C2 servers) stay in clear: they are what the recipients act on.
 *
 * Pseudonyms keep their type so consumers still parse them: IPv4 → 240.0.0.0/4 (reserved, never routed),
 * IPv6 → 100::/64 (RFC 6666 discard prefix), MAC → a locally administered address, names → `host-…`/`user-…`.
 * @module
 */
import { createHmac } from 'node:crypto';
import { isLocalIp } from '../../detect/lib/net.ts';
import type { DeviceRecord } from '../../inventory/types.ts';
import type { Case, Finding } from '../types.ts';

export type IdentityKind = 'ip' | 'mac' | 'host' | 'user';

/** Keys whose values are secrets: removed from every export. */
const secretKey = /pass(word|wd)?$|^secret|community|credential|^auth|token/i;

export class Pseudonymiser {
  /** `identify`: export identities in clear (secrets are still removed). */
  readonly identify: boolean;
  private readonly key: Uint8Array;
  private readonly map = new Map<string, string>();
  private readonly kinds = new Map<string, IdentityKind>();
  private pattern: RegExp | undefined;

  constructor(key: Uint8Array, identify = false) {
    this.key = key;
    this.identify = identify;
  }

  private mac(kind: IdentityKind, value: string): Buffer {
    return createHmac('sha256', this.key).update(`${kind}\u0000${value.toLowerCase()}`).digest();
  }

  /** The pseudonym of one identity (or the identity itself with `identify`). */
  pseudonym(kind: IdentityKind, value: string): string {
    if (this.identify) return value;
    const h = this.mac(kind, value);
    switch (kind) {
      case 'ip':
        if (value.includes(':')) return `100::${[0, 2, 4, 6].map((i) => h.readUInt16BE(i).toString(16)).join(':')}`;
        return `${240 | (h[0] & 0x0f)}.${h[1]}.${h[2]}.${h[3]}`;
      case 'mac':
        return [0x02, h[0], h[1], h[2], h[3], h[4]].map((b) => b.toString(16).padStart(2, '0')).join(':');
      case 'host':
        return `host-${h.subarray(0, 5).toString('hex')}`;
      case 'user':
        return `user-${h.subarray(0, 5).toString('hex')}`;
    }
  }

  /** Register a local identity seen in the data; every string exported later has it replaced. */
  add(kind: IdentityKind, value: string | undefined): void {
    if (!value || value.length < 2 || this.map.has(value.toLowerCase())) return;
    this.map.set(value.toLowerCase(), this.pseudonym(kind, value));
    this.kinds.set(value.toLowerCase(), kind);
    this.pattern = undefined;
  }

  /** An IP as exported: local ones pseudonymised, Internet ones as they are. */
  ip(ip: string): string {
    if (!isLocalIp(ip)) return ip;
    this.add('ip', ip);
    return this.pseudonym('ip', ip);
  }

  isLocal(ip: string): boolean {
    return isLocalIp(ip);
  }

  /** Collect the local identities of an analysis: device addresses, MACs, names; user names in findings. */
  collect(findings: readonly Finding[], cases: readonly Case[] = [], devices: readonly DeviceRecord[] = []): this {
    for (const d of devices) {
      if (!d.local) continue;
      this.add('mac', d.mac);
      for (const b of d.ips) if (isLocalIp(b.ip)) this.add('ip', b.ip);
      for (const h of d.hostnames) this.add('host', h);
      this.add('host', d.user?.name);
    }
    for (const f of findings) {
      for (const d of f.devices) {
        if (isLocalIp(d.ip)) this.add('ip', d.ip);
        this.add('mac', d.mac);
      }
      for (const [k, v] of Object.entries(f.facts ?? {})) if (/user|login|account/i.test(k) && typeof v === 'string') this.add('user', v);
    }
    for (const c of cases) {
      for (const d of c.devices) {
        if (isLocalIp(d.ip)) this.add('ip', d.ip);
        this.add('mac', d.mac);
        if (d.subject) this.add('host', d.name);
      }
    }
    return this;
  }

  /** A deep copy with secrets removed and, unless identifying, every known local identity replaced. */
  scrub<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!secretKey.test(k)) out[k] = this.walk(x);
      return out;
    }
    return v;
  }

  /** Replace every registered identity inside a string (whole tokens only: 10.0.0.2 is not in 10.0.0.25). */
  text(s: string): string {
    if (this.identify || this.map.size === 0) return s;
    this.pattern ??= this.build();
    return s.replace(this.pattern, (m) => this.map.get(m.toLowerCase()) ?? m);
  }

  private build(): RegExp {
    const alts = [...this.map.keys()].sort((a, b) => b.length - a.length).map((v) => {
      const e = escape(v);
      switch (this.kinds.get(v)) {
        case 'ip':
          return v.includes(':') ? `(?<![0-9a-f:])${e}(?![0-9a-f:])` : `(?<![0-9]|[0-9]\\.)${e}(?![0-9]|\\.[0-9])`;
        case 'mac':
          return e;
        default:
          return `(?<![0-9a-z])${e}(?![0-9a-z])`;
      }
    });
    return new RegExp(alts.join('|'), 'gi');
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
