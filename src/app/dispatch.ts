/**
 * Hands a flow's payload to one application analyzer: classify by content on the first payload bytes
 * (ports only break ties), keep the analyzer's per-flow state, stop when it is done, and contain a bug in
 * an analyzer to that flow (the analyzer is disabled for it and a violation is counted).
 * @module
 */
import type { AppContext, AppProtocol, Dir, ProbeInfo } from './types.ts';

export interface DispatchOptions {
  /** Payload deliveries per flow to try classification on before giving up. */
  maxProbeDeliveries: number;
}

export const defaultDispatchOptions: DispatchOptions = { maxProbeDeliveries: 4 };

/** Per-flow application state. */
export interface FlowApp {
  proto: AppProtocol | undefined;
  state: unknown;
  probes: number;
  /** No more bytes wanted: analyzer done, classification failed, or analyzer disabled. */
  finished: boolean;
}

export class AppDispatcher {
  readonly protocols: readonly AppProtocol[];
  private readonly opts: DispatchOptions;
  private readonly byTransport: Record<'tcp' | 'udp', AppProtocol[]> = { tcp: [], udp: [] };
  /** Index of each protocol + 1, stored by the flow table as the flow's app id (0 = none). */
  private readonly ids = new Map<AppProtocol, number>();
  /** Analyzer exceptions contained, by protocol name. */
  readonly violations = new Map<string, number>();

  constructor(protocols: readonly AppProtocol[], opts: Partial<DispatchOptions> = {}) {
    this.protocols = protocols;
    this.opts = { ...defaultDispatchOptions, ...opts };
    protocols.forEach((p, i) => {
      this.ids.set(p, i + 1);
      for (const t of p.transports) this.byTransport[t].push(p);
    });
  }

  idOf(proto: AppProtocol): number {
    return this.ids.get(proto) ?? 0;
  }

  /** Protocol names indexed by app id (index 0: none). */
  get appNames(): readonly string[] {
    return ['', ...this.protocols.map((p) => p.name)];
  }

  nameOfId(id: number): string | undefined {
    return id > 0 ? this.protocols[id - 1]?.name : undefined;
  }

  newFlowApp(): FlowApp {
    return { proto: undefined, state: undefined, probes: 0, finished: false };
  }

  /** Pick the protocol for the first payload of a flow; undefined when nothing claims it yet. */
  classify(bytes: Uint8Array, dir: Dir, info: ProbeInfo): AppProtocol | undefined {
    let byPort: AppProtocol | undefined;
    // Indexed: a for-of (its try/catch keeps it from being optimised away) made an iterator result per candidate.
    const candidates = this.byTransport[info.transport];
    for (let c = 0; c < candidates.length; c++) {
      const p = candidates[c];
      let verdict: 'yes' | 'no' | 'maybe';
      try {
        verdict = p.probe(bytes, dir, info);
      } catch {
        this.countViolation(p.name);
        continue;
      }
      if (verdict === 'yes') return p;
      if (verdict === 'maybe' && byPort === undefined && (p.ports.includes(info.respPort) || p.ports.includes(info.origPort))) {
        byPort = p;
      }
    }
    return byPort;
  }

  /**
   * Deliver bytes of one direction. Returns the protocol newly chosen for the flow (so the caller can
   * record it), or undefined.
   */
  deliver(app: FlowApp, dir: Dir, bytes: Uint8Array, ctx: AppContext): AppProtocol | undefined {
    if (app.finished || bytes.length === 0) return undefined;
    let chosen: AppProtocol | undefined;
    if (app.proto === undefined) {
      const proto = this.classify(bytes, dir, ctx.info);
      if (proto === undefined) {
        if (++app.probes >= this.opts.maxProbeDeliveries) app.finished = true;
        return undefined;
      }
      app.proto = proto;
      app.state = proto.newState();
      chosen = proto;
    }
    try {
      if (app.proto.data(app.state, dir, bytes, ctx) === 'done') app.finished = true;
    } catch {
      this.disable(app);
    }
    return chosen;
  }

  gap(app: FlowApp, dir: Dir, length: number, ctx: AppContext): void {
    if (app.finished || app.proto === undefined) return;
    if (app.proto.gap === undefined) return;
    try {
      if (app.proto.gap(app.state, dir, length, ctx) === 'done') app.finished = true;
    } catch {
      this.disable(app);
    }
  }

  end(app: FlowApp, ctx: AppContext): void {
    if (app.proto?.end === undefined || app.state === undefined) return;
    try {
      app.proto.end(app.state, ctx);
    } catch {
      this.countViolation(app.proto.name);
    }
  }

  private disable(app: FlowApp): void {
    if (app.proto) this.countViolation(app.proto.name);
    app.finished = true;
    app.state = undefined;
  }

  private countViolation(name: string): void {
    this.violations.set(name, (this.violations.get(name) ?? 0) + 1);
  }
}
