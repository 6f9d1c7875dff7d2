/**
 * `--alert URL` on analyze and serve: builds the dispatcher and hands it findings and device states.
 * @module
 */
import { hostname } from 'node:os';
import type { IngestQueue } from '../api/ingest.ts';
import type { Finding } from '../detect/types.ts';
import type { AnalysisResult } from '../engine/analyze-captures.ts';
import type { Store } from '../store/types.ts';
import { AlertDispatcher } from '../output/alerts/dispatcher.ts';
import { parseAlertTarget } from '../output/alerts/spec.ts';
import { deviceNames, deviceStates } from '../output/alerts/states.ts';
import type { Metrics } from '../output/metrics.ts';
import type { Suppression } from '../output/alerts/dispatcher.ts';
import type { BulwarkConfig } from './config/load.ts';

export const alertHelp = `  --alert URL          send findings to an output as they are raised (repeatable):
                       syslog+udp://HOST:514, syslog+tcp://HOST:6514 (?format=cef), webhook+https://URL
                       (?template=ntfy|gotify|slack&secret_env=VAR), mqtt://HOST:1883 (Home Assistant
                       discovery); ?min_severity=medium&rate=60 on any of them (see README, "Alerts")
`;

/** The default sensor name: this machine's host name. */
export const defaultSensorName = (): string => hostname().split('.')[0] || 'bulwark';

/** The configuration file's alert outputs as URLs (its per-output keys become the URL's query keys). */
export function configAlertSpecs(config: BulwarkConfig): string[] {
  return (config.alerts ?? []).map((a) => {
    const url = new URL(a.url);
    if (a.min_severity) url.searchParams.set('min_severity', a.min_severity);
    if (a.rate !== undefined) url.searchParams.set('rate', String(a.rate));
    if (a.kinds) url.searchParams.set('kinds', a.kinds.join(','));
    return url.toString();
  });
}

/** Suppression rules of the configuration: its `suppress` list, and every allowlisted host as device or peer. */
export function configSuppressions(config: BulwarkConfig): Suppression[] {
  const rules: Suppression[] = (config.suppress ?? []).map(({ detector, device, peer }) => ({ detector, device, peer }));
  for (const ip of config.allowlist ?? []) rules.push({ device: ip }, { peer: ip });
  return rules;
}

export function openAlerts(specs: readonly string[], sensor: string, metrics?: Metrics, config: BulwarkConfig = {}): AlertDispatcher | string {
  const d = new AlertDispatcher({ metrics: metrics ? (name) => metrics.outputHooks(name) : undefined });
  const suppress = configSuppressions(config);
  for (const spec of specs) {
    const target = parseAlertTarget(spec, sensor);
    if (typeof target === 'string') return `--alert ${spec}: ${target}`;
    d.add(target.output, { ...target.policy, suppress });
  }
  return d;
}

/** The end of a run whose findings were already published as they changed: device states, then drain the queues. */
export async function finishAlerts(d: AlertDispatcher, r: Pick<AnalysisResult, 'devices' | 'findings' | 'assessments'>, giveUpAfterMs = 10_000): Promise<void> {
  await d.devices(deviceStates(r.devices, r.findings, r.assessments));
  await d.close(giveUpAfterMs);
}

/** A finished analysis: every finding raised, device states published, queues drained within the time given. */
export async function deliverAnalysis(d: AlertDispatcher, r: Pick<AnalysisResult, 'devices' | 'findings' | 'assessments'>, sensor: string, giveUpAfterMs = 10_000): Promise<void> {
  const names = deviceNames(r.devices);
  for (const finding of r.findings) d.publish({ kind: 'raised', finding, sensor, deviceNames: names });
  await d.devices(deviceStates(r.devices, r.findings, r.assessments));
  await d.close(giveUpAfterMs);
}

/** Serve: findings announced by the ingest queue are raised; after each capture, device states are refreshed. */
export function alertsFromIngest(d: AlertDispatcher, queue: IngestQueue, store: Store, sensor: string, maxDevices = 1000): void {
  // IPs some finding named as infected (bounded: at most one entry per device the store can hold).
  const infected = new Set<string>();
  queue.subscribe((ev) => {
    if (ev.type === 'finding.new') {
      const finding = JSON.parse(ev.data) as Finding;
      for (const dv of finding.devices) if (dv.role === 'infected' && infected.size < 100_000) infected.add(dv.ip);
      d.publish({ kind: 'raised', finding, sensor });
    } else if (ev.type === 'capture.done') {
      void store.listDevices({ limit: maxDevices, offset: 0, sort: 'findings' }).then((page) => d.devices(page.items.map((text) => {
        const r = JSON.parse(text) as StoredDevice;
        const ips = (r.ips ?? []).map((b) => b.ip);
        return {
          id: r.id, name: r.name ?? r.id, type: r.type ?? 'unknown', vendor: r.vendor ?? undefined, model: r.model ?? undefined,
          ip: ips[0], mac: r.mac, grade: r.grade ?? undefined, findings: r.findings_open ?? 0, infected: ips.some((ip) => infected.has(ip)),
        };
      })), () => undefined);
    }
  });
}

/** The fields of a stored device summary these states need. */
interface StoredDevice {
  id: string;
  name?: string | null;
  type?: string | null;
  vendor?: string | null;
  model?: string | null;
  mac?: string;
  grade?: string | null;
  findings_open?: number;
  ips?: { ip: string }[];
}
