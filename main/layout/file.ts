/**
 * Writing an output file so that a reader never sees half of it: the data
 * goes to a temporary file in the same directory, is flushed to disk, then
 * renamed over the target in one step. Only regular files are replaced:
 * writing "x.svg" over a directory, fifo, device or socket (or a symbolic
 * link to one) is refused, because replacing it would destroy something
 * that is not ours to destroy. A symbolic link to a regular file stays a
 * link; the file it points at is replaced.
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** The output file cannot be written; the message says why in plain words. */
export class OutputFileError extends Error {
  override name = 'OutputFileError';
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a fifo';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EXDEV: 'cross-device link',
};

function failure(path: string, err: unknown): OutputFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && REASONS[code]) ?? (err as Error).message;
  return new OutputFileError(`cannot write ${path}: ${why}${code ? ` (${code})` : ''}`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw failure(path, err);
  }
}

/**
 * Where a write to `path` lands (a symlink resolved) and what is there now.
 * @throws OutputFileError when it cannot be written: a directory, fifo,
 *   device or socket there, a dangling link, an unreadable path.
 */
function outputTarget(path: string): { target: string; st: Stats | undefined } {
  let target = path;
  let st = lstatOrUndefined(path);
  if (st?.isSymbolicLink()) {
    try {
      target = realpathSync(path);
      st = statSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new OutputFileError(`cannot write ${path}: a symbolic link to nothing`);
      }
      throw failure(path, err);
    }
  }
  if (st && !st.isFile()) {
    throw new OutputFileError(`refusing to overwrite ${path}: it is ${kindOf(st)}`);
  }
  return { target, st };
}

/**
 * Check early, before a long scan and layout, that `path` could be written:
 * the same refusals writeFileAtomic() makes, without writing anything.
 * @throws OutputFileError
 */
export function checkOutputTarget(path: string): void {
  outputTarget(path);
}

/**
 * Write `data` to `path` atomically (temp file, fsync, rename). An existing
 * regular file keeps its mode (and, when we are root, its owner).
 * @throws OutputFileError naming the path and the reason; no temporary
 *   file is left behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const { target, st } = outputTarget(path);
  const dir = dirname(target);
  const tmp = join(
    dir,
    `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o666);
  } catch (err) {
    throw failure(path, err);
  }
  let renamed = false;
  try {
    if (st) {
      fchmodSync(fd, st.mode & 0o7777);
      if (process.geteuid?.() === 0) fchownSync(fd, st.uid, st.gid);
    }
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, target);
    renamed = true;
  } catch (err) {
    throw failure(path, err);
  } finally {
    if (fd >= 0) closeSync(fd);
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never created or already gone */
      }
    }
  }
  syncDirectory(dir);
}

/** Make the rename itself durable; some file systems cannot fsync a directory, which is fine. */
function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
