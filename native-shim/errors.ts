/**
 * System errors raised by native calls, shaped like Node's own.
 *
 * Node's fs errors carry `code` ('ENOENT'), a negative `errno` (libuv's
 * convention) and `syscall`. Errors from koffi calls get the same shape so a
 * caller handles a failed ioctl() exactly like a failed fs.openSync().
 */
import { getSystemErrorMap } from 'node:util';

/** An Error as thrown by Node's system calls: `code`, `errno`, `syscall`. */
export interface SystemError extends Error {
  /** Symbolic errno name, e.g. `'EPERM'`. */
  code: string;
  /** Negated errno value, as in Node's own system errors (`-1` for EPERM). */
  errno: number;
  /** Name of the failed call, e.g. `'ioctl'`. */
  syscall: string;
}

/**
 * Build a SystemError for a positive C errno value.
 * @param errno - the errno value as C sees it (positive).
 * @param syscall - name of the failed call.
 */
export function systemError(errno: number, syscall: string): SystemError {
  const [code, description] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, 'unknown error'];
  const err = new Error(`${code}: ${description}, ${syscall}`) as SystemError;
  err.code = code;
  err.errno = -errno;
  err.syscall = syscall;
  return err;
}

/** True when `err` is a system error (ours or Node's) with one of `codes`. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    codes.includes((err as { code: string }).code)
  );
}
