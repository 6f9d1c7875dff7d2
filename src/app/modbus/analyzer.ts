/**
 * Modbus/TCP analyzer: frames MBAP messages per direction, parses requests (client → server) and responses,
 * pairs them by transaction id (bounded table of outstanding requests) and emits request / response /
 * exception / device identification events.
 * @module
 */
import { LengthFramer, type FrameSize } from '../length-framed.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events, type ModbusDeviceIdentificationEvent } from './events.ts';
import {
  MBAP_SIZE, MAX_MBAP_LENGTH, MEI_READ_DEVICE_ID, deviceIdObjectNames, diagnosticNames, exceptionNames, fixedRequestLength,
  functionAccess, functionCategory, functionNames, parseMbap, parseRequest, parseResponse, type ModbusPdu,
} from './parser.ts';

export interface ModbusOptions {
  /** Outstanding requests remembered per connection for pairing (pipelined clients send several). */
  maxPending: number;
}

export const defaultModbusOptions: ModbusOptions = { maxPending: 64 };

export const MODBUS_PORT = 502;

export interface ModbusState {
  framers: [LengthFramer, LengthFramer];
  pending: Map<number, ModbusPdu>;
}

/**
 * 'yes' on a whole first message whose MBAP length fits the delivery, protocol id 0 and a public function
 * code with its fixed request size; 'maybe' on a plausible MBAP header.
 */
export function probeModbus(bytes: Uint8Array, _dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  const h = parseMbap(bytes, 0, bytes.length);
  if (h.status !== 'ok') return 'no';
  const fc = bytes[MBAP_SIZE] & 0x7f;
  if (bytes.length === MBAP_SIZE - 1 + h.value.length && functionNames[fc] !== undefined) {
    const fixed = fixedRequestLength(fc);
    if (fixed !== undefined && h.value.length - 1 === fixed && (bytes[MBAP_SIZE] & 0x80) === 0) return 'yes';
  }
  return 'maybe';
}

function mbapSize(b: Uint8Array, off: number, end: number): FrameSize {
  const h = parseMbap(b, off, end);
  if (h.status === 'incomplete') return 'incomplete';
  if (h.status === 'invalid') return { anomaly: h.anomaly };
  return MBAP_SIZE - 1 + h.value.length;
}

/** Event payload of one PDU: the fields its function defines, snake_case. */
function pduFields(p: ModbusPdu): Record<string, unknown> {
  const f: Record<string, unknown> = {
    function_code: p.functionCode,
    function: functionNames[p.functionCode] ?? 'unknown',
    category: functionCategory(p.functionCode),
  };
  const access = functionAccess(p.functionCode);
  if (access) f.access = access;
  if (p.address !== undefined) f.address = p.address;
  if (p.quantity !== undefined) f.quantity = p.quantity;
  if (p.values !== undefined) f.values = p.values;
  if (p.byteCount !== undefined) f.byte_count = p.byteCount;
  if (p.subFunction !== undefined) {
    f.sub_function = p.subFunction;
    f.sub_function_name = diagnosticNames[p.subFunction] ?? 'unknown';
  }
  if (p.data !== undefined) f.data = p.data;
  if (p.andMask !== undefined) f.and_mask = p.andMask;
  if (p.orMask !== undefined) f.or_mask = p.orMask;
  if (p.readAddress !== undefined) f.read_address = p.readAddress;
  if (p.readQuantity !== undefined) f.read_quantity = p.readQuantity;
  if (p.writeAddress !== undefined) f.write_address = p.writeAddress;
  if (p.writeQuantity !== undefined) f.write_quantity = p.writeQuantity;
  if (p.meiType !== undefined) f.mei_type = p.meiType;
  if (p.readDeviceIdCode !== undefined) f.read_device_id_code = p.readDeviceIdCode;
  if (p.objectId !== undefined) f.object_id = p.objectId;
  if (p.fileRecords !== undefined) f.file_records = p.fileRecords;
  if (p.serverId !== undefined) f.server_id = p.serverId;
  if (p.runIndicator !== undefined) f.run_indicator = p.runIndicator;
  if (p.serverIdText !== undefined) f.server_id_text = p.serverIdText;
  if (p.status !== undefined) f.status = p.status;
  if (p.eventCount !== undefined) f.event_count = p.eventCount;
  if (p.messageCount !== undefined) f.message_count = p.messageCount;
  return f;
}

const identityKeys: Record<number, keyof ModbusDeviceIdentificationEvent> = {
  0: 'vendor_name', 1: 'product_code', 2: 'revision', 3: 'vendor_url', 4: 'product_name', 5: 'model_name', 6: 'user_application_name',
};

