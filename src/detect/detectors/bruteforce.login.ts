/**
 * bruteforce.login: repeated failed logins (telnet, FTP, HTTP/RTSP Basic 401s, MQTT CONNACK refusals)
 * or, where the login is encrypted (SSH), many short sessions from one client to one server.
 * @module
 */
import type { Detector, EvidenceRef, Report, Role } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { LoginTracker, loginEventTypes, type LoginAttempt } from '../lib/logins.ts';
import { flowApp } from '../lib/flow-app.ts';
import { isLocalIp } from '../lib/net.ts';
import { RateWindow } from '../lib/windows.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { LastEntry } from '../lib/last-entry.ts';
import { PeerTally } from '../lib/peer-tally.ts';
import { joinedKey } from '../lib/joined-key.ts';

/** Peers named in a finding's text, and peers counted per finding. */
const maxNamedPeers = 5;
const maxPeersCounted = 1024;

interface Options extends Record<string, unknown> {
  windowS: number;
  minFailures: number;
  minShortSessions: number;
  maxSessionS: number;
  maxSessionClientBytes: number;
  sessionApps: string[];
  maxTrackedPairs: number;
  maxPending: number;
}

/** One finding's story: its peers counted and the texts fixed by its key. */
interface Story {
  peers: PeerTally;
  noun: 'host' | 'source';
  /** The finding's direction_note, and its protocol as named in the text. */
  note: string;
  label: string;
  /** "peer (count)" of each named peer as last written, with the peer and count it shows (rewritten when they change). */
  pieces: string[];
  piecePeers: string[];
  pieceCounts: number[];
}

interface Attempt {
  ts: number;
  evidence: EvidenceRef;
  username?: string;
}

