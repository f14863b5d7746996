/**
 * Reading the process tree from /proc, for tests that find what they (or an
 * engine) started: a process's comm, its children, all its descendants.
 * Processes come and go; a gone one simply has no name and no children.
 */
import { readFileSync } from 'node:fs';

/** The kernel's short name of `pid` (/proc/PID/comm), or undefined when gone. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs: it exists and is not a zombie (Z) or dead (X), which run nothing. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** The direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** All descendants of `pid` (not `pid` itself). */
export function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((c) => [c, ...descendantsOf(c)]);
}

/** The first descendant of `root` (breadth first, not `root` itself) whose comm is `comm`. */
export function descendantNamed(root: number, comm: string): number | undefined {
  const queue = childrenOf(root);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (commOf(pid) === comm) return pid;
    queue.push(...childrenOf(pid));
  }
  return undefined;
}
