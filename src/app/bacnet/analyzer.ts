/**
 * BACnet/IP analyzer (UDP 47808-47823): BVLC, NPDU and APDU of every datagram, with field-level events for
 * discovery (Who-Is/I-Am), ReadProperty/WriteProperty, ReinitializeDevice and DeviceCommunicationControl.
 * Reject/abort/segment-ack PDUs are paired with their request by invoke id (256 ids per direction: bounded by
 * the protocol); segmented messages are reassembled in order up to a cap.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir } from '../types.ts';
import type { EventFields } from '../../events/types.ts';
import { bacnetAnomalies, bacnetEvents } from './events.ts';
import {
  type AccessItem, type ApduHeader, type Npdu, type PropertyRef, PduType, parseAccessList, bvlcFunctionNames, enableDisableNames, networkMessageNames,
  networkMessageNetworks, parseApduHeader, parseBvlc, parseDeviceCommunicationControl, parseError, parseIAm, parseNpdu,
  parseReadProperty, parseReadPropertyAck, parseReinitializeDevice, parseWhoIs, parseWriteProperty, pduTypeNames,
  reinitializedStateNames,
} from './parser.ts';
import {
  abortReasonName, confirmedServiceName, enumeratedName, errorClassName, errorCodeName, objectTypeName, propertyName,
  rejectReasonName, segmentationNames, unconfirmedServiceName, vendorName,
} from './names.ts';
import type { AppValue } from './tags.ts';

export interface BacnetOptions {
  /** Largest segmented message reassembled (bytes of service data); larger ones are reported, not parsed. */
  maxSegmentedBytes: number;
}

export const defaultBacnetOptions: BacnetOptions = { maxSegmentedBytes: 64 * 1024 };

/** Service choices Bulwark decodes field by field (clause 21): confirmed ones, then I-Am and Who-Is (unconfirmed). */
export const Service = {
  READ_PROPERTY: 12, READ_PROPERTY_MULTIPLE: 14, WRITE_PROPERTY: 15, WRITE_PROPERTY_MULTIPLE: 16,
  DEVICE_COMMUNICATION_CONTROL: 17, REINITIALIZE_DEVICE: 20,
  I_AM: 0, WHO_IS: 8,
} as const;

interface Reassembly {
  invokeId: number;
  type: number;
  service: number;
  nextSeq: number;
  buf: StreamBuffer;
  /** Too large: segments are still followed, the content is dropped. */
  overflow: boolean;
}

export interface BacnetState {
  /** Service choice + 1 of the last confirmed request per (direction, invoke id); 0 = none. */
  pending: Uint8Array | null;
  reassembly: [Reassembly | null, Reassembly | null];
}

const at = (dir: Dir, invokeId: number): number => dir * 256 + invokeId;

/** Display form of an application value (strings as text, reals to float32 precision). */
export function valueText(v: AppValue): string {
  if (typeof v.value === 'number') return v.type === 'real' ? String(Number(v.value.toPrecision(9))) : String(v.value);
  return String(v.value);
}

function propertyFields(ref: PropertyRef, invokeId?: number): EventFields {
  const f: EventFields = {
    object_type: objectTypeName(ref.object.type), object_type_id: ref.object.type,
    object_instance: ref.object.instance, property: propertyName(ref.property), property_id: ref.property,
  };
  if (ref.arrayIndex !== undefined) f.array_index = ref.arrayIndex;
  if (ref.value) {
    f.value = valueText(ref.value);
    f.value_type = ref.value.type;
    if (ref.value.type === 'enumerated') {
      const name = enumeratedName(ref.object.type, ref.property, Number(ref.value.value));
      if (name) f.value_name = name;
    }
  }
  if (ref.valueCount !== undefined) f.value_count = ref.valueCount;
  if (ref.priority !== undefined) f.priority = ref.priority;
  return invokeId === undefined ? f : { invoke_id: invokeId, ...f };
}

