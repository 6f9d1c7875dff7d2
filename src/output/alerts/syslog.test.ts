// Syslog output against a real receiver: Debian's rsyslogd on loopback parses each message with its
// RFC 5424 parser and writes the fields it extracted. The finding comes from a real capture
// (test/traces/app-login/telnet-raw.pcap, CredSLayer sample: telnet login fake/user in clear).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeCaptures } from '../../engine/analyze-captures.ts';
import type { Finding } from '../../detect/types.ts';
import { AlertDispatcher } from './dispatcher.ts';
import { alertLine, cefMessage } from './format.ts';
import { SyslogOutput, syslogMessage } from './syslog.ts';
import { hasRsyslog, startRsyslog, type Rsyslog } from '../../../test/support/receivers.ts';
import { tsharkFields } from '../../../test/support/tshark.ts';

const trace = join(import.meta.dirname, '../../../test/traces/app-login/telnet-raw.pcap');
let finding: Finding;
let rsyslog: Rsyslog | undefined;

before(async () => {
  const result = await analyzeCaptures([trace]);
  const f = result.findings.find((x) => x.detector === 'credentials.cleartext');
  assert.ok(f, 'the telnet login is a cleartext-credential finding');
  finding = f;
  if (hasRsyslog()) rsyslog = await startRsyslog();
});
after(async () => rsyslog?.stop());

test('RFC 5424 over UDP and TCP: rsyslog extracts host, app, msgid, structured data, severity and facility', async (t) => {
  if (!rsyslog) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const [client] = tsharkFields(trace, 'telnet', ['ip.src']).map((r) => r[0]);
  const udp = new SyslogOutput({ transport: 'udp', host: '127.0.0.1', port: rsyslog.udpPort });
  const tcp = new SyslogOutput({ transport: 'tcp', host: '127.0.0.1', port: rsyslog.tcpPort, facility: 4 });
  const d = new AlertDispatcher().add(udp, { minSeverity: 'info' }).add(tcp, { minSeverity: 'info' });
  d.publish({ kind: 'raised', finding, sensor: 'home-sensor-1' });
  await d.close();
  const lines = await rsyslog.waitFor(2);
  assert.equal(lines.length, 2, lines.join('\n'));
  const sd = `[bulwark@32473 id="${finding.id}" detector="credentials.cleartext" severity="${finding.severity}" category="${finding.category}" count="${finding.count}"`;
  const expectSeverity = { critical: 'crit', high: 'err', medium: 'warning', low: 'notice', info: 'info' }[finding.severity];
  const byFacility = Object.fromEntries(lines.map((l) => [l.split('|')[7], l.split('|')]));
  for (const [facility, fields] of Object.entries({ local0: byFacility.local0, auth: byFacility.auth })) {
    assert.ok(fields, `a message with facility ${facility}`);
    const [host, app, procid, msgid, structured, msg, severity] = fields;
    assert.equal(host, 'home-sensor-1');
    assert.equal(app, 'bulwark');
    assert.equal(procid, String(process.pid));
    assert.equal(msgid, 'finding.raised');
    assert.ok(structured.startsWith(sd), structured);
    assert.ok(finding.devices.some((dv) => dv.ip === client), 'the telnet client named by tshark is a device of the finding');
    assert.equal(msg, alertLine({ kind: 'raised', finding, sensor: 'home-sensor-1' }));
    assert.equal(severity, expectSeverity);
  }
  assert.deepEqual(d.counters().syslog.sent, 1);
});

test('CEF body: header fields and extension escaped as the CEF spec says; rsyslog keeps the body intact', async (t) => {
  if (!rsyslog) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const tricky: Finding = { ...finding, title: 'pipe | and back\\slash', explanation: 'a=b\nnext line' };
  const cef = cefMessage({ kind: 'raised', finding: tricky, sensor: 's' });
  assert.ok(cef.startsWith(`CEF:0|Bulwark|Bulwark|0.1.0|credentials.cleartext|pipe \\| and back\\\\slash|`), cef);
  assert.ok(cef.includes('msg=a\\=b\\nnext line'), cef);
  const before = rsyslog.lines().length;
  const out = new SyslogOutput({ transport: 'tcp', host: '127.0.0.1', port: rsyslog.tcpPort, body: 'cef', framing: 'lf' });
  await out.send({ kind: 'closed', finding, sensor: 's' });
  await out.close();
  const lines = await rsyslog.waitFor(before + 1);
  const msg = lines[before].split('|').slice(5, -2).join('|');
  assert.equal(msg, cefMessage({ kind: 'closed', finding, sensor: 's' }));
  assert.match(lines[before], /\|finding\.closed\|/);
});

test('message text: RFC 5424 header shape, structured-data escaping', () => {
  const f: Finding = { ...finding, id: 'x"]\\y' };
  const m = syslogMessage({ kind: 'updated', finding: f, sensor: 'my sensor' }, { body: 'plain', facility: 16 }, '42');
  assert.match(m, /^<\d+>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z my_sensor bulwark 42 finding\.updated \[bulwark@32473 id="x\\"\\]\\\\y" /);
});
