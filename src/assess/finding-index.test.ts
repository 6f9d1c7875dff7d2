// FindingIndex (the run's assessment looks up each device's findings in it) against findingsOf, the scan of
// every finding it replaces: the same findings in the same order, for devices named by id, MAC or address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FindingIndex, findingsOf } from './assess.ts';
import type { Finding, Role } from '../detect/types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { rng } from '../../test/support/mutate.ts';

const ROLES: Role[] = ['attacker', 'victim', 'infected'];

function device(id: string, mac: string | undefined, ips: string[]): DeviceRecord {
  return { id, mac, ips: ips.map((ip) => ({ ip })) } as unknown as DeviceRecord;
}

function finding(i: number, devices: Finding['devices']): Finding {
  return { id: `f${i}`, devices } as unknown as Finding;
}

test('FindingIndex.of gives what findingsOf gives, in order, over random devices and findings', () => {
  const rnd = rng(20261206);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const macs = ['00:11:22:33:44:01', '00:11:22:33:44:02', '00:11:22:33:44:03', '00:11:22:33:44:04'];
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.9', 'fe80::1', '203.0.113.7'];
  for (let round = 0; round < 50; round++) {
    const devices: DeviceRecord[] = [];
    for (let d = 0; d < 8; d++) {
      const mac = rnd() < 0.7 ? pick(macs) : undefined;
      const own = ips.filter(() => rnd() < 0.3);
      devices.push(device(mac ? `mac:${mac}` : `ip:${own[0] ?? pick(ips)}`, mac, own));
    }
    const findings: Finding[] = [];
    for (let i = 0; i < 40; i++) {
      const named: Finding['devices'] = [];
      const n = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < n; k++) {
        const entry: Finding['devices'][number] = { role: pick(ROLES), ip: pick(ips) };
        if (rnd() < 0.4) entry.mac = pick(macs);
        if (rnd() < 0.3) entry.device_id = pick(devices).id; // an id wins over MAC and address, as in rolesOf
        named.push(entry);
      }
      findings.push(finding(i, named));
    }
    const index = new FindingIndex(findings);
    for (const d of devices) {
      assert.deepEqual(index.of(d).map((f) => f.id), findingsOf(d, findings).map((f) => f.id), `round ${round}, ${d.id}`);
    }
  }
});

test('a finding naming a device by id is not its by address alone, and one naming it twice comes once', () => {
  const d = device('mac:00:11:22:33:44:01', '00:11:22:33:44:01', ['10.0.0.1']);
  const byOtherId = finding(0, [{ role: 'victim', ip: '10.0.0.1', device_id: 'mac:00:11:22:33:44:02' }]);
  const twice = finding(1, [{ role: 'victim', ip: '10.0.0.1' }, { role: 'attacker', ip: '10.0.0.9', mac: '00:11:22:33:44:01' }]);
  const index = new FindingIndex([byOtherId, twice]);
  assert.deepEqual(index.of(d).map((f) => f.id), ['f1']);
});
