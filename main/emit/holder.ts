/**
 * What a namespace is known by, for every presentation alike: its id as
 * the kernel writes it (`net:[4026531840]`), and what holds it: the tree
 * line, the DOT box, the nsenter line and the viewer's notes all name the
 * same holder, in the same order of preference, and word it each their
 * own way.
 *
 * The order: the namespace's label (its most senior process), else any
 * process in it (a snapshot may carry processes without a label), else a
 * thread of a process elsewhere, an open fd, a bind mount; else nothing,
 * either because the hierarchy walk found it as an owner or parent
 * (`hidden`), or because only a link no process sits behind named it (a
 * `pid_for_children` after unshare without a child yet).
 */
import type { ModelGraph } from '../model/graph';
import type { BindMountRef, Namespace } from '../model/types';

/** `net:[4026531840]`: how /proc/PID/ns links and lsns name a namespace. */
export function nsId(ns: Pick<Namespace, 'type' | 'ino'>): string {
  return `${ns.type}:[${ns.ino}]`;
}

/**
 * What holds a namespace. `name` is the process's name where the model
 * has it (raw system text: escape it where shown); `count` how many
 * holders of that kind there are (`+2 more`).
 */
export type Holder =
  | { kind: 'process'; pid: number; name: string | undefined }
  | { kind: 'thread'; tid: number; pid: number; name: string | undefined; count: number }
  | { kind: 'fd'; fd: number; pid: number; name: string | undefined; count: number }
  | { kind: 'mount'; mount: BindMountRef; count: number }
  | { kind: 'hidden' }
  | { kind: 'none' };

/** What holds `ns` (see the order above). */
export function holderOf(g: ModelGraph, ns: Namespace): Holder {
  const nameOf = (pid: number) => g.byPid.get(pid)?.name;
  if (ns.label) return { kind: 'process', pid: ns.label.pid, name: ns.label.name };
  const pid = ns.pids[0];
  if (pid !== undefined) return { kind: 'process', pid, name: nameOf(pid) };
  const task = ns.tasks[0];
  if (task) {
    const { tid, pid: of } = task;
    return { kind: 'thread', tid, pid: of, name: nameOf(of), count: ns.tasks.length };
  }
  const fd = ns.fds[0];
  if (fd) return { kind: 'fd', fd: fd.fd, pid: fd.pid, name: nameOf(fd.pid), count: ns.fds.length };
  const mount = ns.mounts[0];
  if (mount) return { kind: 'mount', mount, count: ns.mounts.length };
  return { kind: ns.origin === 'hidden' ? 'hidden' : 'none' };
}
