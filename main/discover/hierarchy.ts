/**
 * The hierarchy step: for every namespace found, ask the kernel for its
 * owning user namespace, and for user and PID namespaces their parent, the
 * owner uid and the 64-bit id. Namespaces the answers name that no process,
 * fd or mount held are added as "hidden" and walked in turn, until the walk
 * reaches known ground or the kernel says EPERM (the top, or out of reach).
 *
 * Every fd opened here is closed before the step returns, on every path.
 */
import { closeSync, fstatSync, openSync, constants } from 'node:fs';
import { hasCode, ioctl, ioctlUint32, ioctlUint64 } from '../../native-shim';
import { nsIoctlsFor } from '../relations/constants';
import type { NsKey, NsTypeName } from '../model/types';
import type { Registry } from './registry';
import { isVanished, type Warnings } from './warnings';

/** Open the first of `refs` that still opens; undefined when none does. */
function openFirst(refs: readonly string[], warnings: Warnings, key: NsKey): number | undefined {
  for (const ref of refs) {
    try {
      return openSync(ref, constants.O_RDONLY);
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot open namespace', `${key} via ${ref}`, err);
    }
  }
  return undefined;
}

/** Result of an ioctl returning an fd: the fd, or undefined on EPERM/EINVAL. */
function related(fd: number, request: number): number | undefined {
  try {
    return ioctl(fd, request);
  } catch (err) {
    // EPERM: the top of the hierarchy or out of our reach; EINVAL: no such relation
    if (hasCode(err, 'EPERM', 'EINVAL')) return undefined;
    throw err;
  }
}

/**
 * Fill owner, parent, ownerUid and nsid of every registry entry, adding
 * hidden user/PID namespaces the walk discovers.
 * @returns whether the kernel answered NS_GET_ID.
 */
export function resolveHierarchy(registry: Registry, warnings: Warnings): boolean {
  let nsidSupported = true;
  // this architecture's request numbers (throws, naming it, on one we do not know)
  const { NS_GET_ID, NS_GET_OWNER_UID, NS_GET_PARENT, NS_GET_USERNS } = nsIoctlsFor(process.arch);
  // Hidden namespaces come with an open fd instead of a path.
  const pending: { key: NsKey; fd: number | undefined }[] = [...registry.entries.keys()].map(
    (key) => ({ key, fd: undefined }),
  );

  /** Register the namespace behind a fresh fd; returns its key and whether it is new. */
  const adopt = (fd: number, type: NsTypeName): NsKey => {
    const ino = fstatSync(fd).ino;
    const key: NsKey = `${type}:${ino}`;
    if (!registry.get(key)) {
      registry.note(key, type, ino, 'hidden');
      pending.push({ key, fd });
      return key;
    }
    closeSync(fd);
    return key;
  };

  try {
    while (pending.length > 0) {
      const item = pending.shift()!;
      const entry = registry.get(item.key)!;
      const fd = item.fd ?? openFirst(entry.refs, warnings, item.key);
      item.fd = undefined; // owned by `fd` now
      if (fd === undefined) continue;
      try {
        const ns = entry.ns;
        if (ns.type === 'user' || ns.type === 'pid') {
          const parent = related(fd, NS_GET_PARENT);
          if (parent !== undefined) ns.parent = adopt(parent, ns.type);
        }
        if (ns.type === 'user') {
          // a user namespace's owner is its parent (ioctl_ns(2)): one ioctl, fstat and close fewer
          if (ns.parent !== undefined) ns.owner = ns.parent;
        } else {
          const owner = related(fd, NS_GET_USERNS);
          if (owner !== undefined) ns.owner = adopt(owner, 'user');
        }
        if (ns.type === 'user') {
          ns.ownerUid = ioctlUint32(fd, NS_GET_OWNER_UID);
        }
        if (nsidSupported) {
          try {
            ns.nsid = ioctlUint64(fd, NS_GET_ID).toString();
          } catch (err) {
            if (!hasCode(err, 'ENOTTY')) throw err;
            nsidSupported = false; // kernel before 6.18: stop asking
          }
        }
      } catch (err) {
        warnings.addError('namespace ioctl failed', item.key, err);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    for (const item of pending) if (item.fd !== undefined) closeSync(item.fd);
  }
  return nsidSupported;
}
