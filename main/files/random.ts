/**
 * Random bytes without node:crypto: read from /dev/urandom. Loading
 * node:crypto, or touching globalThis.crypto (which loads Web Crypto), costs
 * a fresh process about 10 ms of CPU, more than what graphns --output needs
 * them for (a temporary file's name; Graphviz's WASM asks for a few bytes).
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Fill `b` with random bytes and return it. */
export function fillRandom<T extends Uint8Array>(b: T): T {
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      let off = 0;
      while (off < b.length) {
        const n = readSync(fd, b, off, b.length - off, null);
        if (n <= 0) break;
        off += n;
      }
      if (off === b.length) return b;
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev (a bare chroot): Web Crypto then, whatever it costs
  }
  for (let off = 0; off < b.length; off += 65536) {
    crypto.getRandomValues(b.subarray(off, off + 65536)); // at most 64 KiB a call
  }
  return b;
}
