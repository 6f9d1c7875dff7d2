import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCaptureArgs } from './capture-options.ts';

test('capture options: interfaces, filter alias, snap length, ring defaults and bounds', () => {
  assert.equal(parseCaptureArgs({}, '/out/ring'), undefined, 'no interface: no live capture');
  assert.match(String(parseCaptureArgs({ bpf: 'tcp' }, undefined)), /--bpf applies to a live capture/);
  const a = parseCaptureArgs({ interface: ['eth0', 'wlan0'], bpf: 'not port 22', snaplen: '512' }, '/out/ring');
  assert.ok(a && typeof a === 'object');
  assert.deepEqual(a.interfaces, ['eth0', 'wlan0']);
  assert.deepEqual(a.capture, { filter: 'not port 22', snaplen: 512 });
  assert.deepEqual(a.ring, { dir: '/out/ring', sizeMiB: 256 });
  assert.match(String(parseCaptureArgs({ interface: ['eth0'], filter: 'tcp', bpf: 'udp' }, undefined)), /same option/);
  assert.match(String(parseCaptureArgs({ interface: ['eth0'], snaplen: '10' }, undefined)), /--snaplen must be/);
  assert.match(String(parseCaptureArgs({ interface: ['eth0'], 'ring-mb': '64' }, undefined)), /--ring-mb needs --ring-dir/);
  assert.match(String(parseCaptureArgs({ interface: ['eth0'], 'ring-mb': '8', 'ring-dir': '/r' }, undefined)), /at least 16/);
  const none = parseCaptureArgs({ interface: ['eth0'], 'no-ring': true }, '/out/ring');
  assert.ok(none && typeof none === 'object' && none.ring === undefined);
  const configured = parseCaptureArgs({}, undefined, { interface: 'eth1', filter: 'arp' });
  assert.ok(configured && typeof configured === 'object');
  assert.deepEqual([configured.interfaces, configured.capture.filter], [['eth1'], 'arp']);
});
