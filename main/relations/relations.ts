/**
 * The seed's relations API: type, owning user namespace, parent and owner
 * uid of a namespace, plus the 64-bit namespace id, all through the nsfs
 * ioctl()s (see ioctl_ns(2)).
 *
 * A reference is a path, an open fd, or a NamespaceFile. A path is opened
 * and closed inside the call; fds and NamespaceFiles stay the caller's.
 * Whatever the reference, no ioctl is sent before the file is proven a
 * namespace (open.ts): a fifo, a device or a regular file gives ENOTTY at
 * once, without being opened.
 * Request numbers are this architecture's, results are read in its byte order.
 */
import { closeSync } from 'node:fs';
import { ioctl, ioctlUint32, ioctlUint64, hasCode } from '../../native-shim';
import { nsIoctlsFor, type NsIoctls } from './constants';
import { NamespaceFile } from './nsfile';
import { checkNamespaceFd, openNamespace } from './open';

let host: NsIoctls | undefined;

/**
 * This machine's nsfs request numbers, encoded for `process.arch` at the
 * first call (so an unknown architecture fails there, naming itself, and
 * never at import).
 */
function req(): NsIoctls {
  host ??= nsIoctlsFor(process.arch);
  return host;
}

/** What the relation functions accept as a namespace reference. */
export type NsRef = string | number | NamespaceFile;

/** Run `fn` with an fd for `ref`, closing it afterwards if we opened it. */
function withFd<T>(ref: NsRef, fn: (fd: number) => T): T {
  if (ref instanceof NamespaceFile) return fn(ref.fd);
  if (typeof ref === 'number') {
    if (!Number.isSafeInteger(ref) || ref < 0) {
      throw new TypeError(`not a file descriptor: ${String(ref)}`);
    }
    // the caller's fd may be anything: no ioctl reaches a device or a fifo
    checkNamespaceFd(ref);
    return fn(ref);
  }
  if (typeof ref === 'string') {
    // opened without side effects and proven a namespace (open.ts)
    const fd = openNamespace(ref);
    try {
      return fn(fd);
    } finally {
      closeSync(fd);
    }
  }
  throw new TypeError(
    `namespace reference must be a path, an fd or a NamespaceFile, not ${describe(ref)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/** Wrap a fresh fd from NS_GET_USERNS/NS_GET_PARENT; closes it if wrapping fails. */
function wrap(fd: number): NamespaceFile {
  let type: number;
  try {
    type = ioctl(fd, req().NS_GET_NSTYPE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return new NamespaceFile(fd, type);
}

/**
 * The CLONE_NEW* type of a namespace (compare with the CLONE_NEW* constants,
 * or name it with nsTypeName()).
 * @throws SystemError ENOTTY when `ref` is no namespace, ENOENT for a missing path.
 */
export function getNsType(ref: NsRef): number {
  return withFd(ref, (fd) => ioctl(fd, req().NS_GET_NSTYPE));
}

/**
 * The user namespace owning `ref`, as a NamespaceFile the caller must close.
 * @throws SystemError EPERM when the owner is outside the caller's reach
 *   (e.g. asking for the owner of the initial user namespace).
 */
export function getUserNs(ref: NsRef): NamespaceFile {
  return withFd(ref, (fd) => wrap(ioctl(fd, req().NS_GET_USERNS)));
}

/**
 * The parent of a user or PID namespace, as a NamespaceFile the caller must close.
 * @throws SystemError EPERM for the topmost or an inaccessible parent,
 *   EINVAL for a namespace type without hierarchy (net, uts, ...).
 */
export function getParentNs(ref: NsRef): NamespaceFile {
  return withFd(ref, (fd) => wrap(ioctl(fd, req().NS_GET_PARENT)));
}

/**
 * The uid of the user that created a user namespace, as seen from the
 * caller's user namespace (overflow uid 65534 where it has no mapping).
 * @throws SystemError EINVAL when `ref` is not a user namespace.
 */
export function getOwnerUid(ref: NsRef): number {
  return withFd(ref, (fd) => ioctlUint32(fd, req().NS_GET_OWNER_UID));
}

/**
 * The kernel's 64-bit namespace id (NS_GET_ID), unique across all types.
 *
 * @returns the id as a bigint, or `null` on a kernel without NS_GET_ID
 *   (before 6.18). Detection is by errno: the namespace answers
 *   NS_GET_NSTYPE but NS_GET_ID fails with ENOTTY.
 * @throws SystemError ENOTTY when `ref` is no namespace at all.
 */
export function getNsId(ref: NsRef): bigint | null {
  return withFd(ref, (fd) => {
    const { NS_GET_NSTYPE, NS_GET_ID } = req();
    ioctl(fd, NS_GET_NSTYPE); // proves it is a namespace, so ENOTTY below means "old kernel"
    try {
      return ioctlUint64(fd, NS_GET_ID);
    } catch (err) {
      if (hasCode(err, 'ENOTTY')) return null;
      throw err;
    }
  });
}
