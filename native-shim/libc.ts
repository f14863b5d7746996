/**
 * The only place graphns touches C: libc loaded once through koffi, with
 * fixed-arity prototypes for the calls the project makes.
 *
 * Fixed arity instead of koffi's variadic `ioctl(int, unsigned long, ...)`
 * because it is about twice as fast and checks argument types. Every wrapper
 * turns a failure into a SystemError carrying errno; there is no policy and
 * no namespace model here.
 *
 * libc is bound at the first call, not at import, so importing the library
 * (for its pure parts) works anywhere and a missing libc is a clear error
 * where it matters. glibc and musl both work (see LIBC_CANDIDATES).
 */
import koffi from 'koffi';
import { systemError } from './errors';
import { decodeUint32, decodeUint64, NATIVE_ORDER } from './endian';
import { LIBC_CANDIDATES, loadFirst, type LibCandidate } from './load';

// struct passwd from <pwd.h>; pw_name and pw_dir are read, the layout must still be
// whole. glibc and musl lay it out alike: two pointers, uid_t and gid_t
// (32-bit on every Linux arch), three pointers.
const Passwd = koffi.struct('graphns_passwd', {
  pw_name: 'char *',
  pw_passwd: 'char *',
  pw_uid: 'uint32_t',
  pw_gid: 'uint32_t',
  pw_gecos: 'char *',
  pw_dir: 'char *',
  pw_shell: 'char *',
});

/** The bound functions; a candidate counts only if it has all of them. */
function bind(candidate: LibCandidate) {
  const lib = koffi.load(candidate);
  return {
    // musl declares ioctl(int, int, ...): the request's 32 bits arrive the same
    // in the register, and the kernel takes them as unsigned int either way.
    ioctlNoArg: lib.func('ioctl', 'int', ['int', 'unsigned long']),
    ioctlPtr: lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']),
    readlink: lib.func('readlink', 'long', ['str', 'void *', 'size_t']),
    // rtnetlink, to read a network namespace's interfaces (main/net)
    socket: lib.func('socket', 'int', ['int', 'int', 'int']),
    send: lib.func('send', 'long', ['int', 'void *', 'size_t', 'int']),
    recv: lib.func('recv', 'long', ['int', 'void *', 'size_t', 'int']),
    setns: lib.func('setns', 'int', ['int', 'int']),
    getpwuidR: lib.func('getpwuid_r', 'int', [
      'uint32_t',
      koffi.out(koffi.pointer(Passwd)),
      'void *',
      'size_t',
      koffi.out(koffi.pointer('void *')),
    ]),
  };
}

let bound: ReturnType<typeof bind> | undefined;

/** The libc functions, bound on first use. */
function libc(): ReturnType<typeof bind> {
  bound ??= loadFirst(LIBC_CANDIDATES, bind).lib;
  return bound;
}

// ERANGE is 34 on every Linux architecture; koffi's table is the authority.
const ERANGE = koffi.os.errno.ERANGE ?? 34;

/**
 * ioctl(fd, request) without an argument; returns the call's non-negative
 * result (often a new fd or a value), throws a SystemError on -1.
 */
export function ioctl(fd: number, request: number): number {
  const rc = libc().ioctlNoArg(fd, request) as number;
  if (rc < 0) throw systemError(koffi.errno(), 'ioctl');
  return rc;
}

/**
 * ioctl(fd, request, buf): the kernel reads or writes `buf`.
 * Returns the call's result, throws a SystemError on -1.
 */
export function ioctlBuffer(fd: number, request: number, buf: Buffer): number {
  const rc = libc().ioctlPtr(fd, request, buf) as number;
  if (rc < 0) throw systemError(koffi.errno(), 'ioctl');
  return rc;
}

// One scratch buffer for the integer results: calls are synchronous, so it
// is never shared between two at once.
const scratch = Buffer.alloc(8);

/**
 * ioctl(fd, request, &u32): a 32-bit result the kernel writes (a uid_t, say),
 * read in this machine's byte order. Throws a SystemError on -1.
 */
