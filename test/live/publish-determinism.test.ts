/**
 * A capture analyses identically every run (#9: packet time drives analysis): how often the session publishes
 * (device changes, finding changes — wall-clock moments in a live run) must not change devices or findings.
 * Each capture is analysed twice through the live code path: once publishing after every few packets (as a
 * busy sensor does every second), once never publishing until the end; the results must be equal.
 *
 * Captures: shared real traffic where addresses are seen before the ARP/DHCP that binds them to a MAC (so
 * 'ip:' devices exist and later belong to a MAC's device) — the Mirai capture of SpiderLabs and the Hakai
 * capture of IoT-23 (see MANIFEST.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.ts';
import { AnalysisSession } from '../../src/engine/session.ts';
import type { InputSource } from '../../src/pipeline/source.ts';

const shared = (p: string): string => fileURLToPath(new URL(`../../../shared/captures/${p}`, import.meta.url));

const sentinel = shared('benign-iot/iot-sentinel');
const captures: { name: string; paths: string[] }[] = [
  { name: 'spiderlabs-mirai', paths: [shared('malicious/spiderlabs-mirai/2016-11-07-10-35.pcap')] },
  {
    name: 'iot-sentinel (every capture, one run)',
    paths: existsSync(sentinel) ? readdirSync(sentinel, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().flatMap((d) => readdirSync(join(sentinel, d)).filter((f) => f.endsWith('.pcap')).sort().map((f) => join(sentinel, d, f))) : [],
  },
];

/** Devices and findings of one run, publishing every `every` packets (0: only at the end). */
async function analyse(paths: readonly string[], every: number): Promise<{ devices: string; findings: string; changes: string[]; published: number }> {
  let session: AnalysisSession | undefined = undefined;
  let published = 0;
  const changes: string[] = [];
  let n = 0;
  const sources: InputSource[] = paths.map((path) => ({
    name: path,
    live: true,
    run: async (sink) => openCapture(path).read((rec) => {
      sink.packet(rec);
      if (every > 0 && ++n % every === 0) session!.publish();
    }),
  }));
  session = new AnalysisSession({
    resolveEvidence: false,
    publishEveryMs: 1e9,
    onDeviceChange: (changes) => void (published += changes.length),
    onDeviceRemoved: () => {},
    // The order of finding changes (findings.jsonl lines); a record's content is its state when published.
    onFindingChange: (f, change) => void changes.push(`${change} ${f.id}`),
  });
  const result = await session.run(sources);
  return {
    devices: JSON.stringify(result.devices),
    findings: JSON.stringify(result.findings.map((f) => ({ ...f })).sort((a, b) => a.id.localeCompare(b.id))),
    changes,
    published,
  };
}

for (const c of captures) {
  test(`determinism: ${c.name} gives the same devices and findings however often the session publishes`, { skip: !c.paths.every(existsSync) && 'shared capture missing' }, async () => {
    const quiet = await analyse(c.paths, 0);
    const busy = await analyse(c.paths, 25);
    assert.ok(busy.published >= quiet.published, 'the busy run published device changes mid-run');
    assert.ok(JSON.parse(quiet.devices).length > 0);
    assert.equal(busy.devices, quiet.devices, 'devices');
    assert.equal(busy.findings, quiet.findings, 'findings');
    assert.deepEqual(busy.changes, quiet.changes, 'finding changes, in order');
  });
}
