/**
 * Reference values from tshark (Wireshark's dissectors) for golden tests.
 * @module
 */
import { spawnSync } from 'node:child_process';

export interface Conversation {
  transport: 'tcp' | 'udp';
  /** "ip:port" of the side that sent the conversation's first packet, and of the other side. */
  a: string;
  b: string;
  aPkts: number;
  aBytes: number;
  bPkts: number;
  bBytes: number;
}

/** Run tshark -T fields with the given fields over the packets matching `filter`; rows of strings. */
export function tsharkFields(path: string, filter: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', path, ...extra, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f'];
  if (filter) args.push('-Y', filter);
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  // tshark exits non-zero on a truncated file after printing every complete packet: keep those.
  if (r.status !== 0 && !/cut short|truncated/i.test(r.stderr)) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  const out = r.stdout;
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/**
 * TCP and UDP conversations as tshark delimits them (tcp.stream / udp.stream), with frames and on-wire
 * bytes per direction — the same numbers `tshark -q -z conv,tcp -z conv,udp` prints, without its kB rounding.
 */
export function tsharkConversations(path: string): Conversation[] {
  const rows = tsharkFields(path, '(tcp || udp) && !icmp && !icmpv6', [
    'frame.len', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'udp.stream', 'udp.srcport', 'udp.dstport',
  ], ['-o', 'tcp.analyze_sequence_numbers:FALSE']);
  const convs = new Map<string, Conversation>();
  for (const [len, s4, d4, s6, d6, tcpStream, tsp, tdp, udpStream, usp, udp] of rows) {
    const isTcp = tcpStream !== '';
    if (!isTcp && udpStream === '') continue;
    const src = `${s4 || s6}:${isTcp ? tsp : usp}`;
    const dst = `${d4 || d6}:${isTcp ? tdp : udp}`;
    // UDP: one conversation per 5-tuple. tshark's SNMP dissector files each response under a conversation
    // of its own; Bulwark (like tshark for other UDP) keeps a request and its response in one flow.
    const key = isTcp ? `t${tcpStream}` : `u${[src, dst].sort().join(' ')}`;
    let c = convs.get(key);
    if (!c) {
      c = { transport: isTcp ? 'tcp' : 'udp', a: src, b: dst, aPkts: 0, aBytes: 0, bPkts: 0, bBytes: 0 };
      convs.set(key, c);
    }
    if (src === c.a) {
      c.aPkts++;
      c.aBytes += Number(len);
    } else {
      c.bPkts++;
      c.bBytes += Number(len);
    }
  }
  return [...convs.values()];
}

/**
 * Flows as Bulwark defines them, counted from tshark's packets alone: TCP and UDP streams (tshark's
 * tcp.stream/udp.stream) and ARP, IGMP and ICMP pseudo-flows per address pair, each split where the gap
 * between two packets exceeds the idle timeout of its transport (Bulwark's documented defaults: TCP 300 s,
 * UDP 60 s, ICMP 30 s, other 60 s; the TCP linger after a close is shorter but only ends streams tshark ends too).
 */
export function tsharkFlowCount(path: string, idle = { tcp: 300, udp: 60, icmp: 30, other: 60 }): number {
  const rows = tsharkFields(path, 'tcp || udp || arp || igmp || icmp', ['frame.time_epoch', 'tcp.stream', 'udp.stream', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'ip.src', 'ip.dst', 'ip.proto', 'icmp.type']);
  const last = new Map<string, number>();
  let flows = 0;
  for (const [t, tcpStream, udpStream, arpSrc, arpDst, ipSrc, ipDst, proto] of rows) {
    const ts = Number(t);
    let key: string;
    let gap: number;
    // An ICMP error quotes the packet it answers: tshark then also shows the quoted UDP/TCP header's stream.
    if (proto === '1') [key, gap] = [`icmp ${[ipSrc, ipDst].sort().join(' ')}`, idle.icmp];
    else if (tcpStream) [key, gap] = [`tcp ${tcpStream}`, idle.tcp];
    else if (udpStream) [key, gap] = [`udp ${udpStream}`, idle.udp];
    else if (arpSrc) [key, gap] = [`arp ${[arpSrc, arpDst].sort().join(' ')}`, idle.other];
    else [key, gap] = [`ip${proto} ${[ipSrc, ipDst].sort().join(' ')}`, idle.other];
    const prev = last.get(key);
    if (prev === undefined || ts - prev > gap) flows++;
    last.set(key, ts);
  }
  return flows;
}
