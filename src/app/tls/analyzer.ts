/**
 * TLS analyzer: record framing across segments, handshake reassembly across records, ClientHello
 * (TLS and SSLv2 formats), ServerHello, cleartext certificate chains, alerts. Stops ('done') once both
 * directions are encrypted (ChangeCipherSpec, or a TLS 1.3 ServerHello) or application data flows.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, DataResult, Dir } from '../types.ts';
import {
  ContentType, HandshakeType, MAX_RECORD_PAYLOAD, isHelloRetryRequest, looksLikeSslv2Hello, parseAlert, parseCertificateList,
  parseClientHello, parseHandshakeHeader, parseRecordHeader, parseServerHello, parseSslv2ClientHello, probeTls,
} from './parser.ts';
import type { ClientHello } from './parser.ts';
import { helloFingerprints, ja3sHash, ja3sString } from './fingerprint.ts';
import { parseCertificate } from './certificate.ts';
import { anomalies, events } from './events.ts';
import type { TlsCertificateEvent, TlsClientHelloEvent, TlsServerHelloEvent } from './events.ts';

export interface TlsOptions {
  /** Largest handshake message reassembled (certificate chains are the big ones). */
  maxHandshakeBytes: number;
  /** Certificates reported per chain. */
  maxCertificates: number;
}

export const defaultTlsOptions: TlsOptions = { maxHandshakeBytes: 65536, maxCertificates: 8 };

interface Side {
  records: StreamBuffer;
  handshake: StreamBuffer;
  /** After ChangeCipherSpec (or a TLS 1.3 ServerHello for the server): records are opaque. */
  encrypted: boolean;
  stopped: boolean;
  seenRecord: boolean;
}

export interface TlsState {
  sides: [Side, Side];
  tls13: boolean;
  finished: boolean;
}

export function clientHelloEvent(h: ClientHello): TlsClientHelloEvent {
  const ev: TlsClientHelloEvent = {
    record_version: h.recordVersion, client_version: h.clientVersion, versions: h.supportedVersions, cipher_suites: h.cipherSuites,
    compression_methods: h.compressionMethods, session_id_length: h.sessionIdLength, extensions: h.extensions, alpn: h.alpn,
    supported_groups: h.supportedGroups, ec_point_formats: h.ecPointFormats, signature_algorithms: h.signatureAlgorithms, sslv2_hello: h.sslv2,
  };
  if (h.sni !== undefined) ev.sni = h.sni;
  if (!h.sslv2) {
    const fp = helloFingerprints(h);
    ev.ja3 = fp.ja3;
    ev.ja3_hash = fp.ja3Hash;
    ev.ja4 = fp.ja4;
  }
  return ev;
}

