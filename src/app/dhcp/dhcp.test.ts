import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { parseMessage } from './parser.ts';
import { dhcp } from './analyzer.ts';
import type { DhcpEvent } from './events.ts';

const trace = (name: string) => new URL(`../../../test/traces/app-udp/${name}`, import.meta.url).pathname;
const info = { transport: 'udp', origPort: 68, respPort: 67 } as const;
const payload = (file: string, frame: number) => Uint8Array.from(payloadsFromPcap(trace(file), `frame.number==${frame}`, 67)[0].bytes);

function tshark(path: string, fields: string[]): Map<number, string[]> {
  const args = ['-r', path, '-Y', 'dhcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return new Map(out.split('\n').filter(Boolean).map((l) => {
    const [frame, ...rest] = l.split('\t');
    return [Number(frame), rest];
  }));
}

test('parseMessage: Zeek dhcp.pcap frame 2 (OFFER from an Aruba AP)', () => {
  const b = payload('dhcp.pcap', 2);
  const m = parseMessage(b, 0, b.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.equal(m.value.messageType, 2);
  assert.equal(m.value.header.xid, 0x7c0);
  assert.equal(m.value.header.chaddr, '90:b1:1c:99:49:29');
  assert.equal(m.value.header.yiaddr, '128.2.6.97');
  assert.deepEqual(m.value.options.map((o) => o.code), [53, 54, 51, 1, 3, 6, 4, 67, 28, 42, 43, 60, 44, 46, 15]);
  assert.equal(m.value.anomaly, undefined);
});

test('parseMessage: a bad cookie and option overload (frame 1 of dhcp.pcap, edited)', () => {
  const b = payload('dhcp.pcap', 1).slice();
  // Option area of frame 1 starts 53,50,12: prepend overload=1 by reusing the first 3 bytes (53 1 1 -> 52 1 1).
  assert.deepEqual([...b.subarray(240, 243)], [53, 1, 1]);
  const overloaded = b.slice();
  overloaded.set([52, 1, 1], 240);
  // Put "53 1 3 (request), 12 2 'ok', 255" in the file field.
  overloaded.fill(0, 108, 236);
  overloaded.set([53, 1, 3, 12, 2, 0x6f, 0x6b, 255], 108);
  const m = parseMessage(overloaded, 0, overloaded.length);
  assert.ok(m.status === 'ok');
  if (m.status !== 'ok') return;
  assert.deepEqual(m.value.options.map((o) => o.code), [52, 50, 12, 53, 12]);
  assert.equal(m.value.messageType, 3);
  const bad = b.slice();
  bad[239] ^= 1;
  const r = parseMessage(bad, 0, bad.length);
  assert.ok(r.status === 'ok' && r.value.anomaly === 'app.dhcp.bad_cookie');
  // An option running past the end keeps what came before it.
  const cut = parseMessage(b, 0, 247);
  assert.ok(cut.status === 'ok' && cut.value.anomaly === 'app.dhcp.bad_option');
  assert.equal(parseMessage(b, 0, 100).status, 'invalid');
});

test('dhcp analyzer agrees with tshark on Zeek dhcp.pcap and IoT Sentinel setups', () => {
  const fields = [
    'dhcp.option.dhcp', 'dhcp.id', 'dhcp.hw.mac_addr', 'dhcp.ip.your', 'dhcp.option.hostname', 'dhcp.option.request_list_item',
    'dhcp.option.vendor_class_id', 'dhcp.option.requested_ip_address', 'dhcp.option.dhcp_server_id',
    'dhcp.option.ip_address_lease_time', 'dhcp.option.type', 'dhcp.option.domain_name_server', 'dhcp.option.router',
  ];
  const names = ['', 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform'];
  for (const file of ['dhcp.pcap', 'wemo-switch.pcap', 'hue-bridge.pcap', 'aria.pcap']) {
    const res = runAnalyzer(dhcp, payloadsFromPcap(trace(file), 'dhcp', 67), info);
    assert.deepEqual(res.anomalies, [], file);
    const ref = tshark(trace(file), fields);
    assert.equal(res.events.length, ref.size, file);
    for (const ev of res.events) {
      const [type, xid, mac, yiaddr, host, prl, vendor, req, sid, lease, opts, dns, router] = ref.get(ev.frame!)!;
      const f = ev.fields as unknown as DhcpEvent;
      const at = `${file} frame ${ev.frame}`;
      assert.equal(ev.type, `dhcp.${names[Number(type)]}`, at);
      assert.equal(f.xid, Number(xid), at);
      assert.equal(f.client_mac, mac.split(',')[0], at);
      assert.equal(f.yiaddr, yiaddr, at);
      assert.equal(f.host_name ?? '', host, at);
      assert.equal(f.param_list?.join(',') ?? '', prl, at);
      assert.equal(f.vendor_class ?? '', vendor, at);
      assert.equal(f.requested_ip ?? '', req, at);
      assert.equal(f.server_id ?? '', sid, at);
      assert.equal(String(f.lease_time ?? ''), lease, at);
      // tshark lists the end option too (as 0 in its option.type field).
      assert.deepEqual(f.options, opts.split(',').map(Number).filter((c) => c !== 0 && c !== 255), at);
      assert.equal(f.dns_servers?.join(',') ?? '', dns, at);
      assert.equal(f.routers?.join(',') ?? '', router, at);
    }
  }
});

test('dhcp analyzer: concrete values (WeMo switch DISCOVER, Zeek INFORM, Aria host name)', () => {
  const wemo = runAnalyzer(dhcp, payloadsFromPcap(trace('wemo-switch.pcap'), 'frame.number==1', 67), info).events[0];
  assert.equal(wemo.type, 'dhcp.discover');
  assert.deepEqual(wemo.fields, {
    xid: 0xd3cdbb24, client_mac: '94:10:3e:35:01:c1', ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0',
    client_id: '0194103e3501c1', param_list: [1, 3, 6, 12, 15, 28, 42], vendor_class: 'udhcp 1.22.1', options: [53, 61, 57, 55, 60],
  });
  const inform = runAnalyzer(dhcp, payloadsFromPcap(trace('dhcp.pcap'), 'frame.number==9', 67), info).events[0];
  assert.equal(inform.type, 'dhcp.inform');
  assert.equal(inform.fields.lease_time, 19841984);
  assert.equal(inform.fields.host_name, 'btest.is.cool');
  const aria = runAnalyzer(dhcp, payloadsFromPcap(trace('aria.pcap'), 'frame.number==1', 67), info).events[0];
  assert.equal(aria.fields.host_name, 'GainSpanca9152');
  assert.deepEqual(aria.fields.param_list, [1, 3, 6, 15, 66, 67, 13, 44]);
});

test('probe: the magic cookie is unmistakable', () => {
  const b = payload('dhcp.pcap', 1);
  assert.equal(dhcp.probe(b, 0, info), 'yes');
  const noCookie = b.slice();
  noCookie[236] = 0;
  assert.equal(dhcp.probe(noCookie, 0, info), 'maybe');
  assert.equal(dhcp.probe(b.subarray(0, 100), 0, info), 'no');
});

test('fuzz: DHCP parser and analyzer never throw', () => {
  const seeds = payloadsFromPcap(trace('dhcp.pcap'), 'dhcp', 67).map((d) => d.bytes);
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz(seeds, (b) => {
    parseMessage(b, 0, b.length);
    dhcp.probe(b, 0, info);
    dhcp.data(null, 0, b, ctx);
  }, 3000);
});
