import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fuzz } from '../../../test/support/mutate.ts';
import { type Delivery, payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { noTimeouts, runPipeline } from '../../../test/support/run.ts';
import { createOpcua, opcua, policyName, probeOpcua } from './analyzer.ts';
import { parseChunkHeader, parseSecurityHeader } from './parser.ts';

const dir = new URL('../../../test/traces/opcua/', import.meta.url).pathname;
const ndpi = `${dir}ndpi-opc-ua.pcap`;
const info = { transport: 'tcp', origPort: 57420, respPort: 4840 } as const;

let deliveries: Delivery[] | undefined;
const flow = (): Delivery[] => (deliveries ??= payloadsFromPcap(ndpi, 'tcp.len > 0', 4840));
const frame = (n: number): Uint8Array => Uint8Array.from(flow().find((d) => d.frame === n)!.bytes);

test('nDPI opc-ua.pcap: every message as tshark dissects it (type, service, request id and handle, result, policy, mode, identity)', () => {
  const res = runAnalyzer(opcua, flow(), info);
  const rows = execFileSync('tshark', ['-r', ndpi, '-Y', 'opcua', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-E', 'separator=|',
    '-e', 'frame.number', '-e', 'opcua.transport.type', '-e', 'opcua.servicenodeid.numeric', '-e', 'opcua.security.rqid', '-e', 'opcua.RequestHandle',
    '-e', 'opcua.ServiceResult', '-e', 'opcua.security.spu', '-e', 'opcua.MessageSecurityMode', '-e', 'opcua.UserName', '-e', 'opcua.Password',
    '-e', 'opcua.ApplicationUri', '-e', 'opcua.loctext.Text', '-e', 'opcua.transport.endpoint', '-e', 'opcua.UserTokenType', '-e', 'opcua.transport.rbs'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).map((l) => l.split('|'));
  assert.equal(rows.length, 187);
  assert.deepEqual(res.anomalies, []);
  const byFrame = (f: number, type?: string) => res.events.filter((e) => e.frame === f && (!type || e.type === type));
  for (const [fr, type, nodeId, rqid, handle, result, spu, mode, user, password, appUri, appName, endpoint, tokenTypes, rbs] of rows) {
    const f = Number(fr);
    const at = `frame ${fr}`;
    if (type === 'HEL' || type === 'ACK') {
      const ev = byFrame(f)[0];
      assert.equal(ev.type, type === 'HEL' ? 'opcua.hello' : 'opcua.acknowledge', at);
      assert.equal(ev.fields.receive_buffer_size, Number(rbs), at);
      if (endpoint) assert.equal(ev.fields.endpoint_url, endpoint, at);
      continue;
    }
    const msg = byFrame(f, 'opcua.message')[0];
    assert.ok(msg, at);
    assert.deepEqual([msg.fields.message_type, msg.fields.type_id, msg.fields.request_id, msg.fields.request_handle, msg.fields.encrypted],
      [type, Number(nodeId), Number(rqid), Number(handle), false], at);
    if (result) assert.equal(msg.fields.status_code, result.split(',')[0], at);
    if (spu && f === 9) {
      const opn = byFrame(f, 'opcua.open_secure_channel')[0].fields;
      assert.deepEqual([opn.security_policy_uri, opn.security_mode], [spu, ['', 'None', 'Sign', 'SignAndEncrypt'][Number(mode)]], at);
    }
    // (One ReadResponse value also holds a UserName token, MyUserName: data read, not a login.)
    if (user && nodeId === '467') {
      const act = byFrame(f, 'opcua.activate_session')[0].fields;
      assert.deepEqual([act.identity_token, act.user_name, act.password_cleartext, Buffer.from(String(act.password)).toString('hex')], ['user_name', user, true, password], at);
    }
    if (tokenTypes) {
      const ep = byFrame(f).find((e) => e.type === 'opcua.get_endpoints_response' || e.type === 'opcua.create_session_response')!;
      const e0 = (ep.fields.endpoints as Record<string, unknown>[])[0];
      assert.equal(e0.application_uri, appUri, at);
      assert.equal(e0.application_name, appName, at);
      assert.equal(e0.security_mode, ['', 'None', 'Sign', 'SignAndEncrypt'][Number(mode)], at);
      assert.deepEqual(e0.user_token_types, tokenTypes.split(',').map((t) => ['anonymous', 'user_name', 'x509', 'issued'][Number(t)]), at);
    }
    if (appUri && nodeId === '461') assert.equal(byFrame(f, 'opcua.create_session')[0].fields.application_uri, appUri, at);
  }
  const services = res.events.filter((e) => e.type === 'opcua.message').map((e) => e.fields.service);
  assert.equal(services.filter((s) => s === 'ReadRequest').length, 87);
  assert.deepEqual(services.slice(0, 10), ['OpenSecureChannelRequest', 'OpenSecureChannelResponse', 'GetEndpointsRequest', 'GetEndpointsResponse',
    'CreateSessionRequest', 'CreateSessionResponse', 'ActivateSessionRequest', 'ActivateSessionResponse', 'ReadRequest', 'ReadResponse']);
  assert.deepEqual(res.events.filter((e) => e.type === 'opcua.activate_session_response').map((e) => e.fields.status), ['Good']);
});

test('nDPI opc-ua.pcap through the pipeline: the one OPC-UA flow of the .out', async () => {
  const out = readFileSync(`${dir}ndpi-opc-ua.pcap.out`, 'utf8');
  assert.match(out, /TCP 127\.0\.0\.1:57420 <-> 127\.0\.0\.1:4840 \[proto: 360\/OPC-UA\]/);
  const { summary, events } = await runPipeline([ndpi], { flow: noTimeouts });
  assert.equal(summary.apps.opcua, 1);
  assert.equal(events.filter((e) => e.type === 'opcua.activate_session').length, 1);
});

const sessions = `${dir}node-opcua-sessions.pcap`;
/** tshark's reading of every OPC UA message of the recorded sessions, in one run (tshark starts slowly). */
interface Row { frame: number; stream: string; toServer: boolean; type: string; spu: string; mode: string; service: number; user: string; alg: string; result: string; error: string; reason: string }
let sessionRows: Row[] | undefined;
const rows = (): Row[] => (sessionRows ??= fields(sessions, 'opcua', 'frame.number', 'tcp.stream', 'tcp.dstport', 'opcua.transport.type', 'opcua.security.spu',
  'opcua.MessageSecurityMode', 'opcua.servicenodeid.numeric', 'opcua.UserName', 'opcua.EncryptionAlgorithm', 'opcua.ServiceResult', 'opcua.transport.error', 'opcua.transport.reason')
  .map(([frame, stream, dport, type, spu, mode, service, user, alg, result, error, reason]) => ({
    frame: Number(frame), stream, toServer: dport === '4840', type, spu, mode, service: Number(service.split(',')[0] || 0), user, alg, result: result.split(',')[0], error, reason,
  })));
const fields = (path: string, filter: string, ...names: string[]): string[][] =>
  execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...names.flatMap((n) => ['-e', n])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((l) => l.split('|'));

test('node-opcua sessions (None, Sign, SignAndEncrypt; anonymous, user name, X.509, refused; ERR): policies, modes, identities and results as tshark reads them', async () => {
  const { events, summary } = await runPipeline([sessions], { flow: noTimeouts });
  assert.equal(summary.apps.opcua, 10);
  assert.ok(events.every((e) => e.src_ip === '192.168.77.10' || e.src_ip === '192.168.77.20'));
  assert.deepEqual(summary.anomalies, {});
  // OPN requests: tshark's SecurityPolicyUri and, where readable (policy None), MessageSecurityMode.
  const opn = rows().filter((r) => r.type === 'OPN' && r.toServer).map((r) => [String(r.frame), r.spu, r.mode]);
  const ours = events.filter((e) => e.type === 'opcua.open_secure_channel');
  assert.deepEqual(ours.map((e) => [e.packet, e.security_policy_uri, e.security_mode ?? '']),
    opn.map(([f, spu, mode]) => [Number(f), spu, mode ? ['', 'None', 'Sign', 'SignAndEncrypt'][Number(mode)] : '']));
  // ActivateSession: the four tshark can read (the SignAndEncrypt one is ciphertext to both).
  const act = rows().filter((r) => r.service === 467).map((r) => [String(r.frame), r.user, r.alg]);
  const acts = events.filter((e) => e.type === 'opcua.activate_session');
  assert.deepEqual(acts.map((e) => [e.packet, e.user_name ?? '', e.encryption_algorithm ?? '']), act.map(([f, u, alg]) => [Number(f), u, alg]));
  assert.deepEqual(acts.map((e) => [e.identity_token, e.security_policy, e.security_mode, e.password_cleartext]), [
    ['anonymous', 'None', 'None', undefined], ['user_name', 'None', 'None', false], ['user_name', 'None', 'None', false],
    ['anonymous', 'Basic256Sha256', 'Sign', undefined], ['x509', 'Basic256Sha256', 'Sign', undefined],
  ]);
  const res = rows().filter((r) => r.service === 470).map((r) => [String(r.frame), r.result]);
  assert.deepEqual(events.filter((e) => e.type === 'opcua.activate_session_response').map((e) => [e.packet, e.status_code]), res.map(([f, r]) => [Number(f), r]));
  // Every secure-channel message: where tshark decodes the service, Bulwark names the same one in clear; where tshark
  // sees ciphertext ("ServiceId 0": an OPN under Basic256Sha256, the SignAndEncrypt channel), Bulwark reports it encrypted.
  const services = new Map(rows().filter((r) => r.type === 'OPN' || r.type === 'MSG' || r.type === 'CLO').map((r) => [r.frame, r.service]));
  const messages = events.filter((e) => e.type === 'opcua.message');
  assert.equal(messages.length, services.size);
  for (const m of messages) {
    const id = services.get(m.packet);
    assert.deepEqual([m.encrypted, m.type_id], id ? [false, id] : [true, undefined], `frame ${m.packet}`);
  }
  assert.ok(messages.filter((m) => m.encrypted).length >= 10);
  // The raw HEL asking for a 1,024-byte buffer: the server's ERR as tshark reads it.
  const { error: errCode, reason: errReason } = rows().find((r) => r.type === 'ERR')!;
  const err = events.find((e) => e.type === 'opcua.error')!;
  assert.deepEqual([err.status_code, err.reason], [errCode, errReason]);
  assert.equal(events.find((e) => e.type === 'opcua.hello' && e.receive_buffer_size === 1024)?.src_ip, '192.168.77.20');
  // The server the client reached, from CreateSession's endpoint descriptions.
  const cs = events.find((e) => e.type === 'opcua.create_session_response')!;
  assert.equal(cs.application_uri, 'urn:bulwark:test:opcua-server');
  assert.deepEqual((cs.endpoints as Record<string, unknown>[]).map((e) => `${e.security_policy}/${e.security_mode}`), ['None/None', 'Basic256Sha256/Sign', 'Basic256Sha256/SignAndEncrypt']);
});

test('joined mid-connection: clear service messages are decoded, ciphertext is reported encrypted, neither is an anomaly', () => {
  const clear = runAnalyzer(opcua, flow().filter((d) => d.frame! >= 25), info);
  assert.deepEqual(clear.anomalies, []);
  assert.equal(clear.events.filter((e) => e.type === 'opcua.message' && e.fields.service === 'ReadRequest').length, 87);
  // The SignAndEncrypt channel's MSG chunks (tshark: "ServiceId 0"), without the OPN that opened it.
  const stream = rows().find((r) => r.type === 'MSG' && r.service === 0)!.stream;
  const deliveries = payloadsFromPcap(sessions, `tcp.stream==${stream} && opcua.transport.type=="MSG"`, 4840);
  const res = runAnalyzer(opcua, deliveries, info);
  assert.deepEqual(res.anomalies, []);
  assert.ok(res.events.length >= 8 && res.events.every((e) => e.type === 'opcua.message' && e.fields.encrypted === true));
});

/** Re-frame a real single-chunk message as `parts` chunks (IEC 62541-6 6.7.2: each chunk repeats the security and sequence headers). */
function chunked(whole: Uint8Array, parts: number, abortLast = false): Uint8Array[] {
  const h = parseChunkHeader(whole, 0, whole.length);
  assert.ok(h.status === 'ok');
  const sec = parseSecurityHeader(h.value.type, whole, 8, whole.length);
  assert.ok(sec.status === 'ok');
  const head = whole.subarray(0, sec.value.bodyOff);
  const body = whole.subarray(sec.value.bodyOff);
  const step = Math.ceil(body.length / parts);
  const out: Uint8Array[] = [];
  for (let i = 0; i < parts; i++) {
    const part = body.subarray(i * step, (i + 1) * step);
    const c = new Uint8Array(head.length + part.length);
    c.set(head);
    c.set(part, head.length);
    c[3] = (i === parts - 1 ? (abortLast ? 'A' : 'F') : 'C').charCodeAt(0);
    new DataView(c.buffer).setUint32(4, c.length, true);
    out.push(c);
  }
  return out;
}

test('multi-chunk messages are reassembled; an abort chunk drops the message; caps are anomalies', () => {
  const prefix = flow().filter((d) => d.frame! <= 11);
  const getEndpoints = frame(15); // GetEndpointsResponse, 504 bytes
  const three = chunked(getEndpoints, 3).map((bytes) => ({ dir: 1 as const, bytes }));
  const res = runAnalyzer(opcua, [...prefix, ...three], info);
  const ep = res.events.filter((e) => e.type === 'opcua.get_endpoints_response');
  assert.equal(ep.length, 1);
  assert.equal((ep[0].fields.endpoints as Record<string, unknown>[])[0].application_uri, 'urn:open62541.server.application');
  assert.equal(res.events.filter((e) => e.type === 'opcua.message').at(-1)!.fields.chunks, 3);
  const aborted = runAnalyzer(opcua, [...prefix, ...chunked(getEndpoints, 2, true).map((bytes) => ({ dir: 1 as const, bytes }))], info);
  assert.equal(aborted.events.filter((e) => e.type === 'opcua.get_endpoints_response').length, 0);
  // A chunk above maxChunk arriving in pieces is skipped (one delivered whole needs no buffer and is decoded).
  const split = [{ dir: 1 as const, bytes: getEndpoints.subarray(0, 100) }, { dir: 1 as const, bytes: getEndpoints.subarray(100) }];
  const small = runAnalyzer(createOpcua({ maxChunk: 256, maxMessage: 300, maxEndpoints: 16 }), [...prefix, ...three, ...split, { dir: 1, bytes: frame(27) }], info);
  assert.deepEqual(small.anomalies, ['app.opcua.message_too_large', 'app.opcua.chunk_too_large']);
  assert.equal(small.events.filter((e) => e.type === 'opcua.get_endpoints_response').length, 0);
  assert.equal(small.events.at(-1)!.fields.service, 'ReadResponse', 'framing resumes after the skipped chunk');
});

test('an OPN under a policy other than None is encrypted: reported with its policy, not decoded', () => {
  // Frame 9's OPN rebuilt with the policy URI Basic256Sha256 (its body bytes stand in for the ciphertext).
  const opn = frame(9);
  const uri = 'http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256';
  const oldUriLen = new DataView(opn.buffer, opn.byteOffset).getInt32(12, true);
  const rest = opn.subarray(16 + oldUriLen);
  const b = new Uint8Array(16 + uri.length + rest.length);
  b.set(opn.subarray(0, 12));
  new DataView(b.buffer).setInt32(12, uri.length, true);
  b.set(new TextEncoder().encode(uri), 16);
  b.set(rest, 16 + uri.length);
  new DataView(b.buffer).setUint32(4, b.length, true);
  const res = runAnalyzer(opcua, [{ dir: 0, bytes: frame(5) }, { dir: 0, bytes: b }], info);
  const ev = res.events.find((e) => e.type === 'opcua.open_secure_channel')!.fields;
  assert.equal(ev.security_policy, 'Basic256Sha256');
  assert.equal(ev.security_mode, undefined);
  assert.equal(res.events.find((e) => e.type === 'opcua.message')!.fields.encrypted, true);
  assert.equal(policyName('http://opcfoundation.org/UA/SecurityPolicy#None'), 'None');
});

test('probe: HEL/ACK/OPN say yes, other secure-channel messages maybe, anything else no', () => {
  assert.equal(probeOpcua(frame(5)), 'yes');
  assert.equal(probeOpcua(frame(7)), 'yes');
  assert.equal(probeOpcua(frame(9)), 'yes');
  assert.equal(probeOpcua(frame(25)), 'maybe');
  assert.equal(probeOpcua(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')), 'no');
  assert.equal(probeOpcua(Uint8Array.from([0x48, 0x45, 0x4c, 0x46, 0x04, 0, 0, 0])), 'no'); // size 4 < 8
});

test('fuzz: OPC UA parsers and analyzer never throw', () => {
  const seeds = [5, 7, 9, 11, 15, 17, 19, 21, 23, 25, 27].map(frame);
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz(seeds, (b) => {
    opcua.probe(b, 0, info);
    const s = opcua.newState();
    opcua.data(s, 0, frame(9), ctx);
    opcua.data(s, 0, b, ctx);
    opcua.data(s, 1, b, ctx);
  }, 3000);
});
