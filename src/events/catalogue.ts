/**
 * The catalogue of every event type and anomaly id Bulwark can produce, gathered from the stages that
 * produce them. Documentation (docs/events.md, docs/schema/) is generated from it and a test keeps emitted
 * events in agreement with it.
 * @module
 */
import { appProtocols } from '../app/registry.ts';
import { decodeAnomalies, decodeEvents } from '../decode/events.ts';
import { flowrecAnomalies } from '../flowrec/anomalies.ts';
import { captureAnomalies, flowAnomalies, flowEvents } from './core.ts';
import type { AnomalySpec, EventSpec } from './types.ts';

export interface CatalogueSection {
  /** Producing stage or protocol: 'decode', 'flow', 'dns', ... */
  source: string;
  events: readonly EventSpec[];
  anomalies: readonly AnomalySpec[];
}

export function catalogue(): CatalogueSection[] {
  return [
    { source: 'capture', events: [], anomalies: captureAnomalies },
    { source: 'decode', events: decodeEvents, anomalies: decodeAnomalies },
    { source: 'flow', events: flowEvents, anomalies: flowAnomalies },
    { source: 'flowrec', events: [], anomalies: flowrecAnomalies },
    ...appProtocols.map((p) => ({ source: p.name, events: p.events, anomalies: p.anomalies })),
  ];
}

/** Event spec by type, across all sections. */
export function eventSpecs(): Map<string, EventSpec> {
  const map = new Map<string, EventSpec>();
  for (const s of catalogue()) for (const e of s.events) map.set(e.type, e);
  return map;
}

/** Anomaly spec by id, across all sections. */
export function anomalySpecs(): Map<string, AnomalySpec> {
  const map = new Map<string, AnomalySpec>();
  for (const s of catalogue()) for (const a of s.anomalies) map.set(a.id, a);
  return map;
}
