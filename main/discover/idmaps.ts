/**
 * The uid and gid maps of user namespaces: which ids inside are which
 * outside, so who is root where.
 *
 * The kernel shows a user namespace's maps only through a task inside it
 * (/proc/PID/uid_map, /proc/PID/task/TID/uid_map), and shows them from the
 * point of view of whoever opened the file: the outside ids are those of
 * the opener's user namespace (of the parent, when the opener sits in that
 * very namespace), 4294967295 for an id with no mapping there. So each map
 * is read from the namespace's label process (its most senior one), else
 * another process or thread in it; a namespace that only fds or bind mounts
 * hold, or a hidden one, has no map in the model.
 *
 * The namespace a map file describes is fixed when the file is opened
 * (proc_id_map_open takes the task's user namespace then); the task's
 * `ns/user` link is read after the opens, and a map is kept only when it
 * still names the namespace the scan found the task in. A task cannot
 * leave a user namespace and come back (setns(2) into a user namespace
 * needs CAP_SYS_ADMIN in it, which nothing below it has), so both maps are
 * that namespace's; a task that moved meanwhile is passed over for the
 * next one in the namespace.
 *
 * Cost: for each user namespace two small files, opened, read once (a
 * short read of a record file is its end: procfs.ts `records`) and closed,
 * and one readlink. A rescan copies the maps of a namespace NS_GET_ID
 * proves the same when both were written: a map is written once and never
 * changes after (the kernel refuses a second write), while an empty one
 * may be written at any time.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { readlinkLatin1 } from '../../native-shim';
import type { IdRange, Namespace, NsKey } from '../model/types';
import { parseNsLink, readFdView, type Scratch } from './procfs';
import { isVanished, type Warnings } from './warnings';

/** The most lines a map may have (UID_GID_MAP_MAX_EXTENTS, Linux 4.15+; 5 before). */
export const MAX_EXTENTS = 340;
/** Bytes a map file may take: MAX_EXTENTS lines of `%10u %10u %10u\n`. */
const MAX_MAP_BYTES = MAX_EXTENTS * 33;
/** The kernel's rule for a range (map_write): `first + count` must not wrap a 32-bit id. */
const MAX_END = 4294967295;
/** What the kernel prints for an outside id with no mapping in the reader's namespace ((u32)-1). */
export const UNMAPPED = 4294967295;

/** Processes (then threads) of a namespace tried for its maps before giving up. */
const TRIES = 4;

/** A map file's line: three decimal ids, right-aligned in fields of 10 by the kernel. */
const LINE = /^ *(\d{1,10}) +(\d{1,10}) +(\d{1,10})$/;

/**
 * Parse the text of a /proc/PID/uid_map or gid_map. Undefined when any
 * line is not the kernel's form or its numbers cannot be a map: more than
 * MAX_EXTENTS lines, a count of 0, an inside range that wraps the 32-bit
 * id space (the kernel refuses to write one). The outside start is
 * checked for 32 bits only: the kernel maps just a range's first id into
 * the reader's namespace, so the rest of the range may lie anywhere there.
 * Empty text: no map yet.
 */
export function parseIdMap(text: string): IdRange[] | undefined {
  const lines = text.split('\n');
  if (lines.pop() !== '') return text === '' ? [] : undefined; // every line ends in '\n'
  if (lines.length > MAX_EXTENTS) return undefined;
  const ranges: IdRange[] = [];
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) return undefined;
    const [inside, outside, count] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (count === 0 || inside + count > MAX_END || outside > UNMAPPED) return undefined;
    ranges.push({ inside, outside, count });
  }
  return ranges;
}

/** A namespace's maps as the last scan of a series read them (memo.ts). */
export interface MapsMemo {
  nsid: string;
  uidMap: IdRange[];
  gidMap: IdRange[];
}

/** The maps files are read into a buffer of their own (a few KiB at most). */
const scratch: Scratch = { buf: Buffer.allocUnsafe(16 * 1024) };

/**
 * Set `uidMap` and `gidMap` on every user namespace of `namespaces` that
 * a process or thread of it still shows, `labels` already assigned. With
 * `last` (a rescan), maps of a namespace proven the same by its 64-bit id
 * are copied; `learnt` receives what the next scan may copy.
 */
export function readIdMaps(
  namespaces: readonly Namespace[],
  proc: string,
  warnings: Warnings,
  last?: ReadonlyMap<NsKey, MapsMemo>,
  learnt?: Map<NsKey, MapsMemo>,
): void {
  for (const ns of namespaces) {
    if (ns.type !== 'user') continue;
    const known = ns.nsid !== undefined ? last?.get(ns.key) : undefined;
    if (known && known.nsid === ns.nsid) {
      ns.uidMap = known.uidMap;
      ns.gidMap = known.gidMap;
    } else {
      for (const dir of taskDirs(ns, proc)) if (readAt(ns, dir, warnings)) break;
    }
    if (learnt && ns.nsid !== undefined && ns.uidMap?.length && ns.gidMap?.length) {
      learnt.set(ns.key, { nsid: ns.nsid, uidMap: ns.uidMap, gidMap: ns.gidMap });
    }
  }
}

/** The /proc directories of tasks in `ns` to try, the label process first. */
function taskDirs(ns: Namespace, proc: string): string[] {
  const dirs: string[] = [];
  if (ns.label) dirs.push(`${proc}/${ns.label.pid}`);
  for (const pid of ns.pids) {
    if (dirs.length >= TRIES) break;
    if (pid !== ns.label?.pid) dirs.push(`${proc}/${pid}`);
  }
  for (const t of ns.tasks) {
    if (dirs.length >= TRIES) break;
    dirs.push(`${proc}/${t.pid}/task/${t.tid}`);
  }
  return dirs;
}

/**
 * Read both maps of `ns` through the task at `dir`. True when done (the
 * maps set, or a fault warned about that another task would not mend);
 * false when the task is gone or has left the namespace.
 */
function readAt(ns: Namespace, dir: string, warnings: Warnings): boolean {
  let uidFd: number | undefined;
  let gidFd: number | undefined;
  try {
    uidFd = openSync(`${dir}/uid_map`, constants.O_RDONLY);
    gidFd = openSync(`${dir}/gid_map`, constants.O_RDONLY);
    // after the opens, which fixed the namespace the files describe
    if (parseNsLink(readlinkLatin1(`${dir}/ns/user`))?.key !== ns.key) return false;
    const uidMap = readMap(uidFd, `${dir}/uid_map`, warnings);
    const gidMap = readMap(gidFd, `${dir}/gid_map`, warnings);
    if (uidMap) ns.uidMap = uidMap;
    if (gidMap) ns.gidMap = gidMap;
    return true;
  } catch (err) {
    if (isVanished(err)) return false;
    warnings.addError('cannot read id maps', `${ns.key} via ${dir}`, err);
    return true;
  } finally {
    if (uidFd !== undefined) closeSync(uidFd);
    if (gidFd !== undefined) closeSync(gidFd);
  }
}

/** One map file's ranges; undefined (and a warning) when it is not a map. */
function readMap(fd: number, path: string, warnings: Warnings): IdRange[] | undefined {
  // a seq_file of 33-byte records: a read well short of a page was the end (procfs.ts)
  const text = readFdView(fd, 'records', false, scratch, MAX_MAP_BYTES).toString('latin1');
  const map = parseIdMap(text);
  if (!map) warnings.add('id map malformed', path);
  return map;
}
