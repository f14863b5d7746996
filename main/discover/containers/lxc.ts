/**
 * LXC, LXD and Incus: all three run containers through liblxc, which puts
 * a container's processes in `lxc.payload.<name>` and its monitor in
 * `lxc.monitor.<name>` (seen with LXC 5.0 here, on every v1 hierarchy and
 * the v2 one). The id is the name liblxc knows, as in the cgroup.
 *
 * Which of the three runs it is told by the lxcpath, the directory liblxc
 * keeps containers in, as the monitor's title shows it
 * (`[lxc monitor] /var/lib/lxc box1`, seen): LXD's is
 * `/var/snap/lxd/common/lxd/containers` (snap) or `/var/lib/lxd/containers`,
 * Incus's `/var/lib/incus/containers` (read: lxd shared.VarPath("containers"),
 * incus internal/server/util). Without a monitor in view, a directory of
 * that name under one of those paths decides; else it is plain LXC.
 *
 * LXD and Incus name an instance of a project other than `default`
 * `<project>_<name>` (read: canonical/lxd lxd/project/project.go,
 * project.Instance; project names may not hold `_`), so the id keeps the
 * whole, the name is the instance's and the project goes in
 * engineNamespace.
 */
import type { Engine } from '../../model/types';
import { firstComponent } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

const PAYLOAD = 'lxc.payload.';
const MONITOR = 'lxc.monitor.';
const TITLE = '[lxc monitor] ';

/** lxcpaths of LXD and Incus, in the order they are checked. */
const ENGINE_PATHS: readonly [string, Engine][] = [
  ['/var/snap/lxd/common/lxd/containers', 'lxd'],
  ['/var/lib/lxd/containers', 'lxd'],
  ['/var/lib/incus/containers', 'incus'],
];

/** The engine an lxcpath belongs to. */
export function engineOfLxcPath(lxcpath: string): Engine {
  const path = lxcpath.replace(/\/+$/, '');
  for (const [p, engine] of ENGINE_PATHS) if (path === p) return engine;
  return 'lxc';
}

/**
 * The lxcpath in a monitor's title, given the container's name (known from
 * the monitor's cgroup): both may hold spaces, so the name is cut from the
 * end rather than the title split.
 */
export function lxcPathOfTitle(argv: readonly string[], name: string): string | undefined {
  const title = argv.join(' ');
  const suffix = ' ' + name;
  if (!title.startsWith(TITLE) || !title.endsWith(suffix)) return undefined;
  const path = title.slice(TITLE.length, title.length - suffix.length);
  return path.startsWith('/') ? path : undefined;
}

function payloadName(proc: ProcInfo): string | undefined {
  return firstComponent(proc, [PAYLOAD], (c) =>
    c.startsWith(PAYLOAD) && c.length > PAYLOAD.length ? c.slice(PAYLOAD.length) : undefined,
  );
}

function monitorName(proc: ProcInfo): string | undefined {
  // Only the top of a path: a nested container's monitor lives inside the
  // outer container's payload, and belongs to the outer one.
  return firstComponent(proc, [MONITOR], (c, i, parts) =>
    i === parts.length - 1 && c.startsWith(MONITOR) && c.length > MONITOR.length
      ? c.slice(MONITOR.length)
      : undefined,
  );
}

export const lxcSource: ContainerSource = {
  name: 'lxc',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const byName = new Map<string, FoundContainer>();
    const monitors = new Map<string, ProcInfo>();
    for (const p of procs) {
      const name = payloadName(p);
      if (name !== undefined) {
        const c = byName.get(name);
        if (c) c.pids.push(p.pid);
        else byName.set(name, { engine: 'lxc', id: name, pids: [p.pid], sources: ['cgroup'] });
        continue;
      }
      const m = monitorName(p);
      if (m !== undefined && !monitors.has(m)) monitors.set(m, p);
    }
    const listed = new Map<string, string[]>(); // each lxcpath listed once per scan
    const list = (dir: string) => {
      let names = listed.get(dir);
      if (!names) listed.set(dir, (names = ctx.list(dir)));
      return names;
    };
    for (const [name, c] of byName) {
      const monitor = monitors.get(name);
      const argv = monitor ? ctx.argv(monitor.pid) : undefined;
      const lxcpath = argv ? lxcPathOfTitle(argv, name) : undefined;
      if (lxcpath !== undefined) {
        c.engine = engineOfLxcPath(lxcpath);
        c.sources.push('lxc monitor argv');
      } else {
        const found = ENGINE_PATHS.find(([dir]) => list(dir).includes(name));
        if (found) {
          c.engine = found[1];
          c.sources.push(found[0]);
        }
      }
      c.name = name;
      if (c.engine !== 'lxc') {
        const cut = name.indexOf('_');
        if (cut > 0 && cut < name.length - 1) {
          c.engineNamespace = name.slice(0, cut);
          c.name = name.slice(cut + 1);
        }
      }
    }
    return [...byName.values()];
  },
};
