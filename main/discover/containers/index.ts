/**
 * The containers step of discovery: every source of sources.ts looks at the
 * processes in turn (the first to claim a process wins), and the claims
 * become the model's containers, keyed `engine:id`, sorted by key. The
 * sources read the system through the live ScanContext (live-context.ts).
 */
import { containerKeyOf, type Container, type ContainerKey } from '../../model/types';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';
import { SOURCES } from './sources';

export type { ProcInfo, ScanContext } from './source';
export {
  DEFAULT_MAX_BYTES,
  liveContext,
  MAX_LIST,
  USER_BYTES_PER_SCAN,
  type ContextOptions,
  type TextCache,
} from './live-context';

/**
 * Run the sources over `procs` (sorted by PID) and return the containers,
 * sorted by key, each with its PIDs sorted. A source that throws (a bug:
 * sources must not) costs its own containers and a warning, never the scan.
 */
export function resolveContainers(
  procs: readonly ProcInfo[],
  ctx: ScanContext,
  sources: readonly ContainerSource[] = SOURCES,
): Container[] {
  const claimed = new Set<number>();
  const byKey = new Map<ContainerKey, Container>();
  const owners = new Map<ContainerKey, number | undefined>();
  for (const source of sources) {
    const left = procs.filter((p) => !claimed.has(p.pid));
    if (left.length === 0) break;
    let found: FoundContainer[];
    try {
      found = source.scan(left, ctx);
    } catch (err) {
      ctx.warn(`container source ${source.name} failed: ${(err as Error)?.message ?? err}`);
      continue;
    }
    const mine = new Set(left.map((p) => p.pid));
    for (const f of found) {
      const key = containerKeyOf(f);
      // only processes this source was shown and nobody claimed yet
      const pids = f.pids.filter((pid) => mine.has(pid) && !claimed.has(pid));
      if (pids.length === 0) continue;
      for (const pid of pids) claimed.add(pid);
      const known = byKey.get(key);
      if (known) {
        // one user's claim never joins a container of root's or of another user
        if (owners.get(key) !== f.ownerUid) {
          ctx.warn(`uid ${f.ownerUid ?? 0} claims container ${key} of another owner: ignored`);
          continue;
        }
        known.pids.push(...pids);
        for (const s of f.sources) if (!known.sources.includes(s)) known.sources.push(s);
        continue;
      }
      const { ownerUid, ...found } = f;
      const c: Container = { ...found, key, pids };
      if (ownerUid !== undefined) c.owner = { uid: ownerUid };
      byKey.set(key, c);
      owners.set(key, ownerUid);
    }
  }
  const containers = [...byKey.values()];
  for (const c of containers) c.pids.sort((a, b) => a - b);
  return containers.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