export function ioctlUint32(fd: number, request: number): number {
  scratch.fill(0);
  ioctlBuffer(fd, request, scratch);
  return decodeUint32(scratch, NATIVE_ORDER);
}

/**
 * ioctl(fd, request, &u64): a 64-bit result the kernel writes, read in this
 * machine's byte order. Throws a SystemError on -1.
 */
export function ioctlUint64(fd: number, request: number): bigint {
  scratch.fill(0);
  ioctlBuffer(fd, request, scratch);
  return decodeUint64(scratch, NATIVE_ORDER);
}

/**
 * The user name for `uid` through NSS (getpwuid_r), so users from LDAP,
 * SSSD and the like resolve as they do for `ls -l`. Returns undefined when
 * there is no such user; throws a SystemError when the lookup itself fails.
 */
export function userName(uid: number): string | undefined {
  return passwdOf(uid)?.pw_name;
}

/**
 * The home directory of `uid` through NSS (getpwuid_r), as `ls ~user`
 * would find it. Undefined when there is no such user; throws a
 * SystemError when the lookup itself fails.
 */
export function userHome(uid: number): string | undefined {
  return passwdOf(uid)?.pw_dir;
}

/** The passwd entry of `uid` (the fields graphns reads), or undefined. */
function passwdOf(uid: number): { pw_name: string; pw_dir: string } | undefined {
  const { getpwuidR } = libc();
  for (let size = 1024; size <= 1 << 20; size *= 4) {
    const pwd = {};
    const result: unknown[] = [null];
    const buf = Buffer.alloc(size);
    const rc = getpwuidR(uid, pwd, buf, size, result) as number;
    if (rc === ERANGE) continue;
    if (rc !== 0) throw systemError(rc, 'getpwuid_r');
    if (result[0] === null) return undefined;
    return pwd as { pw_name: string; pw_dir: string };
  }
  throw systemError(ERANGE, 'getpwuid_r');
}

// readlink's buffer, shared the same way; 4096 bytes hold any link (PATH_MAX)
const linkBuf = Buffer.alloc(4096);

/**
 * readlink(2) of `path`, the bytes as latin1 (one character per byte), for
 * links whose text is ASCII by form (`net:[4026531840]`, or any link tested
 * for that form). About 1.6 us a call cheaper than fs.readlinkSync, which
 * validates and normalises the path and decodes UTF-8: discovery reads ten
 * links per process and one per open fd. A link that fills the buffer is
 * returned truncated, which no nsfs link does. Throws a SystemError (ENOENT
 * when the process is gone, EACCES, ...) on failure.
 */
export function readlinkLatin1(path: string): string {
  const n = Number(libc().readlink(path, linkBuf, linkBuf.length));
  if (n < 0) throw systemError(koffi.errno(), 'readlink');
  return linkBuf.toString('latin1', 0, n);
}

/** socket(domain, type, protocol): the new fd; throws a SystemError on -1. */
export function socket(domain: number, type: number, protocol: number): number {
  const fd = libc().socket(domain, type, protocol) as number;
  if (fd < 0) throw systemError(koffi.errno(), 'socket');
  return fd;
}

/** send(fd, buf, buf.length, flags): bytes sent; throws a SystemError on -1. */
export function send(fd: number, buf: Buffer, flags = 0): number {
  const n = Number(libc().send(fd, buf, buf.length, flags));
  if (n < 0) throw systemError(koffi.errno(), 'send');
  return n;
}

/**
 * recv(fd, buf, buf.length, flags): bytes received (or, with MSG_TRUNC,
 * the datagram's whole length); throws a SystemError on -1 (EAGAIN with
 * MSG_DONTWAIT when nothing is queued).
 */
export function recv(fd: number, buf: Buffer, flags = 0): number {
  const n = Number(libc().recv(fd, buf, buf.length, flags));
  if (n < 0) throw systemError(koffi.errno(), 'recv');
  return n;
}

/**
 * setns(fd, nstype) for the calling thread (here: the thread running
 * JavaScript); throws a SystemError on -1.
 */
export function setns(fd: number, nstype: number): void {
  if ((libc().setns(fd, nstype) as number) < 0) throw systemError(koffi.errno(), 'setns');
}
