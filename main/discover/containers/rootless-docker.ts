/**
 * Rootless Docker: a user's dockerd runs under rootlesskit with a
 * containerd of its own, and each container has a shim of that user's
 * (`containerd-shim-runc-v2 -namespace moby -id <id> -address
 * /run/user/UID/docker/containerd/containerd.sock`, seen here) with the
 * container's processes below it; no cgroup names the container (without
 * cgroup v2 delegation it stays in its user's cgroup). It is named from
 * `config.v2.json` in that user's data root: their dockerd's `--data-root`,
 * else `~/.local/share/docker` of the user (dockerd-rootless.sh's default;
 * an `XDG_DATA_HOME` elsewhere is not followed), read only when the user
 * owns the file. The container is its user's (owners.ts: their uid and
 * subordinate uids only), never merged with root's of the same id.
 */
import { userHome } from '../../../native-shim';
import { HEX64 } from './cgroup';
import { daemonDataRoots, fillFromConfig } from './docker';
import { command, option } from './oci';
import { userProcesses } from './owners';
import { procTree } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';
import { SHIM } from './tasks';

/** The data roots of `uid`'s own dockerds, the default one last. */
function userDataRoots(procs: readonly ProcInfo[], ctx: ScanContext, uid: number): string[] {
  const out = daemonDataRoots(procs, ctx, uid);
  let home: string | undefined;
  try {
    home = userHome(uid);
  } catch {
    home = undefined;
  }
  if (home?.startsWith('/')) out.push(`${home.replace(/\/+$/, '')}/.local/share/docker`);
  return out;
}

export const rootlessDockerSource: ContainerSource = {
  name: 'rootless-docker',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const shims = procs.filter(
      (p) => p.uid !== undefined && p.uid !== 0 && p.name.startsWith('containerd-shim'),
    );
    if (shims.length === 0) return [];
    const tree = procTree(procs);
    const mayBelong = userProcesses(ctx);
    const roots = new Map<number, string[]>();
    const out: FoundContainer[] = [];
    for (const shim of shims) {
      const argv = ctx.argv(shim.pid);
      if (!argv || !SHIM.test(command(argv))) continue;
      const id = option(argv, '-id', '--id');
      if (
        option(argv, '-namespace', '--namespace') !== 'moby' ||
        id === undefined ||
        !HEX64.test(id)
      )
        continue;
      const owner = shim.uid!;
      const pids = tree
        .descendants(shim.pid)
        .filter((d) => !d.name.startsWith('containerd-shim') && mayBelong(owner, d.uid))
        .map((d) => d.pid);
      if (pids.length === 0) continue;
      const c: FoundContainer = {
        engine: 'docker',
        id,
        pids,
        sources: ['shim argv'],
        ownerUid: owner,
      };
      if (!roots.has(owner)) roots.set(owner, userDataRoots(procs, ctx, owner));
      fillFromConfig(ctx, id, c, roots.get(owner)!, owner);
      out.push(c);
    }
    return out;
  },
};
