/**
 * All application analyzers, in probe order (strict content checks first, looser ones last).
 * Adding a protocol: one import and one entry here.
 * @module
 */
import type { AppProtocol } from './types.ts';
import { ftp } from './ftp/analyzer.ts';
import { irc } from './irc/analyzer.ts';
import { mqtt } from './mqtt/analyzer.ts';
import { telnet } from './telnet/analyzer.ts';

export const appProtocols: readonly AppProtocol[] = [
  telnet as AppProtocol,
  mqtt as AppProtocol,
  irc as AppProtocol,
  ftp as AppProtocol,
];
