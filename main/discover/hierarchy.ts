/**
 * The hierarchy step: for every namespace found, ask the kernel for its
 * owning user namespace, and for user and PID namespaces their parent, the
 * owner uid and the 64-bit id. Namespaces the answers name that no process,
 * fd or mount held are added as "hidden" and walked in turn, until the walk
 * reaches known ground or the kernel says EPERM (the top, or out of reach).
 *
 * Given what the last scan learnt (memo.ts), a namespace proven to be the
 * same one is not asked again: one an unchanged process sat in all along
 * (no ioctl, no open), or one whose NS_GET_ID answers the id the last scan
 * had (one ioctl instead of three or four, and an fstat and close fewer).
 * The parent and owner of a namespace proven the same are the same too:
 * the kernel keeps them alive as long as it lives.
 *
 * Every fd opened here is closed before the step returns, on every path.
 */
import { closeSync, fstatSync } from 'node:fs';
import { hasCode, ioctl, ioctlUint32, ioctlUint64 } from '../../native-shim';
import { nsIoctlsFor } from '../relations/constants';
import { openNamespace } from '../relations/open';
import type { NsKey, NsTypeName } from '../model/types';
import type { NsFacts } from './memo';
import type { Entry, Registry } from './registry';
import { isVanished, type Warnings } from './warnings';

/**
 * Open the first of `refs` that still opens the namespace `ino`; undefined
 * when none does. Each is opened as relations/open.ts does: never a fifo
 * or a device a user stacked on a bind mount or swapped into an fd, and
 * never another namespace than the one the scan named (ESTALE: the process
 * moved or the mount changed since, as good as vanished).
 */
