/**
 * podman containers found from the process that runs each one: conmon,
 * podman's monitor, started as `conmon … -c <id> … -n <name> -b
 * <graphroot>/<driver>-containers/<id>/userdata` (podman
 * libpod/oci_conmon_common.go; seen here, rootful and rootless alike). Its
 * container's processes are below it (runc's init is reparented to conmon,
 * its subreaper). This names what the cgroup path cannot: a rootless
 * container started without a systemd session (cgroupfs: the container
 * stays in its user's cgroup, or `/user/<name>/0/<id>` under pam_cgfs),
 * and any container whose cgroup names no engine.
 *
 * Trust: a conmon of root's speaks for any process below it; a user's
 * conmon only for processes of that user (their own uid, or the subordinate
 * uids /etc/subuid gives them, which their containers run as), and its
 * container is its user's (`ownerUid`): it can neither join nor rename a
 * container of root's or another user's of the same id (index.ts). A file
 * of a user's storage is read only when that user owns it.
 */
import { HEX64 } from './cgroup';
import { command, option } from './oci';
import { PODMAN_STORAGE, graphRootOf, podOf, storageNames } from './podman';
import { userProcesses } from './owners';
import { procTree } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

export const conmonSource: ContainerSource = {
  name: 'conmon',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const conmons = procs.filter((p) => p.name === 'conmon' && p.uid !== undefined);
    if (conmons.length === 0) return [];
    const tree = procTree(procs);
    const mayBelong = userProcesses(ctx);
    const out: FoundContainer[] = [];
    for (const sup of conmons) {
      const argv = ctx.argv(sup.pid);
      const id = argv && command(argv) === 'conmon' ? option(argv, '-c', '--cid') : undefined;
      if (id === undefined || !HEX64.test(id)) continue;
      const owner = sup.uid!;
      const pids = tree
        .descendants(sup.pid)
        .filter((d) => d.name !== 'conmon' && mayBelong(owner, d.uid))
        .map((d) => d.pid);
      if (pids.length === 0) continue;
      const c: FoundContainer = { engine: 'podman', id, pids, sources: ['conmon argv'] };
      if (owner !== 0) c.ownerUid = owner;
      const name = option(argv!, '-n', '--name');
      const root = graphRootOf(argv!, id);
      // root's podman with its own --root is an instance of its own (a user's is theirs: owner)
      if (owner === 0 && root !== undefined && root !== PODMAN_STORAGE) c.instance = root;
      if (name !== undefined && name !== '') c.name = name;
      else {
        const stored = root !== undefined ? storageNames(ctx, root, owner).get(id) : undefined;
        if (stored !== undefined) {
          c.name = stored;
          c.sources.push('containers.json');
        }
      }
      const pod = root !== undefined ? podOf(ctx, root, id, owner) : undefined;
      if (pod) {
        c.pod = { kind: 'podman', ...pod };
        c.sources.push('libpod db');
        if (c.name === `${pod.id.slice(0, 12)}-infra`) c.sandbox = true;
      }
      out.push(c);
    }
    return out;
  },
};
