import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces, detectTrace, pipelineTrace } from '../lib/test-traces.ts';
import { ipv4ToUint } from '../lib/net.ts';
import detector from './botnet.mirai-scan.ts';

test('ipv4ToUint: the value Mirai writes into the sequence number', () => {
  // First SYN of mirai-scan.generated.pcap: tshark shows ip.dst 197.239.20.61, tcp.seq_raw 3320779837.
  assert.equal(ipv4ToUint('197.239.20.61'), 3320779837);
  assert.equal(ipv4ToUint('255.255.255.255'), 0xffffffff);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', 'fe80::1', '']) assert.equal(ipv4ToUint(bad), -1, bad);
});

test('❌ generated Mirai scan: 300 fingerprinted SYNs from one source port, 9:1 to 23/2323', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-scan.generated.pcap')]);
  assert.equal(reports.length, 300);
  assert.ok(reports.every((r) => r.key === '192.168.1.66' && r.messageId === 'outbound'));
  const last = reports.at(-1)!;
  assert.deepEqual(
    { syns: last.facts?.syns, p23: last.facts?.port_23, p2323: last.facts?.port_2323, noOpt: last.facts?.without_options, b40: last.facts?.bytes_40 },
    { syns: 300, p23: 270, p2323: 30, noOpt: 300, b40: 300 },
  );
  assert.equal((last.facts?.source_ports as number[]).length, 1);
  assert.deepEqual(last.devices, [{ role: 'infected', ip: '192.168.1.66' }]);
  // Evidence: the first SYN is frame 1 of the file.
  assert.equal(reports[0].evidence?.packet, 1);
  // The ordinary telnet SYN of 192.168.1.10 (random ISN, options) is not Mirai.
  assert.ok(!reports.some((r) => r.key === '192.168.1.10'));
});

test('minSyns is an option: a source below it is not reported', async () => {
  assert.equal((await reportsOf(detector, [detectTrace('mirai-scan.generated.pcap')], { minSyns: 301 })).length, 0);
});

test('ports/anyPort: only 23 counted when 2323 is not a scanner port and other ports are off', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-scan.generated.pcap')], { ports: ['23'], anyPort: false });
  assert.equal(reports.length, 270);
});

const clean: [string, string][] = [
  ['nmap SYN scan incl. port 23 (random ISNs)', pipelineTrace('synscan.pcap')],
  ['SSH brute force', detectTrace('ssh-bruteforce.first-400.pcap')],
  ['telnet brute force (normal kernel SYNs)', detectTrace('mirai-bruteforce.generated.pcap')],
  ...benignTraces().map((p): [string, string] => ['benign IoT', p]),
];
for (const [what, path] of clean) {
  test(`✅ ${what}: no report`, async () => {
    assert.deepEqual(await reportsOf(detector, [path]), []);
  });
}
