import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { attemptsOf, LoginTracker, type LoginAttempt } from './logins.ts';

const envelope = (type: string, packet: number, over: Record<string, unknown> = {}): EventRecord => ({
  type, ts: 100 + packet, file: 'f.pcap', packet, community_id: '1:x', flow_id: 7,
  src_ip: '10.0.0.2', src_port: 40000, dst_ip: '10.0.0.1', dst_port: 23, from_orig: true, ...over,
});

/** Trackers fed the same events, each recording what it reports (a copy of each attempt as it was then). */
function trackers(maxPending: number[]): { seen: LoginAttempt[][]; feed: (ev: EventRecord) => void; finish: () => void; objects: LoginAttempt[][] } {
  const seen: LoginAttempt[][] = maxPending.map(() => []);
  const objects: LoginAttempt[][] = maxPending.map(() => []);
  const list = maxPending.map((max, i) => new LoginTracker((a) => {
    seen[i].push({ ...a });
    objects[i].push(a);
  }, { maxPending: max }));
  return { seen, objects, feed: (ev) => list.forEach((t) => t.onEvent(ev)), finish: () => list.forEach((t) => t.finish()) };
}

test('attempts of one event are built once and shared by every tracker it reaches', () => {
  const login = envelope('telnet.login', 1, { username: 'root', password: 'xc3511', success: false });
  const { seen, objects, feed } = trackers([8, 8, 8]);
  feed(login);
  assert.equal(attemptsOf(login), attemptsOf(login));
  assert.deepEqual(seen[0], [{
    protocol: 'telnet', client: '10.0.0.2', server: '10.0.0.1', serverPort: 23, secretKind: 'password', carrier: 'login prompt', ts: 101,
    evidence: { file: 'f.pcap', packet: 1, ts: 101, community_id: '1:x', flow_id: 7 }, username: 'root', secret: 'xc3511', success: false,
  }]);
  assert.deepEqual(seen[1], seen[0]);
  assert.deepEqual(seen[2], seen[0]);
  assert.equal(objects[1][0], objects[0][0]);
  // A different event (even with equal fields) is built anew.
  const again = { ...login, packet: 2 };
  assert.notEqual(attemptsOf(again), attemptsOf(login));
  assert.equal(attemptsOf(again)[0].evidence.packet, 2);
});

test('held attempts are each tracker\'s own: an answer one tracker pairs does not change what another reports', () => {
  const get = (packet: number, uri: string): EventRecord => envelope('http.request', packet, { dst_port: 80, uri, basic_user: 'admin', basic_password: `pw${packet}` });
  const answer = (packet: number, uri: string, status: number): EventRecord =>
    envelope('http.response', packet, { src_ip: '10.0.0.1', dst_ip: '10.0.0.2', src_port: 80, dst_port: 40000, from_orig: false, request_uri: uri, status });
  // The first tracker holds one request at most: the second request evicts the first (outcome unknown), and
  // the answer pairs with the second there, with the first in the other tracker (whose second stays unanswered).
  const { seen, feed, finish } = trackers([1, 8]);
  feed(get(1, '/a'));
  feed(get(2, '/a'));
  feed(answer(3, '/a', 401));
  finish();
  assert.deepEqual(seen[0].map((a) => [a.secret, a.success]), [['pw1', undefined], ['pw2', false]]);
  assert.deepEqual(seen[1].map((a) => [a.secret, a.success]), [['pw1', false], ['pw2', undefined]]);
});
