import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBytes, encodeBytes, escapeDisplay } from '../../main/model';
import { decodeEscaped } from '../../main/model/names';

test('valid UTF-8 decodes as TextDecoder does', () => {
  for (const s of ['plain', 'grüße', '日本語', '🦀 crab', 'a\nb\tc', '']) {
    const bytes = new TextEncoder().encode(s);
    assert.equal(decodeBytes(bytes), s);
    assert.deepEqual(encodeBytes(s), bytes);
  }
});

test('invalid bytes survive as lone surrogates, round trip is exact', () => {
  const cases = [
    [0xff],
    [0xc3], // truncated 2-byte sequence at the end
    [0xc3, 0x28], // bad continuation
    [0xe2, 0x82], // truncated 3-byte
    [0xc0, 0xaf], // overlong '/'
    [0xed, 0xa0, 0x80], // UTF-16 surrogate encoded in UTF-8
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0x61, 0xff, 0xfe, 0x62],
  ];
  for (const c of cases) {
    const bytes = Uint8Array.from(c);
    const s = decodeBytes(bytes);
    assert.ok(/[\udc80-\udcff]/.test(s), `${c} has an escaped byte`);
    assert.deepEqual(encodeBytes(s), bytes, String(c));
    assert.deepEqual(encodeBytes(JSON.parse(JSON.stringify(s))), bytes, 'survives JSON');
  }
  // every byte sequence round-trips
  let seed = 1;
  for (let i = 0; i < 2000; i++) {
    const len = (seed = (seed * 1103515245 + 12345) >>> 0) % 12;
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    assert.deepEqual(encodeBytes(decodeBytes(bytes)), bytes);
  }
});

test('escapeDisplay leaves no line break, control character or bidi override', () => {
  const hostile =
    'a\nb\rc\td\x1b[31m\x7f\u0085\u2028\u2029\u202e\u2066\\"' + decodeBytes(Uint8Array.of(0xff));
  const out = escapeDisplay(hostile, '"');
  assert.equal(
    out,
    'a\\nb\\rc\\td\\x1b[31m\\x7f\\x85\\u{2028}\\u{2029}\\u{202e}\\u{2066}\\\\\\"\\xff',
  );
  assert.doesNotMatch(out, /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.equal(escapeDisplay('grüße 日本 <b>'), 'grüße 日本 <b>');
  assert.equal(escapeDisplay('a\ufffe\uffff\ufeffb'), 'a\\u{fffe}\\u{ffff}\\u{feff}b');
});

test('decodeEscaped: octal (mountinfo) and hex (systemd) escapes are bytes, decoded with their neighbours', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');
  assert.equal(decodeEscaped(bytes('/run/netns/a\\040b'), 'octal'), '/run/netns/a b');
  // an escaped lead byte and a raw continuation byte are one character
  assert.equal(decodeEscaped(bytes('caf\\303\xa9'), 'octal'), 'café');
  assert.equal(decodeEscaped(bytes('\\377x'), 'octal'), '\udcffx');
  // not an escape: kept as written
  assert.equal(decodeEscaped(bytes('a\\09b\\'), 'octal'), 'a\\09b\\');
  assert.equal(decodeEscaped(encodeBytes('my\\x2dbox\\xc3\\xa9'), 'hex'), 'my-boxé');
  assert.equal(decodeEscaped(encodeBytes('grüße\\xff'), 'hex'), 'grüße\udcff');
  assert.equal(decodeEscaped(encodeBytes('\\xg1\\x4'), 'hex'), '\\xg1\\x4');
});
