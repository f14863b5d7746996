/**
 * Everything the model knows about one namespace, gathered for the viewer's
 * details panel: plain data (strings as the system holds them, to be
 * escaped where shown), so the page builds its DOM from it with text nodes
 * only and the tests check it without a browser.
 */
import type { ModelGraph } from '../model/graph';
import type {
  BindMountRef,
  Container,
  FdRef,
  Namespace,
  NsKey,
  PodRef,
  TaskRef,
} from '../model/types';
import { byDisplay, netnsNames } from './containers';
import { nsId } from './holder';
import { nsenterLine, type NsenterLine } from './nsenter';
import { podKey } from '../model/containers';

/** A process in the namespace. */
export interface ProcessRow {
  pid: number;
  name: string;
  /** Effective uid and its user name, where the model has them. */
  uid?: number;
  user?: string;
  /** Its container's key, when it runs in one. */
  container?: Container['key'];
}

/** The panel's facts about one namespace. */
export interface NsDetails {
  ns: Namespace;
  /** `net:[4026531840]`. */
  id: string;
  /** How it was found, in words (`processes`, `a thread only`, `an fd only`, ...). */
  found: string;
  /** Its owning user namespace, and that one's creator. */
  owner?: { key: NsKey; uid?: number; user?: string };
  /** The owner is referenced but not in the model (out of reach of the scan). */
  ownerMissing: boolean;
  parent?: NsKey;
  parentMissing: boolean;
  children: NsKey[];
  /** User namespaces: the namespaces it owns. */
  owned: NsKey[];
  containers: Container[];
  pods: PodRef[];
  processes: ProcessRow[];
  tasks: TaskRef[];
  fds: FdRef[];
  mounts: BindMountRef[];
  netns: string[];
  nsenter: NsenterLine;
}

function foundText(ns: Namespace): string {
  switch (ns.origin) {
    case 'process':
      return 'processes are in it';
    case 'task':
      return 'only threads of processes elsewhere are in it';
    case 'fd':
      return 'only open file descriptors hold it';
    case 'bindmount':
      return 'only bind mounts hold it';
    case 'hidden':
      return 'hidden: no process, fd or mount holds it (found as an owner or parent)';
  }
}

/** The details of the namespace `key`, or undefined when the model has no such namespace. */
export function nsDetails(g: ModelGraph, key: NsKey): NsDetails | undefined {
  const ns = g.byKey.get(key);
  if (!ns) return undefined;
  const ownerNs = ns.owner !== undefined ? g.byKey.get(ns.owner) : undefined;
  const containers = [...g.containersOf(key)].sort(byDisplay);
  const pods = new Map<string, PodRef>();
  for (const c of containers) if (c.pod) pods.set(podKey(c.pod), c.pod);
  const processes = ns.pids.map((pid): ProcessRow => {
    const p = g.byPid.get(pid);
    if (!p) return { pid, name: '' };
    const row: ProcessRow = { pid, name: p.name };
    if (p.uid !== undefined) row.uid = p.uid;
    if (p.user !== undefined) row.user = p.user;
    if (p.container !== undefined) row.container = p.container;
    return row;
  });
  return {
    ns,
    id: nsId(ns),
    found: foundText(ns),
    owner: ownerNs
      ? {
          key: ownerNs.key,
          ...(ownerNs.ownerUid !== undefined ? { uid: ownerNs.ownerUid } : {}),
          ...(ownerNs.ownerName !== undefined ? { user: ownerNs.ownerName } : {}),
        }
      : undefined,
    ownerMissing: ns.owner !== undefined && !ownerNs,
    parent: ns.parent !== undefined && g.byKey.has(ns.parent) ? ns.parent : undefined,
    parentMissing: ns.parent !== undefined && !g.byKey.has(ns.parent),
    children: g.children(key).map((n) => n.key),
    owned: ns.type === 'user' ? g.owned(key).map((n) => n.key) : [],
    containers,
    pods: [...pods.values()],
    processes,
    tasks: ns.tasks,
    fds: ns.fds,
    mounts: ns.mounts,
    netns: netnsNames(ns),
    nsenter: nsenterLine(g, ns),
  };
}
