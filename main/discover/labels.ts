/**
 * Label processes: the most senior process of each namespace. Walking up
 * from any member while the parent is in the same namespace ends at a
 * "leader" (a process whose parent is outside, or unknown). Of the leaders,
 * the one started first is the most senior (ties: the lower PID).
 */
import type { Namespace, Process } from '../model/types';

/** Set `label` on every namespace that has processes. */
export function assignLabels(
  namespaces: Iterable<Namespace>,
  byPid: ReadonlyMap<number, Process>,
): void {
  for (const ns of namespaces) {
    let best: Process | undefined;
    for (const pid of ns.pids) {
      const p = byPid.get(pid);
      if (!p) continue;
      const parent = byPid.get(p.ppid);
      if (parent && parent.ns[ns.type] === ns.key) continue; // not a leader
      if (!best || p.start < best.start || (p.start === best.start && p.pid < best.pid)) best = p;
    }
    if (best) ns.label = { pid: best.pid, name: best.name };
  }
}
