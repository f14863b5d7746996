/**
 * Step 3: open fds that refer to namespaces (`/proc/PID/fd/N -> net:[ino]`).
 *
 * Every fd of every process is read again at every scan: an fd table can
 * change while its process sleeps (another process sharing it through
 * CLONE_FILES), so no rest proof covers it. What a rescan saves is the
 * listing: when the kernel's count of open fds (st_size of /proc/PID/fd,
 * Linux 6.2+) equals the number of fds the last scan found, and every one
 * of those is still open (its link reads), there is no other, and the
 * directory need not be read (one stat() instead of open, fstat, two
 * getdents and close). Otherwise it is listed as in a fresh scan.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import type { Process } from '../model/types';
import { readlinkLatin1 } from '../../native-shim';
import { isHeldHere } from './held';
import { parseNsLink } from './procfs';
import type { Registry } from './registry';
import { isVanished, who, type Warnings } from './warnings';

/** A process's fd names as a scan found them (all fds, not only namespaces). */
export interface FdMemo {
  start: number;
  names: readonly string[];
}

/** What a rescan gives and takes for step 3. */
export interface FdReuse {
  /** The last scan's fd names, by PID; undefined when there was none. */
  last: ReadonlyMap<number, FdMemo> | undefined;
  /** Filled for the next scan. */
  next: Map<number, FdMemo>;
}

/** kernelCountsFds's answers, by the procfs asked (a tree given as `proc` answers for itself). */
const countsFds = new Map<string, boolean>();

/** Whether st_size of /proc/PID/fd counts open fds here (0 before Linux 6.2; we always have some). */
function kernelCountsFds(proc: string): boolean {
  let counts = countsFds.get(proc);
  if (counts === undefined) {
    try {
      counts = statSync(`${proc}/self/fd`).size > 0;
    } catch {
      counts = false;
    }
    countsFds.set(proc, counts);
  }
  return counts;
}

/** The links of `names` in `dir`; with `strict`, undefined as soon as one is gone. */
function readLinks(
  dir: string,
  names: readonly string[],
  strict: boolean,
): [name: string, link: string][] | undefined {
  const out: [name: string, link: string][] = [];
  for (const name of names) {
    try {
      // latin1: only links of the ASCII form `type:[inode]` are kept (native-shim)
      out.push([name, readlinkLatin1(`${dir}/${name}`)]);
    } catch {
      if (strict) return undefined;
      // closed meanwhile
    }
  }
  return out;
}

/** Step 3 over `processes`. */
export function scanFds(
  proc: string,
  registry: Registry,
  processes: readonly Process[],
  warnings: Warnings,
  reuse?: FdReuse,
): void {
  const counts = reuse?.last !== undefined && kernelCountsFds(proc);
  let self: number | undefined;
  try {
    self = Number(readlinkSync(`${proc}/self`));
  } catch {
    // no /proc/self: nothing of ours to skip
  }
  for (const p of processes) {
    const dir = `${proc}/${p.pid}/fd`;
    let links: [string, string][] | undefined;
    // our own table changes as we scan: always listed, without the files held.ts keeps open
    const own = p.pid === self;
    const known = counts && !own ? reuse!.last!.get(p.pid) : undefined;
    if (known && known.start === p.start) {
      let open = -1;
      try {
        open = statSync(dir).size;
      } catch {
        // gone, or not ours to look at: the listing below says which
      }
      if (open === known.names.length) links = readLinks(dir, known.names, true);
    }
    if (!links) {
      let names: string[];
      try {
        names = readdirSync(dir); // only fd numbers; their order does not matter (sorted at the end)
      } catch (err) {
        if (!isVanished(err)) warnings.addError('cannot list fds', who(p), err);
        continue;
      }
      if (own) names = names.filter((n) => !isHeldHere(Number(n)));
      links = readLinks(dir, names, false)!;
    }
    reuse?.next.set(p.pid, { start: p.start, names: links.map(([name]) => name) });
    for (const [name, link] of links) {
      // cheap pre-check: nsfs links end in ']' and contain ':['
      if (link.charCodeAt(link.length - 1) !== 93) continue;
      const ns = parseNsLink(link);
      if (!ns) continue;
      registry
        .note(ns.key, ns.type, ns.ino, 'fd', `${dir}/${name}`)
        .ns.fds.push({ pid: p.pid, fd: Number(name) });
    }
  }
}
