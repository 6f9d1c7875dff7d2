/**
 * What the inventory takes from dns.query / dns.response events, read in place (no lists of questions or records
 * made per event) with names and TXT strings remembered per text: the same evidence as docs/devices.md gives, on
 * events of odd shapes (non-object entries, more than 64 questions or records, no questions at all).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';

const A = '00:11:22:33:44:01';
const noIdentification = () => ({ type: 'unknown' as const, type_confidence: 0, because: [], decided_by: 'rules' as const });

function inventory(): Inventory {
  const inv = new Inventory({ identify: noIdentification, localNets: ['10.0.0.0/8'], maxEvidencePerDevice: 200, maxEvidencePerSignal: 200 });
  inv.onEvent({ type: 'arp.reply', ts: 0, file: 't.pcap', packet: 0, sender_ip: '10.0.0.5', sender_mac: A });
  return inv;
}

function dns(type: string, ts: number, port: number, fields: Record<string, unknown>): EventRecord {
  return { type, ts, file: 't.pcap', packet: ts, src_ip: '10.0.0.5', src_port: port, dst_ip: '10.0.0.1', dst_port: port, ...fields };
}

const evidence = (inv: Inventory, signal: string) =>
  inv.devices().find((d) => d.id === `mac:${A}`)!.evidence.filter((e) => e.signal === signal).map((e) => [e.value, e.ts]);

test('dns.query: every question object of the first 64 is a name; without one, the qname', () => {
  const inv = inventory();
  const questions: unknown[] = ['x', null, { qname: 'Example.COM.' }, 7, { qname: 'a.local' }, { qname: 'b.arpa' }, { qname: 42 }];
  for (let i = 0; i < 70; i++) questions.push({ qname: `h${i}.example.org` });
  inv.onEvent(dns('dns.query', 1, 53, { qname: 'ignored.example.net', questions }));
  inv.onEvent(dns('dns.query', 2, 53, { qname: 'only.example.net', questions: ['not', 'objects'] }));
  inv.onEvent(dns('dns.query', 3, 53, { qname: 'EXAMPLE.com' }));
  // 64 entries read: 3 that are not objects, a .local and an .arpa name (no domains), a qname that is no text,
  // and 57 of the h… names; the third query's name is example.com again.
  const expected = [['example.com', 1], ...Array.from({ length: 57 }, (_, i) => [`h${i}.example.org`, 1]), ['only.example.net', 2]];
  assert.deepEqual(evidence(inv, 'dns.query'), expected);
  const d = inv.devices().find((x) => x.id === `mac:${A}`)!;
  assert.equal(d.talks_to.domains.length, 59);
});

test('mDNS: queries, then service types, .local host names and model TXT strings from answers, authority and additional', () => {
  const inv = inventory();
  const txt = ['md=Model X', 'MFG=Acme', 'path=/', '=x', 'vendor', ' ty=Printer '];
  inv.onEvent(dns('dns.query', 1, 5353, {
    qname: 'Printer._ipp._tcp.local', questions: [{ qname: 'Printer._IPP._tcp.local' }],
    answers: [{ name: '_ipp._tcp.local', type: 12 }, 'junk'],
    authority: [{ name: 'Printer.local.', type: 1 }, { name: 'server.example.com', type: 1 }],
  }));
  inv.onEvent(dns('dns.response', 2, 5353, {
    answers: [{ name: 'Scanner._uscan._tcp.local', type: 33, target: 'Box-2.local.' }, { name: 'Printer._ipp._tcp.local', type: 16, txt }],
    additional: [{ name: 'box-3.LOCAL', type: 28 }],
    authority: [{ name: '_http._tcp.local.', type: 12 }],
  }));
  // Again: remembered texts give the same evidence (earliest sighting kept).
  inv.onEvent(dns('dns.response', 3, 5353, { answers: [{ name: 'Printer._ipp._tcp.local', type: 16, txt }, { name: 'box-4.local', type: 1 }] }));
  assert.deepEqual(evidence(inv, 'mdns.query'), [['printer._ipp._tcp.local', 1]]);
  assert.deepEqual(evidence(inv, 'mdns.service'), [['_ipp._tcp', 1], ['_uscan._tcp', 2], ['_http._tcp', 2]]);
  assert.deepEqual(evidence(inv, 'mdns.txt'), [['md=Model X', 2], ['MFG=Acme', 2], ['ty=Printer', 2]]);
  assert.deepEqual(inv.devices().find((x) => x.id === `mac:${A}`)!.hostnames, ['printer', 'box-2', 'box-3', 'box-4']);
});

test('dns.response: a PTR answer of a local reverse name names that address\'s device; other answers do not', () => {
  const inv = inventory();
  inv.onEvent(dns('dns.response', 1, 53, {
    answers: ['junk', { name: '5.0.0.10.in-addr.arpa.', type: 12, data: 'nas.lan' }, { name: '8.8.8.8.in-addr.arpa', type: 12, data: 'dns.google' },
      { name: '6.0.0.10.in-addr.arpa', type: 1, data: 'x' }],
  }));
  assert.deepEqual(evidence(inv, 'dns.ptr'), [['nas.lan', 1]]);
  assert.deepEqual(inv.devices().find((x) => x.id === `mac:${A}`)!.hostnames, ['nas']);
});
