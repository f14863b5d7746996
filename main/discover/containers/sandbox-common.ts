/**
 * What the LXC-family, nspawn, bubblewrap, flatpak and snap sources share:
 * the order in which a process's cgroup lines are trusted, systemd's unit
 * name unescaping, the process tree, and namespace links for the sources
 * that infer a sandbox from ancestry.
 */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEscaped, encodeBytes } from '../../model/names';
import { NS_TYPES } from '../../relations/constants';
import { candidatePaths } from './cgroup';
import type { ProcInfo, ScanContext } from './source';

/**
 * A process's cgroup paths, most telling first (cgroup.ts: the v2 line,
 * then systemd's named v1 hierarchy, where systemd and nspawn put their
 * units on a hybrid host, then the other v1 hierarchies).
 */
export function cgroupPaths(proc: ProcInfo): string[] {
  return candidatePaths(proc.cgroups);
}

/**
 * The first path component of any of the process's cgroup paths for which
 * `match` returns something (outermost component first, so a container
 * nested in a container counts as the outer one, which is the one this
 * host runs). Only paths holding one of `hints` are looked at: every
 * source asks this of every process, and most paths hold none.
 */
export function firstComponent<T>(
  proc: ProcInfo,
  hints: readonly string[],
  match: (component: string, index: number, parts: readonly string[]) => T | undefined,
): T | undefined {
  if (!proc.cgroups.some((l) => hints.some((h) => l.path.includes(h)))) return undefined;
  for (const path of cgroupPaths(proc)) {
    if (!hints.some((h) => path.includes(h))) continue;
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (part === '') continue;
      const found = match(part, i, parts);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Undo systemd's unit name escaping (`unit_name_escape`: `/` became `-`,
 * bytes other than `[A-Za-z0-9:_.]` became `\xNN`). The `-` to `/` step is
 * not undone: callers pass one escaped name, where `-` was a `/`, and for
 * the names these engines escape (machine names, app ids) a `/` cannot
 * occur. Escaped bytes that are not UTF-8 come back as lone surrogates, as
 * names.ts keeps them; everything else is kept as it is.
 */
export function unescapeUnit(escaped: string): string {
  if (!escaped.includes('\\x')) return escaped;
  // the name as systemd wrote it (the cgroup path's bytes: encodeBytes undoes decodeBytes)
  return decodeEscaped(encodeBytes(escaped), 'hex');
}

/** The process tree of one scan. */
export interface ProcTree {
  byPid: ReadonlyMap<number, ProcInfo>;
  /** Every process below `pid` (not itself), in breadth-first order. */
  descendants(pid: number): ProcInfo[];
}

export function procTree(procs: readonly ProcInfo[]): ProcTree {
  const byPid = new Map<number, ProcInfo>();
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    byPid.set(p.pid, p);
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  return {
    byPid,
    descendants(pid) {
      const out: ProcInfo[] = [];
      const seen = new Set<number>([pid]); // a ppid loop (a recycled PID) must not spin
      for (let queue = [pid]; queue.length > 0;) {
        const next: number[] = [];
        for (const q of queue) {
          for (const c of children.get(q) ?? []) {
            if (seen.has(c.pid)) continue;
            seen.add(c.pid);
            out.push(c);
            next.push(c.pid);
          }
        }
        queue = next;
      }
      return out;
    },
  };
}

/**
 * The text of a link under /proc/PID (`ns/mnt` gives `mnt:[4026…]`, `cwd`
 * a path) under the scan's root, or undefined when unreadable. ProcInfo
 * carries no namespaces, and only the ancestry sources need them, for a
 * handful of processes.
 */
export function procLink(ctx: ScanContext, pid: number, rel: string): string | undefined {
  try {
    return readlinkSync(join(ctx.root, 'proc', String(pid), rel));
  } catch {
    return undefined;
  }
}

/** Whether any ancestor of `p` (not `p` itself) is in `among`. */
export function hasAncestor(
  byPid: ReadonlyMap<number, ProcInfo>,
  p: ProcInfo,
  among: ReadonlySet<number>,
): boolean {
  const seen = new Set<number>([p.pid]); // a ppid loop must not spin
  for (let q = byPid.get(p.ppid); q && !seen.has(q.pid); q = byPid.get(q.ppid)) {
    if (among.has(q.pid)) return true;
    seen.add(q.pid);
  }
  return false;
}

/**
 * Whether `pid` is in other namespaces than `than`: true when any type's
 * link differs (every type the kernel has, time namespaces included), false when all readable ones agree, undefined when none
 * could be compared.
 */
export function nsDiffer(ctx: ScanContext, pid: number, than: number): boolean | undefined {
  let compared = false;
  for (const type of NS_TYPES) {
    const a = procLink(ctx, pid, `ns/${type}`);
    const b = procLink(ctx, than, `ns/${type}`);
    if (a === undefined || b === undefined) continue;
    if (a !== b) return true;
    compared = true;
  }
  return compared ? false : undefined;
}
