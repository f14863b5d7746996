/**
 * Reading a file the user named (a snapshot, window.json) without letting
 * the name hang or swamp us: only a regular file is read, never more than
 * a cap, and opening never blocks or has effects. A fifo with no writer,
 * /dev/zero, a directory or a socket (or a symbolic link to one; links are
 * followed) gives a one-line FileReadError instead, and so does a file of
 * procfs, sysfs or another kernel filesystem: those are the kernel's state,
 * which reading can change (root reading a user's link to /proc/kmsg would
 * consume the kernel log). Engine state files under directories a user
 * controls come through here too (main/discover/containers).
 *
 * The size check is made twice: st_size against the cap before reading (a
 * sparse 10 GiB file is refused without reading it), then the bytes really
 * read, at most cap + 1 of them (a file may grow while we read it, and a
 * FUSE file may report size 0 yet have content: it is read up to the cap
 * like any other). A file that shrinks while we read gives what it
 * held. Messages carry the path as given; callers escape it for display.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  statfsSync,
  type Stats,
} from 'node:fs';

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

/** "a fifo", "a character device", ...: what kind of file it is, in words. */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
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

// O_NONBLOCK: a file that turns out not to be regular after all never
// waits for anything. O_NOCTTY: a terminal never becomes our controlling
// terminal. Both are belt and braces: what is opened for reading was
// proven a regular file first (below).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** O_PATH, asm-generic's value, which every architecture Node runs on uses (<asm/fcntl.h>). */
const O_PATH = 0o10000000;

/**
 * Kernel filesystems whose files are no data but the kernel's state, which
 * reading can change (/proc/kmsg consumes the log) or swamp (a trace
 * pipe), all of them regular files by their mode. Magic numbers from
 * <linux/magic.h>.
 */
const KERNEL_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0x0027e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpffs'],
  [0xde5e81e4, 'efivarfs'],
  [0x6165676c, 'pstore'],
  [0xf97cff8c, 'selinuxfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
  [0x6e736673, 'nsfs'],
  [0x50494446, 'pidfs'],
]);

/**
 * Open `path` for reading only once it is proven a regular file on a
 * filesystem of data: first with O_PATH, which opens nothing (no fifo
 * waits for a writer, no device driver runs, whatever a link swapped in),
 * then fstat and the filesystem's type checked on that fd, then the same
 * inode opened for real through /proc/self/fd. Without /proc there is no
 * procfs file to reach and nothing to reopen through: the file is opened
 * non-blocking and checked after, as before.
 */
function openChecked(path: string, maxBytes: number): { fd: number; st: Stats } {
  let pathFd: number;
  try {
    pathFd = openSync(path, O_PATH);
  } catch (err) {
    throw failure(path, err);
  }
  try {
    const st = fstatSync(pathFd);
    refuseUnlessRegular(path, st, maxBytes);
    const self = `/proc/self/fd/${pathFd}`;
    let type: number | undefined;
    try {
      type = statfsSync(self).type;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const fs = type === undefined ? undefined : KERNEL_FILESYSTEMS.get(type);
    if (fs !== undefined) {
      throw new FileReadError(`cannot read ${path}: a file of the kernel's ${fs}, not data`);
    }
    const fd = openSync(type === undefined ? path : self, OPEN_FLAGS);
    try {
      const now = fstatSync(fd);
      if (now.dev !== st.dev || now.ino !== st.ino) refuseUnlessRegular(path, now, maxBytes);
      return { fd, st: now };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  } catch (err) {
    throw err instanceof FileReadError ? err : failure(path, err);
  } finally {
    closeSync(pathFd);
  }
}

/**
 * The contents of the regular file at `path` (symbolic links followed), at
 * most `maxBytes` long.
 * @throws FileReadError when it is missing, unreadable, not a regular
 *   file, a file of procfs, sysfs or another kernel filesystem, or larger
 *   than `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`readRegularFile: maxBytes must be a whole number >= 0, not ${maxBytes}`);
  }
  const { fd, st } = openChecked(path, maxBytes);
  try {
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
