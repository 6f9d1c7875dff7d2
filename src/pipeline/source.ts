/**
 * Sources the pipeline reads: it is handed a source rather than opening paths itself. A packet source
 * (capture file, standard input, a live interface through dumpcap) pushes packet records; a flow-record
 * source (NetFlow/IPFIX, later) pushes finished flows; a live source also beats the clock about once a
 * second so a quiet link still ends flows and closes findings.
 * @module
 */
import { captureLive, liveSourceName, type LiveCaptureOptions, type LiveFailure } from '../capture/dumpcap.ts';
import { openCapture, type OpenCaptureOptions } from '../capture/open.ts';
import type { CaptureProgress, CaptureSummary, PacketRecord } from '../capture/types.ts';
import type { FlowRecord } from '../flow/types.ts';

/** What a source feeds. Calls are synchronous; the record objects are only valid during the call. */
export interface SourceSink {
  packet(rec: PacketRecord): void;
  /** A finished flow from a flow-record source: goes straight to the flow subscribers. */
  flow(rec: FlowRecord): void;
  /** Wall-clock heartbeat (live sources, about once a second). */
  heartbeat(): void;
}

export interface SourceRunOptions {
  /** Stop reading: the source resolves with what it delivered so far. */
  signal?: AbortSignal;
  onProgress?: (p: CaptureProgress) => void;
}

export interface InputSource {
  /** Carried by every event as its `file`: a path ('-' for standard input), 'interface:eth0'. */
  readonly name: string;
  /** True for a live capture: the wall clock matters (heartbeats, incremental outputs). */
  readonly live: boolean;
  /** Deliver everything to `sink`; resolves (never rejects for bad input) with the capture summary. */
  run(sink: SourceSink, options?: SourceRunOptions): Promise<CaptureSummary>;
}

/** A capture file, or standard input for '-'. */
export function fileSource(path: string, captureOptions: OpenCaptureOptions = {}): InputSource {
  return {
    name: path,
    live: path === '-',
    run: (sink, options = {}) => {
      const capture = openCapture(path, { ...captureOptions, signal: options.signal });
      if (path !== '-') return capture.read(sink.packet, options.onProgress);
      // A pipe (`tcpdump -w - | bulwark analyze -`) is as live as an interface: beat the clock.
      const beat = setInterval(() => sink.heartbeat(), 1000);
      return capture.read(sink.packet, options.onProgress).finally(() => clearInterval(beat));
    },
  };
}

/** A live interface, captured by dumpcap (see src/capture/dumpcap.ts); runs until the signal aborts. */
export function liveSource(options: LiveCaptureOptions): InputSource & { failure?: { kind: LiveFailure; message: string } } {
  const source: InputSource & { failure?: { kind: LiveFailure; message: string } } = {
    name: liveSourceName(options.interface),
    live: true,
    run: async (sink, runOptions = {}) => {
      const beat = setInterval(() => sink.heartbeat(), 1000);
      try {
        const summary = await captureLive(options, sink.packet, runOptions.signal);
        if (summary.failure) source.failure = summary.failure;
        return summary;
      } finally {
        clearInterval(beat);
      }
    },
  };
  return source;
}
