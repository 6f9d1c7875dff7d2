/**
 * A connection longer than the active timeout: its record is cut every hour (reason 'active'), the
 * connection goes on with its application protocol and analyzer state. GENERATED traffic (no public
 * capture spans 30 hours): an IRC bot session following RFC 2812 (NICK/USER, JOIN, PING/PONG every 4
 * minutes as servers send them, PRIVMSG commands) for 30 hours, and a telnet login whose dialogue straddles the one-hour cut
 * (the prompt before it, the typed user name and password after it: only kept analyzer state can pair
 * them). Documentation addresses (RFC 5737); nothing is sent, frames go to an in-memory pcap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline } from '../../src/pipeline/analyze.ts';
import type { FlowRecord } from '../../src/flow/types.ts';
import { ethernet, ipv4, pcapFile, tcp, type Frame } from '../traces/detect-net/pcap-writer.ts';

const CLIENT = [192, 0, 2, 10];
const SERVER = [198, 51, 100, 20];
const CMAC = [0x02, 0, 0, 0, 0, 0x0a];
const SMAC = [0x02, 0, 0, 0, 0, 0x14];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A TCP conversation: handshake, then the given messages, each acknowledged; seq numbers follow the bytes. */
function conversation(sport: number, dport: number, messages: [number, boolean, Uint8Array][]): Frame[] {
  const frames: Frame[] = [];
  let cseq = 1000;
  let sseq = 5000;
  let id = 1;
  const push = (ts: number, fromClient: boolean, flags: number, payload?: Uint8Array): void => {
    const [src, dst, smac, dmac] = fromClient ? [CLIENT, SERVER, CMAC, SMAC] : [SERVER, CLIENT, SMAC, CMAC];
    const seg = tcp(src, dst, { sport: fromClient ? sport : dport, dport: fromClient ? dport : sport, seq: fromClient ? cseq : sseq, ack: fromClient ? sseq : cseq, flags, payload });
    frames.push({ ts, bytes: ethernet(smac, dmac, ipv4(src, dst, 6, seg, id++)) });
    const len = (payload?.length ?? 0) + (flags & 2 ? 1 : 0);
    if (fromClient) cseq += len;
    else sseq += len;
  };
  const t0 = messages[0][0] - 0.2;
  push(t0, true, 2);
  push(t0 + 0.05, false, 18);
  push(t0 + 0.1, true, 16);
  for (const [ts, fromClient, payload] of messages) {
    if (payload.length === 0) {
      push(ts, fromClient, 16); // a bare ACK: TCP keepalive
      continue;
    }
    push(ts, fromClient, 24, payload);
    push(ts + 0.01, !fromClient, 16);
  }
  return frames;
}

const T0 = 1_767_225_600; // 2026-01-01 00:00:00 UTC

test('a 30-hour IRC session: one record per hour, every record irc, every message an event, state kept', async () => {
  const messages: [number, boolean, Uint8Array][] = [
    [T0, true, enc('NICK [x86|US|4821]\r\nUSER x86 localhost localhost :bot\r\n')],
    [T0 + 1, false, enc(':irc.example.net 001 [x86|US|4821] :Welcome\r\n')],
    [T0 + 2, true, enc('JOIN #b0ts\r\n')],
  ];
  let sent = 4; // NICK, USER, 001, JOIN
  for (let t = T0 + 240; t < T0 + 30 * 3600; t += 240) {
    messages.push([t, false, enc(`PING :${t}\r\n`)], [t + 1, true, enc(`PONG :${t}\r\n`)], [t + 2, false, enc(`:herder!h@203.0.113.7 PRIVMSG #b0ts :!scan ${t}\r\n`)]);
    sent += 3;
  }
  const flows = await run<number>(conversation(49152, 6667, messages), (p, events) => p.on('irc.message', (ev) => events.push(ev.ts)));
  const { records, events } = flows;
  assert.equal(events.length, sent, 'every IRC message of the 30 hours became an event');
  assert.ok(events.at(-1)! > T0 + 29 * 3600);
  assert.equal(records.length, 30); // one record per started hour (activeTimeoutS 3600)
  assert.ok(records.every((r) => r.app === 'irc'), JSON.stringify(records.map((r) => r.app)));
  assert.deepEqual(records.slice(0, -1).map((r) => r.end_reason), Array(29).fill('active'));
  assert.ok(records.every((r) => r.orig_ip === '192.0.2.10' && r.orig_port === 49152), 'orientation kept');
  assert.equal(new Set(records.map((r) => r.uid)).size, 30, 'each record its own uid');
  assert.equal(records.reduce((n, r) => n + r.orig_pkts + r.resp_pkts, 0), flows.packets);
});

test('a telnet login typed after the one-hour cut is still paired with the prompt shown before it', async () => {
  const IAC = 255, DO = 253, WILL = 251;
  const messages: [number, boolean, Uint8Array][] = [
    [T0, false, Uint8Array.from([IAC, DO, 24, IAC, WILL, 1, IAC, WILL, 3])],
    [T0 + 1, true, Uint8Array.from([IAC, WILL, 24, IAC, DO, 1, IAC, DO, 3])],
    // Quiet for an hour but for TCP keepalives (the idle timeout is 300 s).
    ...Array.from({ length: 29 }, (_, i): [number, boolean, Uint8Array] => [T0 + 120 * (i + 1), true, new Uint8Array(0)]),
    [T0 + 3590, false, enc('\r\nrouter login: ')],
    [T0 + 3610, true, enc('admin\r\n')], // after the active timeout: a new record from here
    [T0 + 3611, false, enc('Password: ')],
    [T0 + 3615, true, enc('s3cret\r\n')],
    [T0 + 3616, false, enc('\r\nBusyBox v1.24.2 built-in shell (ash)\r\n# ')],
  ];
  const { records, events } = await run(conversation(40000, 23, messages), (p, evs) => p.on('telnet.login', (ev) => evs.push({ user: ev.username, password: ev.password, success: ev.success })));
  assert.deepEqual(records.map((r) => [r.app, r.end_reason]), [['telnet', 'active'], ['telnet', 'end_of_input']]);
  assert.deepEqual(events, [{ user: 'admin', password: 's3cret', success: true }]);
});

async function run<E>(frames: Frame[], subscribe: (p: Pipeline, events: E[]) => void): Promise<{ records: FlowRecord[]; events: E[]; packets: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-long-'));
  try {
    const path = join(dir, 'session.generated.pcap');
    writeFileSync(path, pcapFile(frames));
    const p = new Pipeline();
    const records: FlowRecord[] = [];
    const events: E[] = [];
    p.onFlow((f) => records.push(f));
    subscribe(p, events);
    const summary = await p.run([path]);
    return { records, events, packets: summary.packets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