/** Build the Modbus analyzer with explicit caps (tests use small ones). */
export function createModbus(opts: ModbusOptions = defaultModbusOptions): AppProtocol<ModbusState> {
  function request(s: ModbusState, tid: number, unit: number, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const r = parseRequest(b, off, end);
    if (r.status !== 'ok') {
      if (r.status === 'invalid') ctx.anomaly(r.anomaly);
      return;
    }
    if (s.pending.size >= opts.maxPending && !s.pending.has(tid)) {
      ctx.anomaly('app.modbus.too_many_pending');
      const oldest = s.pending.keys().next();
      if (!oldest.done) s.pending.delete(oldest.value);
    }
    s.pending.delete(tid);
    s.pending.set(tid, r.value);
    if (ctx.wants('modbus.request')) ctx.emit('modbus.request', { transaction_id: tid, unit_id: unit, ...pduFields(r.value) });
  }

  function response(s: ModbusState, tid: number, unit: number, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const req = s.pending.get(tid);
    s.pending.delete(tid);
    const fc = b[off] & 0x7f;
    if (!req) ctx.anomaly('app.modbus.unmatched_response');
    else if (req.functionCode !== fc) ctx.anomaly('app.modbus.function_mismatch');
    const paired = req !== undefined && req.functionCode === fc;
    const r = parseResponse(b, off, end, paired ? req : undefined);
    if (r.status !== 'ok') {
      if (r.status === 'invalid') ctx.anomaly(r.anomaly);
      return;
    }
    const p = r.value;
    if (p.exceptionCode !== undefined) {
      if (ctx.wants('modbus.exception')) {
        ctx.emit('modbus.exception', {
          transaction_id: tid, unit_id: unit, function_code: p.functionCode, function: functionNames[p.functionCode] ?? 'unknown',
          exception_code: p.exceptionCode, exception: exceptionNames[p.exceptionCode] ?? 'unknown', paired,
        });
      }
      return;
    }
    if (ctx.wants('modbus.response')) {
      const f: Record<string, unknown> = { transaction_id: tid, unit_id: unit, ...pduFields(p), paired };
      const reqAddress = paired ? req.address ?? req.readAddress : undefined;
      const reqQuantity = paired ? req.quantity ?? req.readQuantity : undefined;
      if (reqAddress !== undefined) f.request_address = reqAddress;
      if (reqQuantity !== undefined) f.request_quantity = reqQuantity;
      ctx.emit('modbus.response', f);
    }
    if (p.meiType === MEI_READ_DEVICE_ID && p.objects && ctx.wants('modbus.device_identification')) {
      const ev: ModbusDeviceIdentificationEvent = {
        unit_id: unit, read_device_id_code: p.readDeviceIdCode ?? 0, conformity_level: p.conformityLevel ?? 0,
        more_follows: p.moreFollows ?? false,
        objects: p.objects.map((o) => ({ id: o.id, name: deviceIdObjectNames[o.id] ?? (o.id >= 0x80 ? 'private' : 'reserved'), value: o.value })),
      };
      for (const o of p.objects) {
        const key = identityKeys[o.id];
        if (key) (ev as unknown as Record<string, unknown>)[key] = o.value;
      }
      ctx.emit('modbus.device_identification', { ...ev });
    }
  }

  return {
    name: 'modbus',
    transports: ['tcp'],
    ports: [MODBUS_PORT],
    probe: probeModbus,
    newState: () => ({
      framers: [new LengthFramer(MBAP_SIZE - 1 + MAX_MBAP_LENGTH, 'app.modbus'), new LengthFramer(MBAP_SIZE - 1 + MAX_MBAP_LENGTH, 'app.modbus')],
      pending: new Map(),
    }),
    data(s, dir, bytes, ctx) {
      // The client sends requests. A capture that starts mid-connection may see the server as originator.
      const serverDir: Dir = ctx.info.origPort === MODBUS_PORT && ctx.info.respPort !== MODBUS_PORT ? 0 : 1;
      const bad = s.framers[dir].push(bytes, mbapSize, (b, off, end) => {
        const tid = (b[off] << 8) | b[off + 1];
        const unit = b[off + 6];
        if (dir === serverDir) response(s, tid, unit, b, off + MBAP_SIZE, end, ctx);
        else request(s, tid, unit, b, off + MBAP_SIZE, end, ctx);
      });
      if (bad) ctx.anomaly(bad);
    },
    gap(s, dir) {
      s.framers[dir].fail();
    },
    events,
    anomalies,
  };
}

export const modbus: AppProtocol<ModbusState> = createModbus();
