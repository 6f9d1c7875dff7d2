/**
 * Industrial protocol commands, protocol-neutral: each OT request event is mapped to what it does to the
 * device (`write`: changes process values; `control`: restarts, stops, silences or reprograms it; `read`),
 * with the client, the server and the unit/outstation addressed. Detectors (ot.unauthorised-write,
 * ot.device-control) work on these only, so a protocol plugs in with one classifier entry per event type.
 * @module
 */
import type { EventRecord } from '../../pipeline/analyze.ts';
import type { EvidenceRef } from '../types.ts';

export type OtCommandKind = 'read' | 'write' | 'control';

/** What a control command does (ATT&CK for ICS names the same classes of action). */
export type OtControlAction =
  | 'restart' | 'stop' | 'start' | 'silence' | 'program_download' | 'program_upload' | 'program_change' | 'file_operation' | 'configuration' | 'clock';

export interface OtCommand {
  protocol: string;
  /** Command as the protocol names it: 'write_single_register', 'direct_operate', 'plc_stop', 'force_listen_only_mode', ... */
  command: string;
  kind: OtCommandKind;
  action?: OtControlAction;
  client: string;
  server: string;
  /** Unit, outstation or station addressed: 'unit 10', 'outstation 2', ... ('' when the protocol has none). */
  unit: string;
  /** Short human detail: addresses written, block, file name, PI service. */
  detail: string;
  /**
   * A request only the device's master sends in normal operation (polling process data, DNP3 master
   * functions), as opposed to session setup and identification that any tool sends first.
   */
  masterBehaviour: boolean;
  ts: number;
  evidence: EvidenceRef;
}

type Classified = (Pick<OtCommand, 'command' | 'kind' | 'unit' | 'detail'> & Partial<Pick<OtCommand, 'action' | 'masterBehaviour'>>) | undefined;

/** The client and server of an event's flow: the originator is the client. */
export function endpoints(ev: EventRecord): { client: string; server: string } | undefined {
  const src = typeof ev.src_ip === 'string' ? ev.src_ip : undefined;
  const dst = typeof ev.dst_ip === 'string' ? ev.dst_ip : undefined;
  if (!src || !dst) return undefined;
  return ev.from_orig === false ? { client: dst, server: src } : { client: src, server: dst };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 64) : '');

function modbus(ev: EventRecord): Classified {
  const name = text(ev.function) || `function ${num(ev.function_code) ?? '?'}`;
  const unit = `unit ${num(ev.unit_id) ?? '?'}`;
  const at = num(ev.address) !== undefined ? ` at address ${ev.address as number}${num(ev.quantity) !== undefined ? ` (${ev.quantity as number} items)` : ''}` : '';
  if (ev.access === 'write' || ev.access === 'read_write') {
    const fc = num(ev.function_code);
    const action = fc === 21 ? 'file_operation' : undefined;
    return action ? { command: name, kind: 'control', action, unit, detail: 'file record write' } : { command: name, kind: 'write', unit, detail: `${name}${at}` };
  }
  if (ev.function_code === 8) {
    const sub = text(ev.sub_function_name);
    // Restart communications (01) restarts the serial line and may reboot the device; listen-only (04) silences it.
    if (ev.sub_function === 1) return { command: `diagnostics ${sub}`, kind: 'control', action: 'restart', unit, detail: 'diagnostics 0x01 restart communications option' };
    if (ev.sub_function === 4) return { command: `diagnostics ${sub}`, kind: 'control', action: 'silence', unit, detail: 'diagnostics 0x04 force listen only mode' };
    if (ev.sub_function === 10 || ev.sub_function === 20) return { command: `diagnostics ${sub}`, kind: 'control', action: 'configuration', unit, detail: `diagnostics 0x${(ev.sub_function as number).toString(16).padStart(2, '0')} ${sub}` };
  }
  // Identification (17 Report Server ID, 43 encapsulated interface) is what scanners send first.
  const fc = num(ev.function_code);
  return { command: name, kind: 'read', unit, detail: `${name}${at}`, masterBehaviour: fc !== 17 && fc !== 43 && fc !== 8 };
}

const dnp3Control: Record<number, OtControlAction> = {
  13: 'restart', 14: 'restart', 15: 'configuration', 16: 'restart', 17: 'start', 18: 'stop', 19: 'configuration',
  25: 'file_operation', 26: 'file_operation', 27: 'file_operation', 28: 'file_operation', 29: 'file_operation', 30: 'file_operation', 31: 'configuration',
};
const dnp3Write = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 22, 24]);

function dnp3(ev: EventRecord): Classified {
  const fc = num(ev.function_code);
  if (fc === undefined || fc === 0) return undefined;
  const command = text(ev.function) || `function ${fc}`;
  const unit = `outstation ${num(ev.destination) ?? '?'}`;
  const objects = Array.isArray(ev.objects) ? (ev.objects as { group?: unknown; variation?: unknown; file_name?: unknown }[]).slice(0, 4) : [];
  const objs = objects.map((o) => `g${String(o.group)}v${String(o.variation)}`).join(', ');
  const file = objects.map((o) => o.file_name).find((f) => typeof f === 'string');
  const detail = `${command}${objs ? ` of ${objs}` : ''}${typeof file === 'string' ? ` (file ${file.slice(0, 64)})` : ''}`;
  const action = dnp3Control[fc];
  if (action) return { command, kind: 'control', action, unit, detail };
  if (dnp3Write.has(fc)) return { command, kind: 'write', unit, detail };
  // Reads, (un)solicited-reporting control and delay measurement are master functions.
  return { command, kind: 'read', unit, detail, masterBehaviour: true };
}

