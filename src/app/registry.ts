/**
 * All application analyzers, in probe order (strict content checks first, looser ones last).
 * Adding a protocol: one import and one entry here.
 * @module
 */
import type { AppProtocol } from './types.ts';
import { ftp } from './ftp/analyzer.ts';
import { http } from './http/analyzer.ts';
import { irc } from './irc/analyzer.ts';
import { mqtt } from './mqtt/analyzer.ts';
import { rtsp } from './rtsp/analyzer.ts';
import { ssh } from './ssh/analyzer.ts';
import { telnet } from './telnet/analyzer.ts';
import { tls } from './tls/analyzer.ts';

export const appProtocols: readonly AppProtocol[] = [
  tls as AppProtocol,
  ssh as AppProtocol,
  telnet as AppProtocol,
  mqtt as AppProtocol,
  rtsp as AppProtocol,
  http as AppProtocol,
  irc as AppProtocol,
  ftp as AppProtocol,
];
