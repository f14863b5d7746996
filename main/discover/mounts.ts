/**
 * Step 4 of discovery: nsfs bind mounts (e.g. `ip netns add` under
 * /run/netns), read from the mountinfo of one process per mount namespace,
 * so mounts visible only inside other mount namespaces are found too. They
 * are opened (step 5) through /proc/PID/root, which resolves the path
 * inside that mount namespace.
 */
import type { NsKey, NsTypeName, Process } from '../model/types';
import { parseNsMounts, readProcFile } from './procfs';
import type { Registry } from './registry';
import { isVanished, who, type Warnings } from './warnings';

/** Step 4 over `processes`. */
export function scanMounts(
  proc: string,
  registry: Registry,
  processes: readonly Process[],
  warnings: Warnings,
): void {
  const seen = new Set<NsKey>();
  for (const p of processes) {
    const mntns = p.ns.mnt;
    if (mntns === undefined || seen.has(mntns)) continue;
    let text: string;
    try {
      text = readProcFile(`${proc}/${p.pid}/mountinfo`).toString('latin1');
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot read mounts', who(p), err);
      continue; // another process of this mount namespace may still answer
    }
    seen.add(mntns);
    for (const m of parseNsMounts(text)) {
      const type = m.key.slice(0, m.key.indexOf(':')) as NsTypeName;
      const ino = Number(m.key.slice(type.length + 1));
      const ref = `${proc}/${p.pid}/root${m.mountPoint}`;
      const entry = registry.note(m.key, type, ino, 'bindmount', ref);
      if (!entry.ns.mounts.some((x) => x.path === m.mountPoint && x.mntns === mntns)) {
        entry.ns.mounts.push({ path: m.mountPoint, mntns });
      }
    }
  }
}
