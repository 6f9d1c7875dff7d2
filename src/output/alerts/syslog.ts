/**
 * Syslog output: RFC 5424 messages over UDP (RFC 5426, one message per datagram) or TCP (RFC 6587
 * octet-counting framing, or LF-terminated for receivers that want it), with a plain or CEF body.
 * @module
 */
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { Severity } from '../../detect/types.ts';
import { alertLine, alertTime, cefMessage, isoTime, subjectOf } from './format.ts';
import type { Alert, AlertOutput } from './types.ts';

export interface SyslogOptions {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
  /** 'plain': a readable line; 'cef': ArcSight CEF (QRadar, Sentinel and others parse it). */
  body: 'plain' | 'cef';
  /** Facility number 0–23 (default 16 = local0). */
  facility: number;
  /** TCP framing: octet counting (RFC 6587 §3.4.1, default) or a trailing LF (§3.4.2). */
  framing: 'octet-counting' | 'lf';
  /** Bytes per message at most (longer messages are cut; RFC 5426 receivers must take 480, should take 2048). */
  maxMessageBytes: number;
}

export const defaultSyslogOptions: Omit<SyslogOptions, 'host' | 'port' | 'transport'> = {
  body: 'plain', facility: 16, framing: 'octet-counting', maxMessageBytes: 8192,
};

/** Syslog severity (RFC 5424 table 2) of a finding's severity. */
const syslogSeverity: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/** Private Enterprise Number for structured data: 32473 is the one RFC 5612 reserves for documentation and examples. */
const SD_ID = 'bulwark@32473';

function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** PRINTUSASCII without spaces, as HOSTNAME/APP-NAME/MSGID require; "-" when empty. */
function header(v: string, max: number): string {
  const clean = v.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** One RFC 5424 message. */
export function syslogMessage(alert: Alert, o: Pick<SyslogOptions, 'body' | 'facility'>, procId = String(process.pid)): string {
  const f = alert.finding;
  const pri = o.facility * 8 + syslogSeverity[f.severity];
  const subject = subjectOf(f);
  const params: [string, string | number | undefined][] = [
    ['id', f.id], ['detector', f.detector], ['severity', f.severity], ['category', f.category], ['count', f.count],
    ['device', subject?.ip], ['role', subject?.role],
  ];
  const sd = `[${SD_ID} ${params.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${sdValue(String(v))}"`).join(' ')}]`;
  const msg = o.body === 'cef' ? cefMessage(alert) : alertLine(alert);
  return `<${pri}>1 ${isoTime(alertTime(alert))} ${header(alert.sensor, 255)} bulwark ${header(procId, 128)} ${header(`finding.${alert.kind}`, 32)} ${sd} ${msg}`;
}

function cut(text: string, maxBytes: number): Buffer {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) return buf;
  // Cut on a UTF-8 character boundary.
  let end = maxBytes;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

export class SyslogOutput implements AlertOutput {
  readonly name = 'syslog';
  private readonly o: SyslogOptions;
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private tcpReady: Promise<Socket> | undefined;

  constructor(options: Pick<SyslogOptions, 'host' | 'port' | 'transport'> & Partial<SyslogOptions>) {
    this.o = { ...defaultSyslogOptions, ...options };
  }

  async send(alert: Alert): Promise<void> {
    const bytes = cut(syslogMessage(alert, this.o), this.o.maxMessageBytes);
    if (this.o.transport === 'udp') return this.sendUdp(bytes);
    const framed = this.o.framing === 'lf'
      ? Buffer.concat([bytes, Buffer.from('\n')])
      : Buffer.concat([Buffer.from(`${bytes.length} `), bytes]);
    const socket = await this.connectTcp();
    await new Promise<void>((ok, fail) => socket.write(framed, (err) => (err ? fail(err) : ok())));
  }

  private sendUdp(bytes: Buffer): Promise<void> {
    // node:dgram and node:net are loaded when a message is first sent, not with every run that could send one.
    this.udp ??= process.getBuiltinModule('node:dgram').createSocket(this.o.host.includes(':') ? 'udp6' : 'udp4');
    this.udp.unref();
    return new Promise((ok, fail) => this.udp!.send(bytes, this.o.port, this.o.host, (err) => (err ? fail(err) : ok())));
  }

  private connectTcp(): Promise<Socket> {
    if (this.tcp && !this.tcp.destroyed) return Promise.resolve(this.tcp);
    this.tcpReady ??= new Promise<Socket>((ok, fail) => {
      const socket = process.getBuiltinModule('node:net').connect({ host: this.o.host, port: this.o.port });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        this.tcp = socket;
        this.tcpReady = undefined;
        ok(socket);
      });
      socket.on('error', (err) => {
        this.tcpReady = undefined;
        socket.destroy();
        fail(err);
      });
      // A receiver that goes away: the next send reconnects.
      socket.on('close', () => {
        if (this.tcp === socket) this.tcp = undefined;
      });
      socket.on('data', () => undefined);
    });
    return this.tcpReady;
  }

  async close(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    if (this.tcp) await new Promise<void>((done) => this.tcp!.end(done));
    this.tcp = undefined;
  }
}
