// Address formatting as tshark prints it (values from the test traces and tshark's own output for
// hand-made IPv6 addresses: ::ffff:1.2.3.4, ::1.2.3.4, 2001:db8::1:0:0:1, 1:0:0:2::).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ipv4FromString, ipv4ToString, ipv6FromString, ipv6ToString, macFromString, macNumberToString, macToNumber, macToString,
} from './address.ts';
import { hex } from './test-support.ts';

test('IPv4 to and from text, unsigned', () => {
  assert.equal(ipv4ToString(0xc0a83801), '192.168.56.1');
  assert.equal(ipv4ToString(0xffffffff), '255.255.255.255');
  assert.equal(ipv4FromString('224.0.0.251'), 0xe00000fb);
  assert.equal(ipv4FromString('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4FromString('1.2.3'), undefined);
  assert.equal(ipv4FromString('1.2.3.256'), undefined);
});

test('IPv6 RFC 5952 form, as tshark prints it', () => {
  const cases: [string, string][] = [
    ['2001 0da8 0215 1171 a10b cb48 8f83 57f6', '2001:da8:215:1171:a10b:cb48:8f83:57f6'],
    ['fe80 0000 0000 0000 1e5f 2bff feaa fd4e', 'fe80::1e5f:2bff:feaa:fd4e'],
    ['ff02 0000 0000 0000 0000 0001 ffaa fd4e', 'ff02::1:ffaa:fd4e'],
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'],
    ['0001 0000 0000 0002 0000 0000 0000 0000', '1:0:0:2::'],
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'],
    ['0000 0000 0000 0000 0000 ffff 0102 0304', '::ffff:1.2.3.4'],
    ['0000 0000 0000 0000 0000 0000 0102 0304', '::1.2.3.4'],
  ];
  for (const [h, text] of cases) {
    const bytes = concatPad(hex(h));
    assert.equal(ipv6ToString(bytes, 3), text);
    assert.deepEqual(ipv6FromString(text), hex(h), text);
  }
  assert.equal(ipv6FromString('1::2::3'), undefined);
  assert.equal(ipv6FromString('1:2:3:4:5:6:7'), undefined);
  assert.equal(ipv6FromString('12345::'), undefined);
});

/** Put the address at offset 3 of a larger buffer, to exercise `off`. */
function concatPad(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + b.length + 2).fill(0xaa);
  out.set(b, 3);
  return out;
}

test('MAC strings and 48-bit numbers', () => {
  const b = hex('ff 1c5f2baafd4e');
  assert.equal(macToString(b, 1), '1c:5f:2b:aa:fd:4e');
  assert.equal(macToNumber(b, 1), 0x1c5f2baafd4e);
  assert.equal(macToNumber(hex('ffffffffffff'), 0), 2 ** 48 - 1);
  assert.equal(macNumberToString(0x1c5f2baafd4e), '1c:5f:2b:aa:fd:4e');
  assert.equal(macNumberToString(0xb8_27eb_7d6b_a6), 'b8:27:eb:7d:6b:a6');
  assert.equal(macFromString('B8-27-EB-7D-6B-A6'), 0xb827eb7d6ba6);
  assert.equal(macFromString('b8:27:eb:7d:6b'), undefined);
});
