/**
 * One entry point for exports: a STIX 2.1 bundle or MISP events from findings and cases, pseudonymised by
 * default under the local key.
 * @module
 */
import { hostname } from 'node:os';
import type { DeviceRecord } from '../../inventory/types.ts';
import { pseudonymKey } from '../evidence/keys.ts';
import type { Case, Finding } from '../types.ts';
import { buildMispEvents, type MispEvent, type Unmapped } from './misp.ts';
import { Pseudonymiser } from './privacy.ts';
import { buildStixBundle, type StixBundle } from './stix.ts';

export type Tlp = 'clear' | 'green' | 'amber' | 'red';
export const tlpLevels: readonly Tlp[] = ['clear', 'green', 'amber', 'red'];

export interface ExportOptions {
  identify: boolean;
  tlp: Tlp;
  /** MISP: add network-connection objects. */
  objects: boolean;
  /** HMAC key for pseudonyms (default: the local key, created on first use). */
  key?: Uint8Array;
  /** Sensor name in clear (default: bulwark@<host name>). */
  sensor?: string;
}

export interface ExportInput {
  findings: readonly Finding[];
  cases: readonly Case[];
  devices?: readonly DeviceRecord[];
}

function prepare(input: ExportInput, o: Partial<ExportOptions>): { pseudo: Pseudonymiser; sensor: string } {
  const pseudo = new Pseudonymiser(o.key ?? pseudonymKey(), o.identify ?? false).collect(input.findings, input.cases, input.devices ?? []);
  const host = hostname();
  const sensor = o.sensor ?? (o.identify ? `bulwark@${host}` : `bulwark@${pseudo.pseudonym('host', host)}`);
  return { pseudo, sensor };
}

export function exportStix(input: ExportInput, o: Partial<ExportOptions> = {}): StixBundle {
  const { pseudo, sensor } = prepare(input, o);
  return buildStixBundle({ findings: input.findings, cases: input.cases, sensor, pseudo, tlp: o.tlp });
}

export function exportMisp(input: ExportInput, o: Partial<ExportOptions> = {}): { events: MispEvent[]; unmapped: Unmapped[] } {
  const { pseudo, sensor } = prepare(input, o);
  return buildMispEvents({ findings: input.findings, cases: input.cases, sensor, pseudo, tlp: o.tlp, objects: o.objects });
}

/** The file form of MISP events: one event as `{Event}`, several as MISP's `{response: [{Event}…]}`. */
export function mispDocument(events: readonly MispEvent[]): unknown {
  return events.length === 1 ? events[0] : { response: events };
}
