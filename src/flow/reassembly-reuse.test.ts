// Direction state is reused after release (src/flow/reassembly.ts): a new connection in a released slot must start
// from its own handshake, with nothing of the last one's buffered bytes, delivered count or end. Values by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpReassembler } from './reassembly.ts';
import { TcpFlag } from '../decode/packet-view.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a released slot starts over: no buffered bytes, delivered count or FIN of the last connection', () => {
  const r = new TcpReassembler();
  const got: string[] = [];
  const gaps: number[] = [];
  const deliver = (dir: number, b: Uint8Array): void => { got.push(`${dir}:${new TextDecoder().decode(b)}`); };
  const gap = (_dir: number, n: number): void => { gaps.push(n); };
  // First connection, slot 3: ISN 100, "abc" at 101..103 in order, "xyz" at 110 out of order (buffered), then a FIN.
  r.segment(3, 0, 100, TcpFlag.SYN, new Uint8Array(0), 0, 0, deliver, gap);
  r.segment(3, 0, 101, TcpFlag.ACK, text('abc'), 0, 3, deliver, gap);
  r.segment(3, 0, 110, TcpFlag.ACK | TcpFlag.FIN, text('xyz'), 0, 3, deliver, gap);
  assert.deepEqual(got, ['0:abc']);
  assert.equal(r.stats.bufferedBytes, 3);
  assert.equal(r.stats.liveDirections, 1);
  r.release(3);
  assert.equal(r.stats.bufferedBytes, 0);
  assert.equal(r.stats.liveDirections, 0);
  assert.equal(r.deliveredBytes(3, 0), -1);

  // Second connection in the same slot: ISN 5000; "hello" at 5001 is the first byte, delivered at once.
  r.segment(3, 0, 5000, TcpFlag.SYN, new Uint8Array(0), 0, 0, deliver, gap);
  r.segment(3, 0, 5001, TcpFlag.ACK, text('hello'), 0, 5, deliver, gap);
  assert.deepEqual(got, ['0:abc', '0:hello']);
  assert.equal(r.deliveredBytes(3, 0), 5);
  assert.equal(r.stats.bufferedBytes, 0);
  // Its flush declares no gap: the first connection's hole (104..109) and FIN are not this one's.
  r.flush(3, deliver, gap);
  assert.deepEqual(gaps, []);
  // Another slot's direction started midstream meanwhile is its own: 2 bytes at 77.
  r.segment(4, 1, 77, TcpFlag.ACK, text('ok'), 0, 2, deliver, gap);
  assert.deepEqual(got, ['0:abc', '0:hello', '1:ok']);
  assert.equal(r.stats.liveDirections, 2);
});
