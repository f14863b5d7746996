/**
 * State files as text: decodeBytes' string (valid UTF-8 decoded, every byte
 * of an invalid sequence kept as U+DC80+byte), made fast for large files
 * that are not valid UTF-8. libpod's bolt_state.db (a binary database of
 * a megabyte or more, searched by podman.ts for a pod's JSON) is such a
 * file: decodeBytes builds its string one character at a time, which at a
 * megabyte cost a second of CPU, most of it the garbage collector's.
 */
import { isUtf8 } from 'node:buffer';

const SURROGATE_BASE = 0xdc00;

/**
 * The length of the well-formed UTF-8 sequence starting at `i`, or 0 when
 * the byte there starts none: the rules decodeBytes applies (no overlong
 * forms, no surrogates, nothing past U+10FFFF).
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

/** Bytes 0x80-0xFF in a latin1 string of the buffer: where decoding needs a look. */
const HIGH = /[\x80-\xff]/g;

/** decodeBytes(buf), with the ASCII between non-ASCII bytes taken as it is. */
export function decodeText(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  // ASCII is most of any file: jump from one non-ASCII byte to the next with
  // the regular expression engine, not a JavaScript loop over every byte,
  // and take the ASCII between them as slices of the latin1 string (the
  // same characters); only the non-ASCII bytes are decoded one by one
  const latin1 = buf.toString('latin1');
  const parts: string[] = [];
  let from = 0; // start of the ASCII not yet taken
  HIGH.lastIndex = 0;
  for (let m = HIGH.exec(latin1); m !== null; m = HIGH.exec(latin1)) {
    const i = m.index;
    if (i > from) parts.push(latin1.slice(from, i));
    const n = sequenceAt(buf, i);
    parts.push(
      n > 0 ? buf.toString('utf8', i, i + n) : String.fromCharCode(SURROGATE_BASE + buf[i]!),
    );
    from = i + Math.max(n, 1);
    HIGH.lastIndex = from;
  }
  if (latin1.length > from) parts.push(latin1.slice(from));
  return parts.join('');
}
