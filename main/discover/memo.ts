/**
 * What one scan of a series leaves for the next: the next scan (a
 * DiscoverySeries' scan(), series.ts, or `discover({ previous })`) reuses
 * only what cannot have changed since, and finds exactly what a fresh scan
 * finds.
 *
 * Kept beside the model (a WeakMap keyed by the Model object), not in it:
 * the model stays plain data that serialises the same, and a caller that
 * edits the model it was given cannot make the next scan reuse the edit. A
 * model without a memo (parsed from JSON, built by hand) is a fresh scan.
 *
 * What is reused, and why it is sound:
 *
 * - A process that has not run since the last scan (rest.ts),
 *   single-threaded, cannot have changed its own namespaces (unshare,
 *   setns and exec are calls it would have made) nor its command line
 *   (exec, setproctitle): its namespace links and name are taken from the
 *   memo. Its comm must match too (an exec changes it; a second,
 *   independent guard). What others can change without it running is
 *   reread: its parent (reparenting, in the stat line read anyway), its
 *   cgroup (a migration, a renamed cgroup), its fds (a process sharing its
 *   fd table through CLONE_FILES), the mounts of its mount namespace.
 * - A namespace's owner, parent, owner uid and 64-bit id never change
 *   while it lives, but its inode number is reused as soon as it dies (the
 *   kernel hands out the lowest free one), so `type:inode` alone does not
 *   prove it is the same namespace. It is when an unchanged process still
 *   sits in it (the process held it all along), when its parent or owner
 *   is reused that way, or when NS_GET_ID (unique since boot) answers the
 *   id the memo has.
 * - A user namespace's uid and gid maps are reused when NS_GET_ID proves
 *   it the same and both were written: a map is written once, never
 *   changed (idmaps.ts). A process's uid and capability sets are reused
 *   with its name: credentials change only by the task's own calls.
 * - Engine state files are reused while stat() shows the same device,
 *   inode, size, mtime and ctime, and only when their ctime was over a
 *   second old when read (containers/live-context.ts says why).
 * - User names are asked from NSS every scan: a passwd change during a
 *   viewer session is rare but real, NSS may be a directory service whose
 *   answers no file date reveals, and the few distinct owner uids cost
 *   microseconds each.
 *
 * What is reread is read more cheaply: a series keeps every process's
 * stat, schedstat and cgroup file open and reads them again with pread()
 * (held.ts), and an fd table whose open-fd count and known fds are
 * unchanged is not listed again (fds.ts). The memo names those open files
 * (`held`) but does not own them: the series does, and closes them.
 */
import type { Model, NsKey, NsTypeName } from '../model/types';
import type { TextCache } from './containers';
import type { FdMemo } from './fds';
import type { HeldFiles } from './held';
import type { MapsMemo } from './idmaps';
import type { StatusFacts } from './procfs';

/** One process as the last scan read it, when it was reusable. */
export interface ProcMemo {
  start: number;
  /** comm from the stat line (an exec changes it). */
  comm: string;
  /** The model's name, from the command line. */
  name: string;
  /**
   * Its effective uid and capability sets: a process at rest cannot change
   * them (credentials change only by the task's own calls: setuid, capset,
   * execve, setns, prctl).
   */
  status: StatusFacts;
  /** The /proc/PID/schedstat text, read before the stat line. */
  sched: string;
  /** Its links as read: index into LINKS, key, inode. */
  links: readonly (readonly [index: number, key: NsKey, ino: number])[];
}

/** The kernel's answers about one namespace, where they came without trouble. */
export interface NsFacts {
  type: NsTypeName;
  ino: number;
  parent?: NsKey;
  owner?: NsKey;
  ownerUid?: number;
  nsid?: string;
}

/** Everything the next scan may reuse. */
export interface ScanMemo {
  /** The procfs the scan read: another one is another system. */
  proc: string;
  /** Where engine state files were read (DiscoverOptions.root). */
  root: string;
  /** Engine state files as read, with their identity (containers/index.ts). */
  texts: TextCache;
  /** The /proc files the series keeps open (held.ts), owned by the series. */
  held: HeldFiles;
  /** Every process's fd names (fds.ts). */
  fds: ReadonlyMap<number, FdMemo>;
  /** Processes that could be reused, by PID. */
  procs: ReadonlyMap<number, ProcMemo>;
  /** Namespaces whose relations were resolved cleanly, by key. */
  facts: ReadonlyMap<NsKey, NsFacts>;
  /** User namespaces' id maps, both written, with the 64-bit id that proves a namespace the same. */
  maps: ReadonlyMap<NsKey, MapsMemo>;
  nsidSupported: boolean;
  /** When the scan ended (performance.now()). */
  at: number;
  /** What this scan reused of the one before. */
  stats: RescanStats;
}

/** What a scan reused, for tests and benchmarks (they must see reuse happen). */
export interface RescanStats {
  /** Processes taken from the last scan, by PID. */
  processes: number[];
  /** Namespaces proven the same without a system call. */
  sameNs: number;
  /** Namespaces proven the same by NS_GET_ID. */
  verifiedNs: number;
  /** Namespaces asked in full. */
  askedNs: number;
}

/** What the scan that returned `model` reused; undefined for a model without a memo. */
export function rescanStats(model: Model): RescanStats | undefined {
  return memos.get(model)?.stats;
}

const memos = new WeakMap<Model, ScanMemo>();

/** The memo discover() left with `model`, if it made it. */
export function memoOf(model: Model | undefined): ScanMemo | undefined {
  return model ? memos.get(model) : undefined;
}

/** Leave `memo` with `model` for a later discover({ previous: model }). */
export function remember(model: Model, memo: ScanMemo): void {
  memos.set(model, memo);
}
