/**
 * Issue #11, fault 2 (TCP evasion): streams start from the handshake (ISN + 1), out-of-order segments are
 * buffered, duplicates and overlaps trimmed under a stated policy, losses (a missing first or last segment
 * too) counted as gaps. Real sessions from test/traces are rewritten (reordered, duplicated, overlapped, cut)
 * and the bytes the pipeline delivers are compared with tshark's reassembled payload of the original session
 * (`tshark -z follow,tcp,raw,N`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSegments, deliveredStreams, payloadOf, readPcap, tcpSeg, tsharkStreams, withPayload, writePcap, type Rec, type TcpSeg } from './tcp-mutate.ts';
import { rng } from './floods.ts';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';

const traces = ['http-basic-auth.pcap', 'telnet-raw.pcap', 'mqtt311-pub-userpass.pcap']
  .map((f) => join(import.meta.dirname, '../traces/pipeline', f));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-tcp-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, header: Buffer, recs: readonly Rec[]): string {
  const path = join(dir, name);
  writeFileSync(path, writePcap(header, recs));
  return path;
}

/** Data segments grouped by direction, in capture order. */
function byDirection(segs: readonly TcpSeg[]): Map<string, TcpSeg[]> {
  const m = new Map<string, TcpSeg[]>();
  for (const s of segs) m.set(s.dirKey, [...(m.get(s.dirKey) ?? []), s]);
  return m;
}

/** Every stream of `path` as delivered equals tshark's reassembly of `reference` (same sessions). */
const tsharkCache = new Map<string, Map<string, [Buffer, Buffer]>>();
const tsharkOf = (path: string): Map<string, [Buffer, Buffer]> => {
  if (!tsharkCache.has(path)) tsharkCache.set(path, tsharkStreams(path));
  return tsharkCache.get(path)!;
};

async function assertSameAsTshark(path: string, reference: string): Promise<Record<string, number>> {
  const expected = tsharkOf(reference);
  const { streams, summary } = await deliveredStreams(path);
  assert.ok(streams.length > 0);
  for (const s of streams) {
    const want = expected.get(s.ports);
    assert.ok(want, `tshark has no stream ${s.ports}`);
    assert.ok(s.bytes[0].equals(want[0]), `${s.ports} client bytes differ (${s.bytes[0].length} vs ${want[0].length})`);
    assert.ok(s.bytes[1].equals(want[1]), `${s.ports} server bytes differ (${s.bytes[1].length} vs ${want[1].length})`);
    assert.deepEqual(s.gaps, [0, 0]);
  }
  assert.equal(streams.length, [...expected.values()].filter(([a, b]) => a.length + b.length > 0).length);
  return summary.reassembly;
}

for (const trace of traces) {
  const name = trace.split('/').pop()!;
  const { header, recs } = readPcap(readFileSync(trace));
  const dirs = byDirection(dataSegments(recs));

  test(`${name}: every pair of data segments swapped (the first two included) → tshark's stream`, async () => {
    const out = [...recs];
    for (const segs of dirs.values()) {
      for (let i = 0; i + 1 < segs.length; i += 2) [out[segs[i].index], out[segs[i + 1].index]] = [recs[segs[i + 1].index], recs[segs[i].index]];
    }
    const r = await assertSameAsTshark(save(`swap-${name}`, header, out), trace);
    if ([...dirs.values()].some((s) => s.length > 1)) assert.ok(r.outOfOrderSegments > 0);
  });

  test(`${name}: duplicated segments → tshark's stream, duplicates counted as overlap`, async () => {
    const next = rng(3);
    const copies = new Map<number, Rec>();
    let dupBytes = 0;
    for (const segs of dirs.values()) for (const s of segs) if (next() < 0.5) { copies.set(s.index, recs[s.index]); dupBytes += s.payloadLen; }
    const out = recs.flatMap((r, i) => (copies.has(i) ? [r, r] : [r]));
    const r = await assertSameAsTshark(save(`dup-${name}`, header, out), trace);
    assert.equal(r.overlapBytes, dupBytes);
  });

  test(`${name}: segments split into overlapping pieces, later piece first → tshark's stream`, async () => {
    const out: Rec[] = [];
    let overlap = 0;
    const segOf = new Map([...dirs.values()].flat().map((s) => [s.index, s]));
    recs.forEach((r, i) => {
      const s = segOf.get(i);
      if (!s || s.payloadLen < 3) { out.push(r); return; }
      const p = payloadOf(r, s);
      const a = Math.floor(p.length / 3), b = Math.ceil((2 * p.length) / 3);
      out.push(withPayload(r, s, s.seq + a, p.subarray(a)), withPayload(r, s, s.seq, p.subarray(0, b)));
      overlap += b - a;
    });
    const r = await assertSameAsTshark(save(`overlap-${name}`, header, out), trace);
    assert.equal(r.overlapBytes, overlap);
    assert.equal(r.conflictBytes, 0);
  });

  test(`${name}: first and last data segment of each direction lost → counted as gaps, the rest intact`, async () => {
    const expected = tsharkOf(trace);
    const dropped = new Set<number>();
    let lost = 0;
    const cut = new Map<string, [number, number]>();
    // A FIN sent on its own after the last data segment tells where the stream ended; one riding on the lost
    // segment itself is lost with it, and so is the knowledge of those bytes.
    const fins = recs.map((r, i) => tcpSeg(r, i)).filter((t) => t && t.payloadLen === 0 && (t.flags & 1)) as TcpSeg[];
    // A connection left with no payload at all has no stream to count a gap in (stated in docs/reliability.md).
    const reverse = (k: string): string => k.split('>').reverse().join('>');
    for (const [key, segs] of dirs) {
      const last = segs.length > 1 ? segs[segs.length - 1] : undefined;
      dropped.add(segs[0].index);
      if (last) dropped.add(last.index);
      const tailKnown = last !== undefined && fins.some((f) => f.dirKey === key && f.index > last.index);
      const anyLeft = segs.length > 1 || (dirs.get(reverse(key))?.length ?? 0) > 1;
      if (anyLeft) lost += segs[0].payloadLen + (tailKnown ? last.payloadLen : 0);
      cut.set(key, [segs[0].payloadLen, last?.payloadLen ?? 0]);
    }
    const { streams, summary } = await deliveredStreams(save(`loss-${name}`, header, recs.filter((_, i) => !dropped.has(i))));
    for (const s of streams) {
      const want = expected.get(s.ports)!;
      const [client, server] = s.ports.split('>');
      for (const [d, key] of [[0, [...dirs.keys()].find((k) => k.includes(`:${client}>`) && k.endsWith(`:${server}`))], [1, [...dirs.keys()].find((k) => k.includes(`:${server}>`) && k.endsWith(`:${client}`))]] as const) {
        if (!key) continue;
        const [head, tail] = cut.get(key)!;
        assert.ok(s.bytes[d].equals(want[d].subarray(head, want[d].length - tail)), `${s.ports} dir ${d}`);
      }
    }
    // The handshake bounds a lost first segment, the FIN a lost last one: every lost byte is counted.
    assert.equal(summary.reassembly.gapBytes, lost);
  });
}

