/**
 * Reading a file the user named (a snapshot, window.json) without letting
 * the name hang or swamp us: only a regular file is read, never more than
 * a cap, and opening never blocks. A fifo with no writer, /dev/zero, a
 * directory or a socket (or a symbolic link to one; links are followed)
 * gives a one-line FileReadError instead.
 *
 * The size check is made twice: st_size against the cap before reading (a
 * sparse 10 GiB file is refused without reading it), then the bytes really
 * read, at most cap + 1 of them (a file may grow while we read it, and
 * /proc-like files report size 0 yet have content: those are read up to the
 * cap like any other). A file that shrinks while we read gives what it
 * held. Messages carry the path as given; callers escape it for display.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** A file cannot be read; the message names the path and says why in one line. */
export class FileReadError extends Error {
  override name = 'FileReadError';
  /** The errno code (ENOENT, EACCES, ...) when a system call failed, else undefined. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EOVERFLOW: 'too large for this system',
};

/** "a fifo", "a device", ...: what a non-regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a fifo';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** 256 MiB, 64 KiB, 1000 bytes: a cap in the unit it was most likely chosen in. */
export function formatSize(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return n === 1 ? '1 byte' : `${n} bytes`;
}

function failure(path: string, err: unknown): FileReadError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && REASONS[code]) ?? (err as Error).message;
  return new FileReadError(`cannot read ${path}: ${why}${code ? ` (${code})` : ''}`, code);
}

function refuseUnlessRegular(path: string, st: Stats, maxBytes: number): void {
  if (!st.isFile()) {
    throw new FileReadError(`cannot read ${path}: not a regular file (${kindOf(st)})`);
  }
  if (st.size > maxBytes) {
    throw new FileReadError(`cannot read ${path}: larger than ${formatSize(maxBytes)}`);
  }
}

// O_NONBLOCK: opening a fifo with no writer returns at once (and is then
// refused by fstat) instead of waiting for a writer forever. O_NOCTTY: a
// terminal named here never becomes our controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * The contents of the regular file at `path` (symbolic links followed), at
 * most `maxBytes` long.
 * @throws FileReadError when it is missing, unreadable, not a regular
 *   file, or larger than `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`readRegularFile: maxBytes must be a whole number >= 0, not ${maxBytes}`);
  }
  // stat first, so a device or socket is never even opened (opening one can
  // have effects, and a socket cannot be opened at all); fstat below is the
  // check that counts, on what was really opened.
  try {
    refuseUnlessRegular(path, statSync(path), maxBytes);
  } catch (err) {
    throw err instanceof FileReadError ? err : failure(path, err);
  }
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    throw failure(path, err);
  }
  try {
    const st = fstatSync(fd);
    refuseUnlessRegular(path, st, maxBytes);
    const cap = maxBytes + 1; // one byte more than allowed tells "too large" from "exactly the limit"
    let buf = Buffer.allocUnsafe(Math.min(cap, Math.max(st.size + 1, 64 * 1024)));
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (buf.length === cap) break;
        const bigger = Buffer.allocUnsafe(Math.min(cap, buf.length * 2));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got > maxBytes) {
      throw new FileReadError(`cannot read ${path}: larger than ${formatSize(maxBytes)}`);
    }
    // a mostly empty buffer is copied so the spare memory can go
    return got * 2 >= buf.length ? buf.subarray(0, got) : Buffer.from(buf.subarray(0, got));
  } catch (err) {
    throw err instanceof FileReadError ? err : failure(path, err);
  } finally {
    closeSync(fd);
  }
}
