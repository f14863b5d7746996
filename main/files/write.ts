/**
 * The project's one file writer. A reader never sees half a file: the data
 * goes to a temporary file in the target's directory, is fsynced, and only
 * then takes the target's name, in one step. Two policies:
 *
 * - 'replace' (graphns --output, Electron's chosen save path, window.json):
 *   rename() over the target. Only a regular file is replaced (a directory,
 *   fifo, device or socket there, or a link to one, is refused: it is not
 *   ours to destroy); it keeps its mode, and its owner when we are root. A
 *   symbolic link to a regular file stays a link; the file it points at is
 *   replaced.
 * - 'never-replace' (the browser shell's saves): link() to the first free
 *   name of `x.svg`, `x-2.svg`, ... `x-999.svg`; link() fails rather than
 *   replace anything, symbolic links included.
 *
 * The temporary file is always removed on failure, and the directory is
 * fsynced after the rename or link so the new name survives a crash.
 *
 * Symbolic links are followed as the kernel's fs.protected_symlinks rule
 * would allow, whatever the sysctl says (it is 0 on some systems): a link
 * in a sticky world-writable directory (/tmp) is followed only when it
 * belongs to us or to the directory's owner. Otherwise another user could
 * plant /tmp/x.svg -> /etc/shadow and have root overwrite it. The rule is
 * applied to every link met while resolving the path (each component and
 * the links inside link targets), as the kernel does; the rest of the write
 * then uses the resolved path, so no further link is followed: the temp
 * file is created with O_EXCL, and rename()/link() never follow the final
 * name. (A check from user space cannot be atomic with the write; an
 * attacker who owns a directory on the resolved path controls its contents
 * anyway.)
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fillRandom } from './random';
import { kindOf } from './read';

/** A file cannot be written; the message names the path and says why in one line. */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
  /** The errno code (ENOENT, EACCES, ...) when a system call failed, else undefined. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** 'replace' renames over the target; 'never-replace' takes the first free name. */
export type WritePolicy = 'replace' | 'never-replace';

export interface WriteOptions {
  policy: WritePolicy;
  /** Mode of a newly created file, before the umask (default 0o666). An existing file keeps its own. */
  mode?: number;
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
  EMLINK: 'too many links',
  EIO: 'input/output error',
};

function failure(path: string, err: unknown): FileWriteError {
  if (err instanceof FileWriteError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && REASONS[code]) ?? (err as Error).message;
  return new FileWriteError(`cannot write ${path}: ${why}${code ? ` (${code})` : ''}`, code);
}

function sysError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}, ${syscall}`), { code, syscall });
}

const MAX_LINKS = 40; // the kernel's limit on links followed in one lookup

/**
 * Refuse to follow `link` (lstat `st`) when protected_symlinks would: it
 * sits in a sticky, world-writable directory and belongs neither to us nor
 * to that directory's owner.
 */
function checkFollow(link: string, st: Stats, dir: string): void {
  const euid = process.geteuid?.();
  if (euid === undefined || st.uid === euid) return;
  const d = statSync(dir);
  if ((d.mode & 0o1000) === 0 || (d.mode & 0o002) === 0 || d.uid === st.uid) return;
  throw new FileWriteError(
    `refusing to follow ${link}: a symbolic link in a sticky world-writable directory, owned by uid ${st.uid} (not this process, not the directory's owner)`,
  );
}

/**
 * `path` with every symbolic link resolved under the rule above: an
 * absolute path free of links except, maybe, a last component that does
 * not exist yet. `danglingLink` is true when that missing last component
 * was reached through a link.
 */
function resolveFollowingSafely(path: string): { real: string; danglingLink: boolean } {
  let pending = resolve(path).split('/').filter(Boolean);
  let cur = '/';
  let links = 0;
  let viaLink = false; // the current `pending` head came out of a link target
  while (pending.length > 0) {
    const name = pending.shift()!;
    const last = pending.length === 0;
    if (name === '.') continue;
    if (name === '..') {
      cur = dirname(cur);
      continue;
    }
    const next = join(cur, name);
    let st: Stats;
    try {
      st = lstatSync(next);
    } catch (err) {
      if (last && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { real: next, danglingLink: viaLink };
      }
      throw err;
    }
    if (st.isSymbolicLink()) {
      checkFollow(next, st, cur);
      if (++links > MAX_LINKS) throw sysError('ELOOP', 'lstat');
      const target = readlinkSync(next);
      if (isAbsolute(target)) cur = '/';
      pending = [...target.split('/').filter(Boolean), ...pending];
      viaLink = last || viaLink;
      continue;
    }
    if (!last && !st.isDirectory()) throw sysError('ENOTDIR', 'lstat');
    cur = next;
  }
  // a path made only of "/", "." and "..": a directory, refused by the caller
  return { real: cur, danglingLink: false };
}

