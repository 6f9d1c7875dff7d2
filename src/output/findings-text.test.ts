import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsTable, mainDevice, timeSpan } from './findings-text.ts';
import type { Finding } from '../detect/types.ts';

const finding = (over: Partial<Finding>): Finding => ({
  id: 'x:1', detector: 'botnet.mirai-scan', category: 'botnet', severity: 'high', confidence: 0.99,
  title: '192.168.1.66 is scanning like the Mirai botnet', explanation: '', devices: [{ role: 'infected', ip: '192.168.1.66' }],
  first_ts: 1700000000, last_ts: 1700000001.868, count: 300, community_ids: [], community_ids_dropped: 0, evidence: [],
  evidence_dropped: 0, references: {}, ...over,
});

test('time span', () => {
  assert.equal(timeSpan(1700000000, 1700000001.868), '2023-11-14 22:13:20 +1.9 s');
  assert.equal(timeSpan(1700000000, 1700000000), '2023-11-14 22:13:20');
  assert.equal(timeSpan(1700000000, 1700007200), '2023-11-14 22:13:20 +2.0 h');
});

test('main device prefers the infected/insecure/attacker one', () => {
  assert.equal(mainDevice(finding({ devices: [{ role: 'victim', ip: '10.0.0.2' }, { role: 'attacker', ip: '203.0.113.5' }], devices_dropped: 3 })), '203.0.113.5 (attacker) +4');
});

test('table', () => {
  const text = findingsTable([finding({}), finding({ severity: 'medium', title: 'x'.repeat(100), count: 7 })]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^SEVERITY\s+FINDING\s+DEVICE\s+COUNT\s+TIME \(UTC\)$/);
  assert.match(lines[1], /^HIGH\s+192\.168\.1\.66 is scanning like the Mirai botnet\s+192\.168\.1\.66 \(infected\)\s+300\s+2023-11-14 22:13:20 \+1\.9 s$/);
  assert.ok(lines[2].includes('…'));
  assert.equal(findingsTable([]), 'no findings\n');
});

test('findings name devices by their name, the address as detail', async () => {
  const { namedText, mainDevice } = await import('./findings-text.ts');
  const f = finding({ title: '10.10.10.37 offers at most TLS 1.0', devices: [{ role: 'insecure', ip: '10.10.10.37', device_id: 'mac:b0:c5:54:25:5b:0e' }, { role: 'peer', ip: '52.8.178.58' }] });
  const names = new Map([['mac:b0:c5:54:25:5b:0e', 'D-Link DCS-935L']]);
  assert.equal(namedText(f.title, f, names), 'D-Link DCS-935L (10.10.10.37) offers at most TLS 1.0');
  assert.equal(namedText('seen from 110.10.10.37 and 10.10.10.370', f, names), 'seen from 110.10.10.37 and 10.10.10.370', 'whole addresses only');
  assert.equal(mainDevice(f, names), 'D-Link DCS-935L (10.10.10.37, insecure) +1');
  assert.equal(mainDevice(f), '10.10.10.37 (insecure) +1');
});
