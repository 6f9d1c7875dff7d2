/**
 * c2.irc: a device controlled over IRC (Kaiten/Tsunami, Muhstik, IRC forks of Gafgyt/Bashlite and many IoT
 * bots), judged by the session's structure rather than by a list of nicknames or command words, which every
 * fork changes: a machine-made nickname, a JOIN right after connecting, a client that only answers keep-alives
 * and never chats, a device that is not a person's computer, and orders carrying targets (addresses,
 * networks, ports, download URLs) in PRIVMSG, NOTICE or TOPIC. A person chatting on IRC shows none of the
 * first and says things of their own.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf } from '../lib/net.ts';
import { hasTargets, isOrder, machineNickReason, orderTargets, orderVerb } from '../lib/irc-structure.ts';

interface Options extends Record<string, unknown> {
  botCommands: string[];
  botNickPattern: string;
  joinWithinS: number;
  reportPlainSessions: boolean;
  maxTrackedSessions: number;
}

interface Session {
  nick: string;
  nickReason: string;
  nickEvidence: EvidenceRef | undefined;
  channel: string;
  firstTs: number;
  welcomeTs: number | undefined;
  joinDelay: number | undefined;
  /** Client messages of its own (PRIVMSG/NOTICE without targets): a person talking. */
  chat: number;
  keepAlives: number;
  orders: number;
  reportedSession: boolean;
  /** The client's device type from the inventory, looked up at most once a minute (a lookup is not free). */
  deviceType: string;
  typeCheckedAt: number;
}

const orderCarriers = new Set(['PRIVMSG', 'NOTICE', 'TOPIC', '332']);
const typeRecheckS = 60;
/** Device types a person types IRC on. */
const personalTypes = new Set(['computer', 'phone', 'unknown']);

