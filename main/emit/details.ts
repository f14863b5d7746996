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
import { hasHostCaps, KNOWN_LAST_CAP } from '../model/capabilities';
import { byDisplay, netnsNames } from './containers';
import { nsId } from './holder';
import { capsLines, capsText, mapsUnknown, mapText, rangeText } from './idmaps';
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
  /**
   * Its effective capabilities in its own user namespace, in few words
   * (idmaps.ts capsText: `all`, `none`, `all but …`, names); absent where
   * the model has no capability sets (a snapshot before format 7).
   */
  caps?: string;
  /** The same as lines (`all but`, then a name a line), for a narrow column. */
  capsLines?: string[];
  /** Its user namespace, when that is not the one the shown namespace belongs to (itself, or its owner). */
  capsIn?: NsKey;
  /** It holds capabilities in the host's (initial) user namespace. */
  hostCaps: boolean;
}

/** A user namespace's maps as the panel lists them, or why it has none. */
export type IdMapsDetails =
  | {
      /** A range a line (`0-65535 -> 100000-165535`), or one line for a whole map (`all (identity)`, `none written yet`). */
      uid: string[];
      gid: string[];
      /** The user namespace the outside ids are in: the scanner's (the parent, when the scanner is in this one). */
      outsideIn?: NsKey;
    }
  | { unknown: string };

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
  /** User namespaces: the uid and gid maps. */
  idMaps?: IdMapsDetails;
}

/** A map's lines for the panel: each range, or mapText's one line for a whole or empty map. */
function mapLines(map: NonNullable<Namespace['uidMap']>): string[] {
  const whole = mapText(map);
  return map.length <= 1 || whole === 'all (identity)' ? [whole] : map.map(rangeText);
}

/** A user namespace's maps for the panel. */
function idMapsOf(g: ModelGraph, ns: Namespace): IdMapsDetails {
  if (!ns.uidMap && !ns.gidMap) return { unknown: mapsUnknown(ns) };
  const scanner = g.model.host.userns;
  // the kernel shows the outside ids in the reader's namespace, or in the parent's when it reads its own
  const outsideIn = scanner === ns.key ? ns.parent : scanner;
  return {
    uid: ns.uidMap ? mapLines(ns.uidMap) : ['not read'],
    gid: ns.gidMap ? mapLines(ns.gidMap) : ['not read'],
    ...(outsideIn !== undefined ? { outsideIn } : {}),
  };
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
  const lastCap = g.model.host.capLastCap ?? KNOWN_LAST_CAP;
  // the user namespace the shown one belongs to: its processes' capabilities are mostly there
  const userContext = ns.type === 'user' ? ns.key : ns.owner;
  const processes = ns.pids.map((pid): ProcessRow => {
    const p = g.byPid.get(pid);
    if (!p) return { pid, name: '', hostCaps: false };
    const row: ProcessRow = { pid, name: p.name, hostCaps: hasHostCaps(p) };
    if (p.uid !== undefined) row.uid = p.uid;
    if (p.user !== undefined) row.user = p.user;
    if (p.container !== undefined) row.container = p.container;
    if (p.capEff !== undefined) {
      row.caps = capsText(p.capEff, lastCap);
      row.capsLines = capsLines(p.capEff, lastCap);
      if (p.ns.user !== undefined && p.ns.user !== userContext) row.capsIn = p.ns.user;
    }
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
    ...(ns.type === 'user' ? { idMaps: idMapsOf(g, ns) } : {}),
  };
}
