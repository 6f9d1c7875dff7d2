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
