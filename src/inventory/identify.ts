import type { DeviceRecord, Identification } from './types.ts';
export function identify(_d: Omit<DeviceRecord, 'identification'>): Identification {
  return { type: 'unknown', type_confidence: 0, because: [], decided_by: 'rules' };
}
