/**
 * Facts the baseline assessment needs beyond devices and findings, collected from a few pipeline events per
 * host address: TLS versions negotiated, firmware fetched over plain HTTP, update checks over TLS, UPnP
 * announcements and answers, telnet served, and flow start times (for the report's timeline). Bounded: at most
 * `maxHosts` addresses, `maxRefs` packets and `maxExamples` strings per fact, `maxTlsVersions` version names and
 * `maxFlowTimes` times per host — and, because those caps multiply (10,000 hosts × 5,000 times would not fit in
 * the heap), `maxFlowTimesTotal` times and `maxExampleChars` characters of examples over all hosts. What a cap
 * turns away is counted in `stats()`.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RecordSource } from '../pipeline/record-source.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { EvidenceRef } from '../detect/types.ts';
import { isLocalAddr, isLocalIp } from '../detect/lib/net.ts';
import { FlowBound } from '../flow/lazy-record.ts';

export interface FactsOptions {
  maxHosts: number;
  maxRefs: number;
  maxExamples: number;
  maxFlowTimes: number;
  maxTlsVersions: number;
  maxFlowTimesTotal: number;
  maxExampleChars: number;
}

/** What the collector keeps and what its caps turned away (the run summary's `stages.assessment`). */
export interface FactsStats {
  hosts: number;
  dropped_hosts: number;
  flow_times: number;
  dropped_flow_times: number;
  example_chars: number;
  dropped_examples: number;
  dropped_tls_versions: number;
}

/** How often something was seen, with the first packets and example values that show it. */
export interface Tally {
  count: number;
  refs: EvidenceRef[];
  examples: string[];
}

export interface HostFacts {
  /** Negotiated TLS/SSL versions ('TLS 1.0', 'TLS 1.3', ...) in sessions this host took part in. */
  tls: Record<string, Tally>;
  /** HTTP requests this host sent for firmware-like targets (plain HTTP). */
  firmware_http: Tally;
  /** TLS sessions this host opened to update-like server names. */
  update_tls: Tally;
  /** Plain HTTP requests this host sent to Internet addresses. */
  http_out_remote: Tally;
  /** SSDP NOTIFY this host sent (UPnP announcements). */
  ssdp_notify: Tally;
  /** SSDP answers to M-SEARCH this host sent (UPnP answering). */
  ssdp_response: Tally;
  /** Telnet banners or logins served by this host. */
  telnet_served: Tally;
  /** SSH banners this host sent as a client or server (an encrypted session). */
  ssh: Tally;
  flow_times: number[];
  flow_times_dropped: number;
}

export const defaultFactsOptions: FactsOptions = {
  maxHosts: 10000, maxRefs: 5, maxExamples: 5, maxFlowTimes: 5000, maxTlsVersions: 8,
  // 1 M times are 8 MB of doubles; 4 M characters at most 8 MB of strings: together a few per cent of the heap.
  maxFlowTimesTotal: 1_000_000, maxExampleChars: 4_000_000,
};

/** Event types the collector subscribes to (plus finished flows). */
export const factEventTypes = [
  'tls.server_hello', 'tls.client_hello', 'http.request', 'ssdp.notify', 'ssdp.response', 'telnet.banner', 'telnet.login', 'ssh.banner',
] as const;

const firmwareUri = /\.(bin|img|fw|trx|chk|pkg|rom|ipk|hex|elf|tgz|tar|gz)(\?|$)|firmware|fw_?update|fwupgrade|upgrade|\/ota\/|\/bins?\//i;
const updateName = /(^|[.-])(update|updates|firmware|fw|ota|upgrade|fota)\d*([.-]|$)/i;

/** TLS protocol version number to its name. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 2: return 'SSL 2.0';
    case 0x0300: return 'SSL 3.0';
    case 0x0301: return 'TLS 1.0';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    default: return `unknown (0x${v.toString(16)})`;
  }
}

/** Versions below TLS 1.2 are deprecated (RFC 8996). */
export function isWeakTlsName(name: string): boolean {
  return name.startsWith('SSL') || name === 'TLS 1.0' || name === 'TLS 1.1';
}

