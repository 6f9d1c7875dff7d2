/**
 * Quiet link without root: a live source delivers the real telnet-raw.pcap session (CredSLayer sample,
 * closes with FINs) and then only heartbeats. The flow must end (tcp_closed, 5 s after its last packet)
 * and the finding close (closeAfterS) on the heartbeats alone, before the source ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.ts';
import { AnalysisSession } from '../../src/engine/session.ts';
import type { FlowRecord } from '../../src/flow/types.ts';
import type { InputSource } from '../../src/pipeline/source.ts';

const trace = fileURLToPath(new URL('../traces/app-login/telnet-raw.pcap', import.meta.url));

test('heartbeats on a quiet link end flows and close findings while the source is still open', async () => {
  const changes: string[] = [];
  const flows: FlowRecord[] = [];
  let session: AnalysisSession | undefined = undefined;
  const duringQuiet: { flows: number; changes: string[] }[] = [];
  const source: InputSource = {
    name: 'quiet-link',
    live: true,
    run: async (sink) => {
      const summary = await openCapture(trace).read(sink.packet);
      const last = session!.pipeline.now;
      // 20 simulated wall-clock seconds without a packet, one beat a second.
      const wall0 = 1_000_000;
      for (let i = 0; i <= 20; i++) {
        session!.pipeline.heartbeat(wall0 + i);
        session!.publish();
        duringQuiet.push({ flows: flows.length, changes: [...changes] });
      }
      assert.ok(session!.pipeline.now >= last + 19, 'the clock moved on with the wall clock');
      return summary;
    },
  };
  session = new AnalysisSession({
    detection: { closeAfterS: 45 }, // the login is at 14.8 s, the capture ends at 54.4 s (tshark): closes ~5 s into the quiet
    onFlow: (f) => flows.push(f),
    onFindingChange: (f, c) => changes.push(`${c} ${f.detector}`),
  });
  await session.run([source]);
  const atBeat = (n: number): { flows: number; changes: string[] } => duringQuiet[n];
  // Before the quiet period the session was open: no flow ended yet.
  assert.equal(atBeat(0).flows, 0);
  const flowEnded = duringQuiet.findIndex((s) => s.flows === 1);
  assert.ok(flowEnded >= 4 && flowEnded <= 7, `flow ended at beat ${flowEnded}`); // tcpClosedLingerS = 5
  assert.equal(flows[0].end_reason, 'tcp_closed');
  const closedAt = duringQuiet.findIndex((s) => s.changes.includes('closed credentials.cleartext'));
  assert.ok(closedAt >= 5 && closedAt <= 12, `finding closed at beat ${closedAt}`);
  assert.ok(changes.indexOf('raised credentials.cleartext') < changes.indexOf('closed credentials.cleartext'));
});
