/**
 * Identification rules for industrial (OT) devices, from the `ot.*` evidence ot-handlers.ts records:
 * protocol roles decide the type (an S7 server is a PLC, a DNP3 outstation an RTU, a master an HMI or
 * engineering station), reported identities the model. Same row shape as rules.ts.
 * @module
 */
import type { Rule } from './rules.ts';
import type { Evidence } from './types.ts';

const r = (signals: readonly string[], pattern: RegExp, weight: number, type?: Rule['type'], vendor?: string, model?: string): Rule =>
  ({ signals, pattern, weight, type, vendor, model });

export const otRules: readonly Rule[] = [
  r(['ot.role'], /^s7comm server$/, 0.9, 'plc'),
  r(['ot.role'], /^dnp3 outstation$/, 0.85, 'rtu'),
  // Modbus servers are PLCs, but also meters, drives and gateways: a weaker call.
  r(['ot.role'], /^modbus server$/, 0.6, 'plc'),
  // The side that commands controllers: SCADA/HMI or an engineering workstation.
  r(['ot.role'], /^(s7comm client|dnp3 master|modbus client)$/, 0.5, 'hmi'),
  r(['ot.order_number'], /^6ES7/, 0.9, 'plc', 'Siemens'),
  r(['ot.model'], /^(CPU \d{3,4}\S*(?: [A-Z/]+)?)/, 0.9, 'plc', 'Siemens', 'SIMATIC S7 $1'),
  r(['service'], /^tcp\/(502|102)$/, 0.4, 'plc'),
  r(['service'], /^(tcp|udp)\/20000$/, 0.5, 'rtu'),
];

/** What industrial devices reported about themselves: first value of each identity signal, and every role. */
export interface OtIdentity {
  vendor?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  roles: string[];
}

export function otIdentity(evidence: readonly Evidence[]): OtIdentity {
  const out: OtIdentity = { roles: [] };
  for (const e of evidence) {
    if (e.signal === 'ot.role') {
      if (!out.roles.includes(e.value)) out.roles.push(e.value);
    } else if (e.signal === 'ot.vendor') out.vendor ??= e.value;
    else if (e.signal === 'ot.model') out.model ??= e.value;
    else if (e.signal === 'ot.firmware') out.firmware ??= e.value;
    else if (e.signal === 'ot.serial') out.serial ??= e.value;
  }
  return out;
}