/**
 * Where a 'replace' write to `path` lands (links resolved) and what is there now.
 * @throws FileWriteError for a non-regular target, a dangling link, a
 *   refused link, an unreachable directory.
 */
function replaceTarget(path: string): { target: string; st: Stats | undefined } {
  let real: string;
  let danglingLink: boolean;
  let st: Stats | undefined;
  try {
    ({ real, danglingLink } = resolveFollowingSafely(path));
    if (danglingLink) throw new FileWriteError(`cannot write ${path}: a symbolic link to nothing`);
    try {
      st = lstatSync(real);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  } catch (err) {
    throw failure(path, err);
  }
  if (st && !st.isFile()) {
    throw new FileWriteError(`refusing to overwrite ${path}: it is ${kindOf(st)}`);
  }
  return { target: real, st };
}

/**
 * Check early (before a long scan and layout) that a 'replace' write to
 * `path` would not be refused, without writing anything.
 * @throws FileWriteError
 */
export function checkReplaceTarget(path: string): void {
  replaceTarget(path);
}

/** `x.svg`, `x-2.svg`, ... `x-999.svg` in the same directory. */
function* freeNameCandidates(path: string): Generator<string> {
  const ext = extname(path);
  const stem = path.slice(0, path.length - ext.length);
  yield path;
  for (let n = 2; n <= 999; n++) yield `${stem}-${n}${ext}`;
}

/** Write `bytes` to a fresh temporary file beside `target`, fsynced; returns its name. */
function writeTemp(target: string, bytes: Uint8Array, mode: number, keep?: Stats): string {
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${fillRandom(Buffer.alloc(6)).toString('hex')}.tmp`,
  );
  const fd = openSync(tmp, 'wx', mode); // O_EXCL: never follows or reuses a name
  try {
    if (keep) {
      fchmodSync(fd, keep.mode & 0o7777);
      if (process.geteuid?.() === 0) fchownSync(fd, keep.uid, keep.gid);
    }
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(tmp);
    throw err;
  }
  closeSync(fd);
  return tmp;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Make a rename or link durable; some file systems cannot fsync a directory, which is fine. */
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

/**
 * Write `data` to `path` atomically under `options.policy` (see the module
 * comment). Returns the path written: `path` itself for 'replace' (even
 * when it is a link), the name taken for 'never-replace'.
 * @throws FileWriteError naming the path and the reason; no temporary file
 *   is left behind.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions,
): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const mode = options.mode ?? 0o666;
  if (options.policy === 'replace') {
    const { target, st } = replaceTarget(path);
    let tmp: string | undefined;
    try {
      tmp = writeTemp(target, bytes, mode, st);
      renameSync(tmp, target);
      tmp = undefined;
    } catch (err) {
      if (tmp) removeQuietly(tmp);
      throw failure(path, err);
    }
    syncDirectory(dirname(target));
    return path;
  }
  // never-replace: resolve the directory under the link rule; the names
  // tried inside it are taken by link(), which follows nothing
  let dir: string;
  let tmp: string | undefined;
  try {
    const { real } = resolveFollowingSafely(dirname(resolve(path)));
    dir = real;
    tmp = writeTemp(join(dir, basename(path)), bytes, mode);
    for (const candidate of freeNameCandidates(basename(path))) {
      try {
        linkSync(tmp, join(dir, candidate));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      syncDirectory(dir);
      return join(dirname(path), candidate);
    }
    throw new FileWriteError(
      `cannot write ${path}: no free name up to ${basename(path, extname(path))}-999${extname(path)}`,
    );
  } catch (err) {
    throw failure(path, err);
  } finally {
    if (tmp) removeQuietly(tmp);
  }
}
