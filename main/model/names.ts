/**
 * Process names are bytes. The kernel stores argv[0] and comm as arbitrary
 * bytes: spaces, quotes, newlines, markup, invalid UTF-8 all occur (some on
 * purpose). The model keeps them losslessly as JS strings using the
 * "surrogateescape" scheme (PEP 383): valid UTF-8 decodes normally, every
 * byte of an invalid sequence becomes the lone surrogate U+DC80+byte.
 * JSON.stringify writes lone surrogates as `\udcXX` escapes, so snapshots
 * round-trip byte for byte. Only presentation escapes; see escapeDisplay().
 */

const SURROGATE_BASE = 0xdc00;

/** Strict UTF-8: throws on what decodeBytes keeps as escapes; a leading BOM is kept, not eaten. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode bytes as UTF-8, keeping each undecodable byte as U+DC80..U+DCFF.
 * The one decoder of system bytes (process names, paths, cgroup files,
 * engine state files of megabytes): valid UTF-8, nearly everything, goes
 * through the platform's decoder; anything else through escapingDecode.
 */
export function decodeBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return escapingDecode(bytes);
  }
}

/**
 * The length of the well-formed UTF-8 sequence starting at `i`, or 0 when
 * the byte there starts none: no overlong forms, no UTF-16 surrogates,
 * nothing past U+10FFFF (the platform decoder's rules too).
 */
function sequenceAt(b: Uint8Array, i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const b1 = b[i + 1]!;
    if (b0 === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b0 === 0xed && b1 >= 0xa0) return 0; // U+D800..U+DFFF
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const b1 = b[i + 1]!;
    if (b0 === 0xf0 && b1 < 0x90) return 0; // overlong
    if (b0 === 0xf4 && b1 >= 0x90) return 0; // past U+10FFFF
    return 4;
  }
  return 0;
}

/** The code point of the well-formed `n`-byte sequence at `i`. */
function codePointAt(b: Uint8Array, i: number, n: number): number {
  if (n === 2) return ((b[i]! & 0x1f) << 6) | (b[i + 1]! & 0x3f);
  if (n === 3) return ((b[i]! & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
  return (
    ((b[i]! & 0x07) << 18) |
    ((b[i + 1]! & 0x3f) << 12) |
    ((b[i + 2]! & 0x3f) << 6) |
    (b[i + 3]! & 0x3f)
  );
}

/** UTF-16 code units turned into a string this many at a time (an argument list has limits). */
const CHUNK = 8192;

/**
 * decodeBytes for bytes that are not all UTF-8: one pass writing UTF-16
 * code units (a byte gives at most one; four bytes give two), then the
 * string in chunks. A megabyte of binary (libpod's database, searched for
 * JSON) costs a fraction of a second, where a string built one character
 * at a time cost a second, most of it the garbage collector's.
 */
function escapingDecode(b: Uint8Array): string {
  const units = new Uint16Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length;) {
    const b0 = b[i]!;
    const len = b0 < 0x80 ? 1 : sequenceAt(b, i);
    if (len === 0) {
      units[n++] = SURROGATE_BASE + b0; // not UTF-8: the byte, escaped
      i++;
      continue;
    }
    const cp = len === 1 ? b0 : codePointAt(b, i, len);
    if (cp >= 0x10000) {
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    } else units[n++] = cp;
    i += len;
  }
  let out = '';
  for (let k = 0; k < n; k += CHUNK)
    out += String.fromCharCode.apply(null, units.subarray(k, Math.min(n, k + CHUNK)) as never);
  return out;
}

/** How a format writes a byte as text: `\ooo` (mountinfo: three octal digits) or `\xHH` (systemd). */
export type ByteEscape = 'octal' | 'hex';

const OCTAL = /^[0-7]{3}$/;
const HEX = /^x[0-9a-fA-F]{2}$/;

/** The byte escaped after the backslash at `bytes[at - 1]`, or undefined where none is. */
function escapedByte(bytes: Uint8Array, at: number, form: ByteEscape): number | undefined {
  // both forms are three characters after the backslash
  const text = String.fromCharCode(...bytes.subarray(at, at + 3));
  if (form === 'octal') return OCTAL.test(text) ? parseInt(text, 8) & 0xff : undefined;
  return HEX.test(text) ? parseInt(text.slice(1), 16) : undefined;
}

/**
 * Text in which a format escaped some bytes (mountinfo's `\040` for a
 * space, systemd's `\x2d` in a unit name), with its escapes undone and the
 * bytes then decoded as decodeBytes does: an escaped byte and the bytes
 * around it make one UTF-8 sequence when they form one, and whatever is
 * not UTF-8 is kept as lone surrogates. `bytes` is the text as the kernel
 * or systemd wrote it; a backslash that starts no escape stays as it is.
 */
export function decodeEscaped(bytes: Uint8Array, form: ByteEscape): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const escaped = bytes[i] === 0x5c ? escapedByte(bytes, i + 1, form) : undefined;
    if (escaped === undefined) out.push(bytes[i]!);
    else {
      out.push(escaped);
      i += 3;
    }
  }
  return decodeBytes(Uint8Array.from(out));
}

/** Inverse of decodeBytes(): the original bytes. */
export function encodeBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - SURROGATE_BASE);
    else if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return Uint8Array.from(out);
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * A name made safe for one line of text: control characters (C0, DEL, C1),
 * Unicode line/paragraph separators, bidi overrides, the BOM and the
 * noncharacters U+FFFE/U+FFFF (invalid in XML), and undecodable
 * bytes become visible escapes (`\n`, `\x1b`, `\u{202e}`); backslash
 * doubles so escapes stay unambiguous; `extra` characters (e.g. `"`) are
 * backslash-escaped too. The result never contains a line break.
 */
export function escapeDisplay(s: string, extra = ''): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (NAMED[ch] !== undefined) out += NAMED[ch];
    else if (extra.includes(ch)) out += `\\${ch}`;
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += `\\x${(cp - SURROGATE_BASE).toString(16)}`;
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0))
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (
      cp === 0x2028 ||
      cp === 0x2029 ||
      (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069) ||
      cp === 0x200e ||
      cp === 0x200f ||
      cp === 0xfeff ||
      cp === 0xfffe ||
      cp === 0xffff ||
      (cp >= 0xd800 && cp <= 0xdfff)
    )
      out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out;
}
