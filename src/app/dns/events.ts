/**
 * DNS and mDNS events and anomalies (catalogue entries). Both analyzers (`dns`, `mdns`) emit these types;
 * they are declared once, by `dns`.
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

export interface DnsQuestionFields {
  qname: string;
  qtype: number;
  qclass: number;
  /** mDNS only: the QU bit. */
  unicast_response?: boolean;
}

export interface DnsQueryEvent extends DnsQuestionFields {
  id: number;
  opcode: number;
  /** All questions, when there is more than one (the first is also in qname/qtype/qclass). */
  questions?: DnsQuestionFields[];
  /** mDNS known answers (RFC 6762 7.1). */
  answers?: DnsRecordFields[];
  /** mDNS probes: the records the host proposes to claim (RFC 6762 8.2). */
  authority?: DnsRecordFields[];
}

export interface DnsRecordFields {
  name: string;
  type: number;
  ttl: number;
  data: string;
  txt?: string[];
  priority?: number;
  weight?: number;
  port?: number;
  target?: string;
  /** mDNS only. */
  cache_flush?: boolean;
}

export interface DnsResponseEvent {
  id: number;
  opcode: number;
  rcode: number;
  aa: boolean;
  tc: boolean;
  qname?: string;
  qtype?: number;
  answers: DnsRecordFields[];
  authority?: DnsRecordFields[];
  additional?: DnsRecordFields[];
}

const recordList = (section: string) => ({
  type: 'object[]',
  description:
    `${section} records: {name, type (number), ttl, data (display string: address, name, quoted TXT strings, ` +
    'SRV "priority weight port target", hex for other types), txt (string[], TXT only; mDNS key=value strings), ' +
    'priority/weight/port/target (SRV only), cache_flush (mDNS only)}.',
}) as const satisfies FieldSpec;

export const dnsEvents = [
  {
    type: 'dns.query',
    description: 'A DNS or mDNS query (QR=0). The first question is in qname/qtype/qclass; all of them in `questions` when there are several.',
    fields: {
      id: { type: 'number', description: 'Transaction id (0 in mDNS).' },
      opcode: { type: 'number', description: 'Header opcode (0 standard query, 4 notify, 5 update).' },
      qname: { type: 'string', description: 'Question name, without trailing dot ("." for the root).' },
      qtype: { type: 'number', description: 'Question type number (1 A, 12 PTR, 28 AAAA, 33 SRV, 255 ANY, ...).' },
      qclass: { type: 'number', description: 'Question class without the mDNS unicast-response bit (1 IN).' },
      unicast_response: { type: 'boolean', description: 'mDNS: the question asks for a unicast response (QU bit).', optional: true },
      questions: {
        type: 'object[]',
        description: 'Every question ({qname, qtype, qclass, unicast_response (mDNS)}), present when there are more than one.',
        optional: true,
      },
      answers: { ...recordList('Known-answer (mDNS)'), optional: true },
      authority: { ...recordList('Authority section (mDNS probe: records the host proposes to claim)'), optional: true },
    },
  },
  {
    type: 'dns.response',
    description: 'A DNS or mDNS response (QR=1) with its records.',
    fields: {
      id: { type: 'number', description: 'Transaction id.' },
      opcode: { type: 'number', description: 'Header opcode.' },
      rcode: { type: 'number', description: 'Response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...).' },
      aa: { type: 'boolean', description: 'Authoritative answer flag.' },
      tc: { type: 'boolean', description: 'Truncation flag.' },
      qname: { type: 'string', description: 'Name of the first question, when the response repeats it.', optional: true },
      qtype: { type: 'number', description: 'Type of the first question.', optional: true },
      answers: recordList('Answer section'),
      authority: { ...recordList('Authority section'), optional: true },
      additional: { ...recordList('Additional section (EDNS OPT left out)'), optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const dnsAnomalies: readonly AnomalySpec[] = [
  { id: 'app.dns.truncated', description: 'A DNS message ends before its header, a name or a record does (snapped or malformed).' },
  { id: 'app.dns.name_loop', description: 'A compression pointer points forward or loops, or a name uses more than 16 pointers.' },
  { id: 'app.dns.label_too_long', description: 'A label length byte has the reserved 0x40/0x80 bits set (a label over 63 octets).' },
  { id: 'app.dns.name_too_long', description: 'A domain name is longer than 255 octets on the wire.' },
  { id: 'app.dns.bad_rdata', description: 'Record data does not fit its type (A not 4 bytes, AAAA not 16, strings past the end, ...).' },
  { id: 'app.dns.too_many_records', description: 'A section holds more questions or records than the analyzer keeps (default 32); the rest are skipped.' },
  { id: 'app.dns.too_many_strings', description: 'A TXT record holds more than 64 strings.' },
  { id: 'app.dns.not_dns', description: 'A datagram on a DNS flow is not a DNS message (shorter than a header).' },
  { id: 'app.dns.tcp_gap', description: 'Bytes of a DNS-over-TCP stream were lost: framing cannot be recovered, the flow is left.' },
];
