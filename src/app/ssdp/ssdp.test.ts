import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { header, parseMessage } from './parser.ts';
import { createSsdp, ssdp } from './analyzer.ts';

const trace = (name: string) => new URL(`../../../test/traces/app-udp/${name}`, import.meta.url).pathname;
const info = { transport: 'udp', origPort: 1900, respPort: 1900 } as const;
const text = (s: string) => new TextEncoder().encode(s);

test('parseMessage: suricata-verify sip-ssdp-pm NOTIFY (ssdp-sv.pcap frame 1, mixed-case "lOCATION")', () => {
  const b = payloadsFromPcap(trace('ssdp-sv.pcap'), 'udp', 1900)[0].bytes;
  const m = parseMessage(b, 0, b.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.equal(m.value.kind, 'notify');
  assert.equal(header(m.value, 'location'), 'http://192.168.1.1:7406/rootDesc.xml');
  assert.equal(header(m.value, 'bootid.upnp.org'), '1');
  assert.equal(m.value.headers.length, 11);
});

test('ssdp analyzer: the suricata-verify SSDP packet is SSDP (not SIP), with its NOTIFY fields', () => {
  const d = payloadsFromPcap(trace('ssdp-sv.pcap'), 'udp', 1900);
  assert.equal(ssdp.probe(d[0].bytes, 0, { transport: 'udp', origPort: 1900, respPort: 1900 }), 'yes');
  const res = runAnalyzer(ssdp, d, info);
  assert.deepEqual(res.events.map((e) => [e.type, e.fields]), [['ssdp.notify', {
    nt: 'upnp:rootdevice', nts: 'ssdp:alive', usn: 'uuid:04645c3d-e6b4-4eea-bd35-5c320c12969f::upnp:rootdevice',
    location: 'http://192.168.1.1:7406/rootDesc.xml',
    server: 'UPnP/Tomato 1.28.7500 MIPSR2Toastman-RT K26 USB Ext UPnP/1.0 MiniUPnPd/1.6',
    cache_control: 'max-age=120', host: '239.255.255.250:1900',
  }]]);
});

test('ssdp analyzer: nDPI ssdp-m-search.pcap, 19 bare M-SEARCH on port 32412 (nDPI .out: SSDP, 19 packets)', () => {
  const d = payloadsFromPcap(trace('ssdp-m-search.pcap'), 'udp', 32412);
  assert.equal(d.length, 19);
  const onPlexPort = { transport: 'udp', origPort: 42253, respPort: 32412 } as const;
  assert.ok(d.every((x) => ssdp.probe(x.bytes, 0, onPlexPort) === 'yes'));
  const res = runAnalyzer(ssdp, d, onPlexPort);
  assert.equal(res.events.length, 19);
  assert.ok(res.events.every((e) => e.type === 'ssdp.msearch' && Object.keys(e.fields).length === 0));
  assert.deepEqual(res.anomalies, []);
});

test('ssdp analyzer: D-Link camera M-SEARCH for an Internet gateway (dlink-cam-msearch.pcap frame 1)', () => {
  const res = runAnalyzer(ssdp, payloadsFromPcap(trace('dlink-cam-msearch.pcap'), 'ssdp', 1900), { ...info, origPort: 1900 });
  assert.deepEqual(res.events[0], {
    type: 'ssdp.msearch', frame: 1,
    fields: { st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', man: '"ssdp:discover"', mx: 3, host: '239.255.255.250:1900' },
  });
});

test('ssdp analyzer agrees with tshark on WeMo and Hue NOTIFYs (SERVER, LOCATION, NT, USN)', () => {
  const cases: [string, string][] = [['wemo-switch.pcap', 'Unspecified, UPnP/1.0, Unspecified'], ['hue-bridge.pcap', 'Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0']];
  for (const [file, server] of cases) {
    const res = runAnalyzer(ssdp, payloadsFromPcap(trace(file), 'ssdp', 1900), info);
    const out = execFileSync('tshark', ['-r', trace(file), '-Y', 'ssdp', '-T', 'fields', '-e', 'frame.number', '-e', 'http.server', '-e', 'http.location'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.equal(res.events.length, rows.length, file);
    assert.ok(rows.length >= 16);
    for (const [i, [frame, srv, loc]] of rows.entries()) {
      const e = res.events[i];
      assert.equal(e.frame, Number(frame));
      assert.equal(e.type, 'ssdp.notify');
      assert.equal(e.fields.server, srv);
      assert.equal(e.fields.server, server);
      assert.equal(e.fields.location, loc);
      assert.equal(e.fields.nts, 'ssdp:alive');
    }
    assert.deepEqual(res.anomalies, []);
  }
  const wemo = runAnalyzer(ssdp, payloadsFromPcap(trace('wemo-switch.pcap'), 'frame.number==7', 1900), info).events[0].fields;
  assert.deepEqual([wemo.nt, wemo.usn], ['urn:Belkin:device:controllee:1', 'uuid:Socket-1_0-221519K1100F55::urn:Belkin:device:controllee:1']);
});

test('search responses, caps and non-SSDP start lines', () => {
  // No shared capture holds a unicast M-SEARCH response; this one reuses the WeMo NOTIFY values.
  const response = text('HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=86400\r\nEXT:\r\nLOCATION: http://10.10.10.252:49153/setup.xml\r\n' +
    'SERVER: Unspecified, UPnP/1.0, Unspecified\r\nST: upnp:rootdevice\r\nUSN: uuid:Socket-1_0-221519K1100F55::upnp:rootdevice\r\n\r\n');
  const resp = { transport: 'udp', origPort: 1900, respPort: 50000 } as const;
  assert.equal(ssdp.probe(response, 0, resp), 'yes');
  assert.equal(ssdp.probe(text('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 0, resp), 'no');
  assert.equal(ssdp.probe(text('INVITE sip:bob@example.com SIP/2.0\r\n'), 0, resp), 'no');
  const res = runAnalyzer(ssdp, [{ dir: 0, bytes: response }], resp);
  assert.deepEqual(res.events[0].fields, {
    status: 200, st: 'upnp:rootdevice', usn: 'uuid:Socket-1_0-221519K1100F55::upnp:rootdevice',
    location: 'http://10.10.10.252:49153/setup.xml', server: 'Unspecified, UPnP/1.0, Unspecified', cache_control: 'max-age=86400',
  });
  const small = createSsdp({ maxHeaders: 2, maxLineLength: 80 });
  assert.deepEqual(runAnalyzer(small, [{ dir: 0, bytes: response }], resp).anomalies, ['app.ssdp.too_many_headers']);
  const long = text(`NOTIFY * HTTP/1.1\r\nSERVER: ${'x'.repeat(100)}\r\n\r\n`);
  assert.deepEqual(runAnalyzer(small, [{ dir: 0, bytes: long }], resp).anomalies, ['app.ssdp.line_too_long']);
});

test('fuzz: SSDP parser and analyzer never throw', () => {
  const seeds = [...payloadsFromPcap(trace('wemo-switch.pcap'), 'ssdp', 1900), ...payloadsFromPcap(trace('ssdp-sv.pcap'), 'udp', 1900)].map((d) => d.bytes);
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz(seeds, (b) => {
    parseMessage(b, 0, b.length);
    ssdp.probe(b, 0, info);
    ssdp.data(null, 0, b, ctx);
  });
});
