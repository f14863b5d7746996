/**
 * ioctl results are written in the machine's byte order: the decoders read
 * either order, and the shim picks this machine's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { decodeUint32, decodeUint64, NATIVE_ORDER } from '../../native-shim';

test('uid_t 12345 as a little-endian and as a big-endian kernel writes it', () => {
  assert.equal(decodeUint32(Buffer.from([0x39, 0x30, 0, 0]), 'LE'), 12345);
  assert.equal(decodeUint32(Buffer.from([0, 0, 0x30, 0x39]), 'BE'), 12345);
  // the bug this guards against: a big-endian uid read little-endian
  assert.equal(decodeUint32(Buffer.from([0, 0, 0x30, 0x39]), 'LE'), 0x39300000);
  assert.equal(decodeUint32(Buffer.from([0xff, 0xff, 0xff, 0xff]), 'BE'), 0xffffffff);
});

test('a u64 namespace id in both orders, high word included', () => {
  const id = 0x0000_0001_0000_2a0fn;
  const le = Buffer.from([0x0f, 0x2a, 0, 0, 1, 0, 0, 0]);
  const be = Buffer.from([0, 0, 0, 1, 0, 0, 0x2a, 0x0f]);
  assert.equal(decodeUint64(le, 'LE'), id);
  assert.equal(decodeUint64(be, 'BE'), id);
  assert.notEqual(decodeUint64(be, 'LE'), id);
  assert.equal(decodeUint64(Buffer.alloc(8, 0xff), 'LE'), 2n ** 64n - 1n);
});

test('decoders read at an offset', () => {
  const buf = Buffer.from([9, 9, 0, 0, 0, 7]);
  assert.equal(decodeUint32(buf, 'BE', 2), 7);
});

test("the shim's byte order is this machine's, as memory itself shows", () => {
  assert.equal(NATIVE_ORDER, endianness());
  // independent of os: how a typed array lays out 1 in memory
  const first = new Uint8Array(new Uint32Array([1]).buffer)[0];
  assert.equal(NATIVE_ORDER, first === 1 ? 'LE' : 'BE');
});
