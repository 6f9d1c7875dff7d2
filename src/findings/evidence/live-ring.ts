/**
 * The packet ring of a live sensor (`analyze --interface`, `serve --interface`): every packet a live source
 * delivers is appended to the ring before it is analysed, and every open finding pins the segments holding
 * its evidence packets until it closes, so an evidence package can still be cut from the ring later
 * (`bulwark evidence --ring DIR`, see `cutFromRing`). Bounded: `sizeMiB` on disk in all.
 * @module
 */
import type { InputSource } from '../../pipeline/source.ts';
import type { Finding } from '../types.ts';
import type { FindingChange } from '../../detect/types.ts';
import { PacketRing, type RingStats } from './ring.ts';

export interface LiveRingOptions {
  dir: string;
  /** Disk the ring may use in all, MiB: half for recent packets, half for segments open findings need. */
  sizeMiB: number;
}

export const defaultRingMiB = 256;
/** Segments per half of the ring: a segment is rotated (and can be deleted) as a whole. */
const segmentsPerHalf = 8;

export class LiveRing {
  readonly ring: PacketRing;

  constructor(options: LiveRingOptions) {
    const segmentBytes = Math.max(1 << 20, Math.floor((options.sizeMiB * (1 << 20)) / (2 * segmentsPerHalf)));
    this.ring = new PacketRing(options.dir, { segmentBytes, maxSegments: segmentsPerHalf, maxPinnedSegments: segmentsPerHalf });
  }

  /** `source`, with every packet it delivers recorded in the ring first (under the source's name). */
  record(source: InputSource): InputSource {
    const ring = this.ring;
    const name = source.name;
    return {
      name,
      live: source.live,
      run: (sink, options) => source.run({
        packet: (rec) => {
          ring.record(name, rec);
          sink.packet(rec);
        },
        flow: (rec) => sink.flow(rec),
        heartbeat: () => sink.heartbeat(),
      }, options),
    };
  }

  /** Pin the evidence packets of a raised or updated finding; release them when it closes. */
  onFindingChange(finding: Finding, change: FindingChange): void {
    if (change === 'closed') {
      this.ring.release(finding.id);
      return;
    }
    for (const e of finding.evidence) this.ring.pin(e.file, e.packet, finding.id);
  }

  /** Write buffered packets to disk (at each publication: a package cut meanwhile finds them). */
  flush(): void {
    this.ring.flush();
  }

  get stats(): RingStats {
    return this.ring.stats;
  }

  close(): void {
    this.ring.close();
  }
}
