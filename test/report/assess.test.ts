// Baseline assessment of real captures through the real pipeline, inventory and detectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { assessDevice } from '../../src/assess/assess.ts';
import type { DeviceAssessment } from '../../src/assess/types.ts';
import { analysis } from './support/analysis.ts';

const root = resolve(import.meta.dirname, '..', '..');
const trace = (...p: string[]): string => join(root, ...p);

async function assessed(file: string, deviceId: string): Promise<DeviceAssessment> {
  const a = await analysis(file);
  const device = a.devices.find((d) => d.id === deviceId);
  assert.ok(device, `${deviceId} in ${a.devices.map((d) => d.id).join(', ')}`);
  return assessDevice(device, a.findings, a.facts);
}

const verdict = (a: DeviceAssessment, id: string): string | undefined => a.items.find((i) => i.id === id)?.verdict;

test('telnet login in clear (CredSLayer telnet-raw): server fails 5.5-1, 5.5-7, GP-TM-40, 5.6-1, GP-TM-45; grade D', async () => {
  const a = await assessed(trace('test/traces/pipeline/telnet-raw.pcap'), 'mac:00:00:c0:9f:a0:97');
  for (const id of ['5.1-3', '5.5-1', '5.5-6', '5.5-7', 'GP-TM-40', '5.6-1', 'GP-TM-45']) assert.equal(verdict(a, id), 'fail', id);
  const item = a.items.find((i) => i.id === 'GP-TM-40');
  const ev = item?.evidence.find((e) => e.kind === 'finding');
  assert.equal(ev?.detector, 'credentials.cleartext');
  assert.match(ev?.text ?? '', /TELNET credentials sent in clear to 192\.168\.0\.1/);
  // Telnet answering: the inventory's service and the banner/login served (packet 5 is the server's first telnet).
  assert.match(a.items.find((i) => i.id === '5.6-1')?.evidence.map((e) => e.text).join(' ') ?? '', /answers telnet on tcp\/23/);
  assert.equal(a.grade, 'D');
  assert.equal(a.headline, 'It sends passwords in clear text');
  assert.match(a.advice[0], /^Change this device's password: it is sent in clear text/);
  assert.match(a.advice.slice(1).join(' '), /Turn off (telnet|network services)/);
  assert.equal(a.advice.length, 3);
  // The client that typed the password is only a peer: not failed for it.
  const client = await assessed(trace('test/traces/pipeline/telnet-raw.pcap'), 'mac:00:a0:cc:3b:bf:fa');
  assert.equal(verdict(client, 'GP-TM-40'), 'not_observed');
  assert.equal(client.provisional, true);
});

test('firmware over plain HTTP (IoT Sentinel D-Link siren): 5.3-7 and GP-TM-18 fail with the request packets', async () => {
  const a = await assessed(trace('test/traces/report/dlink-siren-setup.pcap'), 'mac:90:8d:78:dd:0d:60');
  assert.equal(a.name, 'D-Link DCH-S220');
  for (const id of ['5.3-7', 'GP-TM-18']) assert.equal(verdict(a, id), 'fail', id);
  const ev = a.items.find((i) => i.id === '5.3-7')!.evidence[0];
  assert.match(ev.text, /wrpd\.dlink\.com\/router\/firmware\/query\.aspx\?model=DCH-S220/);
  assert.match(ev.text, /D-Link-DCH-S220-1\.7\.5-AX/);
  // tshark: frame 45 is GET /router/firmware/query.aspx..., frame 247 the firmware download.
  assert.deepEqual(ev.refs.map((r) => r.packet).filter((p) => p === 45 || p === 247), [45, 247]);
  assert.equal(verdict(a, '5.3-2'), 'pass', 'an update mechanism exists');
  assert.equal(verdict(a, '5.5-1'), 'fail', 'TLS 1.0 to the cloud');
  assert.equal(a.grade, 'D');
  assert.equal(a.headline, 'It downloads updates without encryption');
});

test('only TLS 1.2 seen (IoT Sentinel D-Link door sensor): 5.5-1 passes, but a brief observation caps at C', async () => {
  const a = await assessed(trace('test/traces/report/dlink-doorsensor-setup.pcap'), 'mac:1c:5f:2b:aa:fd:4e');
  assert.equal(verdict(a, '5.5-1'), 'pass');
  assert.equal(verdict(a, 'GP-TM-34'), 'pass');
  // tshark: ServerHello 0x0303 in frames 37, 78, 102 from 52.28.38.154.
  const refs = a.items.find((i) => i.id === '5.5-1')!.evidence[0].refs.map((r) => r.packet);
  assert.deepEqual(refs, [37, 78, 102]);
  assert.match(a.items.find((i) => i.id === '5.5-1')!.evidence[0].text, /^TLS 1\.2 negotiated 3 times/);
  assert.equal(a.coverage, 'brief');
  assert.equal(a.grade, 'C');
  assert.equal(a.provisional, true);
  assert.equal(verdict(a, 'GP-TM-56'), 'not_observed', 'not observed is not pass');
  assert.match(a.headline, /only 1 min 24 s of traffic observed/);
});

test('UPnP answering (IoT Sentinel Hue bridge): 5.6-1 and GP-TM-45 fail on its SSDP answers', async () => {
  const a = await assessed(trace('test/traces/report/huebridge-setup.pcap'), 'mac:00:17:88:24:76:ff');
  for (const id of ['5.6-1', 'GP-TM-45', '5.6-2']) assert.equal(verdict(a, id), 'fail', id);
  const texts = a.items.find((i) => i.id === '5.6-1')!.evidence.map((e) => e.text).join(' | ');
  assert.match(texts, /answered UPnP searches 6 times: Linux\/3\.14\.0 UPnP\/1\.0 IpBridge\/1\.9\.0/);
  // tshark: the bridge sends "Authorization: CBAuth …" (a 398-character session token) over plain HTTP to port 80:
  // a cleartext secret, so the grade is D, not the C the UPnP answers alone would give.
  assert.equal(a.grade, 'D');
  assert.match(a.headline, /clear text/);
});

test('TLS 1.0 only (bundled D-Link camera sample): 5.5-1 fails with the three ServerHellos, camera advice', async () => {
  const a = await assessed(trace('samples/dlink-camera-setup.pcap'), 'mac:b0:c5:54:25:5b:0e');
  assert.equal(a.name, 'D-Link DCS-935L');
  assert.equal(a.noun, 'camera');
  const item = a.items.find((i) => i.id === '5.5-1')!;
  assert.equal(item.verdict, 'fail');
  // tshark: SSLv2-format ClientHellos offering at most 0x0301 in frames 192, 217, 447 (answered 0x0301 two frames later).
  assert.deepEqual(item.evidence[0].refs.map((r) => r.packet), [192, 217, 447]);
  assert.equal(verdict(a, 'GP-TM-40'), 'pass', 'TLS sessions and no cleartext login seen');
  assert.equal(a.grade, 'C');
  assert.equal(a.groups.encryption, 'fail');
  assert.equal(a.groups.behaviour, 'pass');
  assert.ok(a.advice.every((x) => x.includes('camera')));
});

test('signs of infection (C2 beaconing, Hakai trace): GP-TM-56 and 5.7-2 fail, grade E', async () => {
  const a = await assessed(trace('test/traces/detect-net/hakai-c2-cut.pcap'), 'mac:b8:27:eb:7d:6b:a6');
  for (const id of ['GP-TM-56', '5.7-2']) assert.equal(verdict(a, id), 'fail', id);
  assert.equal(a.grade, 'E');
  assert.match(a.headline, /^Infected/);
  assert.match(a.advice[0], /unplug it/);
});
