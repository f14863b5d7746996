/**
 * State files as text: decodeBytes' string (valid UTF-8 decoded, every byte
 * of an invalid sequence kept as U+DC80+byte), made fast for large files
 * that are not valid UTF-8. libpod's bolt_state.db (a binary database of
 * a megabyte or more, searched by podman.ts for a pod's JSON) is such a
 * file: decodeBytes builds its string one character at a time, which at a
 * megabyte cost a second of CPU, most of it the garbage collector's. Here
 * each run of valid UTF-8 is decoded by Buffer in one call and only the
 * invalid bytes one by one.
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

/** decodeBytes(buf), in one Buffer decode per run of valid UTF-8. */
export function decodeText(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  const parts: string[] = [];
  let from = 0; // start of the current valid run
  let i = 0;
  while (i < buf.length) {
    // ASCII first: most of any file, and no call per byte
    if (buf[i]! < 0x80) {
      i++;
      continue;
    }
    const n = sequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > from) parts.push(buf.toString('utf8', from, i));
    parts.push(String.fromCharCode(SURROGATE_BASE + buf[i]!));
    from = ++i;
  }
  if (i > from) parts.push(buf.toString('utf8', from, i));
  return parts.join('');
}
