/**
 * Device states for outputs that show devices (Home Assistant): name, grade, infected, open findings.
 * @module
 */
import type { DeviceAssessment } from '../../assess/types.ts';
import { severityRank } from '../../detect/engine.ts';
import type { Finding } from '../../detect/types.ts';
import type { DeviceRecord } from '../../inventory/types.ts';
import type { DeviceState } from './types.ts';

export function displayName(d: DeviceRecord): string {
  const id = d.identification;
  return d.user?.name ?? d.hostnames[0] ?? ([id.vendor, id.model].filter(Boolean).join(' ') || d.ips[0]?.ip || d.mac || d.id);
}

/** One state per local device; a device is infected when a finding names it in the `infected` role. */
export function deviceStates(devices: readonly DeviceRecord[], findings: readonly Finding[], assessments: readonly DeviceAssessment[]): DeviceState[] {
  const grades = new Map(assessments.map((a) => [a.device_id, a.grade]));
  const byIp = new Map<string, Finding[]>();
  for (const f of findings) {
    for (const d of f.devices) {
      if (d.role === 'peer') continue;
      const list = byIp.get(d.ip);
      if (list) list.push(f);
      else byIp.set(d.ip, [f]);
    }
  }
  const states: DeviceState[] = [];
  for (const d of devices) {
    if (!d.local) continue;
    const mine = new Set<Finding>();
    for (const b of d.ips) for (const f of byIp.get(b.ip) ?? []) mine.add(f);
    const ips = new Set(d.ips.map((b) => b.ip));
    let worst: DeviceState['worst'];
    for (const f of mine) if (worst === undefined || severityRank[f.severity] > severityRank[worst]) worst = f.severity;
    states.push({
      id: d.id, name: displayName(d), type: d.user?.type ?? d.identification.type, vendor: d.user?.vendor ?? d.identification.vendor,
      model: d.identification.model, ip: d.ips[0]?.ip, mac: d.mac, grade: grades.get(d.id),
      infected: [...mine].some((f) => f.devices.some((x) => x.role === 'infected' && ips.has(x.ip))),
      findings: mine.size, worst,
    });
  }
  return states;
}

/** IP → device name, for alert texts. */
export function deviceNames(devices: readonly DeviceRecord[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const d of devices) for (const b of d.ips) names[b.ip] = displayName(d);
  return names;
}
