/**
 * The typed event contract: a subscriber's handler gets the record type of its event, derived from the same
 * spec the docs and JSON Schema come from. Type-checked by `npm run check` (tsc): the @ts-expect-error lines
 * fail the check if the contract stops catching a wrong field; run here on a real trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../src/pipeline/analyze.ts';
import { eventSpecs } from '../src/events/catalogue.ts';
import type { EventOf, EventType } from '../src/events/map.ts';

const telnetTrace = fileURLToPath(new URL('traces/app-login/telnet-raw.pcap', import.meta.url));

test('typed subscribers: telnet.login fields come typed from the spec, on the real telnet trace', async () => {
  const logins: { user: string | undefined; attempt: number; uid: string | undefined }[] = [];
  const p = new Pipeline();
  p.on('telnet.login', (ev) => {
    const user: string | undefined = ev.username; // optional in the spec → string | undefined
    const attempt: number = ev.attempt; // required → number
    // @ts-expect-error: not a field of telnet.login
    void ev.qname;
    // @ts-expect-error: attempt is a number, not a string
    const wrong: string = ev.attempt;
    void wrong;
    logins.push({ user, attempt, uid: ev.uid });
  });
  p.on('dns.query', (ev) => {
    const name: string = ev.qname;
    void name;
  });
  await p.run([telnetTrace]);
  // CredSLayer's expected output for telnet-raw.pcap: one login, fake/user.
  assert.equal(logins.length, 1);
  assert.equal(logins[0].user, 'fake');
  assert.equal(logins[0].attempt, 1);
  assert.match(logins[0].uid ?? '', /^C[0-9A-Za-z]{17}$/);
});

test('every catalogued event type is a key of the typed map (and nothing else is)', () => {
  // A compile-time list would drift; the runtime catalogue and the type map are built from the same lists.
  const sample: EventType[] = ['telnet.login', 'dns.query', 'dhcp.request', 'flow.start', 'flow.end', 'arp.reply', 'mqtt.connect'];
  const specs = eventSpecs();
  for (const t of sample) assert.ok(specs.has(t), t);
  const ev: EventOf<'dhcp.request'> = { type: 'dhcp.request', ts: 0, file: 'x', packet: 1, xid: 1, client_mac: '', ciaddr: '', yiaddr: '', siaddr: '', options: [] };
  assert.equal(ev.type, 'dhcp.request');
});
