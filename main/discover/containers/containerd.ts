/**
 * containerd (ctr, nerdctl, and Kubernetes through its CRI plugin when the
 * cgroup is containerd's own): the running tasks, found once per scan in
 * the default state directory and through every shim wherever containerd
 * keeps its state (tasks.ts). A process belongs to one when its cgroup path is
 * containerd's default for it, `/<namespace>/<id>` (containerd
 * cmd/ctr/commands/run/run_unix.go; pkg/cri/server/helpers_linux.go), or
 * systemd's `<namespace>-<id>.scope`, so that a host cgroup of the same
 * two-level shape (this machine's `/process_api/<32hex>`) is never taken
 * for a container.
 *
 * The bundle's config.json annotations (`ctr run --label` puts labels
 * there; containerd's CRI plugin its `io.kubernetes.cri.*`) name it; runc's
 * state.json under `/run/containerd/runc/<namespace>/<id>/` (its
 * `config.labels`) stands in when the bundle cannot be read.
 */
import { candidatePaths } from './cgroup';
import { bundleAnnotations, describe, stateLabels } from './oci';
import type { ContainerSource, FoundContainer, ScanContext } from './source';
import { CONTAINERD_TASKS, containerdTasks, type Task } from './tasks';

export { CONTAINERD_TASKS };
/** runc's state stays here whatever containerd's state directory (runc v2 shim defaults). */
export const CONTAINERD_RUNC = '/run/containerd/runc';

/**
 * Fill `c` from the task's bundle annotations (or runc's state.json): its
 * name, compose project, and, for a CRI pod member, engine `kubernetes`
 * with its pod. Returns whether either file was read.
 */
export function fillFromTask(ctx: ScanContext, task: Task, c: FoundContainer): boolean {
  const { ns, id } = task;
  if (task.instance !== undefined) c.instance = task.instance;
  let ann = bundleAnnotations(ctx, task.dir);
  if (ann) c.sources.push('config.json');
  else {
    ann = stateLabels(ctx, `${CONTAINERD_RUNC}/${ns}/${id}`);
    if (ann) c.sources.push('state.json');
  }
  if (!ann) return false;
  const d = describe(ann);
  if (d.engine === 'kubernetes') c.engine = 'kubernetes';
  if (d.name !== undefined) c.name = d.name;
  if (d.pod) c.pod = d.pod;
  if (d.sandbox !== undefined) c.sandbox = d.sandbox;
  if (d.compose) c.compose = d.compose;
  return true;
}

export const containerd: ContainerSource = {
  name: 'containerd',
  scan(procs, ctx) {
    // `/<ns>/<id>` and `<ns>-<id>.scope` of every running task
    const tasks = new Map<string, Task>();
    for (const t of containerdTasks(procs, ctx).values()) {
      tasks.set(`/${t.ns}/${t.id}`, t);
      tasks.set(`${t.ns}-${t.id}.scope`, t);
    }
    if (tasks.size === 0) return [];
    const found = new Map<string, FoundContainer>();
    for (const p of procs) {
      let task: Task | undefined;
      for (const path of candidatePaths(p.cgroups)) {
        task = tasks.get(path) ?? tasks.get(path.slice(path.lastIndexOf('/') + 1));
        if (task) break;
      }
      if (!task) continue;
      const { ns, id } = task;
      const key = `${ns}/${id}`;
      let c = found.get(key);
      if (!c) {
        c = { engine: 'containerd', id, engineNamespace: ns, pids: [], sources: ['cgroup'] };
        fillFromTask(ctx, task, c);
        found.set(key, c);
      }
      c.pids.push(p.pid);
    }
    return [...found.values()];
  },
};