export function createTls(opts: TlsOptions = defaultTlsOptions): AppProtocol<TlsState> {
  const newSide = (): Side => ({
    records: new StreamBuffer(5 + MAX_RECORD_PAYLOAD, 2048),
    handshake: new StreamBuffer(4 + opts.maxHandshakeBytes, 2048),
    encrypted: false,
    stopped: false,
    seenRecord: false,
  });

  const stop = (side: Side, ctx: AppContext, anomaly: string): void => {
    ctx.anomaly(anomaly);
    side.stopped = true;
    side.records.clear();
    side.handshake.clear();
  };

  const onHandshake = (s: TlsState, dir: Dir, type: number, bytes: Uint8Array, at: number, length: number, recordVersion: number, ctx: AppContext): void => {
    if (type === HandshakeType.CLIENT_HELLO) {
      const r = parseClientHello(bytes, at, length, recordVersion);
      if (r.status !== 'ok') ctx.anomaly(r.status === 'invalid' ? r.anomaly : 'app.tls.bad_handshake');
      else if (ctx.wants('tls.client_hello')) ctx.emit('tls.client_hello', clientHelloEvent(r.value) as unknown as Record<string, unknown>);
    } else if (type === HandshakeType.SERVER_HELLO) {
      const r = parseServerHello(bytes, at, length);
      if (r.status !== 'ok') {
        ctx.anomaly(r.status === 'invalid' ? r.anomaly : 'app.tls.bad_handshake');
        return;
      }
      const h = r.value;
      if (h.selectedVersion === 0x0304 && !isHelloRetryRequest(bytes, at)) {
        s.tls13 = true;
        s.sides[dir].encrypted = true;
      }
      if (!ctx.wants('tls.server_hello')) return;
      const ja3s = ja3sString(h);
      const ev: TlsServerHelloEvent = {
        version: h.version, cipher_suite: h.cipherSuite, compression_method: h.compressionMethod, session_id_length: h.sessionIdLength,
        extensions: h.extensions, ja3s, ja3s_hash: ja3sHash(ja3s),
      };
      if (h.selectedVersion !== undefined) ev.selected_version = h.selectedVersion;
      if (h.alpn !== undefined) ev.alpn = h.alpn;
      ctx.emit('tls.server_hello', ev as unknown as Record<string, unknown>);
    } else if (type === HandshakeType.CERTIFICATE && !s.tls13) {
      const r = parseCertificateList(bytes, at, length, opts.maxCertificates);
      if (r.status !== 'ok') {
        ctx.anomaly(r.status === 'invalid' ? r.anomaly : 'app.tls.bad_handshake');
        return;
      }
      if (r.value.total > opts.maxCertificates) ctx.anomaly('app.tls.too_many_certificates');
      if (!ctx.wants('tls.certificate')) return;
      const c = r.value.certs;
      for (let i = 0; i < c.length; i += 2) {
        const cert = parseCertificate(bytes.subarray(c[i], c[i + 1]));
        if (cert.status !== 'ok') {
          ctx.anomaly('app.tls.bad_certificate');
          continue;
        }
        const ev: TlsCertificateEvent = { ...cert.value, chain_index: i / 2 };
        ctx.emit('tls.certificate', ev as unknown as Record<string, unknown>);
      }
    }
  };

  /**
   * onHandshakeRecord with nothing buffered: the complete messages are handled in the record's own bytes (most
   * records hold whole messages) and only an unfinished one is buffered, as the buffered path would leave it.
   */
  const handshakesIn = (s: TlsState, dir: Dir, payload: Uint8Array, recordVersion: number, ctx: AppContext): void => {
    const side = s.sides[dir];
    let rest = payload;
    for (;;) {
      const h = parseHandshakeHeader(rest, 0, opts.maxHandshakeBytes);
      if (h.status === 'incomplete') {
        side.handshake.append(rest);
        return;
      }
      if (h.status === 'invalid') {
        stop(side, ctx, h.anomaly);
        return;
      }
      onHandshake(s, dir, h.value.type, rest, 4, h.value.length, recordVersion, ctx);
      rest = rest.subarray(h.length);
      if (side.encrypted) return;
    }
  };

  /** Reassemble handshake messages of one record payload and handle the complete ones. */
  const onHandshakeRecord = (s: TlsState, dir: Dir, payload: Uint8Array, recordVersion: number, ctx: AppContext): void => {
    const side = s.sides[dir];
    if (side.handshake.length === 0 && payload.length <= side.handshake.cap) {
      handshakesIn(s, dir, payload, recordVersion, ctx);
      return;
    }
    if (!side.handshake.append(payload)) {
      stop(side, ctx, 'app.tls.handshake_too_long');
      return;
    }
    for (;;) {
      const view = side.handshake.view();
      const h = parseHandshakeHeader(view, 0, opts.maxHandshakeBytes);
      if (h.status === 'incomplete') return;
      if (h.status === 'invalid') {
        stop(side, ctx, h.anomaly);
        return;
      }
      onHandshake(s, dir, h.value.type, view, 4, h.value.length, recordVersion, ctx);
      side.handshake.consume(h.length);
      if (side.encrypted) {
        side.handshake.clear();
        return;
      }
    }
  };

  /** Handle every complete record in a side's buffer. */
  const onRecords = (s: TlsState, dir: Dir, ctx: AppContext): void => {
    const side = s.sides[dir];
    while (!side.stopped && !s.finished) {
      const used = record(s, dir, side.records.view(), ctx);
      if (used < 0) return;
      side.records.consume(used);
    }
  };

  /**
   * Handle the record at the start of `view` (a side's buffered bytes, or a segment's own): the bytes it used,
   * or -1 when it is incomplete or the side stopped.
   */
  const record = (s: TlsState, dir: Dir, view: Uint8Array, ctx: AppContext): number => {
    const side = s.sides[dir];
    if (dir === 0 && !side.seenRecord && looksLikeSslv2Hello(view)) {
      const r = parseSslv2ClientHello(view, 0);
      if (r.status === 'incomplete') return -1;
      if (r.status === 'invalid') {
        stop(side, ctx, r.anomaly);
        return -1;
      }
      side.seenRecord = true;
      if (ctx.wants('tls.client_hello')) ctx.emit('tls.client_hello', clientHelloEvent(r.value) as unknown as Record<string, unknown>);
      return r.length;
    }
    const r = parseRecordHeader(view, 0);
    if (r.status === 'incomplete') return -1;
    if (r.status === 'invalid') {
      stop(side, ctx, r.anomaly);
      return -1;
    }
    side.seenRecord = true;
    const { type, length, version } = r.value;
    if (type === ContentType.CHANGE_CIPHER_SPEC) {
      side.encrypted = true;
      side.handshake.clear();
    } else if (type === ContentType.APPLICATION_DATA) {
      s.finished = true;
    } else if (!side.encrypted && type === ContentType.ALERT) {
      const a = parseAlert(view, 5, length);
      if (a.status !== 'ok') ctx.anomaly(a.status === 'invalid' ? a.anomaly : 'app.tls.bad_alert');
      else {
        if (ctx.wants('tls.alert')) ctx.emit('tls.alert', { level: a.value.level, description: a.value.description });
        if (a.value.level === 2) s.finished = true;
      }
    } else if (!side.encrypted && type === ContentType.HANDSHAKE) {
      onHandshakeRecord(s, dir, view.subarray(5, 5 + length), version, ctx);
    }
    return r.length;
  };

  const isDone = (s: TlsState): boolean =>
    s.finished || (s.sides[0].stopped && s.sides[1].stopped) || (s.sides[1].encrypted && (s.sides[0].encrypted || s.tls13));

  return {
    name: 'tls',
    transports: ['tcp'],
    ports: [443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 1443, 4433, 5061, 5223, 8443, 8883],
    probe: (bytes, dir) => probeTls(bytes, dir),
    newState: () => ({ sides: [newSide(), newSide()], tls13: false, finished: false }),
    data(state: TlsState, dir: Dir, bytes: Uint8Array, ctx: AppContext): DataResult {
      const side = state.sides[dir];
      let pos = 0;
      if (side.records.length === 0 && bytes.length <= side.records.cap && !side.stopped && !isDone(state)) {
        // Nothing buffered and the segment fits: its complete records are handled in its own bytes and only
        // the rest is buffered, as appending it all and handling the buffer would leave it.
        while (!side.stopped && !state.finished) {
          const used = record(state, dir, pos === 0 ? bytes : bytes.subarray(pos), ctx);
          if (used < 0) break;
          pos += used;
        }
        if (!side.stopped && pos < bytes.length) side.records.append(bytes.subarray(pos));
        return isDone(state) ? 'done' : undefined;
      }
      while (pos < bytes.length && !side.stopped && !isDone(state)) {
        const take = Math.min(bytes.length - pos, side.records.cap - side.records.length);
        side.records.append(bytes.subarray(pos, pos + take));
        pos += take;
        onRecords(state, dir, ctx);
      }
      return isDone(state) ? 'done' : undefined;
    },
    gap(state: TlsState, dir: Dir): DataResult {
      // Record framing cannot be recovered after lost bytes.
      const side = state.sides[dir];
      side.stopped = true;
      side.records.clear();
      side.handshake.clear();
      return isDone(state) ? 'done' : undefined;
    },
    events,
    anomalies,
  };
}

export const tls: AppProtocol<TlsState> = createTls();
