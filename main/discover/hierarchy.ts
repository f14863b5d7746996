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
export function openFirst(
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
  // this architecture's request numbers (throws, naming it, on one we do not know)
  ioctls ??= nsIoctlsFor(process.arch);
  const walk = new HierarchyWalk(ioctls, registry, warnings, reuse, learnt, tally);
  try {
    for (let item = walk.pending.shift(); item; item = walk.pending.shift()) walk.resolve(item);
  } finally {
    for (const item of walk.pending) if (item.fd !== undefined) closeSync(item.fd);
  }
  return walk.nsidSupported;
}

/** The walk's state: what is still to resolve, and what it knows of the last scan. */
class HierarchyWalk {
  readonly pending: Pending[];
  /** A scan that asks no NS_GET_ID at all reports what the last one found. */
  nsidSupported: boolean;
  readonly #facts: ReadonlyMap<NsKey, NsFacts> | undefined;
  /** complete()'s answers, by key. */
  readonly #usable = new Map<NsKey, boolean>();

  constructor(
    readonly ioctls: ReturnType<typeof nsIoctlsFor>,
    readonly registry: Registry,
    readonly warnings: Warnings,
    readonly reuse: HierarchyReuse | undefined,
    readonly learnt: Map<NsKey, NsFacts> | undefined,
    readonly tally: HierarchyTally,
  ) {
    this.pending = [...registry.entries.keys()].map((key) => ({ key, fd: undefined }));
    this.nsidSupported = reuse?.nsidSupported ?? true;
    this.#facts = reuse?.facts;
  }

  /** Resolve one namespace: from the last scan where proven the same, else by asking the kernel. */
  resolve(item: Pending): void {
    const entry = this.registry.get(item.key)!;
    if (item.same || (this.reuse?.pinned.has(item.key) && this.#complete(item.key))) {
      // (only keys found without an ioctl are pinned, so none comes with an fd; be sure)
      if (item.fd !== undefined) closeSync(item.fd);
      item.fd = undefined;
      this.#apply(entry, this.#facts!.get(item.key)!);
      this.tally.same++;
      return;
    }
    const fd = item.fd ?? openFirst(entry.refs, entry.ns.ino, this.warnings, item.key);
    item.fd = undefined; // owned by `fd` now
    if (fd === undefined) return;
    let clean = true;
    try {
      // the same namespace when NS_GET_ID answers the id the last scan had (one ioctl
      // instead of three or four): its relations are the same too
      const known = this.#knownId(item.key);
      const nsid = known ? this.#askIdQuietly(fd) : undefined;
      if (known && nsid === known.nsid) {
        this.#apply(entry, known);
        this.tally.verified++;
        return;
      }
      this.tally.asked++;
      this.#ask(entry, fd, nsid);
    } catch (err) {
      clean = false;
      this.warnings.addError('namespace ioctl failed', item.key, err);
    } finally {
      closeSync(fd);
    }
    if (clean && this.learnt) this.learnt.set(item.key, factsOf(entry));
  }

  /**
   * Whether the last scan's answers are usable for `key` at all: only with
   * the answers for every relation the walk would add as hidden, which
   * have no path to open, only the fd an ioctl on this one would have given.
   */
  #complete(key: NsKey): boolean {
    let ok = this.#usable.get(key);
    if (ok !== undefined) return ok;
    const f = this.#facts?.get(key);
    ok =
      f !== undefined &&
      [f.parent, f.owner].every(
        (r) => r === undefined || this.registry.get(r) || this.#complete(r),
      );
    this.#usable.set(key, ok);
    return ok;
  }

  /** Copy the last scan's answers, in the order a fresh walk sets them; queue its hidden relatives. */
  #apply(entry: Entry, f: NsFacts): void {
    const ns = entry.ns;
    if (f.parent !== undefined) ns.parent = f.parent;
    if (f.owner !== undefined) ns.owner = f.owner;
    if (f.ownerUid !== undefined) ns.ownerUid = f.ownerUid;
    if (f.nsid !== undefined) ns.nsid = f.nsid;
    this.learnt?.set(ns.key, f);
    for (const r of [f.parent, f.owner]) {
      if (r === undefined || this.registry.get(r)) continue;
      const rf = this.#facts!.get(r)!; // complete() saw it
      this.registry.note(r, rf.type, rf.ino, 'hidden');
      this.pending.push({ key: r, fd: undefined, same: true });
    }
  }

  /** The last scan's answers for `key` when they hold an id to check and are usable. */
  #knownId(key: NsKey): NsFacts | undefined {
    const known = this.#facts?.get(key);
    return known?.nsid !== undefined && this.nsidSupported && this.#complete(key)
      ? known
      : undefined;
  }

  /** NS_GET_ID, or undefined when it fails: #ask asks again and reports it where a fresh scan would. */
  #askIdQuietly(fd: number): string | undefined {
    try {
      return this.#askId(fd);
    } catch {
      return undefined;
    }
  }

  /**
   * Ask the kernel everything about the namespace open as `fd`, setting
   * the answers in the order every scan sets them (the JSON's key order);
   * `nsid` when already asked.
   */
  #ask({ ns }: Entry, fd: number, nsid: string | undefined): void {
    const { NS_GET_OWNER_UID, NS_GET_PARENT, NS_GET_USERNS } = this.ioctls;
    if (ns.type === 'user' || ns.type === 'pid') {
      const parent = related(fd, NS_GET_PARENT);
      if (parent !== undefined) ns.parent = this.#adopt(parent, ns.type);
    }
    if (ns.type === 'user') {
      // a user namespace's owner is its parent (ioctl_ns(2)): one ioctl, fstat and close fewer
      if (ns.parent !== undefined) ns.owner = ns.parent;
    } else {
      const owner = related(fd, NS_GET_USERNS);
      if (owner !== undefined) ns.owner = this.#adopt(owner, 'user');
    }
    if (ns.type === 'user') ns.ownerUid = ioctlUint32(fd, NS_GET_OWNER_UID);
    nsid ??= this.nsidSupported ? this.#askId(fd) : undefined;
    if (nsid !== undefined) ns.nsid = nsid;
  }

  /** NS_GET_ID in decimal; undefined (and no more asking) on a kernel before 6.18. */
  #askId(fd: number): string | undefined {
    try {
      return ioctlUint64(fd, this.ioctls.NS_GET_ID).toString();
    } catch (err) {
      if (!hasCode(err, 'ENOTTY')) throw err;
      this.nsidSupported = false;
      return undefined;
    }
  }

  /** The key of the namespace behind a fresh fd: registered as hidden (and queued, fd and all) if new. */
  #adopt(fd: number, type: NsTypeName): NsKey {
    const ino = fstatSync(fd).ino;
    const key: NsKey = `${type}:${ino}`;
    if (!this.registry.get(key)) {
      this.registry.note(key, type, ino, 'hidden');
      this.pending.push({ key, fd });
      return key;
    }
    closeSync(fd);
    return key;
  }
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
