/**
 * All application analyzers, in probe order (more specific content checks first).
 * Adding a protocol: one import and one entry here.
 * @module
 */
import type { AppProtocol } from './types.ts';

export const appProtocols: readonly AppProtocol[] = [];
