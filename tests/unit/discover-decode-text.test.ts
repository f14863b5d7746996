/**
 * decodeText (containers/text.ts) must give decodeBytes' string for any
 * bytes: valid UTF-8 runs decoded, each byte of an invalid sequence as
 * U+DC80+byte. decodeBytes is the model's definition of that string
 * (names.test.ts checks it round-trips through encodeBytes), so it is the
 * oracle here; the inputs are the edge cases of UTF-8 and random bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBytes, encodeBytes } from '../../main/model/names';
import { decodeText } from '../../main/discover/containers/text';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('decodeText equals decodeBytes on every edge of UTF-8', () => {
  const cases = [
    '',
    'plain ascii',
    'caf\u00e9 \u4e2d\u6587 \u{1f600}',
    'c3', // lead byte at the end
    'e282', // truncated 3-byte sequence
    'f09f98', // truncated 4-byte sequence
    'c0af', // overlong '/'
    'e080af', // overlong, 3 bytes
    'f08282ac', // overlong, 4 bytes
    'eda080', // U+D800 encoded
    'edbfbf', // U+DFFF encoded
    'ed9fbf', // U+D7FF: valid
    'f4908080', // past U+10FFFF
    'f48fbfbf', // U+10FFFF: valid
    'f5808080', // lead byte never valid
    '80bf', // lone continuation bytes
    'ff00fe41',
    '41c3a9ff42e282ac43',
  ].map((c) =>
    /^[0-9a-f]*$/.test(c) && c.length % 2 === 0 && c !== ''
      ? Buffer.from(c, 'hex')
      : Buffer.from(c),
  );
  for (const b of cases) {
    const got = decodeText(b);
    assert.equal(got, decodeBytes(b), hex(b));
    assert.equal(hex(encodeBytes(got)), hex(b), `round trip of ${hex(b)}`);
  }
});

test('decodeText equals decodeBytes on random bytes, mostly text and mostly binary', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
  for (let round = 0; round < 400; round++) {
    const len = 1 + (round % 97) * 7;
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) {
      const r = rand();
      // half the rounds mostly ASCII with UTF-8 lead/continuation bytes sprinkled in
      b[i] = round % 2 === 0 && r < 200 ? 0x20 + (r % 95) : rand();
    }
    assert.equal(decodeText(b), decodeBytes(b), hex(b));
  }
});

test('a megabyte of binary with JSON inside decodes to the same string, the JSON findable', () => {
  const b = Buffer.alloc(1 << 20);
  let seed = 7;
  for (let i = 0; i < b.length; i += 3) b[i] = (seed = (seed * 48271) % 2147483647) & 0xff;
  const json = Buffer.from('{"id":"abc","name":"p\u00f6d"}');
  json.copy(b, 500_000);
  const text = decodeText(b);
  assert.equal(text, decodeBytes(b));
  assert.ok(text.includes('{"id":"abc","name":"p\u00f6d"}'));
});
