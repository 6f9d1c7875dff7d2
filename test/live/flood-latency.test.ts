/**
 * Floods are raised live as they cross their threshold, not when their flows end (a flood's flows end only at
 * the idle timeout, minutes later). A live source delivers only the flood's packets (nothing answers), one at a
 * time, publishing after each as the live sensor does every second; the finding must be published right after
 * the packet that opens the flow crossing the threshold — counted independently with tshark (distinct
 * address/port pairs toward the target) — while every flow of the flood is still open.
 *
 * Traces (test/traces/detect-net, see PROVENANCE.md there): synflood-spoofed-cut.pcap (spoofed SYNs at
 * 10.10.10.10:25565, StopDDoS), flood-ack.generated.pcap and flood-udp.generated.pcap (a local device flooding
 * 203.0.113.9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.ts';
import { AnalysisSession } from '../../src/engine/session.ts';
import type { InputSource } from '../../src/pipeline/source.ts';
import { detectors } from '../../src/detect/registry.ts';
import { tsharkFields } from '../support/tshark.ts';

const trace = (p: string): string => fileURLToPath(new URL(`../traces/detect-net/${p}`, import.meta.url));

interface Case {
  detector: string;
  file: string;
  /** The flood's packets (tshark filter). */
  packets: string;
  /** Fields whose distinct values are the flood's flows (the other end of each flow is fixed). */
  flow: string[];
  /** minFlows of the detector. */
  threshold: number;
}

const cases: Case[] = [
  { detector: 'ddos.flood-victim', file: 'synflood-spoofed-cut.pcap', packets: 'ip.dst == 10.10.10.10 && tcp.flags.syn == 1 && tcp.flags.ack == 0', flow: ['ip.src', 'tcp.srcport', 'tcp.dstport'], threshold: 1000 },
  { detector: 'ddos.flood-source', file: 'flood-ack.generated.pcap', packets: 'ip.src == 192.168.1.51 && ip.dst == 203.0.113.9', flow: ['tcp.srcport', 'tcp.dstport'], threshold: 200 },
  { detector: 'ddos.flood-source', file: 'flood-udp.generated.pcap', packets: 'ip.src == 192.168.1.50 && ip.dst == 203.0.113.9', flow: ['udp.srcport', 'udp.dstport'], threshold: 200 },
];

for (const c of cases) {
  test(`live: ${c.detector} (${c.file}) is published at the packet that opens its threshold flow, every flow still open`, async () => {
    const path = trace(c.file);
    const seen = new Set<string>();
    let thresholdFrame = 0;
    let firstTs = 0;
    let thresholdTs = 0;
    for (const [frame, ts, ...flow] of tsharkFields(path, c.packets, ['frame.number', 'frame.time_epoch', ...c.flow])) {
      if (firstTs === 0) firstTs = Number(ts);
      seen.add(flow.join('|'));
      if (seen.size === c.threshold) {
        thresholdFrame = Number(frame);
        thresholdTs = Number(ts);
        break;
      }
    }
    assert.ok(thresholdFrame > 0, `${c.file}: fewer than ${c.threshold} flows`);
    assert.ok(thresholdTs - firstTs <= 10, 'the threshold is reached within the 10 s window');

    const raisedAt: number[] = [];
    let flowsEnded = 0;
    let session: AnalysisSession | undefined = undefined;
    let lastFrame = 0;
    const flood = new Set(tsharkFields(path, c.packets, ['frame.number']).map(([n]) => Number(n)));
    const source: InputSource = {
      name: 'flood-latency',
      live: true,
      run: async (sink) => openCapture(path).read((rec) => {
        if (rec.packetNo > thresholdFrame + 20 || !flood.has(rec.packetNo)) return;
        sink.packet(rec);
        lastFrame = rec.packetNo;
        session!.publish(); // the live sensor publishes every second; here after every packet
      }),
    };
    session = new AnalysisSession({
      detectors: detectors.filter((d) => d.id === c.detector),
      assess: false,
      resolveEvidence: false,
      onFlow: () => void flowsEnded++,
      onFindingChange: (f, change) => {
        if (change === 'raised' && f.detector === c.detector && raisedAt.length === 0) raisedAt.push(lastFrame, flowsEnded);
      },
    });
    await session.run([source]);
    assert.ok(raisedAt.length > 0, 'raised');
    const [frame, ended] = raisedAt;
    assert.equal(frame, thresholdFrame, `raised at frame ${frame}: the threshold flow opened at frame ${thresholdFrame}`);
    assert.equal(ended, 0, 'no flow of the flood had ended (no idle timeout passed)');
  });
}