function s7(ev: EventRecord): Classified {
  const fn = text(ev.function);
  const block = typeof ev.filename === 'string' ? ` ${ev.block_type ?? ''} ${ev.block_number ?? ''} (${ev.filename})`.replace(/\s+/g, ' ') : '';
  const pi = text(ev.pi_service);
  const unit = '';
  switch (fn) {
    case 'write_var': {
      const items = Array.isArray(ev.items) ? (ev.items as { area_name?: unknown; db_number?: unknown; address?: unknown }[]).slice(0, 3) : [];
      const where = items.map((i) => `${String(i.area_name)}${i.area_name === 'data_blocks' ? ` DB${String(i.db_number)}` : ''} byte ${String(i.address)}`).join(', ');
      return { command: fn, kind: 'write', unit, detail: `write_var${where ? ` to ${where}` : ''}` };
    }
    case 'plc_stop':
      return { command: fn, kind: 'control', action: 'stop', unit, detail: `PLC stop${pi ? ` (${pi})` : ''}` };
    case 'plc_control': {
      const action: OtControlAction = pi === 'P_PROGRAM' ? 'start' : pi === '_INSE' || pi === '_DELE' ? 'program_change' : 'configuration';
      return { command: `plc_control ${pi || '?'}`, kind: 'control', action, unit, detail: `PI service ${pi || '?'} (${text(ev.pi_service_name) || 'unknown'})${ev.pi_argument ? ` argument '${text(ev.pi_argument)}'` : ''}` };
    }
    case 'request_download': case 'download_block': case 'download_ended':
      return { command: fn, kind: 'control', action: 'program_download', unit, detail: `${fn}${block}` };
    case 'start_upload': case 'upload': case 'end_upload':
      return { command: fn, kind: 'control', action: 'program_upload', unit, detail: `${fn}${block}` };
    default:
      // Setup communication and SZL reads open every session (and every scan); polling is read var.
      return { command: fn || 'unknown', kind: 'read', unit, detail: fn, masterBehaviour: fn === 'read_var' };
  }
}

function s7Userdata(ev: EventRecord): Classified {
  if (ev.method !== 'request') return undefined;
  if (ev.function_group === 7 && (ev.subfunction === 2 || ev.subfunction === 4)) return { command: 'set_clock', kind: 'control', action: 'clock', unit: '', detail: 'set the PLC clock' };
  return undefined;
}

/**
 * Classifier per event type. Another protocol plugs in here (e.g. 'bacnet.request', 'opcua.request'): map
 * its request event to a command; the OT detectors subscribe to every key of this table.
 */
export const otCommandClassifiers: Record<string, (ev: EventRecord) => Classified> = {
  'modbus.request': modbus,
  'dnp3.request': dnp3,
  's7comm.job': s7,
  's7comm.userdata': s7Userdata,
};

/** The protocol-neutral command of an event, or undefined when it is not an OT request. */
export function otCommand(ev: EventRecord): OtCommand | undefined {
  const classify = otCommandClassifiers[ev.type];
  if (!classify) return undefined;
  const c = classify(ev);
  const ends = endpoints(ev);
  if (!c || !ends) return undefined;
  // The flow's originator is the client even for jobs the server sends (S7 download_block comes from the PLC).
  const protocol = ev.type.slice(0, ev.type.indexOf('.'));
  const evidence: EvidenceRef = { file: ev.file, packet: ev.packet, ts: ev.ts };
  if (typeof ev.community_id === 'string') evidence.community_id = ev.community_id;
  return { protocol, ...c, masterBehaviour: c.masterBehaviour ?? false, ...ends, ts: ev.ts, evidence };
}

/** Ports of industrial protocols (service names for messages; the OT scan and exposure detectors use them). */
export const otPorts: Record<number, string> = {
  102: 'S7comm (ISO-on-TCP)', 502: 'Modbus/TCP', 20000: 'DNP3', 47808: 'BACnet/IP', 4840: 'OPC UA', 2404: 'IEC 60870-5-104',
  44818: 'EtherNet/IP', 2222: 'EtherNet/IP I/O', 1911: 'Niagara Fox', 4911: 'Niagara Fox TLS', 9600: 'OMRON FINS', 20547: 'ProConOS',
  1962: 'PCWorx', 5007: 'MELSEC', 789: 'Red Lion Crimson', 2455: 'CODESYS', 18245: 'GE SRTP', 5094: 'HART-IP', 34962: 'PROFINET',
  34964: 'PROFINET', 1089: 'Foundation Fieldbus HSE', 4000: 'Emerson ROC', 10001: 'Ethernet-to-serial (Lantronix)',
};

/** App names of OT analyzers (flow.app) and the service each is. */
export const otApps: Record<string, string> = {
  modbus: 'Modbus/TCP', dnp3: 'DNP3', s7comm: 'S7comm', bacnet: 'BACnet/IP', opcua: 'OPC UA',
};
