/**
 * Telnet events and anomalies (catalogue entries).
 * @module
 */
import type { AnomalySpec, EventPayload, EventSpec } from '../../events/types.ts';

export type TelnetNegotiationEvent = EventPayload<typeof events, 'telnet.negotiation'>;

export type TelnetLoginEvent = EventPayload<typeof events, 'telnet.login'>;

export type TelnetBannerEvent = EventPayload<typeof events, 'telnet.banner'>;

const options = (who: string, verb: string) => ({
  type: 'number[]' as const,
  description: `Option codes the ${who} sent ${verb} for (ascending).`,
});

export const events = [
  {
    type: 'telnet.negotiation',
    description: 'Telnet option negotiation of a connection (once per flow: before its first login, or at its end).',
    fields: {
      client_will: options('client', 'WILL'),
      client_wont: options('client', 'WONT'),
      client_do: options('client', 'DO'),
      client_dont: options('client', 'DONT'),
      server_will: options('server', 'WILL'),
      server_wont: options('server', 'WONT'),
      server_do: options('server', 'DO'),
      server_dont: options('server', 'DONT'),
      client_enabled: { type: 'number[]', description: 'Options enabled on the client side at some point (client WILL and server DO both seen, in either order).' },
      server_enabled: { type: 'number[]', description: 'Options enabled on the server side at some point (server WILL and client DO both seen, in either order).' },
      client_subneg: { type: 'number[]', description: 'Options the client sent subnegotiations for.' },
      server_subneg: { type: 'number[]', description: 'Options the server sent subnegotiations for.' },
      terminal_type: { type: 'string', description: 'Terminal type the client reported (TTYPE IS).', optional: true },
      terminal_speed: { type: 'string', description: 'Terminal speed the client reported (TSPEED IS), e.g. "9600,9600".', optional: true },
      x_display: { type: 'string', description: 'X display location the client reported (XDISPLOC IS).', optional: true },
      window_width: { type: 'number', description: 'Window width from NAWS.', optional: true },
      window_height: { type: 'number', description: 'Window height from NAWS.', optional: true },
      environ: { type: 'string[]', description: 'Environment variables the client sent (NEW-ENVIRON IS/INFO), "NAME=value", at most 8.', optional: true },
      summary: { type: 'string', description: 'Enabled options by name, e.g. "client: TTYPE NAWS; server: ECHO SGA".' },
    },
  },
  {
    type: 'telnet.login',
    description: 'A login dialogue: the values typed at the login and password prompts, and how the server answered.',
    fields: {
      username: { type: 'string', description: 'Line typed at the login/username prompt (absent when only a password was asked).', optional: true },
      password: { type: 'string', description: 'Line typed at the password/passcode prompt, as typed.', optional: true },
      success: { type: 'boolean', description: 'True when the server then showed a login banner or shell prompt, false on a failure message or a new prompt; absent when unknown.', optional: true },
      attempt: { type: 'number', description: '1-based number of this login attempt within the connection.' },
    },
  },
  {
    type: 'telnet.banner',
    description: 'Server text shown before the first prompt (at most 4 non-empty lines, 256 characters).',
    fields: {
      banner: { type: 'string', description: 'Banner lines joined by newlines, terminal escapes removed (may be empty).' },
      prompt: { type: 'string', description: 'The first prompt the server showed, e.g. "laptop login:".', optional: true },
      prompt_kind: { type: 'string', description: "'username', 'password' or 'shell' (a shell prompt without any login).", optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.telnet.bad_subneg', description: 'Subnegotiation without IAC SE within the cap, with IAC followed by a byte other than IAC/SE inside it, or with a malformed payload.' },
  { id: 'app.telnet.bad_command', description: 'IAC followed by a byte that is not a telnet command (< 240).' },
  { id: 'app.telnet.line_too_long', description: 'A line typed by the client exceeds the line cap; the rest of it is dropped.' },
];
