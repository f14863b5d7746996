/**
 * Synthetic namespace models of a given size for the layout benchmark: a
 * host running containers (each a user, PID, net, mnt, uts, ipc and cgroup
 * namespace, some nested two deep) and browser-like sandboxes (user and net
 * namespaces only). Deterministic: the same size gives the same model.
 */
import type { Model, Namespace, NsKey, NsTypeName, Process } from '../../main/model';

const FLAT: readonly NsTypeName[] = ['net', 'mnt', 'uts', 'ipc', 'cgroup'];

/** A model of exactly `size` namespaces (size >= 8). */
export function syntheticModel(size: number): Model {
  let ino = 4026532000;
  const namespaces: Namespace[] = [];
  const processes: Process[] = [];
  const add = (type: NsTypeName, extra: Partial<Namespace>): Namespace => {
    const i = extra.ino ?? ino++;
    const n: Namespace = {
      key: `${type}:${i}` as NsKey,
      type,
      ino: i,
      origin: 'process',
      pids: [],
      tasks: [],
      fds: [],
      mounts: [],
      ...extra,
    };
    namespaces.push(n);
    return n;
  };
  const label = (pid: number, name: string) => ({ pids: [pid], label: { pid, name } });
  processes.push({ pid: 1, ppid: 0, name: 'systemd', start: 1, ns: {} });
  const uroot = add('user', {
    ino: 4026531837,
    ownerUid: 0,
    ownerName: 'root',
    ...label(1, 'systemd'),
  });
  const proot = add('pid', { ino: 4026531836, owner: uroot.key, ...label(1, 'systemd') });
  for (const [k, t] of ['net', 'mnt', 'uts', 'ipc', 'cgroup', 'time'].entries()) {
    add(t as NsTypeName, { ino: 4026531838 + k, owner: uroot.key, ...label(1, 'systemd') });
  }
  let pid = 1000;
  let c = 0;
  const containers: { user: Namespace; pid: Namespace }[] = [];
  while (namespaces.length < size) {
    const left = size - namespaces.length;
    pid += 7;
    c += 1;
    const name = c % 5 === 0 ? `chromium --type=renderer ${c}` : `container-${c}`;
    processes.push({ pid, ppid: 1, name, start: pid, ns: {} });
    if (c % 5 === 0 || left < 7) {
      // a sandbox: a user namespace with a net namespace, or whatever fits
      const u = add('user', {
        parent: uroot.key,
        owner: uroot.key,
        ownerUid: 1000,
        ...label(pid, name),
      });
      if (namespaces.length < size) add('net', { owner: u.key, ...label(pid, name) });
      continue;
    }
    // every third container nests in an earlier one, as containers in containers do
    const outer = c % 3 === 0 ? containers[(c * 7) % Math.max(1, containers.length)] : undefined;
    const puser = outer?.user ?? uroot;
    const ppid = outer?.pid ?? proot;
    const u = add('user', {
      parent: puser.key,
      owner: puser.key,
      ownerUid: 100000,
      ...label(pid, name),
    });
    const p = add('pid', { parent: ppid.key, owner: u.key, ...label(pid, name) });
    for (const t of FLAT) add(t, { owner: u.key, ...label(pid, name) });
    containers.push({ user: u, pid: p });
  }
  return {
    host: {
      hostname: `synthetic-${size}`,
      kernel: '6.18.0',
      time: '2026-01-01T00:00:00.000Z',
      uid: 0,
      userns: uroot.key,
      pidns: proot.key,
      nsidSupported: false,
    },
    namespaces,
    processes,
    containers: [],
    warnings: [],
  };
}
