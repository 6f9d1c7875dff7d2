/**
 * Alerts out: what an output is given, and the small interface every output (syslog, webhook, MQTT)
 * implements. The dispatcher (dispatcher.ts) owns queues, retries, rate limits and counters, so an output
 * only turns an alert into bytes on its transport.
 * @module
 */
import type { Finding, Severity } from '../../detect/types.ts';

/** Where a finding is in its life: raised the moment its condition holds, updated, closed when quiet. */
export type AlertKind = 'raised' | 'updated' | 'closed';

export interface Alert {
  kind: AlertKind;
  finding: Finding;
  /** The sensor that saw it (site/sensor name from the configuration; the host name by default). */
  sensor: string;
  /** Device names by IP, for messages a person reads ("camera-kitchen (192.168.1.20)"). */
  deviceNames?: Readonly<Record<string, string>>;
}

/** The state of one device as home-automation outputs show it. */
export interface DeviceState {
  id: string;
  name: string;
  type: string;
  vendor?: string;
  model?: string;
  ip?: string;
  mac?: string;
  grade?: string;
  infected: boolean;
  findings: number;
  /** Highest severity among its open findings, if any. */
  worst?: Severity;
}

export interface AlertOutput {
  /** Short name for counters and messages: 'syslog', 'webhook', 'mqtt'. */
  readonly name: string;
  /** Deliver one alert; reject to have the dispatcher retry with backoff. */
  send(alert: Alert): Promise<void>;
  /** Devices changed (outputs that keep per-device state, like Home Assistant discovery). */
  devices?(states: readonly DeviceState[]): Promise<void>;
  close(): Promise<void>;
}

/** A delivery the receiver refused for good (e.g. HTTP 4xx other than 408/429): the dispatcher does not retry it. */
export class PermanentDeliveryError extends Error {}
