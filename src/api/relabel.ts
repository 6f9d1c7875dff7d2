/**
 * A device's assessment and label under its current name and type: after a user renames or retypes it (PATCH
 * /api/devices/:id), and after an ingest re-assesses a device the user had named, the stored assessment and
 * both labels (SVG, PDF) are rendered again from the stored device with its override.
 * @module
 */
import { renameAssessment } from '../assess/assess.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { labelPdf } from '../output/label/pdf.ts';
import { labelSvg } from '../output/label/svg.ts';
import type { Store } from '../store/types.ts';

/**
 * Re-render one device's assessment and labels. `onlyOverridden`: leave devices without a user override alone
 * (their stored label is already the analysis' own). Returns whether anything was rewritten.
 */
export async function relabelDevice(store: Store, id: string, onlyOverridden = false): Promise<boolean> {
  const [assessmentJson, deviceJson] = await Promise.all([store.getAssessment(id), store.getDevice(id, true)]);
  if (assessmentJson === undefined || deviceJson === undefined) return false;
  // The stored device JSON is the DeviceRecord with the user's override under `user`.
  const device = JSON.parse(deviceJson) as DeviceRecord;
  if (onlyOverridden && device.user === undefined) return false;
  const stored = JSON.parse(assessmentJson) as DeviceAssessment & { updated_at?: string };
  const { updated_at: _updated, ...previous } = stored;
  let a: DeviceAssessment;
  let svg: string;
  let pdf: Uint8Array;
  try {
    a = renameAssessment(previous, device);
    svg = labelSvg(a, device);
    pdf = labelPdf(a, device);
  } catch (err) {
    // A stored assessment that cannot be drawn (written by an older version, or partial) keeps its label.
    process.stderr.write(`bulwark: label for ${id} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
  await store.saveAssessments([a], [{ device_id: id, svg, pdf }]);
  return true;
}
