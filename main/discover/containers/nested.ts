/**
 * Containers of an engine that itself runs in a container (kind, k3d, a
 * privileged container running containerd): the inner container's cgroup
 * continues below the outer's (`/libpod_parent/libpod-<outer>/<ns>/<id>`),
 * so matched by shape its processes would be taken for the outer
 * container's, which is worse than no name. The inner engine's shims are
 * found like any other (tasks.ts: their bundles read through
 * `/proc/<shim>/cwd`, in the outer container's mount namespace), and a
 * process whose cgroup path ends in such a task's `/<ns>/<id>` (or systemd's
 * `<ns>-<id>.scope`) below another container's cgroup is that task's, with
 * the outer container named (`outer`). This source runs first.
 *
 * A dockerd inside a container (Docker in Docker, in podman here) runs its
 * containers through its own containerd, in namespace `moby`, under
 * cgroups named `docker/<id>` (cgroupfs) or `docker-<id>.scope` (systemd):
 * such a task is a Docker container, named from the inner dockerd's
 * config.v2.json, read in the data root its bundle's mounts name
 * (`<data-root>/containers/<id>/hostname` is bound on /etc/hostname; seen
 * here) through the shim's own root, in the outer container's files.
 */
import { candidatePaths, classifyPath, type CgroupMatch } from './cgroup';
import { fillFromTask } from './containerd';
import { fillFromConfig } from './docker';
import { field, readJson, str } from './oci';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';
import { containerdTasks, type Task } from './tasks';
import type { ContainerKey } from '../../model/types';

/** The key of the container an outer cgroup path names, for the engines that name one by shape. */
function outerKey(m: CgroupMatch): ContainerKey | undefined {
  if (m.kind === 'docker') return `docker:${m.id}`;
  if (m.kind === 'podman') return `podman:${m.id}`;
  if (m.kind === 'kubepods')
    return `${m.runtime === 'cri-o' ? 'cri-o' : m.runtime === 'docker' ? 'docker' : 'kubernetes'}:${m.id}`;
  return undefined;
}

/** A task by the `<ns>/<id>` its cgroup path names; Docker's cgroup `docker/<id>` is containerd's `moby/<id>`. */
const taskNamed = (tasks: ReadonlyMap<string, Task>, ns: string, id: string) =>
  tasks.get(`${ns}/${id}`) ?? (ns === 'docker' ? tasks.get(`moby/${id}`) : undefined);

/** The task a path ends in, below an outer container: [task, outer key]. */
function nestedTask(
  path: string,
  tasks: ReadonlyMap<string, Task>,
): [Task, ContainerKey] | undefined {
  const segs = path.split('/');
  const last = segs[segs.length - 1] ?? '';
  const scope = /^(.+)-([^-]+)\.scope$/.exec(last);
  const [task, cut] = scope
    ? [taskNamed(tasks, scope[1]!, scope[2]!), 1]
    : [taskNamed(tasks, segs[segs.length - 2] ?? '', last), 2];
  if (!task) return undefined;
  const prefix = segs.slice(0, -cut).join('/');
  if (prefix === '') return undefined; // containerd's own top-level cgroup: not nested
  const outer = classifyPath(prefix);
  const key = outer && outerKey(outer);
  return key ? [task, key] : undefined;
}

export const nestedSource: ContainerSource = {
  name: 'nested',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const tasks = containerdTasks(procs, ctx);
    if (tasks.size === 0) return [];
    const found = new Map<string, FoundContainer>();
    const seen = new Map<string, [Task, ContainerKey] | undefined>(); // per path: most are shared
    const lookup = (path: string) => {
      if (!seen.has(path)) seen.set(path, nestedTask(path, tasks));
      return seen.get(path);
    };
    for (const p of procs) {
      let hit: [Task, ContainerKey] | undefined;
      for (const path of candidatePaths(p.cgroups)) if ((hit = lookup(path))) break;
      if (!hit) continue;
      const [task, outer] = hit;
      const key = `${task.ns}/${task.id}`;
      let c = found.get(key);
      if (!c) {
        c = task.ns === 'moby' ? innerDocker(ctx, task, outer) : innerTask(ctx, task, outer);
        found.set(key, c);
      }
      c.pids.push(p.pid);
    }
    return [...found.values()];
  },
};

/** A task of an inner containerd, named from its bundle. */
function innerTask(ctx: ScanContext, task: Task, outer: ContainerKey): FoundContainer {
  const c: FoundContainer = {
    engine: 'containerd',
    id: task.id,
    engineNamespace: task.ns,
    outer,
    pids: [],
    sources: ['cgroup'],
  };
  fillFromTask(ctx, task, c);
  return c;
}

/** A container of an inner dockerd, named from its config.v2.json where its bundle says. */
function innerDocker(ctx: ScanContext, task: Task, outer: ContainerKey): FoundContainer {
  const c: FoundContainer = { engine: 'docker', id: task.id, outer, pids: [], sources: ['cgroup'] };
  const mounts = field(readJson(ctx, `${task.dir}/config.json`), 'mounts');
  const hostname = Array.isArray(mounts)
    ? mounts.find((m) => field(m, 'destination') === '/etc/hostname')
    : undefined;
  const source = str(field(hostname, 'source')) ?? '';
  const root = /^(\/.*)\/containers\/([0-9a-f]{64})\/hostname$/.exec(source);
  if (root && root[2] === task.id && !root[1]!.split('/').includes('..')) {
    // the data root as the inner dockerd sees it: through the shim's root, in the outer's files
    const view = task.shim !== undefined ? `/proc/${task.shim}/root` : '';
    fillFromConfig(ctx, task.id, c, [`${view}${root[1]}`]);
  }
  return c;
}