test('overlap policy: a forged copy sent first wins under "first", the later real bytes under "last"; conflicts counted', async () => {
  const trace = traces[0];
  const { header, recs } = readPcap(readFileSync(trace));
  const first = dataSegments(recs)[0];
  const p = payloadOf(recs[first.index], first);
  const half = Math.floor(p.length / 2);
  const forged = Buffer.from(p.subarray(half)).map((b) => b ^ 0x20);
  const out = [...recs];
  out.splice(first.index, 0, withPayload(recs[first.index], first, first.seq + half, forged));
  const path = save('forged.pcap', header, out);
  const real = tsharkOf(trace);
  const a = await deliveredStreams(path, { overlapPolicy: 'first' });
  const b = await deliveredStreams(path, { overlapPolicy: 'last' });
  const key = /:(\d+)>.*:(\d+)$/.exec(first.dirKey)!.slice(1).join('>');
  const wantReal = real.get(key)![0];
  const gotFirst = a.streams.find((s) => s.ports === key)!.bytes[0];
  const gotLast = b.streams.find((s) => s.ports === key)!.bytes[0];
  assert.ok(gotLast.equals(wantReal));
  assert.ok(gotFirst.subarray(half, p.length).equals(forged));
  const differing = forged.reduce((n, v, i) => n + (v !== p[half + i] ? 1 : 0), 0);
  assert.equal(a.summary.reassembly.conflictBytes, differing);
  assert.equal(b.summary.reassembly.conflictBytes, differing);
});

test('HTTP default login split in two segments sent swapped: the "default login accepted" finding still appears', async () => {
  // http-basic-auth.pcap (CredSLayer), tcp.stream 8: one request with Basic test:test, answered 304. Rewritten
  // with root:root (Mirai's table; base64 of the same length, so sequence numbers stay valid), the request
  // split into two segments and the second sent first: the evasion of issue #11.
  const { header, recs } = readPcap(readFileSync(traces[0]));
  const test64 = Buffer.from('test:test').toString('base64');
  const root64 = Buffer.from('root:root').toString('base64');
  const replaced = recs.map((r) => {
    const at = r.data.indexOf(test64);
    if (at < 0) return r;
    const data = Buffer.from(r.data);
    data.write(root64, at);
    return { ...r, data };
  });
  // One connection alone (the others carry the same login): the client's only data segment is the request.
  const segs = dataSegments(replaced);
  const req = segs.find((s) => payloadOf(replaced[s.index], s).includes(root64) && segs.filter((o) => o.dirKey === s.dirKey).length === 1)!;
  assert.ok(req, 'a connection whose one request carries the credentials');
  const [client, server] = req.dirKey.split('>');
  const conn = replaced.map((r, i) => ({ r, t: tcpSeg(r, i) })).filter(({ t }) => t && (t.dirKey === req.dirKey || t.dirKey === `${server}>${client}`));
  const p = payloadOf(replaced[req.index], req);
  const cut = p.indexOf('\r\n') + 2; // the request line alone in the first segment
  const out = conn.flatMap(({ r, t }) => (t!.index !== req.index ? [r]
    : [withPayload(r, req, req.seq + cut, p.subarray(cut)), withPayload(r, req, req.seq, p.subarray(0, cut))]));
  const path = save('http-default-swapped.pcap', header, out);
  const result = await analyzeCaptures([path], { assess: false, detection: { showSecrets: true } as object });
  const accepted = result.findings.filter((f) => f.detector === 'credentials.default' && f.severity === 'high');
  assert.equal(accepted.length, 1, JSON.stringify(result.findings.map((f) => [f.detector, f.severity, f.title])));
  assert.match(accepted[0].title + JSON.stringify(accepted[0]), /root/);
});
