/**
 * decodeBytes (main/model/names.ts), the one decoder of system bytes,
 * must give the string the model defines for any bytes: valid UTF-8 runs
 * decoded, each byte of an invalid sequence as U+DC80+byte. The
 * definition, written out byte by byte below as the model once computed
 * it (and state files had a second, faster copy of), is the oracle here;
 * the inputs are the edge cases of UTF-8 and random bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBytes, encodeBytes } from '../../main/model/names';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The definition: one character at a time, each undecodable byte as U+DC80+byte. */
function definition(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) [need, cp, min] = [1, b0 & 0x1f, 0x80];
    else if (b0 >= 0xe0 && b0 <= 0xef) [need, cp, min] = [2, b0 & 0x0f, 0x800];
    else if (b0 >= 0xf0 && b0 <= 0xf4) [need, cp, min] = [3, b0 & 0x07, 0x10000];
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (ok && (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b0);
      i += 1;
    }
  }
  return out;
}

test('decodeBytes equals the definition on every edge of UTF-8', () => {
  const cases = [
    '',
    'plain ascii',
    'caf\u00e9 \u4e2d\u6587 \u{1f600}',
    '\ufeffa BOM is kept',
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
    'eda080f09f9880', // an invalid surrogate, then a valid astral character
  ].map((c) =>
    /^[0-9a-f]*$/.test(c) && c.length % 2 === 0 && c !== ''
      ? Buffer.from(c, 'hex')
      : Buffer.from(c),
  );
  for (const b of cases) {
    const got = decodeBytes(b);
    assert.equal(got, definition(b), hex(b));
    assert.equal(hex(encodeBytes(got)), hex(b), `round trip of ${hex(b)}`);
  }
});

test('decodeBytes equals the definition on random bytes, mostly text and mostly binary', () => {
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
    assert.equal(decodeBytes(b), definition(b), hex(b));
  }
});

test('a megabyte of binary with JSON inside decodes to the same string, the JSON findable', () => {
  const b = Buffer.alloc(1 << 20);
  let seed = 7;
  for (let i = 0; i < b.length; i += 3) b[i] = (seed = (seed * 48271) % 2147483647) & 0xff;
  const json = Buffer.from('{"id":"abc","name":"p\u00f6d"}');
  json.copy(b, 500_000);
  const text = decodeBytes(b);
  assert.equal(text, definition(b));
  assert.ok(text.includes('{"id":"abc","name":"p\u00f6d"}'));
});
