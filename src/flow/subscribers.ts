/**
 * The subscriber lists every record source keeps — the packet pipeline, its threaded form and a flow-export
 * run: handlers per event type and for all types, finished flows, the clock and the end of the run. The
 * sources deliver by reading these lists directly (protected), so delivery costs what it did inline.
 *
 * A subscriber may declare that it reads records' fields by name only (`{ lazy: true }`): no spread, no
 * Object.keys/entries, no structured clone or deep comparison of the record itself. A source may then hand it
 * a lazy record, whose `uid` and `community_id` are computed on first read (src/flow/lazy-record.ts) — but
 * only when every subscriber of that record declared it; otherwise everyone gets the plain record. A lazy flow
 * record is also valid during the call only: the source refills the same record for the next flow
 * (LazyFlowRecord.view). A lazy subscriber that keeps a flow record past the call keeps `holdFlow(record)`.
 * @module
 */

export interface SubscribeOptions {
  /** The handler reads fields by name only: it may be given a lazy record (see the module comment). */
  lazy?: boolean;
}

type Registration<E, F> =
  | { kind: 'event'; type: string; handler: (ev: E) => void; options: SubscribeOptions | undefined }
  | { kind: 'flow'; handler: (f: F) => void; options: SubscribeOptions | undefined }
  | { kind: 'tick'; handler: (now: number) => void }
  | { kind: 'flush'; handler: () => void };

export class Subscribers<E, F> {
  protected readonly handlers = new Map<string, ((ev: E) => void)[]>();
  protected readonly anyHandlers: ((ev: E) => void)[] = [];
  protected readonly flowHandlers: ((f: F) => void)[] = [];
  protected readonly tickHandlers: ((now: number) => void)[] = [];
  protected readonly flushHandlers: (() => void)[] = [];
  /** Event types with a subscriber that needs plain records; `plainForAll`: a '*' subscriber does. */
  private readonly plainTypes = new Set<string>();
  private plainForAll = false;
  private plainFlows = false;
  /** lazyFlows' answer (-1: not known since the last subscription): asked once per finished flow. */
  private lazyFlowsKnown = -1;
  /** Every subscription in order, to hand them on (subscribeAllTo). */
  private readonly registrations: Registration<E, F>[] = [];

  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: (ev: E) => void, options?: SubscribeOptions): this {
    this.registrations.push({ kind: 'event', type, handler, options });
    this.lazyFlowsKnown = -1;
    const plain = options?.lazy !== true;
    if (type === '*') {
      this.anyHandlers.push(handler);
      if (plain) this.plainForAll = true;
    } else {
      const list = this.handlers.get(type);
      if (list) list.push(handler);
      else this.handlers.set(type, [handler]);
      if (plain) this.plainTypes.add(type);
    }
    return this;
  }

  /** Subscribe to finished flows. */
  onFlow(handler: (f: F) => void, options?: SubscribeOptions): this {
    this.registrations.push({ kind: 'flow', handler, options });
    this.lazyFlowsKnown = -1;
    this.flowHandlers.push(handler);
    if (options?.lazy !== true) this.plainFlows = true;
    return this;
  }

  /** Subscribe to the clock (the later stages' `tick(now)`). */
  onTick(handler: (now: number) => void): this {
    this.registrations.push({ kind: 'tick', handler });
    this.tickHandlers.push(handler);
    return this;
  }

  /** Subscribe to the end of the run (the later stages' `flush()`), called after every flow has ended. */
  onFlush(handler: () => void): this {
    this.registrations.push({ kind: 'flush', handler });
    this.flushHandlers.push(handler);
    return this;
  }

  /** Whether anyone listens for `type`: a source builds an event only then. */
  wants(type: string): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has(type);
  }

  /** Whether every subscriber of events of `type` reads by name: the source may publish lazy records. */
  lazyEvents(type: string): boolean {
    return !this.plainForAll && !this.plainTypes.has(type);
  }

  /**
   * Whether every subscriber of finished flows reads by name, and none wants `flow.end` events (built from the
   * flow record by spreading it, which a lazy record does not survive).
   */
  lazyFlows(): boolean {
    if (this.lazyFlowsKnown < 0) this.lazyFlowsKnown = !this.plainFlows && !this.wants('flow.end') ? 1 : 0;
    return this.lazyFlowsKnown === 1;
  }

  /** Subscribe `target` to everything this has, in the order it came, with the same options. */
  subscribeAllTo(target: Subscribers<E, F>): void {
    for (const r of this.registrations) {
      if (r.kind === 'event') target.on(r.type, r.handler, r.options);
      else if (r.kind === 'flow') target.onFlow(r.handler, r.options);
      else if (r.kind === 'tick') target.onTick(r.handler);
      else target.onFlush(r.handler);
    }
  }
}
