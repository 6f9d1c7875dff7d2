// Flows agree with tshark's TCP/UDP conversations: same conversations, same frames and on-wire bytes each way.
// Deliberate difference: Bulwark ends a flow on idle/active timeouts and tshark never does, so the
// comparison runs with timeouts disabled (see test/support/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noTimeouts, runPipeline, trace } from './support/run.ts';
import { tsharkConversations } from './support/tshark.ts';

const traces = [
  'dhcp.pcap', 'mdns.pcap', 'ftp.pcap', 'telnet-raw.pcap', 'http-basic-auth.pcap', 'snmp-v1.pcap', 'mqtt.pcap',
  'coap_mqtt.pcap', 'synscan.pcap', 'rtsp.pcap', 'sonos.pcapng', 'tls-rdn-extract.pcap',
];

const ep = (ip: string, port: number): string => `${ip}:${port}`;

for (const name of traces) {
  test(`flows of ${name} match tshark conversations`, async () => {
    const path = trace(name);
    const { flows } = await runPipeline([path], { flow: noTimeouts });
    const ours = flows
      .filter((f) => f.transport === 'tcp' || f.transport === 'udp')
      .map((f) => norm(f.transport, ep(f.orig_ip, f.orig_port), ep(f.resp_ip, f.resp_port), f.orig_pkts, f.orig_bytes, f.resp_pkts, f.resp_bytes))
      .sort();
    const theirs = tsharkConversations(path)
      .map((c) => norm(c.transport, c.a, c.b, c.aPkts, c.aBytes, c.bPkts, c.bBytes))
      .sort();
    assert.ok(theirs.length > 0, 'tshark found conversations');
    assert.deepEqual(ours, theirs);
  });
}

/** Direction-independent line: endpoints in sorted order with their packet/byte counts. */
function norm(t: string, a: string, b: string, ap: number, ab: number, bp: number, bb: number): string {
  return a < b ? `${t} ${a} ${ap}/${ab} <-> ${b} ${bp}/${bb}` : `${t} ${b} ${bp}/${bb} <-> ${a} ${ap}/${ab}`;
}
