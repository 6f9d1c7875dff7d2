/**
 * FTP events and anomalies (catalogue entries).
 * @module
 */
import type { AnomalySpec, EventPayload, EventSpec } from '../../events/types.ts';

export type FtpCommandEvent = EventPayload<typeof events, 'ftp.command'>;

export type FtpReplyEvent = EventPayload<typeof events, 'ftp.reply'>;

export type FtpLoginEvent = EventPayload<typeof events, 'ftp.login'>;

export type FtpAuthTlsEvent = EventPayload<typeof events, 'ftp.auth_tls'>;

export const events = [
  {
    type: 'ftp.command',
    description: 'An FTP command sent by the client (the PASS argument is left out: see ftp.login).',
    fields: {
      command: { type: 'string', description: 'Command verb, upper-cased (USER, PASS, RETR, ...).' },
      arg: { type: 'string', description: 'Argument, when present (never for PASS).', optional: true },
    },
  },
  {
    type: 'ftp.reply',
    description: 'An FTP reply from the server (multi-line replies as one event).',
    fields: {
      code: { type: 'number', description: 'Three-digit reply code.' },
      text: { type: 'string', description: 'Reply text, lines joined by newlines (at most 1024 characters).' },
      first_line: { type: 'string', description: 'Text of the first line after the code.' },
      line_count: { type: 'number', description: 'Lines in the reply.' },
      banner: { type: 'boolean', description: 'True for the greeting (a reply before any command).', optional: true },
    },
  },
  {
    type: 'ftp.login',
    description: 'A USER/PASS exchange and the server\'s answer (credentials as sent, in clear).',
    fields: {
      username: { type: 'string', description: 'USER argument.', optional: true },
      password: { type: 'string', description: 'PASS argument, as sent.', optional: true },
      success: { type: 'boolean', description: 'True on a 2xx answer (230), false on 4xx/5xx (530); absent when the answer was not seen.', optional: true },
      reply_code: { type: 'number', description: 'Code of the answer that decided the outcome.', optional: true },
    },
  },
  {
    type: 'ftp.auth_tls',
    description: 'The client asked to switch the control connection to TLS (AUTH TLS/SSL, RFC 4217).',
    fields: {
      mechanism: { type: 'string', description: 'AUTH argument, e.g. "TLS".' },
      accepted: { type: 'boolean', description: 'True on 234 (the rest of the connection is TLS), false on a refusal.', optional: true },
      reply_code: { type: 'number', description: 'Answer code.', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.ftp.line_too_long', description: 'A command or reply line exceeds the line cap; it is skipped.' },
  { id: 'app.ftp.reply_too_long', description: 'A multi-line reply exceeds the reply cap; it is skipped up to its last line.' },
  { id: 'app.ftp.bad_reply', description: 'A server line that does not start with a three-digit reply code.' },
  { id: 'app.ftp.bad_command', description: 'A client line whose verb is not 3-4 letters.' },
];
