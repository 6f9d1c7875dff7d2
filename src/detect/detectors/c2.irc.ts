/**
 * c2.irc: a device controlled over IRC (the C2 channel of Kaiten/Tsunami, early Gafgyt and many IoT bots):
 * bot commands ("!scan", "!udp", "!* JUNK") arriving in PRIVMSG/NOTICE/TOPIC on a session the device opened,
 * on any port. A session with a bot-style nickname ("[x86|US|4821]") is reported on its own at lower severity.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf } from '../lib/net.ts';

interface Options extends Record<string, unknown> {
  botCommands: string[];
  botNickPattern: string;
  reportPlainSessions: boolean;
  maxTrackedSessions: number;
}

interface Session {
  nick: string;
  channel: string;
  commands: number;
  nickEvidence: EvidenceRef | undefined;
  reportedSession: boolean;
}

const commandCarriers = new Set(['PRIVMSG', 'NOTICE', 'TOPIC', '332']);

export const detector: Detector<Options> = {
  id: 'c2.irc',
  description: 'IRC bot control: a device joined an IRC channel and receives bot commands ("!scan", "!udp", "!* JUNK", ...) in PRIVMSG, NOTICE or TOPIC messages, on any port; an IRC session with a bot-style nickname is reported at lower severity.',
  category: 'c2',
  severity: 'high',
  confidence: 0.85,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-43', 'GP-TM-56'],
    attack: ['T1071.003', 'T1571'],
    other: ['https://github.com/jiuburangshi/BASHLITE'],
  },
  options: {
    botCommands: {
      default: ['scan', 'scanner', 'udp', 'tcp', 'syn', 'ack', 'std', 'junk', 'hold', 'http', 'httpflood', 'flood', 'ddos', 'vse', 'dns', 'greip', 'greeth',
        'stomp', 'attack', 'kill', 'killattk', 'lolnogtfo', 'stop', 'update', 'upgrade', 'download', 'dl', 'get', 'wget', 'tftp', 'exec', 'sh', 'shell', 'cmd',
        'nick', 'botkill', 'bash', 'gtfo'],
      description: 'Command words that, after a "!", "." or "!*" prefix, make a message a bot command.',
    },
    botNickPattern: { default: '^\\[[^\\]]*\\|[^\\]]*\\]$|^[A-Za-z0-9]{1,8}\\|[A-Za-z0-9|]+$', description: 'Regular expression of bot-style nicknames (architecture|country|id).' },
    reportPlainSessions: { default: true, description: 'Report IRC sessions with a bot-style nickname even before any command is seen.' },
    maxTrackedSessions: { default: 4096, description: 'IRC connections followed at once (the oldest is forgotten beyond it).' },
  },
  messages: {
    command: {
      title: '{device} receives IRC bot commands from {server}',
      explanation: '{device} joined {channel} on the IRC server {server} (port {port}) as "{nick}" and received bot commands such as "{command}" ({count} bot messages in all, {first_seen} to {last_seen}). IRC botnets control infected devices this way: the device is very likely infected. Disconnect it, reset it and change its passwords.',
    },
    session: {
      title: '{device} on IRC as bot-style nick "{nick}"',
      explanation: '{device} opened an IRC session to {server} (port {port}) with the nickname "{nick}", the architecture|country|number pattern IoT bots use. IoT devices have no reason to speak IRC: check the device for infection.',
    },
  },
  subscribes: ['irc.message'],
  needs: 'packets',
  create(ctx, options) {
    const words = new Set(options.botCommands.map((w) => w.toLowerCase()));
    let nickPattern: RegExp | undefined;
    try {
      nickPattern = new RegExp(options.botNickPattern);
    } catch {
      nickPattern = undefined;
    }
    const sessions = new Map<string, Session>();

    /** "!udp 1.2.3.4 80 60" → "udp"; "!* JUNK ..." → "junk"; undefined when not a bot command. */
    const commandWord = (text: string): string | undefined => {
      const m = /^\s*(?:[!.@]\s*\*?\s*|\*\s*)([A-Za-z]{2,16})\b/.exec(text);
      if (m === null) return undefined;
      const word = m[1].toLowerCase();
      return words.has(word) ? word : undefined;
    };

    return {
      onEvent(ev: EventRecord) {
        const fromClient = ev.from_client === true || ev.from_orig === true;
        const client = String((fromClient ? ev.src_ip : ev.dst_ip) ?? '');
        const server = String((fromClient ? ev.dst_ip : ev.src_ip) ?? '');
        const port = Number((fromClient ? ev.dst_port : ev.src_port) ?? 0);
        const key = `${client}|${server}|${port}`;
        let s = sessions.get(key);
        if (s === undefined) {
          if (sessions.size >= options.maxTrackedSessions) sessions.delete(sessions.keys().next().value as string);
          s = { nick: '', channel: '', commands: 0, nickEvidence: undefined, reportedSession: false };
          sessions.set(key, s);
        }
        const command = String(ev.command ?? '');
        const params = Array.isArray(ev.params) ? ev.params as unknown[] : [];
        const trailing = typeof ev.trailing === 'string' ? ev.trailing : '';
        if (fromClient && command === 'NICK') {
          s.nick = String(params[0] ?? trailing).slice(0, 64);
          s.nickEvidence = evidenceOf(ev);
        } else if (fromClient && command === 'JOIN') {
          s.channel = String(params[0] ?? trailing).slice(0, 64);
        }
        const devices = [{ role: 'infected' as const, ip: client }, { role: 'peer' as const, ip: server }];
        if (!fromClient && commandCarriers.has(command)) {
          const word = commandWord(trailing);
          if (word !== undefined) {
            s.commands++;
            ctx.report({
              messageId: 'command', key,
              data: { device: client, server, port, nick: s.nick || '(unknown)', channel: s.channel || String(params[params.length - 1] ?? '(unknown)'), command: trailing.slice(0, 80) },
              devices, ts: ev.ts, evidence: evidenceOf(ev), facts: { last_command: word, nick: s.nick },
            });
            return;
          }
        }
        if (options.reportPlainSessions && !s.reportedSession && s.nick !== '' && nickPattern?.test(s.nick)) {
          s.reportedSession = true;
          ctx.report({
            messageId: 'session', key, data: { device: client, server, port, nick: s.nick }, devices,
            ts: s.nickEvidence?.ts ?? ev.ts, evidence: s.nickEvidence, severity: 'medium', facts: { nick: s.nick },
          });
        }
      },
      finish() {
        sessions.clear();
      },
    };
  },
};

export default detector;
