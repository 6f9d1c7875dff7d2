/**
 * Flow events as lazy records: the envelope and payload of an event, with `community_id` and `uid` computed on
 * first read (why, and who gets them: src/flow/lazy-record.ts). The pipeline builds these only for event
 * types whose every subscriber reads fields by name; the plain event is built otherwise.
 * @module
 */
import { FlowBound, plainWithIds, type FlowIds, type FlowTuple } from '../flow/lazy-record.ts';
import type { EventFields } from '../events/types.ts';
import type { EventRecord } from '../events/record.ts';

/**
 * The payload's fields onto the event, as a spread copies them. Object.assign would also run the `__proto__`
 * setter for a field of that name, where a spread makes a plain field: such a payload is copied field by field.
 */
function assignPayload(target: object, fields: EventFields): void {
  if (!Object.hasOwn(fields, '__proto__')) {
    Object.assign(target, fields);
    return;
  }
  for (const key of Object.keys(fields)) {
    if (key === '__proto__') Object.defineProperty(target, key, { value: fields[key], writable: true, enumerable: true, configurable: true });
    else (target as Record<string, unknown>)[key] = fields[key];
  }
}

/**
 * An event of a flow: own fields type, ts, file, packet, flow_id, transport, src_ip, src_port, dst_ip,
 * dst_port, from_orig, then the payload's. Its plain form (toJSON) puts community_id after packet and uid after
 * flow_id, as the plain event has them.
 */
export class LazyFlowEvent extends FlowBound {
  // `declare`: the constructor sets every field, in this order; a field declared plainly would be defined
  // as undefined first (ES2022 class fields), one more store per field and event.
  declare type: string;
  declare ts: number;
  declare file: string;
  declare packet: number;
  declare flow_id: number;
  declare transport: string;
  declare src_ip: string;
  declare src_port: number;
  declare dst_ip: string;
  declare dst_port: number;
  declare from_orig: boolean;

  constructor(ids: FlowIds, t: FlowTuple, type: string, ts: number, file: string, packet: number, transport: string,
    fromOrig: boolean, origIp: string, respIp: string, fields: EventFields) {
    super(ids, t);
    this.type = type;
    this.ts = ts;
    this.file = file;
    this.packet = packet;
    this.flow_id = t.flowId;
    this.transport = transport;
    this.src_ip = fromOrig ? origIp : respIp;
    this.src_port = fromOrig ? t.origPort : t.respPort;
    this.dst_ip = fromOrig ? respIp : origIp;
    this.dst_port = fromOrig ? t.respPort : t.origPort;
    this.from_orig = fromOrig;
    // The payload overrides envelope fields as the plain event's spread does (in place; uid/community_id by their setters).
    assignPayload(this, fields);
    this.type = type; // a payload never renames the event
  }

  toJSON(): EventRecord {
    return plainWithIds(this, 'packet', 'flow_id') as EventRecord;
  }
}

/** An ARP event: type, ts, file, packet, flow_id, transport 'arp', then the payload; a uid, no Community ID. */
export class LazyArpEvent extends FlowBound {
  // `declare`: set by the constructor, in this order (see LazyFlowEvent).
  declare type: string;
  declare ts: number;
  declare file: string;
  declare packet: number;
  declare flow_id: number;
  declare transport: string;

  constructor(ids: FlowIds, t: FlowTuple, type: string, ts: number, file: string, packet: number, fields: EventFields) {
    super(ids, t, false);
    this.type = type;
    this.ts = ts;
    this.file = file;
    this.packet = packet;
    this.flow_id = t.flowId;
    this.transport = 'arp';
    assignPayload(this, fields);
  }

  toJSON(): EventRecord {
    return plainWithIds(this, null, 'flow_id') as EventRecord;
  }
}
