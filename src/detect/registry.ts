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
import c2Beaconing from './detectors/c2.beaconing.ts';
import c2Indicator from './detectors/c2.indicator.ts';
import c2Irc from './detectors/c2.irc.ts';
import cryptoWeakTls from './detectors/crypto.weak-tls.ts';
import ddosFloodSource from './detectors/ddos.flood-source.ts';
import ddosFloodVictim from './detectors/ddos.flood-victim.ts';
import ddosReflection from './detectors/ddos.reflection.ts';
import exposureService from './detectors/exposure.service.ts';
import p2pBotnet from './detectors/p2p.botnet.ts';
// ---- end of second engineer's imports ----
// ---- ot.* detectors (industrial protocols): import here ----
import otDeviceControl from './detectors/ot.device-control.ts';
import otExposedService from './detectors/ot.exposed-service.ts';
import otScan from './detectors/ot.scan.ts';
import otUnauthorisedWrite from './detectors/ot.unauthorised-write.ts';
import otBacnetControl from './detectors/ot.bacnet-control.ts';
import otOpcuaInsecure from './detectors/ot.opcua-insecure.ts';
// ---- end of ot.* imports ----
import policyMud from './detectors/policy.mud.ts';

export const detectors: Detector[] = [
  botnetMiraiScan,
  scanHorizontal,
  scanVertical,
  bruteforceLogin,
  credentialsDefault,
  credentialsCleartext,
  // ---- c2.*, ddos.*, p2p.*, crypto.*, exposure.* detectors (second detector engineer): list here ----
  c2Beaconing,
  c2Indicator,
  c2Irc,
  cryptoWeakTls,
  ddosFloodSource,
  ddosFloodVictim,
  ddosReflection,
  exposureService,
  p2pBotnet,
  // ---- end of second engineer's list ----
  // ---- ot.* detectors: list here ----
  otUnauthorisedWrite,
  otDeviceControl,
  otExposedService,
  otScan,
  otBacnetControl,
  otOpcuaInsecure,
  // ---- end of ot.* list ----
  policyMud,
];

/** A detector by id. */
export function detectorById(id: string): Detector | undefined {
  return detectors.find((d) => d.id === id);
}
