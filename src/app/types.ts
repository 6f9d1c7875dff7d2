/**
 * Contract of an application-protocol analyzer. One folder per protocol under src/app/<name>/ with:
 * parser.ts (pure functions: bytes -> Parsed<T>, no I/O, no throw), analyzer.ts (the AppProtocol object with
 * bounded per-flow state), events.ts (EventSpec/AnomalySpec lists), and <name>.test.ts.
 * @module
 */
import type { AnomalySpec, EventFields, EventSpec } from '../events/types.ts';

/** Outcome of a parser: a value and the bytes it used, more bytes needed, or invalid with a named anomaly. */
export type Parsed<T> =
  | { status: 'ok'; value: T; length: number }
  | { status: 'incomplete'; needed?: number }
  | { status: 'invalid'; anomaly: string };

export const ok = <T>(value: T, length: number): Parsed<T> => ({ status: 'ok', value, length });
export const incomplete = <T>(needed?: number): Parsed<T> => ({ status: 'incomplete', needed });
export const invalid = <T>(anomaly: string): Parsed<T> => ({ status: 'invalid', anomaly });

/** Direction of bytes within a flow: 0 = from the originator (client), 1 = from the responder (server). */
export type Dir = 0 | 1;

/** What a protocol's probe sees about the flow. */
export interface ProbeInfo {
  transport: 'tcp' | 'udp';
  /** Port of the originator (client) and of the responder (server). */
  origPort: number;
  respPort: number;
}

/**
 * Given to an analyzer with each delivery. Fields of the envelope (time, addresses, community id, packet
 * number) are added by the pipeline: analyzers emit only their protocol's fields.
 */
export interface AppContext {
  /** True when some consumer subscribes to `type`: build the event payload only then. */
  wants(type: string): boolean;
  /**
   * Publish an event. Its envelope's src/dst describe the packet that completed the message; pass `dir`
   * when the message was sent the other way (a login reported when the server's verdict arrives: dir 0).
   */
  emit(type: string, fields: EventFields, dir?: Dir): void;
  /** Count a named anomaly for this flow and overall. */
  anomaly(id: string): void;
  readonly info: ProbeInfo;
}

/** What an analyzer returns from `data`: 'done' stops delivery for this flow (it has what it needs). */
export type DataResult = void | 'done';

export interface AppProtocol<S = unknown> {
  /** Short lowercase name, also the flow's `app` value: 'dns', 'mqtt', ... */
  readonly name: string;
  readonly transports: readonly ('tcp' | 'udp')[];
  /** Well-known ports: a hint used together with 'maybe' probes; content decides. */
  readonly ports: readonly number[];
  /**
   * Content check on the first payload bytes of a direction (not necessarily a whole message).
   * 'yes': this is the protocol whatever the port. 'maybe': plausible, claimed only on one of `ports`.
   */
  probe(bytes: Uint8Array, dir: Dir, info: ProbeInfo): 'yes' | 'no' | 'maybe';
  /** Fresh per-flow state. Must be bounded: caps are options with defaults, hitting them is an anomaly. */
  newState(): S;
  /**
   * In-order bytes: one UDP datagram, or the next TCP stream bytes of one direction after reassembly.
   * `bytes` is only valid during the call: copy what is kept. Must not throw on any input.
   */
  data(state: S, dir: Dir, bytes: Uint8Array, ctx: AppContext): DataResult;
  /** TCP bytes lost in a direction (capture loss or reassembly cap): resynchronise or give up. */
  gap?(state: S, dir: Dir, length: number, ctx: AppContext): DataResult;
  /** The flow ended: emit what was pending (e.g. a login whose outcome was never seen). */
  end?(state: S, ctx: AppContext): void;
  readonly events: readonly EventSpec[];
  readonly anomalies: readonly AnomalySpec[];
}
