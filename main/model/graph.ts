/**
 * Lookups over a model for presentations: namespaces by key, processes by
 * PID, and the children of each user/PID namespace and the namespaces each
 * user namespace owns. Built once per model; the model itself stays plain.
 */
import { sortedNamespaces } from './order';
import type {
  Container,
  ContainerKey,
  Model,
  Namespace,
  NsKey,
  NsTypeName,
  Process,
} from './types';

/** Indexes over one model. */
export interface ModelGraph {
  model: Model;
  byKey: ReadonlyMap<NsKey, Namespace>;
  byPid: ReadonlyMap<number, Process>;
  /** Children of a user or PID namespace, sorted by inode. */
  children(key: NsKey): readonly Namespace[];
  /** Namespaces a user namespace owns, sorted by type then inode. */
  owned(key: NsKey): readonly Namespace[];
  /** Namespaces of `type` without a parent in the model (the roots of the tree). */
  roots(type: 'user' | 'pid'): readonly Namespace[];
  ofType(type: NsTypeName): readonly Namespace[];
  containerByKey: ReadonlyMap<ContainerKey, Container>;
  /**
   * The containers a namespace belongs to: those of the processes in it
   * (and of threads of others that sit in it), sorted by key. Empty for a
   * namespace of the host only, or one nothing but fds and mounts hold.
   */
  containersOf(key: NsKey): readonly Container[];
}

/** Build the indexes for `model`. */
export function graphOf(model: Model): ModelGraph {
  const byKey = new Map<NsKey, Namespace>(model.namespaces.map((n) => [n.key, n]));
  const byPid = new Map<number, Process>(model.processes.map((p) => [p.pid, p]));
  const children = new Map<NsKey, Namespace[]>();
  const owned = new Map<NsKey, Namespace[]>();
  const push = (m: Map<NsKey, Namespace[]>, k: NsKey, n: Namespace) => {
    const list = m.get(k);
    if (list) list.push(n);
    else m.set(k, [n]);
  };
  // snapshots from elsewhere need not be sorted: order here, by type then inode
  const sorted = sortedNamespaces(model.namespaces);
  for (const n of sorted) {
    if (n.parent !== undefined && byKey.has(n.parent)) push(children, n.parent, n);
    if (n.owner !== undefined && byKey.has(n.owner)) push(owned, n.owner, n);
  }
  const containerByKey = new Map<ContainerKey, Container>(model.containers.map((c) => [c.key, c]));
  const containersOf = new Map<NsKey, Container[]>();
  for (const n of model.namespaces) {
    const keys = new Set<ContainerKey>();
    for (const pid of [...n.pids, ...n.tasks.map((t) => t.pid)]) {
      const k = byPid.get(pid)?.container;
      if (k !== undefined && containerByKey.has(k)) keys.add(k);
    }
    if (keys.size > 0) {
      containersOf.set(
        n.key,
        [...keys].sort().map((k) => containerByKey.get(k)!),
      );
    }
  }
  return {
    model,
    byKey,
    byPid,
    containerByKey,
    containersOf: (k) => containersOf.get(k) ?? [],
    children: (k) => children.get(k) ?? [],
    owned: (k) => owned.get(k) ?? [],
    roots: (type) =>
      sorted.filter((n) => n.type === type && (n.parent === undefined || !byKey.has(n.parent))),
    ofType: (type) => sorted.filter((n) => n.type === type),
  };
}
