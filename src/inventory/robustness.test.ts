import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import { mutate, rng } from '../../test/support/mutate.ts';

const daycam = new URL('../../test/traces/inventory/dlink-daycam-setup-a1.pcap', import.meta.url).pathname;
const mac = 'b0:c5:54:1c:71:85';

/** Offset and length of the UDP payload of 1-based frame `n` of a little-endian Ethernet/IPv4 pcap. */
function udpPayload(pcap: Buffer, n: number): { off: number; len: number } {
  let at = 24;
  for (let i = 1; i < n; i++) at += 16 + pcap.readUInt32LE(at + 8);
  const caplen = pcap.readUInt32LE(at + 8);
  const frame = at + 16;
  const ihl = (pcap[frame + 14] & 0x0f) * 4;
  const off = frame + 14 + ihl + 8;
  return { off, len: frame + caplen - off };
}

// tshark on the fixture: frame 3 mDNS response (A, PTR, SRV, TXT), 13 DHCP Discover, 14 DHCP Request, 21 SSDP NOTIFY.
const frames = [3, 13, 14, 21];

test('mutated DHCP, mDNS and SSDP messages inside a real capture never break the inventory', async () => {
  const original = readFileSync(daycam);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-inv-fuzz-'));
  const next = rng(7);
  try {
    for (let i = 0; i < 120; i++) {
      const pcap = Buffer.from(original);
      for (const n of frames) {
        const { off, len } = udpPayload(pcap, n);
        const seed = pcap.subarray(off, off + len);
        const m = mutate(new Uint8Array(seed), next);
        // Same length on the wire: a truncated mutant is padded with zeros, an extended one cut.
        const out = new Uint8Array(len);
        out.set(m.subarray(0, len));
        pcap.set(out, off);
      }
      const file = join(dir, `m${i}.pcap`);
      writeFileSync(file, pcap);
      const inv = new Inventory();
      const p = new Pipeline();
      inv.attach(p);
      await p.run([file]);
      const devices = inv.devices();
      assert.equal(inv.stats().event_errors, 0);
      assert.ok(devices.some((d) => d.mac === mac), `iteration ${i}: device still found`);
      for (const d of devices) {
        assert.ok(d.evidence.length <= 64);
        for (const e of d.evidence) assert.doesNotMatch(e.value, /\p{Cc}/u, 'no control characters kept');
      }
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('events with fields of unexpected shapes are ignored, not thrown', () => {
  const inv = new Inventory();
  const base = { ts: 1, file: 'x', packet: 1, src_ip: '10.0.0.5', dst_ip: '10.0.0.1', src_port: 5353, dst_port: 5353 };
  const odd: unknown[] = [null, 7, 'x', [], [null, 1, 'a'], { name: 5 }, [{ name: '_x._tcp.local', type: 12 }, { type: 16, txt: 'md=no' }]];
  const types = ['dhcp.request', 'dhcp.ack', 'dns.query', 'dns.response', 'ssdp.notify', 'http.request', 'tls.client_hello', 'flow.start', 'arp.reply', 'ndp.neighbor_advert', 'dhcp6.message'];
  const fields = ['client_mac', 'host_name', 'param_list', 'answers', 'questions', 'server', 'usn', 'user_agent', 'ja4', 'sender_ip', 'sender_mac', 'target_address', 'link_layer_address', 'vendor_class', 'yiaddr', 'ttl', 'tcp_flags'];
  for (const type of types) for (const f of fields) for (const v of odd) inv.onEvent({ ...base, type, [f]: v });
  assert.ok(inv.devices().length >= 1);
  assert.equal(inv.stats().event_errors, 0, 'handlers check field types themselves');
});
