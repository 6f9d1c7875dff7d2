/**
 * Paths of the traces detector tests run on (test/traces/, samples/). Test-only helper.
 * @module
 */
const root = new URL('../../../', import.meta.url).pathname;

export const detectTrace = (name: string): string => `${root}test/traces/detect/${name}`;
export const pipelineTrace = (name: string): string => `${root}test/traces/pipeline/${name}`;
export const sample = (name: string): string => `${root}samples/${name}`;

/** Benign traces no attack detector may report on. */
export const benignTraces = (): string[] => [sample('dlink-camera-setup.pcap'), detectTrace('aria-setup-a-1.pcap')];
