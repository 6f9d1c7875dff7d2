/**
 * SYNTHETIC store rows for tests and the load benchmark: made-up devices and findings shaped like the
 * inventory's DeviceRecord and the detectors' Finding. Deterministic (seeded), never presented as real data.
 * @module
 */
import type { DeviceRecord, DeviceType } from '../../src/inventory/types.ts';
import type { Finding, Severity } from '../../src/detect/types.ts';

const types: DeviceType[] = ['camera', 'plug', 'bulb', 'hub', 'sensor', 'speaker', 'tv', 'printer', 'router', 'phone'];
const vendors = ['Acme Synthetic', 'Example Devices', 'Test Vendor', 'Placeholder Corp'];
const severities: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
const detectors = ['synthetic.scan', 'synthetic.login', 'synthetic.cleartext', 'synthetic.beacon'];

export const T0 = 1_700_000_000;

/** 02:… is a locally administered prefix: these MACs name no real vendor. */
export function syntheticMac(i: number): string {
  const hex = (i >>> 0).toString(16).padStart(8, '0');
  return `02:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}

export function syntheticIp(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export function syntheticDevice(i: number, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  const mac = syntheticMac(i);
  const type = types[i % types.length];
  return {
    id: `mac:${mac}`, mac, mac_local: true,
    ips: [{ ip: syntheticIp(i), first_ts: T0 + i, last_ts: T0 + i + 3600, source: 'dhcp' }],
    hostnames: [`synthetic-${type}-${i}`],
    first_ts: T0 + i, last_ts: T0 + i + 3600, local: true,
    services: [{ transport: 'tcp', port: 80, app: 'http', flows: 3 }],
    talks_to: { ports: ['udp/53'], domains: ['example.invalid'] },
    flows_out: 10 + (i % 7), flows_in: 3, bytes_out: 1000 * (i % 13), bytes_in: 500, peers_local: 1, peers_remote: 2,
    evidence: [{ signal: 'dhcp.hostname', value: `synthetic-${type}-${i}`, ts: T0 + i, file: 'synthetic.pcap', packet: i + 1 }],
    evidence_dropped: 0,
    identification: { type, type_confidence: 0.8, vendor: vendors[i % vendors.length], because: ['synthetic row'], decided_by: 'rules' },
    ...overrides,
  };
}

export function syntheticFinding(i: number, deviceCount: number, overrides: Partial<Finding> = {}): Finding {
  const d = i % deviceCount;
  const ts = T0 + (i % 86_400);
  return {
    id: `${detectors[i % detectors.length]}:${i.toString(16).padStart(8, '0')}`,
    detector: detectors[i % detectors.length], category: 'policy', severity: severities[i % severities.length], confidence: 0.7,
    title: `Synthetic finding ${i}`, explanation: 'A made-up finding for tests and benchmarks.',
    devices: [{ role: 'insecure', ip: syntheticIp(d), mac: syntheticMac(d), device_id: `mac:${syntheticMac(d)}` }],
    first_ts: ts, last_ts: ts + 60, count: 1, community_ids: [`1:synthetic${i}=`], community_ids_dropped: 0,
    evidence: [{ file: 'synthetic.pcap', packet: i + 1, ts }], evidence_dropped: 0, references: {},
    ...overrides,
  };
}
