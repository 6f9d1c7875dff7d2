/**
 * What the later stages (inventory, detectors, assessment) attach to: anything that publishes events and
 * finished flows — the packet pipeline, or a flow-export run (src/flowrec/export-run.ts).
 * @module
 */
import type { EventHandler, FlowHandler } from './analyze.ts';
import type { SubscribeOptions } from '../flow/subscribers.ts';
import { FirstPacket, type FirstPacketHandler } from './first-packet.ts';

export interface RecordSource {
  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: EventHandler, options?: SubscribeOptions): unknown;
  /** Subscribe to finished flows. */
  onFlow(handler: FlowHandler, options?: SubscribeOptions): unknown;
  /** The source's clock advanced (packet or record time): stateful stages age their windows. */
  onTick(handler: (now: number) => void): unknown;
  /** End of input or stop: stateful stages publish what they hold. */
  onFlush(handler: () => void): unknown;
  /**
   * Each new flow's first packet as numbers (src/pipeline/first-packet.ts), for sources that have packets:
   * a stage uses it instead of `flow.start` events when the source offers it (see `onFirstPackets`).
   */
  onFirstPacket?(handler: FirstPacketHandler): unknown;
}

/**
 * Subscribe `handler` to each new flow's first packet: as numbers when `source` offers them, otherwise made from
 * its `flow.start` events (a threaded pipeline's replay, a flow-export run, which has none).
 */
export function onFirstPackets(source: RecordSource, handler: FirstPacketHandler): void {
  if (source.onFirstPacket !== undefined) {
    source.onFirstPacket(handler);
    return;
  }
  const fact = new FirstPacket();
  source.on('flow.start', (ev) => handler(fact.fromEvent(ev)));
}

const readsByName: SubscribeOptions = { lazy: true };

/**
 * `source` as seen by a stage that reads records' fields by name only — never spreads, enumerates, clones or
 * deep-compares an event or flow record: every subscription it makes is `{ lazy: true }`, so it may be given
 * lazy records (uid and Community ID computed on first read; src/flow/lazy-record.ts).
 */
export function readingByName(source: RecordSource): RecordSource {
  return {
    on: (type, handler) => source.on(type, handler, readsByName),
    onFlow: (handler) => source.onFlow(handler, readsByName),
    onTick: (handler) => source.onTick(handler),
    onFlush: (handler) => source.onFlush(handler),
    onFirstPacket: source.onFirstPacket === undefined ? undefined : (handler) => source.onFirstPacket!(handler),
  };
}
