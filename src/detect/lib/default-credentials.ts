/**
 * Known default credentials of IoT devices. Mirai's table is decoded from the leaked source
 * (jgamblin/Mirai-Source-Code mirai/bot/scanner.c, 62 add_auth_entry calls; see
 * /work/shared/reference/standards.md §3.2); '(none)' there is an empty password.
 * @module
 */

export interface DefaultCredential {
  username: string;
  password: string;
  /** Where the pair is known from: 'mirai' (the bot's table) or 'vendor' (published vendor default). */
  source: 'mirai' | 'vendor' | 'snmp';
  note?: string;
}

/** Mirai's table in source order, "user:password" ("user:" = empty password). guest:12345 is listed twice upstream. */
export const miraiPairs: readonly string[] = [
  'root:xc3511', 'root:vizxv', 'root:admin', 'admin:admin', 'root:888888', 'root:xmhdipc',
  'root:default', 'root:juantech', 'root:123456', 'root:54321', 'support:support', 'root:',
  'admin:password', 'root:root', 'root:12345', 'user:user', 'admin:', 'root:pass',
  'admin:admin1234', 'root:1111', 'admin:smcadmin', 'admin:1111', 'root:666666', 'root:password',
  'root:1234', 'root:klv123', 'Administrator:meinsm', 'service:service', 'supervisor:supervisor',
  'guest:guest', 'guest:12345', 'guest:12345', 'admin1:password', 'administrator:1234',
  '666666:666666', '888888:888888', 'ubnt:ubnt', 'root:klv1234', 'root:Zte521', 'root:hi3518',
  'root:jvbzd', 'root:anko', 'root:zlxx.', 'root:7ujMko0vizxv', 'root:7ujMko0admin', 'root:system',
  'root:ikwb', 'root:dreambox', 'root:user', 'root:realtek', 'root:00000000', 'admin:1111111',
  'admin:1234', 'admin:12345', 'admin:54321', 'admin:123456', 'admin:7ujMko0admin', 'admin:4321',
  'admin:pass', 'admin:meinsm', 'tech:tech', 'mother:fucker',
];

/** Widely published factory defaults not in Mirai's table. */
const vendorPairs: readonly DefaultCredential[] = [
  { username: 'pi', password: 'raspberry', source: 'vendor', note: 'Raspberry Pi OS before April 2022' },
  { username: 'admin', password: '888888', source: 'vendor', note: 'Dahua DVR/camera' },
  { username: 'admin', password: '666666', source: 'vendor', note: 'Dahua DVR/camera' },
  { username: 'telecomadmin', password: 'admintelecom', source: 'vendor', note: 'Huawei ISP gateways' },
  { username: 'cisco', password: 'cisco', source: 'vendor', note: 'Cisco' },
  { username: 'root', password: 'calvin', source: 'vendor', note: 'Dell iDRAC' },
];

/** SNMP v1/v2c communities that are factory defaults (no user name). */
export const defaultCommunities: readonly string[] = ['public', 'private'];

function split(pair: string): DefaultCredential {
  const i = pair.indexOf(':');
  return { username: pair.slice(0, i), password: pair.slice(i + 1), source: 'mirai' };
}

/**
 * Pairs by user name, then password: two lookups of the strings as they came, where a joined "user\0password" key
 * was a new string to build and hash per login attempt (credentials.default matches every one).
 */
const table = new Map<string, Map<string, DefaultCredential>>();
let pairCount = 0;
for (const c of [...miraiPairs.map(split), ...vendorPairs]) {
  let byPassword = table.get(c.username);
  if (byPassword === undefined) table.set(c.username, (byPassword = new Map()));
  if (!byPassword.has(c.password)) {
    byPassword.set(c.password, c);
    pairCount++;
  }
}

/** The default credential a user name / password pair matches exactly, if any. */
export function matchDefault(username: string, password: string): DefaultCredential | undefined {
  return table.get(username)?.get(password);
}

/** Number of distinct pairs known (Mirai's 61 distinct + vendor ones). */
export const defaultCredentialCount = pairCount;
