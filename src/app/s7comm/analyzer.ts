/**
 * S7comm analyzer (ISO-on-TCP, port 102): TPKT frames per direction, COTP connection setup and data
 * units (reassembled up to a cap when a TSDU spans several), then S7comm PDUs: jobs, acks, user data and
 * SZL reads (fragmented answers joined by sequence number). S7comm-plus PDUs are recognised and named.
 * @module
 */
import { LengthFramer, type FrameSize } from '../length-framed.ts';
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import {
  CotpType, MAX_TPKT, Rosctr, S7PLUS_PROTOCOL_ID, S7_PROTOCOL_ID, TPKT_HEADER, cotpTypeNames, jobFunctionNames, parseAckParams,
  parseCotp, parseJobParams, parseReadVarReturnCodes, parseS7Header, parseS7PlusHeader, parseTpkt, piServiceNames,
  s7plusFunctionNames, s7plusOpcodeNames, s7plusPduTypeNames, type JobParams,
} from './parser.ts';
import { groupNames, parseDataItem, parseSzlResponse, parseUserdataParams, subfunctionNames, szlNames } from './userdata.ts';

export interface S7commOptions {
  /** Largest TSDU reassembled from COTP data units (bytes); S7comm PDUs are at most 960, S7comm-plus larger. */
  maxTsdu: number;
  /** Largest fragmented SZL answer joined (bytes). */
  maxSzl: number;
}

export const defaultS7commOptions: S7commOptions = { maxTsdu: 16 * 1024, maxSzl: 8 * 1024 };

export const S7_PORT = 102;

interface Direction {
  framer: LengthFramer;
  tsdu: StreamBuffer;
  /** A TSDU in progress overflowed: drop data units until its end. */
  dropping: boolean;
}

export interface S7commState {
  dirs: [Direction, Direction];
  /** SZL answer being joined: its sequence number and the bytes so far. */
  szlSeq: number;
  szl: StreamBuffer | undefined;
}

/** 'yes' on a COTP connection request with S7 TSAPs, or on COTP data carrying an S7comm / S7comm-plus header. */
export function probeS7comm(bytes: Uint8Array, _dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  const t = parseTpkt(bytes, 0, bytes.length);
  if (t.status !== 'ok') return 'no';
  const end = Math.min(bytes.length, t.value);
  const c = parseCotp(bytes, TPKT_HEADER, end);
  if (c.status !== 'ok') return 'no';
  const cotp = c.value;
  // RDP uses TPKT/COTP too (a CR with a cookie and no TSAP parameters): only TSAPs make it S7.
  if (cotp.type === CotpType.CR || cotp.type === CotpType.CC) return cotp.srcTsap !== undefined && cotp.dstTsap !== undefined ? 'yes' : 'maybe';
  if (cotp.type === CotpType.DT && cotp.dataOffset < end) {
    const id = bytes[cotp.dataOffset];
    return id === S7_PROTOCOL_ID || id === S7PLUS_PROTOCOL_ID ? 'yes' : 'no';
  }
  return 'maybe';
}

function tpktSize(b: Uint8Array, off: number, end: number): FrameSize {
  const t = parseTpkt(b, off, end);
  if (t.status === 'incomplete') return 'incomplete';
  if (t.status === 'invalid') return { anomaly: t.anomaly };
  return t.value;
}

function jobFields(p: JobParams): Record<string, unknown> {
  const f: Record<string, unknown> = { function_code: p.functionCode, function: jobFunctionNames[p.functionCode] ?? 'unknown' };
  if (p.itemCount !== undefined) f.item_count = p.itemCount;
  if (p.items !== undefined) f.items = p.items;
  if (p.maxAmqCalling !== undefined) f.max_amq_calling = p.maxAmqCalling;
  if (p.maxAmqCalled !== undefined) f.max_amq_called = p.maxAmqCalled;
  if (p.pduLength !== undefined) f.pdu_length = p.pduLength;
  if (p.sessionId !== undefined) f.session_id = p.sessionId;
  if (p.filename !== undefined) f.filename = p.filename;
  if (p.blockType !== undefined) f.block_type = p.blockType;
  if (p.blockNumber !== undefined) f.block_number = p.blockNumber;
  if (p.fileSystem !== undefined) f.destination_filesystem = p.fileSystem;
  if (p.piService !== undefined) {
    f.pi_service = p.piService;
    f.pi_service_name = piServiceNames[p.piService] ?? 'unknown';
  }
  if (p.piArgument !== undefined) f.pi_argument = p.piArgument;
  if (p.blockLength !== undefined) f.block_length = p.blockLength;
  return f;
}

const methodName = (m: number, type: number): string => (m === 0x11 || type === 4 ? 'request' : m === 0x12 || type === 8 ? 'response' : 'push');

