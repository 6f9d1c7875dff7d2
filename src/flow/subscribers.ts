/**
 * The subscriber lists every record source keeps — the packet pipeline, its threaded form and a flow-export
 * run: handlers per event type and for all types, finished flows, the clock and the end of the run. The
 * sources deliver by reading these lists directly (protected), so delivery costs what it did inline.
 * @module
 */

export class Subscribers<E, F> {
  protected readonly handlers = new Map<string, ((ev: E) => void)[]>();
  protected readonly anyHandlers: ((ev: E) => void)[] = [];
  protected readonly flowHandlers: ((f: F) => void)[] = [];
  protected readonly tickHandlers: ((now: number) => void)[] = [];
  protected readonly flushHandlers: (() => void)[] = [];

  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: (ev: E) => void): this {
    if (type === '*') this.anyHandlers.push(handler);
    else {
      const list = this.handlers.get(type);
      if (list) list.push(handler);
      else this.handlers.set(type, [handler]);
    }
    return this;
  }

  /** Subscribe to finished flows. */
  onFlow(handler: (f: F) => void): this {
    this.flowHandlers.push(handler);
    return this;
  }

  /** Subscribe to the clock (the later stages' `tick(now)`). */
  onTick(handler: (now: number) => void): this {
    this.tickHandlers.push(handler);
    return this;
  }

  /** Subscribe to the end of the run (the later stages' `flush()`), called after every flow has ended. */
  onFlush(handler: () => void): this {
    this.flushHandlers.push(handler);
    return this;
  }

  /** Whether anyone listens for `type`: a source builds an event only then. */
  wants(type: string): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has(type);
  }
}
