/**
 * Scans of unanswered SYNs are raised live as they cross their threshold, not when their probes time out
 * (the TCP idle timeout, 300 s). A live source delivers only the scanner's packets (so no probe is ever
 * answered), one at a time, publishing after each as the live sensor does every second; the finding must be
 * published right after the SYN that crosses the threshold — counted independently with tshark — while
 * every probe's flow is still open.
 *
 * Traces: synscan.pcap (nmap SYN scan, 172.16.0.8 → 64.13.134.52), mirai-scan.generated.pcap (192.168.1.66
 * sweeping telnet), ot-scan.generated.pcap (192.168.10.66 sweeping Modbus port 502); see their PROVENANCE.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.ts';
import { AnalysisSession } from '../../src/engine/session.ts';
import type { InputSource } from '../../src/pipeline/source.ts';
import { detectors } from '../../src/detect/registry.ts';
import { tsharkFields } from '../support/tshark.ts';

const trace = (p: string): string => fileURLToPath(new URL(`../traces/${p}`, import.meta.url));

interface Case {
  detector: string;
  file: string;
  scanner: string;
  /** What makes one more distinct target: the destination port (vertical) or address (horizontal). */
  target: 'tcp.dstport' | 'ip.dst';
  /** Further tshark filter on the probes counted (one port of a horizontal sweep). */
  probes?: string;
  threshold: number;
}

const cases: Case[] = [
  { detector: 'scan.vertical', file: 'pipeline/synscan.pcap', scanner: '172.16.0.8', target: 'tcp.dstport', threshold: 15 },
  { detector: 'scan.horizontal', file: 'detect/mirai-scan.generated.pcap', scanner: '192.168.1.66', target: 'ip.dst', probes: 'tcp.dstport == 23', threshold: 20 },
  { detector: 'ot.scan', file: 'ot/ot-scan.generated.pcap', scanner: '192.168.10.66', target: 'ip.dst', probes: 'tcp.dstport == 502', threshold: 5 },
];

for (const c of cases) {
  test(`live: ${c.detector} is published at the SYN that crosses its threshold, every probe still open`, async () => {
    const path = trace(c.file);
    // tshark: the scanner's bare SYNs in order; the frame where the distinct targets reach the threshold.
    const filter = `ip.src == ${c.scanner} && tcp.flags.syn == 1 && tcp.flags.ack == 0${c.probes ? ` && ${c.probes}` : ''}`;
    const seen = new Set<string>();
    let thresholdFrame = 0;
    for (const [frame, target] of tsharkFields(path, filter, ['frame.number', c.target])) {
      seen.add(target);
      if (seen.size === c.threshold) {
        thresholdFrame = Number(frame);
        break;
      }
    }
    assert.ok(thresholdFrame > 0, `${c.file}: fewer than ${c.threshold} targets`);

    const raisedAt: number[] = [];
    let flowsEnded = 0;
    let session: AnalysisSession | undefined = undefined;
    let lastFrame = 0;
    // Only the scanner's packets: nothing answers a probe.
    const fromScanner = new Set(tsharkFields(path, `ip.src == ${c.scanner}`, ['frame.number']).map(([n]) => Number(n)));
    const source: InputSource = {
      name: 'scan-latency',
      live: true,
      run: async (sink) => {
        const summary = await openCapture(path).read((rec) => {
          if (rec.packetNo > thresholdFrame + 20 || !fromScanner.has(rec.packetNo)) return;
          sink.packet(rec);
          lastFrame = rec.packetNo;
          session!.publish(); // the live sensor publishes every second; here after every packet
        });
        return summary;
      },
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
    // Published with the threshold SYN (the scanner's own packets in between carry no further SYN).
    assert.ok(frame >= thresholdFrame, `raised at frame ${frame}, before the threshold frame ${thresholdFrame}`);
    const between = tsharkFields(path, `frame.number >= ${thresholdFrame} && frame.number <= ${frame} && ip.src == ${c.scanner}`, ['frame.number']).length;
    assert.equal(between, 1, `raised at frame ${frame}: the threshold SYN was frame ${thresholdFrame}`);
    assert.equal(ended, 0, 'no probe had ended (no idle timeout passed)');
  });
}
