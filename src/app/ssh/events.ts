/**
 * SSH events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

/** Payload of `ssh.banner`. */
export interface SshBannerEvent {
  proto_version: string;
  software: string;
  comments?: string;
  raw: string;
}

export const events = [
  {
    type: 'ssh.banner',
    description: 'An SSH identification string (one per side); from_orig tells client from server.',
    fields: {
      proto_version: { type: 'string', description: 'Protocol version, e.g. "2.0" (or "1.99").' },
      software: { type: 'string', description: 'Software version, e.g. "OpenSSH_9.6p1".' },
      comments: { type: 'string', description: 'Text after the first space, e.g. "Ubuntu-3ubuntu13.11".', optional: true },
      raw: { type: 'string', description: 'The whole line without CR LF.' },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.ssh.banner_too_long', description: 'A line longer than 255 bytes before the identification string.' },
  { id: 'app.ssh.bad_banner', description: 'An identification line without "SSH-protoversion-softwareversion".' },
  { id: 'app.ssh.too_many_lines', description: 'More lines before the identification string than the cap.' },
];