const detector: Detector<Options> = {
  id: 'bruteforce.login',
  description: 'Password guessing: repeated failed logins from one client to one service (telnet, FTP, HTTP, RTSP, MQTT), or many short SSH sessions where the login itself is encrypted.',
  category: 'bruteforce',
  severity: 'medium',
  confidence: 0.85,
  references: {
    etsi: ['5.1-5'],
    enisa: ['GP-TM-25', 'GP-TM-46'],
    attack: ['T1110', 'T1110.001'],
  },
  options: {
    windowS: { default: 60, description: 'Seconds within which the failures (or short sessions) must fall.' },
    minFailures: { default: 5, description: 'Failed logins from one client to one server and protocol within the window.' },
    minShortSessions: { default: 10, description: 'Short sessions of an encrypted login protocol (sessionApps) from one client to one server within the window.' },
    maxSessionS: { default: 30, description: 'A session this short (seconds) counts as one login attempt.' },
    maxSessionClientBytes: { default: 20000, description: 'A session whose client sent more payload bytes than this is real use, not an attempt.' },
    sessionApps: { default: ['ssh'], description: 'Application protocols (recognised by content) counted by short sessions.' },
    maxTrackedPairs: { default: 10000, description: 'Client/server pairs tracked at once (the oldest is forgotten beyond it).' },
    maxPending: { default: 1024, description: 'HTTP/RTSP requests and MQTT CONNECTs waiting for the answer that tells whether the login worked.' },
  },
  messages: {
    failures: {
      title: '{protocol} brute force against {server} from {peers}',
      explanation: '{peers_detail} failed to log in to {server}:{port} over {protocol} at least {threshold} times within {window} s each (last user tried: {username}); {count} failed attempts in all, {first_seen} to {last_seen}. {direction_note}',
    },
    outbound: {
      title: '{client} brute-forces {protocol} logins on {peers}',
      explanation: '{client} failed to log in over {protocol} at least {threshold} times within {window} s on each of {peers_detail} (last user tried: {username}); {count} failed attempts in all, {first_seen} to {last_seen}. {direction_note}',
    },
    sessions: {
      title: '{protocol} brute force against {server} from {peers}',
      explanation: '{peers_detail} opened at least {threshold} short {protocol} sessions to {server}:{port} within {window} s ({count} in all, {first_seen} to {last_seen}): the login is encrypted, but this rhythm is password guessing. {direction_note}',
    },
    succeeded: {
      title: '{protocol} brute force against {server} succeeded',
      explanation: "After repeated failures, {client} logged in to {server}:{port} over {protocol} as '{username}' (attempts from {peers_detail}). Treat {server} as compromised: change its passwords and check it. {direction_note}",
    },
  },
  subscribes: [...loginEventTypes, 'flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const failures = new RateWindow<Attempt>(options.windowS, options.minFailures, options.maxTrackedPairs);
    const sessions = new RateWindow<Attempt>(options.windowS, options.minShortSessions, options.maxTrackedPairs);
    const apps = new Set(options.sessionApps);
    // Pairs already reported as succeeded: later logins of the (now known) password are not news.
    const succeeded = new BoundedMap<string, true>(options.maxTrackedPairs);

    // One story per attacked service (inbound) or per attacking device (outbound): peers are counted, the
    // busiest named, instead of one finding per client and server pair.
    // Looked up through its last entry: a brute force tells one story many times in a row.
    const storyOf = new LastEntry(new BoundedMap<string, Story>(options.maxTrackedPairs));
    const peerText = (story: Story): { short: string; detail: string } => {
      const peers = story.peers;
      const top = peers.top;
      // Built in one string, not a mapped array joined: this runs for every failed attempt past the threshold.
      // Each peer's "peer (count)" is kept: an attempt changes one count, the others are not written again.
      const { pieces, piecePeers, pieceCounts } = story;
      let named = '';
      for (let i = 0; i < top.length; i++) {
        const t = top[i];
        if (i >= pieces.length || piecePeers[i] !== t.peer || pieceCounts[i] !== t.count) {
          pieces[i] = `${t.peer} (${t.count})`;
          piecePeers[i] = t.peer;
          pieceCounts[i] = t.count;
        }
        named = i === 0 ? pieces[0] : `${named}, ${pieces[i]}`;
      }
      const more = peers.size > top.length ? ` and ${peers.size - top.length} more` : '';
      const noun = story.noun;
      return { short: peers.size === 1 ? top[0].peer : `${peers.size} ${noun}s`, detail: `${peers.size} ${noun}${peers.size === 1 ? '' : 's'}: ${named}${more}` };
    };
    // A brute force reports one pair many times in a row: its story's key and its attempts' key are remembered.
    const storyKeys = joinedKey();
    const storyKey = (outbound: boolean, protocol: string, client: string, server: string): string =>
      (outbound ? storyKeys(client, protocol, 'outbound') : storyKeys(server, protocol));
    const pairKey = joinedKey();
    const newStory = (outbound: boolean, protocol: string, client: string, server: string): Story => ({
      peers: new PeerTally(maxNamedPeers, maxPeersCounted),
      noun: outbound ? 'host' : 'source',
      note: outbound
        ? `${client} is on this network: it is probably infected and attacking others.`
        : `Make sure ${server} has a strong, unique password and is not reachable from where the attackers are.`,
      label: protocol.toUpperCase(),
      pieces: [],
      piecePeers: [],
      pieceCounts: [],
    });

    // The engine copies a report's devices: one pair of client and server reports the same array while it repeats.
    let lastDevices: Report['devices'] = [];
    const devicesOf = (clientRole: Role, client: string, server: string): Report['devices'] => {
      const d = lastDevices;
      if (d.length !== 2 || d[0].ip !== client || d[0].role !== clientRole || d[1].ip !== server) {
        lastDevices = [{ role: clientRole, ip: client }, { role: 'victim', ip: server }];
      }
      return lastDevices;
    };

    const emit = (messageId: string, protocol: string, client: string, server: string, port: number, threshold: number, items: Attempt[]): void => {
      const outbound = isLocalIp(client) && !isLocalIp(server);
      const key = storyKey(outbound, protocol, client, server);
      let story = storyOf.get(key);
      if (story === undefined) {
        story = newStory(outbound, protocol, client, server);
        storyOf.insertAbsent(key, story);
      }
      const peers = story.peers;
      peers.add(outbound ? server : client, messageId === 'succeeded' ? 0 : items.length);
      const text = peerText(story);
      const note = story.note;
      const clientRole: Role = outbound ? 'infected' : 'attacker';
      // The engine copies devices and facts and never changes a report's data: the items of one call share them.
      const devices = devicesOf(clientRole, client, server);
      const facts = { protocol, server_port: port, direction: outbound ? 'outbound' : 'inbound', peers: peers.size, top_peers: text.detail };
      const label = story.label;
      let data: Report['data'] | undefined;
      let dataUser: string | undefined;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        const username = item.username ?? '(unknown)';
        if (data === undefined || username !== dataUser) {
          dataUser = username;
          data = {
            protocol: label, client, server, port, threshold, window: options.windowS,
            username, direction_note: note, peers: text.short, peers_detail: text.detail,
          };
        }
        ctx.report({
          messageId: outbound && messageId === 'failures' ? 'outbound' : messageId,
          key,
          data,
          devices,
          ts: item.ts,
          evidence: item.evidence,
          severity: messageId === 'succeeded' || outbound ? 'high' : undefined,
          facts,
        });
      }
    };

    const onAttempt = (a: LoginAttempt): void => {
      if (a.secretKind !== 'password') return;
      const key = pairKey(a.client, a.server, a.protocol);
      const item: Attempt = { ts: a.ts, evidence: a.evidence, username: a.username };
      if (a.success === true && failures.tripped(key) && !succeeded.has(key)) {
        succeeded.set(key, true);
        emit('succeeded', a.protocol, a.client, a.server, a.serverPort, options.minFailures, [item]);
        return;
      }
      if (a.success !== false) return;
      const due = failures.add(key, a.ts, item);
      if (due.length > 0) emit('failures', a.protocol, a.client, a.server, a.serverPort, options.minFailures, due);
    };
    const tracker = new LoginTracker(onAttempt, { maxPending: options.maxPending });

    const onFlow = (f: FlowRecord): void => {
      // Exported flows (NetFlow/IPFIX) name the service by its well-known port (src/detect/lib/flow-app.ts).
      const app = flowApp(f)?.app;
      if (app === undefined || !apps.has(app)) return;
      if (f.duration > options.maxSessionS || f.orig_payload_bytes > options.maxSessionClientBytes) return;
      const key = `${f.orig_ip}|${f.resp_ip}|${app}`;
      const item: Attempt = { ts: f.first_ts, evidence: { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id } };
      const due = sessions.add(key, f.first_ts, item);
      if (due.length > 0) emit('sessions', app, f.orig_ip, f.resp_ip, f.resp_port, options.minShortSessions, due);
    };

    return {
      onEvent: (ev) => tracker.onEvent(ev),
      onFlow,
      finish: () => tracker.finish(),
    };
  },
};

export default detector;
