import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './ot.exposed-service.ts';

const ot = (n: string): string => new URL(`../../../test/traces/ot/${n}`, import.meta.url).pathname;

test('❌ generated: Modbus on 192.168.10.5 answers 203.0.113.50', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')]);
  assert.deepEqual(rs.map((r) => [r.messageId, r.data.server, r.data.client, r.data.service, r.data.port]), [['internet', '192.168.10.5', '203.0.113.50', 'Modbus/TCP', 502]]);
});

test('✅ OT traffic inside the local networks: suricata-verify Modbus (10.0.0.0/8), nDPI S7comm (192.168.1.0/24), s7ident (172.17.0.2)', async () => {
  for (const f of ['sv-modbus.pcap', 'ndpi-s7comm.pcap', 's7ident.pcap', 'sv-dnp3-eve.pcap']) assert.deepEqual(await reportsOf(detector, [ot(f)]), [], f);
});

test('✅ both ends outside the local networks (the Zeek/ICSNPP lab traces): nothing to say; apps option limits protocols', async () => {
  assert.deepEqual(await reportsOf(detector, [ot('snap7.pcap')]), []);
  assert.deepEqual(await reportsOf(detector, [ot('ot-scan.generated.pcap')], { apps: ['s7comm'] }), []);
  assert.deepEqual(await reportsOf(detector, [ot('ot-scan.generated.pcap')], { reportRemoteServers: false }).then((r) => r.length), 1);
});