function emptyTally(): Tally {
  return { count: 0, refs: [], examples: [] };
}

function emptyHost(): HostFacts {
  return {
    tls: {}, firmware_http: emptyTally(), update_tls: emptyTally(), http_out_remote: emptyTally(), ssdp_notify: emptyTally(),
    ssdp_response: emptyTally(), telnet_served: emptyTally(), ssh: emptyTally(), flow_times: [], flow_times_dropped: 0,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class AssessmentFacts {
  readonly options: FactsOptions;
  private readonly hosts = new Map<string, HostFacts>();
  /**
   * The same hosts by IPv4 value (as int32: a small integer key), for finished flows, whose addresses come as
   * numbers (FlowBound): no text hashed per flow. Filled as flows ask; never holds a host `hosts` lacks.
   */
  private readonly hostsV4 = new Map<number, HostFacts>();
  /**
   * The last IPv4 host `flowTime` found (its int32 key; NaN: none): a flood's flows share one local victim, so
   * most flows skip the Map lookup. Only a host found is remembered (a host never leaves `hosts`).
   */
  private lastV4 = NaN;
  private lastV4Host: HostFacts | undefined = undefined;
  /** Addresses not tracked at the host cap (counted per attempt). */
  dropped_hosts = 0;
  private flowTimes = 0;
  private droppedFlowTimes = 0;
  private exampleChars = 0;
  private droppedExamples = 0;
  private droppedTlsVersions = 0;
  first_ts = Infinity;
  last_ts = -Infinity;
  flows = 0;

  constructor(options: Partial<FactsOptions> = {}) {
    this.options = { ...defaultFactsOptions, ...options };
  }

  attach(pipeline: RecordSource): this {
    for (const type of factEventTypes) pipeline.on(type, (ev) => this.onEvent(ev));
    pipeline.onFlow((f) => this.onFlow(f));
    return this;
  }

  stats(): FactsStats {
    return {
      hosts: this.hosts.size, dropped_hosts: this.dropped_hosts, flow_times: this.flowTimes, dropped_flow_times: this.droppedFlowTimes,
      example_chars: this.exampleChars, dropped_examples: this.droppedExamples, dropped_tls_versions: this.droppedTlsVersions,
    };
  }

  /** Facts of one address (undefined when nothing was seen for it). */
  host(ip: string): HostFacts | undefined {
    return this.hosts.get(ip);
  }

  private get(ip: unknown): HostFacts | undefined {
    if (typeof ip !== 'string' || ip === '') return undefined;
    let h = this.hosts.get(ip);
    if (h === undefined) {
      if (this.hosts.size >= this.options.maxHosts) {
        this.dropped_hosts++;
        return undefined;
      }
      h = emptyHost();
      this.hosts.set(ip, h);
    }
    return h;
  }

  private add(t: Tally, ev: EventRecord, example?: string): void {
    t.count++;
    if (t.refs.length < this.options.maxRefs) {
      const ref: EvidenceRef = { file: ev.file, packet: ev.packet, ts: ev.ts };
      if (typeof ev.community_id === 'string') ref.community_id = ev.community_id;
      t.refs.push(ref);
    }
    if (example === undefined || t.examples.length >= this.options.maxExamples) return;
    const kept = example.slice(0, 200);
    if (t.examples.includes(kept)) return;
    if (this.exampleChars + kept.length > this.options.maxExampleChars) {
      this.droppedExamples++;
      return;
    }
    this.exampleChars += kept.length;
    t.examples.push(kept);
  }

  onEvent(ev: EventRecord): void {
    try {
      this.handle(ev);
    } catch {
      // Fields come from attacker-controlled bytes; an unexpected shape must not stop the run.
    }
  }

  private handle(ev: EventRecord): void {
    const src = ev.src_ip;
    const dst = ev.dst_ip;
    switch (ev.type) {
      case 'tls.server_hello': {
        const v = typeof ev.selected_version === 'number' ? ev.selected_version : ev.version;
        if (typeof v !== 'number') return;
        const name = tlsVersionName(v);
        for (const [ip, peer] of [[src, dst], [dst, src]] as const) {
          const h = this.get(ip);
          if (!h) continue;
          let t = h.tls[name];
          if (t === undefined) {
            // Unknown versions are named by number: a peer choosing a new one per session must not grow this.
            if (Object.keys(h.tls).length >= this.options.maxTlsVersions) {
              this.droppedTlsVersions++;
              continue;
            }
            t = h.tls[name] = emptyTally();
          }
          this.add(t, ev, typeof peer === 'string' ? peer : undefined);
        }
        return;
      }
      case 'tls.client_hello': {
        const sni = str(ev.sni);
        if (sni !== undefined && updateName.test(sni)) {
          const h = this.get(src);
          if (h) this.add(h.update_tls, ev, sni);
        }
        return;
      }
      case 'http.request': {
        const h = this.get(src);
        if (!h) return;
        const uri = str(ev.uri) ?? '';
        const target = `${str(ev.host) ?? (typeof dst === 'string' ? dst : '')}${uri}`;
        if (firmwareUri.test(uri)) this.add(h.firmware_http, ev, `${str(ev.method) ?? ''} http://${target}`.trim());
        if (typeof dst === 'string' && !isLocalIp(dst)) this.add(h.http_out_remote, ev, `http://${target}`);
        return;
      }
      case 'ssdp.notify': {
        const h = this.get(src);
        if (h) this.add(h.ssdp_notify, ev, str(ev.server) ?? str(ev.usn));
        return;
      }
      case 'ssdp.response': {
        const h = this.get(src);
        if (h) this.add(h.ssdp_response, ev, str(ev.server) ?? str(ev.usn));
        return;
      }
      case 'telnet.banner': {
        // The banner comes from the server.
        const h = this.get(src);
        if (h) this.add(h.telnet_served, ev, str(ev.prompt) ?? 'banner');
        return;
      }
      case 'telnet.login': {
        const server = ev.from_orig === false ? src : dst;
        const h = this.get(server);
        if (h) this.add(h.telnet_served, ev, 'login dialogue');
        return;
      }
      case 'ssh.banner': {
        const h = this.get(src);
        if (h) this.add(h.ssh, ev, str(ev.software) ?? str(ev.banner));
        return;
      }
    }
  }

  onFlow(f: FlowRecord): void {
    if (f.transport === 'arp') return;
    this.flows++;
    if (f.first_ts < this.first_ts) this.first_ts = f.first_ts;
    if (f.last_ts > this.last_ts) this.last_ts = f.last_ts;
    // Two calls, not a loop over [orig, resp]: no array per flow.
    this.flowTime(f.orig_ip, FlowBound.origV4(f), f.first_ts);
    this.flowTime(f.resp_ip, FlowBound.respV4(f), f.first_ts);
  }

  /** A flow of a local address started at `ts` (the report's timeline); `v4` its IPv4 value when known, else -1. */
  private flowTime(ip: string, v4: number, ts: number): void {
    if (!isLocalAddr(v4, ip)) return;
    let h: HostFacts | undefined;
    if (v4 >= 0) {
      const key = v4 | 0;
      if (key === this.lastV4) h = this.lastV4Host;
      else {
        h = this.hostsV4.get(key);
        if (h === undefined) {
          h = this.get(ip);
          if (h !== undefined) this.hostsV4.set(key, h);
        }
        if (h !== undefined) {
          this.lastV4 = key;
          this.lastV4Host = h;
        }
      }
    } else h = this.get(ip);
    if (!h) return;
    if (h.flow_times.length < this.options.maxFlowTimes && this.flowTimes < this.options.maxFlowTimesTotal) {
      h.flow_times.push(ts);
      this.flowTimes++;
    } else {
      h.flow_times_dropped++;
      this.droppedFlowTimes++;
    }
  }
}
