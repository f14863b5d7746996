/**
 * Opening a namespace reference without side effects, and proving it is
 * one before any ioctl reaches it.
 *
 * A path that should name a namespace may name anything else by the time
 * we open it: a user can stack a fifo or a device node on a namespace bind
 * mount in a mount namespace of their own, or flip an fd of theirs between
 * a namespace and a fifo. A plain open() of a fifo blocks until a writer
 * comes (forever), and opening a device runs its driver (a watchdog arms,
 * a serial line raises DTR). So a reference is opened with O_PATH, which
 * resolves the path to a file without opening the file itself (no driver,
 * no fifo wait); fstat() must then show nsfs's device and, where the
 * caller knows it, the inode the readlink or mountinfo line named. Only
 * then is the same file opened for real, through /proc/self/fd/N, which
 * reaches exactly the inode the O_PATH fd holds, so nothing can be swapped
 * in between.
 *
 * nsfs is one kernel-internal mount: every namespace file has its device
 * number, learnt once per process from a file that can only be a
 * namespace (/proc/self/ns/user, whose filesystem type fstatfs confirms
 * as NSFS_MAGIC).
 */
import { closeSync, constants, fstatSync, openSync, statfsSync, type Stats } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { systemError, type SystemError } from '../../native-shim';
import { kindOf } from '../files';

/** The nsfs superblock's magic number (<linux/magic.h>). */
export const NSFS_MAGIC = 0x6e736673;

/**
 * O_PATH of each Node architecture (<asm/fcntl.h>): asm-generic's value on
 * all of them; alpha, parisc and sparc, which differ, run no Node.
 */
const O_PATH = 0o10000000;

let nsfsDev: number | undefined;

/** The device number of nsfs, from our own user namespace's file. */
function nsfsDevice(): number {
  if (nsfsDev === undefined) {
    const fd = openSync('/proc/self/ns/user', O_PATH);
    try {
      const type = statfsSync(`/proc/self/fd/${fd}`).type;
      if (type !== NSFS_MAGIC) {
        throw new Error(
          `/proc/self/ns/user is not on nsfs (filesystem type 0x${type.toString(16)}): is /proc a real procfs?`,
        );
      }
      nsfsDev = fstatSync(fd).dev;
    } finally {
      closeSync(fd);
    }
  }
  return nsfsDev;
}

/**
 * The error for a reference that is no namespace: ENOTTY, as the kernel
 * answers an nsfs ioctl on any other file, but raised before one is sent.
 */
function notANamespace(what: string, st: Stats, syscall: string): SystemError {
  const err = systemError(osConstants.errno.ENOTTY, syscall);
  err.message = `not a namespace: ${what} is ${kindOf(st)}`;
  return err;
}

/** Whether `st` is a file of nsfs. */
export function isNamespaceStat(st: Stats): boolean {
  return st.dev === nsfsDevice();
}

/**
 * The fstat of the open fd `fd` (the caller's); throws ENOTTY unless it is
 * a namespace file. `what` names it in the message.
 */
export function checkNamespaceFd(fd: number, what = `fd ${fd}`): Stats {
  const st = fstatSync(fd);
  if (!isNamespaceStat(st)) throw notANamespace(what, st, 'fstat');
  return st;
}

/**
 * The error for a reference that now opens another namespace than the one
 * named: ESTALE (the process moved, the mount changed, the fd was reused).
 */
function otherNamespace(path: string, ino: number, found: number): SystemError {
  const err = systemError(osConstants.errno.ESTALE, 'open');
  err.message = `${path} no longer opens namespace ${ino} but ${found}`;
  return err;
}

/**
 * `/proc/PID/ns/TYPE` and `/proc/PID/task/TID/ns/TYPE`: procfs's own links,
 * which resolve to nothing but an nsfs file (the kernel's ns_get_path), in
 * our mount namespace, where no user can mount anything over /proc. These,
 * most of what discovery opens, are opened directly; only the namespace
 * found is checked (two system calls fewer than O_PATH and a reopen).
 */
const MAGIC_NS_LINK = /^\/proc\/[1-9]\d*\/(?:task\/[1-9]\d*\/)?ns\/[a-z_]+$/;

/** procfs's magic number (<linux/magic.h>). */
const PROC_SUPER_MAGIC = 0x9fa0;

let procfs: boolean | undefined;

/** Whether /proc here is procfs (in a chroot or container it might be anything). */
function procIsProcfs(): boolean {
  if (procfs === undefined) {
    try {
      procfs = statfsSync('/proc').type === PROC_SUPER_MAGIC;
    } catch {
      procfs = false;
    }
  }
  return procfs;
}

/** Open a procfs namespace link directly; it is still proven the namespace named. */
function openMagicLink(path: string, ino: number | undefined): number {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    const st = fstatSync(fd);
    if (!isNamespaceStat(st)) throw notANamespace(path, st, 'open');
    if (ino !== undefined && st.ino !== ino) throw otherNamespace(path, ino, st.ino);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Open the namespace at `path` read-only, never opening anything else.
 * @param ino - the inode the reference was found with (a readlink's
 *   `net:[ino]`, a mountinfo line); another namespace there is refused.
 * @returns a plain fd for the namespace (close-on-exec), the caller's to close.
 * @throws SystemError ENOTTY naming the file's kind when `path` is no
 *   namespace (a fifo, a device, ...), ESTALE when it is another namespace
 *   than `ino`, and what open() says (ENOENT, EACCES) otherwise.
 */
export function openNamespace(path: string, ino?: number): number {
  if (MAGIC_NS_LINK.test(path) && procIsProcfs()) return openMagicLink(path, ino);
  // libuv adds O_CLOEXEC to every open, so neither fd reaches a child process
  const pathFd = openSync(path, O_PATH);
  try {
    const st = fstatSync(pathFd);
    if (!isNamespaceStat(st)) throw notANamespace(path, st, 'open');
    if (ino !== undefined && st.ino !== ino) throw otherNamespace(path, ino, st.ino);
    return openSync(`/proc/self/fd/${pathFd}`, constants.O_RDONLY);
  } finally {
    closeSync(pathFd);
  }
}
