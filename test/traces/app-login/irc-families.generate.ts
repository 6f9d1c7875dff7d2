/**
 * Writes GENERATED (not captured) IRC sessions in the style of IRC-controlled IoT bot families, and a person
 * chatting, for the structural IRC C2 detector. Built from RFC 1459/2812 message formats and the documented
 * on-wire traits of each family (addresses are documentation ranges, RFC 5737):
 * - irc-kaiten.generated.pcap: Tsunami/Kaiten (kaiten.c): NICK from makestring() (random capitals), JOIN with
 *   the channel key on end of MOTD, orders as "!* CMD args" in PRIVMSG: TSUNAMI/PAN/UDP <target> [port] <secs>.
 * - irc-muhstik.generated.pcap: Muhstik (Netlab 360, 2018): nickname of |-separated fields naming the CPU
 *   architecture and a number, orders in the channel TOPIC and PRIVMSG with scan ranges and download URLs, verbs
 *   that no built-in word list knows.
 * - irc-gafgyt.generated.pcap: IRC fork of Gafgyt/Bashlite: "[arch|country|id]"-less nickname made of a long
 *   number, "!* HOLD"/"!* BLACKNURSE <ip> <port> <secs>" orders, PING/PONG keep-alives.
 * - irc-person.generated.pcap: a person ("alice") in a Linux channel: auto-join, chat of her own, others
 *   mentioning an address and a URL, a "!help" to a channel bot.
 * Deterministic: running it again gives the same bytes.
 *   node_modules/.bin/node test/traces/app-login/irc-families.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildIrcPcap, type IrcSessionSpec } from './irc-bot-session.generate.ts';

const server = [198, 51, 100, 66];

export const sessions: Record<string, IrcSessionSpec> = {
  'irc-kaiten.generated.pcap': {
    client: [192, 0, 2, 21], server, clientPort: 40112, serverPort: 6667,
    conversation: [
      [true, 'NICK QXVRTKBW\nUSER ZPLMQ localhost localhost :HRTWQ\n'],
      [false, ':irc.example.org 001 QXVRTKBW :Welcome\r\n:irc.example.org 376 QXVRTKBW :End of /MOTD command.\r\n', 0.4],
      [true, 'JOIN #kt xkey\n', 0.05],
      [false, ':QXVRTKBW!ZPLMQ@192.0.2.21 JOIN :#kt\r\n'],
      [false, 'PING :irc.example.org\r\n', 90],
      [true, 'PONG :irc.example.org\n'],
      [false, ':boss!b@203.0.113.7 PRIVMSG #kt :!* TSUNAMI 203.0.113.99 300\r\n', 30],
      [true, 'NOTICE boss :Tsunami heading for 203.0.113.99.\n'],
      [false, ':boss!b@203.0.113.7 PRIVMSG #kt :!QXVRTKBW PAN 203.0.113.98 80 120\r\n', 40],
    ],
  },
  'irc-muhstik.generated.pcap': {
    client: [192, 0, 2, 22], server, clientPort: 40113, serverPort: 9090,
    conversation: [
      [true, 'NICK x86_64|x|0|3317764|cam\r\nUSER muh 0 * :muh\r\n'],
      [false, ':irc.example.org 001 x86_64|x|0|3317764|cam :Welcome\r\n:irc.example.org 422 x86_64|x|0|3317764|cam :MOTD File is missing\r\n', 0.3],
      [true, 'JOIN #muhs\r\n', 0.1],
      [false, ':irc.example.org 332 x86_64|x|0|3317764|cam #muhs :.rscan 203.0.113.0/24 8080 7001\r\n'],
      [false, 'PING :irc.example.org\r\n', 120],
      [true, 'PONG :irc.example.org\r\n'],
      [false, ':m!m@203.0.113.8 PRIVMSG #muhs :.dlr http://203.0.113.50/pty10 /tmp/.pty\r\n', 60],
    ],
  },
  'irc-gafgyt.generated.pcap': {
    client: [192, 0, 2, 23], server, clientPort: 40114, serverPort: 443,
    conversation: [
      [true, 'NICK B0T4480917\r\nUSER b0t 0 0 :b0t\r\n'],
      [false, ':irc.example.org 001 B0T4480917 :Welcome\r\n:irc.example.org 376 B0T4480917 :End of /MOTD command.\r\n', 0.2],
      [true, 'JOIN #gaf\r\n', 0.01],
      [false, 'PING :irc.example.org\r\n', 60],
      [true, 'PONG :irc.example.org\r\n'],
      [false, 'PING :irc.example.org\r\n', 60],
      [true, 'PONG :irc.example.org\r\n'],
      [false, ':op!o@203.0.113.9 PRIVMSG #gaf :!* BLACKNURSE 203.0.113.120 53 60\r\n', 10],
      [false, ':op!o@203.0.113.9 PRIVMSG #gaf :!* HOLD 203.0.113.121 80 60\r\n', 70],
    ],
  },
  'irc-person.generated.pcap': {
    client: [192, 0, 2, 24], server, clientPort: 40115, serverPort: 6697,
    conversation: [
      [true, 'CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :Alice Example\r\n'],
      [false, ':irc.example.org 001 alice :Welcome\r\n:irc.example.org 376 alice :End of /MOTD command.\r\n', 0.3],
      [true, 'PRIVMSG NickServ :IDENTIFY hunter2xyz\r\n', 0.1],
      [true, 'JOIN #debian-user\r\n', 0.2],
      [false, ':bob!b@203.0.113.30 PRIVMSG #debian-user :the mirror at 192.0.2.44 is down again, use http://deb.example.org/debian instead\r\n', 5],
      [false, ':carol!c@203.0.113.31 PRIVMSG #debian-user :ping 192.0.2.44 works from here\r\n', 4],
      [true, 'PRIVMSG #debian-user :thanks bob, switching my sources.list now\r\n', 20],
      [false, 'PING :irc.example.org\r\n', 90],
      [true, 'PONG :irc.example.org\r\n'],
      [true, 'PRIVMSG #debian-user :!help\r\n', 10],
      [false, ':infobot!i@203.0.113.32 NOTICE alice :commands: !seen !tell !factoid\r\n'],
      [false, ':dave!d@203.0.113.33 TOPIC #debian-user :Debian 13 released | mirrors: http://203.0.113.40/debian\r\n', 30],
    ],
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, spec] of Object.entries(sessions)) writeFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), buildIrcPcap(spec));
}
