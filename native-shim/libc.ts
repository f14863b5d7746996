/**
 * The only place graphns touches C: libc loaded once through koffi, with
 * fixed-arity prototypes for the calls the project makes.
 *
 * Fixed arity instead of koffi's variadic `ioctl(int, unsigned long, ...)`
 * because it is about twice as fast and checks argument types. Every wrapper
 * turns a failure into a SystemError carrying errno; there is no policy and
 * no namespace model here.
 */
import koffi from 'koffi';
import { systemError } from './errors';

const libc = koffi.load('libc.so.6');

const ioctlNoArg = libc.func('ioctl', 'int', ['int', 'unsigned long']);
const ioctlPtr = libc.func('ioctl', 'int', ['int', 'unsigned long', 'void *']);

// struct passwd from <pwd.h>; only pw_name is read, the layout must still be whole.
const Passwd = koffi.struct('graphns_passwd', {
  pw_name: 'char *',
  pw_passwd: 'char *',
  pw_uid: 'uint32_t',
  pw_gid: 'uint32_t',
  pw_gecos: 'char *',
  pw_dir: 'char *',
  pw_shell: 'char *',
});
const getpwuidR = libc.func('getpwuid_r', 'int', [
  'uint32_t',
  koffi.out(koffi.pointer(Passwd)),
  'void *',
  'size_t',
  koffi.out(koffi.pointer('void *')),
]);

const ERANGE = 34;

/**
 * ioctl(fd, request) without an argument; returns the call's non-negative
 * result (often a new fd or a value), throws a SystemError on -1.
 */
export function ioctl(fd: number, request: number): number {
  const rc = ioctlNoArg(fd, request) as number;
  if (rc < 0) throw systemError(koffi.errno(), 'ioctl');
  return rc;
}

/**
 * ioctl(fd, request, buf): the kernel reads or writes `buf`.
 * Returns the call's result, throws a SystemError on -1.
 */
export function ioctlBuffer(fd: number, request: number, buf: Buffer): number {
  const rc = ioctlPtr(fd, request, buf) as number;
  if (rc < 0) throw systemError(koffi.errno(), 'ioctl');
  return rc;
}

/**
 * The user name for `uid` through NSS (getpwuid_r), so users from LDAP,
 * SSSD and the like resolve as they do for `ls -l`. Returns undefined when
 * there is no such user; throws a SystemError when the lookup itself fails.
 */
export function userName(uid: number): string | undefined {
  for (let size = 1024; size <= 1 << 20; size *= 4) {
    const pwd = {};
    const result: unknown[] = [null];
    const buf = Buffer.alloc(size);
    const rc = getpwuidR(uid, pwd, buf, size, result) as number;
    if (rc === ERANGE) continue;
    if (rc !== 0) throw systemError(rc, 'getpwuid_r');
    if (result[0] === null) return undefined;
    return (pwd as { pw_name: string }).pw_name;
  }
  throw systemError(ERANGE, 'getpwuid_r');
}
