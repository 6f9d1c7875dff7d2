/**
 * A flow's key copied out of the flow table as numbers (IP version, protocol, ports, address words): enough to
 * compute its Community ID later, after the slot has gone to another flow. Copying a few numbers per flow is
 * cheap; the SHA-1 is paid only by the flows someone asks about.
 * @module
 */
import { IpProto } from '../decode/packet-view.ts';
import { communityIdFromPorts, icmpCounterpart } from './community-id.ts';

export class FlowKey {
  readonly ipVersion: number;
  readonly proto: number;
  readonly origPort: number;
  readonly respPort: number;
  // Address words in network order: originator a0..a3, responder b0..b3 (IPv4 uses a0 and b0).
  private readonly a0: number;
  private readonly a1: number;
  private readonly a2: number;
  private readonly a3: number;
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;

  constructor(ipVersion: number, proto: number, origPort: number, respPort: number, a0: number, a1: number, a2: number, a3: number,
    b0: number, b1: number, b2: number, b3: number) {
    this.ipVersion = ipVersion;
    this.proto = proto;
    this.origPort = origPort;
    this.respPort = respPort;
    this.a0 = a0; this.a1 = a1; this.a2 = a2; this.a3 = a3;
    this.b0 = b0; this.b1 = b1; this.b2 = b2; this.b3 = b3;
  }

  /**
   * Community ID v1 (seed 0 unless given). ARP pseudo-flows get one computed over their IPv4 pair with protocol 0
   * (a Bulwark extension: the spec covers IP only).
   */
  communityId(seed = 0): string {
    const n = this.ipVersion === 6 ? 16 : 4;
    const src = n === 16 ? src16 : src4, dst = n === 16 ? dst16 : dst4;
    words(src, n, this.a0, this.a1, this.a2, this.a3);
    words(dst, n, this.b0, this.b1, this.b2, this.b3);
    const p = this.proto;
    const oneWay = (p === IpProto.ICMP || p === IpProto.ICMPV6) && icmpCounterpart(p, this.origPort) < 0;
    return communityIdFromPorts(src, dst, p, this.origPort, this.respPort, oneWay, seed);
  }
}

const src4 = new Uint8Array(4), dst4 = new Uint8Array(4), src16 = new Uint8Array(16), dst16 = new Uint8Array(16);

function words(out: Uint8Array, n: number, w0: number, w1: number, w2: number, w3: number): void {
  for (let i = 0; i < n; i++) {
    const w = i < 4 ? w0 : i < 8 ? w1 : i < 12 ? w2 : w3;
    out[i] = w >>> (24 - 8 * (i & 3));
  }
}
