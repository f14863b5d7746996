/**
 * containerd's running tasks, wherever its state lives. The default
 * layout keeps each task's bundle in
 * `/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/`; k3s,
 * RKE2, microk8s, a second dockerd's containerd or one started with its own
 * `state` keep it elsewhere. Every task has a shim, `containerd-shim-runc-v2
 * -namespace NS -id ID -address SOCK`, whose working directory is the
 * bundle (containerd runtime/v2/shim.go; seen here): so the bundles are
 * found from the shims, read through `/proc/<shim>/cwd`, which the kernel
 * resolves in the shim's own mount namespace (a path of its argv or the
 * link's text may name a directory that exists only there). A CRI pod has
 * one shim for all its containers (its `-id` is the sandbox's); the
 * members' bundles are its siblings, so each shim's namespace directory is
 * listed whole.
 *
 * Only root's shims are asked: a user's process calling itself a shim
 * names nothing (a rootless containerd's tasks are its user's: not yet
 * named).
 */
import { command, option } from './oci';
import type { ProcInfo, ScanContext } from './source';

export const CONTAINERD_TASKS = '/run/containerd/io.containerd.runtime.v2.task';

// containerd identifiers/validate.go: namespaces and ids
export const IDENT = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** containerd's shim commands (argv[0]'s file name). */
export const SHIM = /^containerd-shim(?:-runc-v[12])?$/;

/** One running task: its containerd namespace, id and bundle directory. */
export interface Task {
  ns: string;
  id: string;
  /** The bundle (config.json, init.pid), as a path to read through the scan context. */
  dir: string;
  /** The shim it was found through: its root (`/proc/<shim>/root`) is the engine's view of files. */
  shim?: number;
  /**
   * The containerd that runs it, by its socket (the shim's `-address`),
   * where that is not the default one's: k3s's, RKE2's, a second one's.
   */
  instance?: string;
}

/** containerd's default socket (containerd defaults/defaults_unix.go). */
export const CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';

/** A shim's `-address` as an instance: an absolute path without `..`, not the default one. */
function instanceOf(address: string | undefined): string | undefined {
  if (address === undefined || !address.startsWith('/') || address.length > 4096) return undefined;
  if (address.split('/').includes('..')) return undefined;
  const clean = address.replace(/^\/var\/run\//, '/run/'); // /var/run is /run on every current distribution
  return clean === CONTAINERD_ADDRESS ? undefined : clean;
}

/** The index of one scan, by `<ns>/<id>` (the first source to ask builds it). */
const perScan = new WeakMap<ScanContext, Map<string, Task>>();

/** Every task under the default state directory and under each of root's shims, once per scan. */
export function containerdTasks(procs: readonly ProcInfo[], ctx: ScanContext): Map<string, Task> {
  let tasks = perScan.get(ctx);
  if (tasks) return tasks;
  tasks = new Map();
  const add = (ns: string, nsDir: string, instance?: string, shim?: number) => {
    for (const id of ctx.list(nsDir)) {
      if (IDENT.test(id) && !tasks!.has(`${ns}/${id}`))
        tasks!.set(`${ns}/${id}`, {
          ns,
          id,
          dir: `${nsDir}/${id}`,
          ...(instance ? { instance } : {}),
          ...(shim !== undefined ? { shim } : {}),
        });
    }
  };
  for (const ns of ctx.list(CONTAINERD_TASKS)) {
    if (IDENT.test(ns)) add(ns, `${CONTAINERD_TASKS}/${ns}`);
  }
  for (const p of procs) {
    if (p.uid !== 0 || !p.name.startsWith('containerd-shim')) continue;
    const argv = ctx.argv(p.pid);
    if (!argv || !SHIM.test(command(argv))) continue;
    const ns = option(argv, '-namespace', '--namespace');
    if (ns === undefined || !IDENT.test(ns)) continue;
    add(ns, `/proc/${p.pid}/cwd/..`, instanceOf(option(argv, '-address', '--address')), p.pid);
  }
  perScan.set(ctx, tasks);
  return tasks;
}