/** Items of a *Multiple message as event objects (errors of an ACK as names). */
function accessItems(items: readonly AccessItem[]): EventFields[] {
  return items.map((item) => {
    const f = propertyFields(item);
    if (item.error) {
      f.error_class = errorClassName(item.error.errorClass) ?? String(item.error.errorClass);
      f.error_code = errorCodeName(item.error.errorCode) ?? String(item.error.errorCode);
    }
    return f;
  });
}

/**
 * Probe: 'yes' when b is a BACnet/IP datagram (BVLC type 0x81, a known function, a length equal to the
 * datagram's, a valid NPDU); 'maybe' when only the length disagrees (claimed on the BACnet ports only).
 */
export function probeBacnet(b: Uint8Array): 'yes' | 'no' | 'maybe' {
  const v = parseBvlc(b, 0, b.length);
  if (v.status !== 'ok') return 'no';
  if (v.value.npduOff !== undefined && parseNpdu(b, v.value.npduOff, b.length).status !== 'ok') return 'no';
  return v.value.lengthMismatch ? 'maybe' : 'yes';
}

export function createBacnet(opts: BacnetOptions = defaultBacnetOptions): AppProtocol<BacnetState> {
  /** Service data of a complete (or reassembled) APDU: field-level events. */
  function service(h: ApduHeader, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const id = h.invokeId ?? 0;
    if (h.type === PduType.UNCONFIRMED_REQUEST) {
      if (h.service === Service.WHO_IS && ctx.wants('bacnet.who_is')) {
        const w = parseWhoIs(b, off, end);
        if (w.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
        const f: EventFields = {};
        if (w.value.lowLimit !== undefined) f.low_limit = w.value.lowLimit;
        if (w.value.highLimit !== undefined) f.high_limit = w.value.highLimit;
        ctx.emit('bacnet.who_is', f);
      } else if (h.service === Service.I_AM && ctx.wants('bacnet.i_am')) {
        const i = parseIAm(b, off, end);
        if (i.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
        const v = i.value;
        const f: EventFields = {
          device_instance: v.device.instance, object_type: objectTypeName(v.device.type), max_apdu: v.maxApdu,
          segmentation: segmentationNames[v.segmentation] ?? String(v.segmentation), vendor_id: v.vendorId,
        };
        const vendor = vendorName(v.vendorId);
        if (vendor) f.vendor = vendor;
        ctx.emit('bacnet.i_am', f);
      }
      return;
    }
    if (h.type === PduType.CONFIRMED_REQUEST) {
      switch (h.service) {
        case Service.READ_PROPERTY: {
          if (!ctx.wants('bacnet.read_property')) return;
          const r = parseReadProperty(b, off, end);
          if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
          ctx.emit('bacnet.read_property', propertyFields(r.value, id));
          return;
        }
        case Service.WRITE_PROPERTY: {
          if (!ctx.wants('bacnet.write_property')) return;
          const r = parseWriteProperty(b, off, end);
          if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
          ctx.emit('bacnet.write_property', propertyFields(r.value, id));
          return;
        }
        case Service.READ_PROPERTY_MULTIPLE:
        case Service.WRITE_PROPERTY_MULTIPLE: {
          const read = h.service === Service.READ_PROPERTY_MULTIPLE;
          const type = read ? 'bacnet.read_property_multiple' : 'bacnet.write_property_multiple';
          if (!ctx.wants(type)) return;
          const r = parseAccessList(b, off, end, read ? 'read' : 'write');
          if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
          const list = read ? 'properties' : 'writes';
          ctx.emit(type, { invoke_id: id, [list]: accessItems(r.value.items), [`${list}_dropped`]: r.value.dropped });
          return;
        }
        case Service.REINITIALIZE_DEVICE: {
          if (!ctx.wants('bacnet.reinitialize_device')) return;
          const r = parseReinitializeDevice(b, off, end);
          if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
          const f: EventFields = { invoke_id: id, state: reinitializedStateNames[r.value.state] ?? String(r.value.state) };
          if (r.value.password !== undefined) f.password = r.value.password;
          ctx.emit('bacnet.reinitialize_device', f);
          return;
        }
        case Service.DEVICE_COMMUNICATION_CONTROL: {
          if (!ctx.wants('bacnet.device_communication_control')) return;
          const r = parseDeviceCommunicationControl(b, off, end);
          if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
          const f: EventFields = { invoke_id: id, enable_disable: enableDisableNames[r.value.state] ?? String(r.value.state) };
          if (r.value.durationMinutes !== undefined) f.duration_minutes = r.value.durationMinutes;
          if (r.value.password !== undefined) f.password = r.value.password;
          ctx.emit('bacnet.device_communication_control', f);
          return;
        }
      }
      return;
    }
    if (h.type === PduType.COMPLEX_ACK && h.service === Service.READ_PROPERTY_MULTIPLE && ctx.wants('bacnet.read_property_multiple_ack')) {
      const r = parseAccessList(b, off, end, 'ack');
      if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
      ctx.emit('bacnet.read_property_multiple_ack', { invoke_id: id, results: accessItems(r.value.items), results_dropped: r.value.dropped });
      return;
    }
    if (h.type === PduType.COMPLEX_ACK && h.service === Service.READ_PROPERTY && ctx.wants('bacnet.read_property_ack')) {
      const r = parseReadPropertyAck(b, off, end);
      if (r.status !== 'ok') return void ctx.anomaly('app.bacnet.bad_service');
      ctx.emit('bacnet.read_property_ack', propertyFields(r.value, id));
    }
  }

  /** Segments: reassemble in order per direction; the service data is parsed once the last one is in. */
  function segment(s: BacnetState, dir: Dir, h: ApduHeader, b: Uint8Array, ctx: AppContext): void {
    let r = s.reassembly[dir];
    if (h.sequenceNumber === 0) {
      r ??= { invokeId: 0, type: 0, service: 0, nextSeq: 0, buf: new StreamBuffer(opts.maxSegmentedBytes, 1024), overflow: false };
      r.buf.clear();
      Object.assign(r, { invokeId: h.invokeId, type: h.type, service: h.service, nextSeq: 0, overflow: false });
      s.reassembly[dir] = r;
    }
    if (!r || r.invokeId !== h.invokeId || r.type !== h.type || r.nextSeq !== h.sequenceNumber) {
      ctx.anomaly('app.bacnet.segment_out_of_order');
      s.reassembly[dir] = null;
      return;
    }
    r.nextSeq = (r.nextSeq + 1) & 0xff;
    if (!r.overflow && !r.buf.append(b.subarray(h.dataOff))) {
      r.overflow = true;
      r.buf.clear();
      ctx.anomaly('app.bacnet.segmented_too_large');
    }
    if (h.moreFollows) return;
    if (!r.overflow) {
      const whole = r.buf.view();
      service(h, whole, 0, whole.length, ctx);
    }
    // Done: the buffer goes with it (a flow holds reassembly memory only while a message is in flight).
    s.reassembly[dir] = null;
  }

  function apdu(s: BacnetState, dir: Dir, bvlcFunction: number, forwardedFrom: string | undefined, npdu: Npdu, b: Uint8Array, ctx: AppContext): void {
    const p = parseApduHeader(b, npdu.dataOff, b.length);
    if (p.status !== 'ok') return void ctx.anomaly(p.status === 'invalid' ? p.anomaly : 'app.bacnet.truncated');
    const h = p.value;
    // Pair answers with requests: a request's invoke id names the service of the reject/abort sent back.
    let serviceName: string | undefined;
    if (h.type === PduType.CONFIRMED_REQUEST) {
      s.pending ??= new Uint8Array(512);
      s.pending[at(dir, h.invokeId!)] = h.service! + 1;
    }
    if (h.type === PduType.UNCONFIRMED_REQUEST) serviceName = unconfirmedServiceName(h.service!);
    else if (h.service !== undefined) serviceName = confirmedServiceName(h.service);
    else if (s.pending && h.invokeId !== undefined) {
      // Segment-acks go both ways; rejects and aborts answer the other side's request.
      const other = (h.type === PduType.SEGMENT_ACK && !h.server ? dir : 1 - dir) as Dir;
      const pending = s.pending[at(other, h.invokeId)];
      if (pending > 0) serviceName = confirmedServiceName(pending - 1);
    }
    if (ctx.wants('bacnet.apdu')) {
      const f: EventFields = { bvlc_function: bvlcFunctionNames[bvlcFunction], pdu_type: pduTypeNames[h.type] };
      if (serviceName !== undefined) f.service = serviceName;
      if (h.service !== undefined) f.service_choice = h.service;
      if (h.invokeId !== undefined) f.invoke_id = h.invokeId;
      if (h.type === PduType.ERROR) {
        const e = parseError(b, h.dataOff, b.length);
        if (e.status === 'ok') {
          f.result = errorCodeName(e.value.errorCode) ?? String(e.value.errorCode);
          f.error_class = errorClassName(e.value.errorClass) ?? String(e.value.errorClass);
        } else ctx.anomaly('app.bacnet.bad_service');
      } else if (h.type === PduType.REJECT) f.result = rejectReasonName(h.reason!) ?? String(h.reason);
      else if (h.type === PduType.ABORT) f.result = abortReasonName(h.reason!) ?? String(h.reason);
      if (h.segmented || h.type === PduType.SEGMENT_ACK) {
        f.segmented = h.segmented;
        f.more_follows = h.moreFollows;
        f.sequence_number = h.sequenceNumber!;
        f.window_size = h.windowSize!;
      }
      if (forwardedFrom !== undefined) f.forwarded_from = forwardedFrom;
      if (npdu.snet !== undefined) [f.snet, f.sadr] = [npdu.snet, npdu.sadr!];
      if (npdu.dnet !== undefined) [f.dnet, f.dadr] = [npdu.dnet, npdu.dadr!];
      ctx.emit('bacnet.apdu', f);
    }
    if (h.segmented) segment(s, dir, h, b, ctx);
    else service(h, b, h.dataOff, b.length, ctx);
  }

  return {
    name: 'bacnet',
    transports: ['udp'],
    // 47808 (0xBAC0) and the next 15 ports are the BACnet/IP range (Annex J.1).
    ports: Array.from({ length: 16 }, (_, i) => 47808 + i),
    probe: (bytes) => probeBacnet(bytes),
    newState: () => ({ pending: null, reassembly: [null, null] }),
    data(s, dir, bytes, ctx) {
      const v = parseBvlc(bytes, 0, bytes.length);
      if (v.status !== 'ok') return void ctx.anomaly(v.status === 'invalid' ? v.anomaly : 'app.bacnet.truncated');
      const bvlc = v.value;
      if (bvlc.lengthMismatch) ctx.anomaly('app.bacnet.bvlc_length_mismatch');
      if (bvlc.npduOff === undefined) {
        if (ctx.wants('bacnet.bvlc')) {
          const f: EventFields = { bvlc_function: bvlcFunctionNames[bvlc.function] };
          if (bvlc.resultCode !== undefined) f.result_code = bvlc.resultCode;
          if (bvlc.ttl !== undefined) f.ttl = bvlc.ttl;
          ctx.emit('bacnet.bvlc', f);
        }
        return;
      }
      const end = bytes.length;
      const datagram = bytes;
      const n = parseNpdu(datagram, bvlc.npduOff, end);
      if (n.status !== 'ok') return void ctx.anomaly(n.status === 'invalid' ? n.anomaly : 'app.bacnet.truncated');
      const npdu = n.value;
      if (npdu.messageType !== undefined) {
        if (ctx.wants('bacnet.network_message')) {
          const t = npdu.messageType;
          ctx.emit('bacnet.network_message', {
            message_type: t, message: networkMessageNames[t] ?? (t >= 0x80 ? `proprietary-${t}` : `reserved-${t}`),
            networks: networkMessageNetworks(t, datagram, npdu.dataOff, end),
          });
        }
        return;
      }
      apdu(s, dir, bvlc.function, bvlc.forwardedFrom, npdu, datagram, ctx);
    },
    events: bacnetEvents,
    anomalies: bacnetAnomalies,
  };
}

export const bacnet = createBacnet();
