/**
 * IRC events and anomalies (catalogue entries).
 * @module
 */
import type { AnomalySpec, EventPayload, EventSpec } from '../../events/types.ts';

export type IrcMessageEvent = EventPayload<typeof events, 'irc.message'>;

export const events = [
  {
    type: 'irc.message',
    description: 'An IRC message: NICK, USER, PASS, JOIN, PART, PRIVMSG, NOTICE, PING, PONG, MODE, TOPIC, QUIT, KICK, INVITE, OPER, CAP or a numeric reply (001, 332, 353, ...).',
    fields: {
      prefix: { type: 'string', description: 'Message origin (server name or nick!user@host), when present.', optional: true },
      command: { type: 'string', description: 'Command, upper-cased, or the three-digit numeric reply.' },
      params: { type: 'string[]', description: 'Middle parameters (at most 14).' },
      trailing: { type: 'string', description: 'Trailing parameter (after " :"): message text, real name, topic.', optional: true },
      from_client: { type: 'boolean', description: 'True when sent by the connection originator (the client).' },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.irc.line_too_long', description: 'A message longer than the 512 bytes RFC 1459/2812 allow (kept when under the cap, skipped above it).' },
  { id: 'app.irc.bad_message', description: 'A line that is not an IRC message (no command, or a command that is neither letters nor three digits).' },
];
