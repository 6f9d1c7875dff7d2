/**
 * What the later stages (inventory, detectors, assessment) attach to: anything that publishes events and
 * finished flows — the packet pipeline, or a flow-export run (src/flowrec/export-run.ts).
 * @module
 */
import type { EventHandler, FlowHandler } from './analyze.ts';

export interface RecordSource {
  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: EventHandler): unknown;
  /** Subscribe to finished flows. */
  onFlow(handler: FlowHandler): unknown;
  /** The source's clock advanced (packet or record time): stateful stages age their windows. */
  onTick(handler: (now: number) => void): unknown;
  /** End of input or stop: stateful stages publish what they hold. */
  onFlush(handler: () => void): unknown;
}
