/**
 * Every detector Bulwark runs. One module per detector under detectors/, file name = detector id, exporting
 * the Detector as `default`. test/detectors.meta.test.ts keeps this list, the files, the docs and the
 * tests in step.
 * @module
 */
import type { Detector } from './types.ts';
import botnetMiraiScan from './detectors/botnet.mirai-scan.ts';
import bruteforceLogin from './detectors/bruteforce.login.ts';
import credentialsCleartext from './detectors/credentials.cleartext.ts';
import credentialsDefault from './detectors/credentials.default.ts';
import scanHorizontal from './detectors/scan.horizontal.ts';
import scanVertical from './detectors/scan.vertical.ts';
// ---- c2.*, ddos.*, p2p.*, crypto.*, exposure.* detectors (second detector engineer): import here ----
// ---- end of second engineer's imports ----

export const detectors: Detector[] = [
  botnetMiraiScan,
  scanHorizontal,
  scanVertical,
  bruteforceLogin,
  credentialsDefault,
  credentialsCleartext,
  // ---- c2.*, ddos.*, p2p.*, crypto.*, exposure.* detectors (second detector engineer): list here ----
  // ---- end of second engineer's list ----
];

/** A detector by id. */
export function detectorById(id: string): Detector | undefined {
  return detectors.find((d) => d.id === id);
}
