// The finding changes a run publishes (findings.jsonl, alerts, the store's batches, a sensor's messages) must not
// depend on when the wall clock happened to publish them: the same capture gives the same changes, naming the same
// devices, whether they were published after every packet clock tick or once at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeCaptures } from '../src/engine/analyze-captures.ts';
import type { Finding, FindingChange } from '../src/detect/types.ts';

const traces = join(import.meta.dirname, 'traces');

async function publishedChanges(file: string, publishEveryMs: number): Promise<string[]> {
  const changes: string[] = [];
  const onFindingChange = (f: Finding, change: FindingChange): void => {
    changes.push(`${change} ${f.id} ${f.devices.map((d) => `${d.role}=${d.device_id ?? '-'}/${d.ip}/${d.mac ?? '-'}`).join(' ')}`);
  };
  await analyzeCaptures([file], { publishEveryMs, onFindingChange });
  return changes;
}

// Captures where a finding is raised before the inventory has the device's final identity (a telnet login seen
// before the camera's MAC is bound to its address; a scan whose source is learned later): a snapshot named when
// drained, not when queued, named them differently depending on the publishing cadence.
for (const trace of ['pipeline/telnet-raw.pcap', 'app-web/http_auth.pcap', 'detect-net/synflood-spoofed-cut.pcap']) {
  test(`finding changes do not depend on the publishing cadence: ${trace}`, async () => {
    const file = join(traces, trace);
    const everyTick = await publishedChanges(file, 0);
    const atTheEnd = await publishedChanges(file, 1e9);
    assert.ok(everyTick.length > 0, 'the capture raises findings');
    assert.deepEqual(everyTick, atTheEnd);
  });
}