function openFirst(
  refs: readonly string[],
  ino: number,
  warnings: Warnings,
  key: NsKey,
): number | undefined {
  for (const ref of refs) {
    try {
      return openNamespace(ref, ino);
    } catch (err) {
      // a user's fifo or device where a namespace was: said, never opened
      if (hasCode(err, 'ENOTTY')) warnings.add('skipped, not a namespace', `${ref} (for ${key})`);
      else if (!isVanished(err) && !hasCode(err, 'ESTALE'))
        warnings.addError('cannot open namespace', `${key} via ${ref}`, err);
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

/** This architecture's request numbers, worked out at the first scan. */
let ioctls: ReturnType<typeof nsIoctlsFor> | undefined;

/** What the last scan learnt that this one may reuse. */
export interface HierarchyReuse {
  /** The last scan's clean answers, by key. */
  facts: ReadonlyMap<NsKey, NsFacts>;
  /** Keys an unchanged process held since the last scan: the same namespaces. */
  pinned: ReadonlySet<NsKey>;
  /** Whether the last scan's kernel answered NS_GET_ID. */
  nsidSupported: boolean;
}

/** How each namespace was resolved, for tests and benchmarks. */
export interface HierarchyTally {
  /** Proven the same without a system call (an unchanged process in it, or its relative). */
  same: number;
  /** Proven the same by NS_GET_ID. */
  verified: number;
  /** Asked in full. */
  asked: number;
}

/** A namespace still to resolve. */
interface Pending {
  key: NsKey;
  /** Hidden namespaces come with an open fd instead of a path. */
  fd: number | undefined;
  /** Proven the same namespace as the last scan's (a reused one's parent or owner). */
  same?: boolean;
}

/**
 * Fill owner, parent, ownerUid and nsid of every registry entry, adding
 * hidden user/PID namespaces the walk discovers. With `reuse`, what is
 * proven unchanged is copied; `learnt` receives every clean answer (for
 * the next scan's memo).
 * @returns whether the kernel answered NS_GET_ID.
 */
export function resolveHierarchy(
  registry: Registry,
  warnings: Warnings,
  reuse?: HierarchyReuse,
  learnt?: Map<NsKey, NsFacts>,
  tally: HierarchyTally = { same: 0, verified: 0, asked: 0 },
): boolean {
  // a scan that asks no NS_GET_ID at all reports what the last one found
  let nsidSupported = reuse?.nsidSupported ?? true;
  // this architecture's request numbers (throws, naming it, on one we do not know)
  ioctls ??= nsIoctlsFor(process.arch);
  const { NS_GET_ID, NS_GET_OWNER_UID, NS_GET_PARENT, NS_GET_USERNS } = ioctls;
  const pending: Pending[] = [...registry.entries.keys()].map((key) => ({ key, fd: undefined }));
  const facts = reuse?.facts;

  // Usable only with the answers for every relation the walk would add as hidden:
  // those have no path to open, only the fd an ioctl on this one would have given.
  const usable = new Map<NsKey, boolean>();
  const complete = (key: NsKey): boolean => {
    let ok = usable.get(key);
    if (ok !== undefined) return ok;
    const f = facts?.get(key);
    ok =
      f !== undefined &&
      [f.parent, f.owner].every((r) => r === undefined || registry.get(r) || complete(r));
    usable.set(key, ok);
    return ok;
  };

  /** Copy the last scan's answers, in the order a fresh walk sets them. */
  const apply = (entry: Entry, f: NsFacts): void => {
    const ns = entry.ns;
    if (f.parent !== undefined) ns.parent = f.parent;
    if (f.owner !== undefined) ns.owner = f.owner;
    if (f.ownerUid !== undefined) ns.ownerUid = f.ownerUid;
    if (f.nsid !== undefined) ns.nsid = f.nsid;
    learnt?.set(ns.key, f);
    for (const r of [f.parent, f.owner]) {
      if (r === undefined || registry.get(r)) continue;
      const rf = facts!.get(r)!; // complete() saw it
      registry.note(r, rf.type, rf.ino, 'hidden');
      pending.push({ key: r, fd: undefined, same: true });
    }
  };

  /** NS_GET_ID in decimal; undefined (and no more asking) on a kernel before 6.18. */
  const askId = (fd: number): string | undefined => {
    try {
      return ioctlUint64(fd, NS_GET_ID).toString();
    } catch (err) {
      if (!hasCode(err, 'ENOTTY')) throw err;
      nsidSupported = false;
      return undefined;
    }
  };

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
      if (item.same || (reuse?.pinned.has(item.key) && complete(item.key))) {
        // (only keys found without an ioctl are pinned, so none comes with an fd; be sure)
        if (item.fd !== undefined) closeSync(item.fd);
        item.fd = undefined;
        apply(entry, facts!.get(item.key)!);
        tally.same++;
        continue;
      }
      const fd = item.fd ?? openFirst(entry.refs, entry.ns.ino, warnings, item.key);
      item.fd = undefined; // owned by `fd` now
      if (fd === undefined) continue;
      let clean = true;
      try {
        const ns = entry.ns;
        const known = facts?.get(item.key);
        let nsid: string | undefined;
        if (known?.nsid !== undefined && nsidSupported && complete(item.key)) {
          try {
            nsid = askId(fd);
          } catch {
            // the walk below asks again and reports it where a fresh scan would
          }
          if (nsid === known.nsid) {
            apply(entry, known); // the same namespace: its relations are the same
            tally.verified++;
            continue;
          }
        }
        tally.asked++;
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
        nsid ??= nsidSupported ? askId(fd) : undefined;
        if (nsid !== undefined) ns.nsid = nsid;
      } catch (err) {
        clean = false;
        warnings.addError('namespace ioctl failed', item.key, err);
      } finally {
        closeSync(fd);
      }
      if (clean && learnt) learnt.set(item.key, factsOf(entry));
    }
  } finally {
    for (const item of pending) if (item.fd !== undefined) closeSync(item.fd);
  }
  return nsidSupported;
}

/** The answers a fresh walk gave about one namespace, for the next scan. */
function factsOf({ ns }: Entry): NsFacts {
  const f: NsFacts = { type: ns.type, ino: ns.ino };
  if (ns.parent !== undefined) f.parent = ns.parent;
  if (ns.owner !== undefined) f.owner = ns.owner;
  if (ns.ownerUid !== undefined) f.ownerUid = ns.ownerUid;
  if (ns.nsid !== undefined) f.nsid = ns.nsid;
  return f;
}