export const detector: Detector<Options> = {
  id: 'c2.irc',
  description: 'IRC bot control judged by structure: a device with a machine-made nickname (or that is not a computer or phone) joins a channel right after connecting, answers only keep-alives, and receives orders that carry targets (addresses, networks, ports, download URLs) or bot command words in PRIVMSG, NOTICE or TOPIC, on any port.',
  category: 'c2',
  severity: 'high',
  confidence: 0.85,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-43', 'GP-TM-56'],
    attack: ['T1071.003', 'T1571'],
    other: ['https://github.com/jiuburangshi/BASHLITE', 'https://blog.netlab.360.com/botnet-muhstik-is-actively-exploiting-drupal-cve-2018-7600-in-a-worm-style-en/'],
  },
  options: {
    botCommands: {
      default: ['scan', 'scanner', 'udp', 'tcp', 'syn', 'ack', 'std', 'junk', 'hold', 'http', 'httpflood', 'flood', 'ddos', 'vse', 'dns', 'greip', 'greeth',
        'stomp', 'attack', 'kill', 'killattk', 'lolnogtfo', 'stop', 'update', 'upgrade', 'download', 'dl', 'get', 'wget', 'tftp', 'exec', 'sh', 'shell', 'cmd',
        'nick', 'botkill', 'bash', 'gtfo', 'tsunami', 'pan', 'unknown', 'killall', 'getspoofs', 'spoofs'],
      description: 'Command words that, after a "!", "." or "!*" prefix, make a message an order even without a target in it.',
    },
    botNickPattern: { default: '^\\[[^\\]]*\\|[^\\]]*\\]$|^[A-Za-z0-9]{1,8}\\|[A-Za-z0-9|]+$', description: 'Extra regular expression of bot nicknames, on top of the structural test (architecture names, |-separated fields with numbers, random capitals, long numbers).' },
    joinWithinS: { default: 15, description: 'A JOIN this many seconds or less after the welcome (or the first message) is "right after connecting".' },
    reportPlainSessions: { default: true, description: 'Report a bot-like session (machine nickname, immediate JOIN, only keep-alives) before any order is seen, at medium severity.' },
    maxTrackedSessions: { default: 4096, description: 'IRC connections followed at once (the oldest is forgotten beyond it).' },
  },
  messages: {
    command: {
      title: '{device} receives IRC bot orders from {server}',
      explanation: '{device} joined {channel} on the IRC server {server} (port {port}) as "{nick}" and received orders such as "{command}" ({count} in all, {first_seen} to {last_seen}). Why this is a bot and not a person: {traits}. IRC botnets control infected devices this way: the device is very likely infected. Disconnect it, reset it and change its passwords.',
    },
    session: {
      title: '{device} holds a bot-like IRC session to {server}',
      explanation: '{device} opened an IRC session to {server} (port {port}) as "{nick}": {traits}. That is how IRC bots wait for orders; no order was seen yet. IoT devices have no reason to speak IRC: check the device for infection.',
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

    const deviceType = (s: Session, ip: string, ts: number): string => {
      if (ctx.devices !== undefined && ts - s.typeCheckedAt >= typeRecheckS) {
        s.typeCheckedAt = ts;
        s.deviceType = ctx.devices.byIp(ip)?.identification.type ?? 'unknown';
      }
      return s.deviceType;
    };

    /** The bot traits of a session so far, in words; `machine` tells whether the client is a machine. */
    const traitsOf = (s: Session, client: string, ts: number): { machine: boolean; traits: string[] } => {
      const traits: string[] = [];
      let machine = false;
      if (s.nickReason !== '') {
        traits.push(`the nickname ${s.nickReason}`);
        machine = true;
      }
      const type = deviceType(s, client, ts);
      if (!personalTypes.has(type)) {
        traits.push(`the device is a ${type}, not a computer`);
        machine = true;
      }
      if (s.joinDelay !== undefined && s.joinDelay <= options.joinWithinS) traits.push(`it joined ${s.channel} ${s.joinDelay.toFixed(1)} s after connecting`);
      if (s.keepAlives > 0 && s.chat === 0) traits.push(`it answered ${s.keepAlives} keep-alive(s) and never chatted`);
      return { machine, traits };
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
          s = { nick: '', nickReason: '', nickEvidence: undefined, channel: '', firstTs: ev.ts, welcomeTs: undefined, joinDelay: undefined, chat: 0, keepAlives: 0, orders: 0, reportedSession: false, deviceType: 'unknown', typeCheckedAt: -Infinity };
          sessions.set(key, s);
        }
        const command = String(ev.command ?? '');
        const params = Array.isArray(ev.params) ? ev.params as unknown[] : [];
        const trailing = typeof ev.trailing === 'string' ? ev.trailing : '';
        if (fromClient) {
          if (command === 'NICK') {
            s.nick = String(params[0] ?? trailing).slice(0, 64);
            s.nickReason = machineNickReason(s.nick) || (nickPattern?.test(s.nick) ? 'matches the bot nickname pattern' : '');
            s.nickEvidence = evidenceOf(ev);
          } else if (command === 'JOIN' && s.joinDelay === undefined) {
            s.channel = String(params[0] ?? trailing).slice(0, 64);
            s.joinDelay = Math.max(0, ev.ts - (s.welcomeTs ?? s.firstTs));
          } else if (command === 'PONG' || command === 'PING') s.keepAlives++;
          else if ((command === 'PRIVMSG' || command === 'NOTICE') && !hasTargets(orderTargets(trailing))) s.chat++;
        } else if (command === '001' || command === '376' || command === '422') {
          s.welcomeTs ??= ev.ts;
        }
        const carriesOrder = !fromClient && orderCarriers.has(command) && trailing !== '';
        const mayReportSession = options.reportPlainSessions && !s.reportedSession && s.orders === 0;
        if (!carriesOrder && !mayReportSession) return;
        const { machine, traits } = traitsOf(s, client, ev.ts);
        const devices = [{ role: 'infected' as const, ip: client }, { role: 'peer' as const, ip: server }];
        if (carriesOrder) {
          const targets = orderTargets(trailing);
          const verb = orderVerb(trailing);
          // A person's client can get a message with an address in it: orders count only for a machine
          // that shows a second bot trait.
          if (machine && traits.length >= 2 && isOrder(trailing, words)) {
            s.orders++;
            ctx.report({
              messageId: 'command', key,
              data: {
                device: client, server, port, nick: s.nick || '(unknown)', channel: s.channel || String(params[params.length - 1] ?? '(unknown)'),
                command: trailing.slice(0, 80), traits: traits.join('; '),
              },
              devices, ts: ev.ts, evidence: evidenceOf(ev),
              facts: { nick: s.nick, last_order: trailing.slice(0, 120), verb: verb ?? '', targets: [...targets.ips, ...targets.cidrs, ...targets.urls], target_ports: targets.ports, traits },
            });
            return;
          }
        }
        if (options.reportPlainSessions && !s.reportedSession && machine && traits.length >= 3 && s.orders === 0) {
          s.reportedSession = true;
          ctx.report({
            messageId: 'session', key, data: { device: client, server, port, nick: s.nick || '(unknown)', traits: traits.join('; ') }, devices,
            ts: ev.ts, evidence: evidenceOf(ev), severity: 'medium', facts: { nick: s.nick, traits },
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
