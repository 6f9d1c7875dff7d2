/**
 * What makes an IRC session look like a bot's rather than a person's, judged by structure instead of word
 * lists: a machine-made nickname, orders that carry targets (addresses, networks, ports, download URLs).
 * Families rename their commands and reformat their nicknames with every fork; the structure stays.
 * @module
 */

/** CPU architecture names bots put in their nicknames to tell the herder which binary runs. */
const archTokens = /(?:^|[^a-z])(x86(?:_64)?|x64|i[3-6]86|amd64|mips(?:el)?|mpsl|arm(?:v?[4-7]l?)?|aarch64|ppc|powerpc|sh4|m68k|sparc|spc|arc)(?:$|[^a-z0-9])/i;

/**
 * Why a nickname looks machine-generated ('' when it looks like a person's). Traits: architecture/country/id
 * fields separated by '|' or in brackets; a long run of random capitals (Kaiten's makestring); a hex or
 * digit-heavy identifier; no vowels in a long name.
 */
export function machineNickReason(nick: string): string {
  if (nick.length === 0) return '';
  if (archTokens.test(nick)) return 'names a CPU architecture';
  const fields = nick.split(/[|[\]]/).filter((f) => f.length > 0);
  if (/[|[\]]/.test(nick) && fields.length >= 2 && /\d/.test(nick)) return 'is built of |-separated fields with a number';
  const letters = nick.replace(/[^A-Za-z]/g, '');
  const digits = nick.replace(/[^0-9]/g, '');
  if (/^[0-9a-f]{8,}$/i.test(nick) && digits.length >= 2) return 'is a hexadecimal identifier';
  if (digits.length >= 5 && letters.length >= 1) return 'carries a long number';
  if (letters.length >= 6 && nick === letters && letters === letters.toUpperCase()) return 'is a run of capital letters';
  if (letters.length >= 7 && !/[aeiouy]/i.test(letters)) return 'has no vowels';
  return '';
}

export interface OrderTargets {
  ips: string[];
  cidrs: string[];
  ports: number[];
  urls: string[];
}

const ipv4Pattern = /\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(\/(?:3[0-2]|[12]?\d))?\b/g;
const urlPattern = /\b(?:https?|ftp|tftp):\/\/[^\s'"]{1,200}/gi;

/** Addresses, networks, ports and URLs an order names. Ports are numbers 1-65535 following an address. */
export function orderTargets(text: string): OrderTargets {
  const out: OrderTargets = { ips: [], cidrs: [], ports: [], urls: [] };
  for (const m of text.matchAll(urlPattern)) if (out.urls.length < 8) out.urls.push(m[0]);
  const withoutUrls = text.replace(urlPattern, ' ');
  for (const m of withoutUrls.matchAll(ipv4Pattern)) {
    if (m[2] !== undefined) {
      if (out.cidrs.length < 8) out.cidrs.push(m[0]);
    } else if (out.ips.length < 8) out.ips.push(m[1]);
    const after = /^[\s:]+(\d{1,5})\b/.exec(withoutUrls.slice((m.index ?? 0) + m[0].length));
    if (after !== null) {
      const port = Number(after[1]);
      if (port >= 1 && port <= 65535 && out.ports.length < 8) out.ports.push(port);
    }
  }
  return out;
}

export function hasTargets(t: OrderTargets): boolean {
  return t.ips.length + t.cidrs.length + t.urls.length > 0;
}

/**
 * Whether a message is shaped like an order: a command prefix ("!", ".", "@", "*") and a verb that is a known
 * command word or is followed by targets; or a short imperative whose targets come within its first three words.
 */
export function isOrder(text: string, commandWords: ReadonlySet<string>): boolean {
  const targets = orderTargets(text);
  const verb = orderVerb(text);
  if (verb !== undefined) return commandWords.has(verb) || hasTargets(targets);
  const words = text.trim().split(/\s+/);
  if (words.length > 8) return false;
  return hasTargets(orderTargets(words.slice(0, 3).join(' ')));
}

/** An order's verb: the first word after a command prefix ("!", ".", "@", "!*", "!<nick>"), lower-cased. */
export function orderVerb(text: string): string | undefined {
  const m = /^\s*(?:[!.@]\s*(?:\*|\S+\s+(?=[A-Za-z]))?\s*|\*\s*)([A-Za-z][A-Za-z0-9_.-]{1,24})\b/.exec(text);
  return m === null ? undefined : m[1].toLowerCase();
}
