/**
 * Step 2 of discovery: threads whose namespaces differ from their thread
 * group leader's (`/proc/PID/task/TID/ns/*`). Only processes with more
 * than one thread (stat's num_threads) are looked at.
 */
import { NS_TYPES } from '../relations/constants';
import type { Process } from '../model/types';
import { listIds, readNsLink } from './procfs';
import type { Registry } from './registry';
import { isVanished, who, type Warnings } from './warnings';

/** Step 2 over `processes` (the multi-threaded ones). */
export function scanTasks(
  proc: string,
  registry: Registry,
  processes: readonly Process[],
  warnings: Warnings,
): void {
  for (const p of processes) {
    // a process whose own links were unreadable (warned in step 1) hides its threads too
    if (Object.keys(p.ns).length === 0) continue;
    let tids: number[];
    try {
      tids = listIds(`${proc}/${p.pid}/task`);
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot list threads', who(p), err);
      continue;
    }
    if (tids.length < 2) continue; // only the leader, whose links step 1 read
    for (const tid of tids) if (tid !== p.pid) scanTask(proc, registry, p, tid, warnings);
  }
}

/** The namespaces thread `tid` of `p` is in where they are not `p`'s own. */
function scanTask(
  proc: string,
  registry: Registry,
  p: Process,
  tid: number,
  warnings: Warnings,
): void {
  for (const type of NS_TYPES) {
    const path = `${proc}/${p.pid}/task/${tid}/ns/${type}`;
    let ns;
    try {
      ns = readNsLink(path);
    } catch (err) {
      if (!isVanished(err))
        warnings.addError('cannot read thread namespaces', `${who(p)} tid ${tid}`, err);
      return;
    }
    if (ns.key === p.ns[type]) continue;
    registry.note(ns.key, type, ns.ino, 'task', path).ns.tasks.push({ pid: p.pid, tid });
  }
}
