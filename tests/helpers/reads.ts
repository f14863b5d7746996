/**
 * Whether something read a file, from the file's access time rather than
 * from how long it took (a loaded machine makes anything slow, a fast one
 * reads a sparse giant in a blink).
 */
import { closeSync, openSync, readSync, statSync, utimesSync } from 'node:fs';

/**
 * Run `f` and say whether it read `path`: the access time is set to the
 * epoch first (the mtime kept), and a read moves it (relatime updates an
 * access time older than a day). 'unknown' when this mount keeps no access
 * times (noatime), as a 1-byte read of ours afterwards shows.
 */
export function readBy<T>(path: string, f: () => T): { result: T; read: boolean | 'unknown' } {
  const { mtime } = statSync(path);
  utimesSync(path, 0, mtime);
  const result = f();
  if (statSync(path).atimeMs !== 0) return { result, read: true };
  const fd = openSync(path, 'r');
  try {
    readSync(fd, Buffer.alloc(1), 0, 1, 0);
  } finally {
    closeSync(fd);
  }
  return { result, read: statSync(path).atimeMs !== 0 ? false : 'unknown' };
}
