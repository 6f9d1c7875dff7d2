// LLDP MUD URL TLV (RFC 8520 section 10) on generated frames that tshark decodes the same way, and robustness of
// every MUD parser on mutated real input (never throws, never hangs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { announcedInCaptures, lldpMudUrl } from './lldp.ts';
import { parseMud } from './document.ts';
import { mudUrlFromCertificate } from './import.ts';
import { mutate, rng } from '../../test/support/mutate.ts';

const trace = new URL('../../test/traces/mud/lldp-mud-url.generated.pcap', import.meta.url).pathname;

test('the MUD URL TLV of frame 1 (tshark lldp.iana.mudurl), none in frame 2, frame 3 malformed', async () => {
  const { found, anomalies } = await announcedInCaptures([trace]);
  assert.deepEqual(found.map((f) => [f.mac, f.url, f.packet]), [['02:00:5e:10:00:01', 'https://luminaire.example.com/Luminaire_150', 1]]);
  assert.deepEqual(anomalies, { 'mud.lldp.truncated_tlv': 1 });
});

test('robustness: mutated LLDP frames, MUD files and certificates never throw', () => {
  const pcap = readFileSync(trace);
  const frame = pcap.subarray(40, 40 + pcap.readUInt32LE(32));
  const mud = Buffer.from(readFileSync(new URL('../../../shared/reference/mud/cisco-mud-manager/Luminaire_150.json', import.meta.url)));
  const next = rng(8520);
  for (let i = 0; i < 3000; i++) {
    const m = mutate(frame, next);
    assert.doesNotThrow(() => lldpMudUrl(m, 0, m.length));
    const c = mutate(frame, next);
    assert.doesNotThrow(() => mudUrlFromCertificate(c));
  }
  for (let i = 0; i < 300; i++) {
    const m = mutate(mud, next);
    assert.doesNotThrow(() => parseMud(Buffer.from(m).toString('utf8')));
  }
});