/** Build the S7comm analyzer with explicit caps (tests use small ones). */
export function createS7comm(opts: S7commOptions = defaultS7commOptions): AppProtocol<S7commState> {
  function szlAnswer(b: Uint8Array, off: number, end: number, ref: number, returnCode: number, ctx: AppContext): void {
    const r = parseSzlResponse(b, off, end);
    if (r.status !== 'ok') {
      if (r.status === 'invalid') ctx.anomaly(r.anomaly);
      return;
    }
    if (!ctx.wants('s7comm.szl')) return;
    const v = r.value;
    ctx.emit('s7comm.szl', {
      pdu_reference: ref, method: 'response', szl_id: v.szlId, szl_id_name: szlNames[v.szlId] ?? 'unknown', szl_index: v.szlIndex,
      return_code: returnCode, record_count: v.recordCount, ...v.identity,
    });
  }

  function userdata(s: S7commState, b: Uint8Array, pOff: number, pEnd: number, dOff: number, dEnd: number, ref: number, ctx: AppContext): void {
    const u = parseUserdataParams(b, pOff, pEnd);
    if (u.status !== 'ok') {
      if (u.status === 'invalid') ctx.anomaly(u.anomaly);
      return;
    }
    const p = u.value;
    const method = methodName(p.method, p.type);
    const item = parseDataItem(b, dOff, dEnd);
    if (ctx.wants('s7comm.userdata')) {
      const f: Record<string, unknown> = {
        pdu_reference: ref, method, function_group: p.group, function_group_name: groupNames[p.group] ?? 'unknown',
        subfunction: p.subfunction, subfunction_name: subfunctionNames[p.group]?.[p.subfunction] ?? 'unknown', sequence: p.sequence,
      };
      if (p.errorCode !== undefined) f.error_code = p.errorCode;
      if (item.status === 'ok') f.return_code = item.value.returnCode;
      if (p.moreFollows !== undefined) f.more_follows = p.moreFollows;
      ctx.emit('s7comm.userdata', f);
    }
    if (p.group !== 4 || p.subfunction !== 1 || item.status !== 'ok') return;
    const { start, end, returnCode } = item.value;
    if (method === 'request') {
      // A request for the next fragment of an answer carries no SZL id.
      if (end - start >= 4 && ctx.wants('s7comm.szl')) {
        const id = (b[start] << 8) | b[start + 1];
        ctx.emit('s7comm.szl', { pdu_reference: ref, method, szl_id: id, szl_id_name: szlNames[id] ?? 'unknown', szl_index: (b[start + 2] << 8) | b[start + 3], return_code: returnCode });
      }
      return;
    }
    const continuing = s.szl !== undefined && s.szlSeq === p.sequence;
    if (!continuing && !p.moreFollows) {
      szlAnswer(b, start, end, ref, returnCode, ctx);
      return;
    }
    if (!continuing) {
      s.szl = new StreamBuffer(opts.maxSzl, 512);
      s.szlSeq = p.sequence;
    }
    if (!s.szl!.append(b.subarray(start, end))) {
      ctx.anomaly('app.s7comm.szl_too_large');
      s.szl = undefined;
      return;
    }
    if (!p.moreFollows) {
      const joined = s.szl!.view();
      s.szl = undefined;
      szlAnswer(joined, 0, joined.length, ref, returnCode, ctx);
    }
  }

  function s7pdu(s: S7commState, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    if (b[off] === S7PLUS_PROTOCOL_ID) {
      const h = parseS7PlusHeader(b, off, end);
      if (h.status !== 'ok' || !ctx.wants('s7comm.plus')) return;
      const v = h.value;
      const f: Record<string, unknown> = { pdu_type: v.pduType, pdu_type_name: s7plusPduTypeNames[v.pduType] ?? 'unknown', data_length: v.dataLength };
      if (v.opcode !== undefined) {
        f.opcode = v.opcode;
        f.opcode_name = s7plusOpcodeNames[v.opcode] ?? 'unknown';
      }
      if (v.functionCode !== undefined) {
        f.function_code = v.functionCode;
        f.function = s7plusFunctionNames[v.functionCode] ?? 'unknown';
      }
      ctx.emit('s7comm.plus', f);
      return;
    }
    const hp = parseS7Header(b, off, end);
    if (hp.status !== 'ok') {
      if (hp.status === 'invalid') ctx.anomaly(hp.anomaly);
      return;
    }
    const h = hp.value;
    const pEnd = h.paramOffset + h.paramLength;
    const dEnd = h.dataOffset + h.dataLength;
    switch (h.rosctr) {
      case Rosctr.JOB: {
        const p = parseJobParams(b, h.paramOffset, pEnd);
        if (p.status === 'invalid') ctx.anomaly(p.anomaly);
        if (p.status === 'ok' && ctx.wants('s7comm.job')) ctx.emit('s7comm.job', { pdu_reference: h.pduReference, ...jobFields(p.value) });
        return;
      }
      case Rosctr.ACK_DATA: {
        const p = parseAckParams(b, h.paramOffset, pEnd, h.dataOffset, dEnd);
        if (p.status === 'invalid') ctx.anomaly(p.anomaly);
        if (p.status !== 'ok' || !ctx.wants('s7comm.ack_data')) return;
        const f: Record<string, unknown> = { pdu_reference: h.pduReference, ...jobFields(p.value), error_class: h.errorClass, error_code: h.errorCode };
        if (p.value.functionCode === 0x04 && p.value.itemCount !== undefined) f.return_codes = parseReadVarReturnCodes(b, h.dataOffset, dEnd, p.value.itemCount);
        if (p.value.functionCode === 0x05 && p.value.itemCount !== undefined) f.return_codes = Array.from(b.subarray(h.dataOffset, Math.min(dEnd, h.dataOffset + p.value.itemCount)));
        ctx.emit('s7comm.ack_data', f);
        return;
      }
      case Rosctr.ACK:
        if (ctx.wants('s7comm.ack')) ctx.emit('s7comm.ack', { pdu_reference: h.pduReference, error_class: h.errorClass, error_code: h.errorCode });
        return;
      default:
        userdata(s, b, h.paramOffset, pEnd, h.dataOffset, dEnd, h.pduReference, ctx);
    }
  }

  function frame(s: S7commState, d: Direction, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const c = parseCotp(b, off + TPKT_HEADER, end);
    if (c.status !== 'ok') {
      if (c.status === 'invalid') ctx.anomaly(c.anomaly);
      return;
    }
    const cotp = c.value;
    if (cotp.type === CotpType.CR || cotp.type === CotpType.CC) {
      if (!ctx.wants('s7comm.cotp_connect')) return;
      const f: Record<string, unknown> = { cotp_type: cotpTypeNames[cotp.type], src_ref: cotp.srcRef, dst_ref: cotp.dstRef };
      if (cotp.srcTsap !== undefined) f.src_tsap = cotp.srcTsap;
      if (cotp.dstTsap !== undefined) {
        f.dst_tsap = cotp.dstTsap;
        if (cotp.dstTsap.length === 4) {
          const hi = parseInt(cotp.dstTsap.slice(0, 2), 16);
          const lo = parseInt(cotp.dstTsap.slice(2), 16);
          f.connection_type = hi;
          f.rack = lo >> 5;
          f.slot = lo & 0x1f;
        }
      }
      if (cotp.tpduSize !== undefined) f.tpdu_size = cotp.tpduSize;
      ctx.emit('s7comm.cotp_connect', f);
      return;
    }
    if (cotp.type !== CotpType.DT) return;
    const data = b.subarray(cotp.dataOffset, end);
    if (!cotp.eot || d.tsdu.length > 0 || d.dropping) {
      // Part of a TSDU that spans data units: join, then parse at the last one.
      if (!d.dropping && !d.tsdu.append(data)) {
        ctx.anomaly('app.s7comm.tsdu_too_large');
        d.tsdu.clear();
        d.dropping = true;
      }
      if (!cotp.eot) return;
      if (d.dropping) {
        d.dropping = false;
        return;
      }
      const joined = d.tsdu.view().slice();
      d.tsdu.clear();
      if (joined.length > 0) dispatch(s, joined, 0, joined.length, ctx);
      return;
    }
    if (data.length > 0) dispatch(s, b, cotp.dataOffset, end, ctx);
  }

  function dispatch(s: S7commState, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    if (b[off] !== S7_PROTOCOL_ID && b[off] !== S7PLUS_PROTOCOL_ID) {
      ctx.anomaly('app.s7comm.bad_protocol_id');
      return;
    }
    s7pdu(s, b, off, end, ctx);
  }

  const newDirection = (): Direction => ({ framer: new LengthFramer(MAX_TPKT, 'app.s7comm'), tsdu: new StreamBuffer(opts.maxTsdu, 1024), dropping: false });

  return {
    name: 's7comm',
    transports: ['tcp'],
    ports: [S7_PORT],
    probe: probeS7comm,
    newState: () => ({ dirs: [newDirection(), newDirection()], szlSeq: -1, szl: undefined }),
    data(s, dir, bytes, ctx) {
      const d = s.dirs[dir];
      const bad = d.framer.push(bytes, tpktSize, (b, off, end) => frame(s, d, b, off, end, ctx));
      if (bad) ctx.anomaly(bad);
    },
    gap(s, dir) {
      s.dirs[dir].framer.fail();
      s.dirs[dir].tsdu.clear();
    },
    events,
    anomalies,
  };
}

export const s7comm: AppProtocol<S7commState> = createS7comm();
