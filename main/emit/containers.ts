/**
 * What a namespace belongs to, in words shared by the tree text and the
 * DOT: the containers, pods and sandboxes whose processes hold it, and the
 * names a network namespace is bind-mounted under (`ip netns add`). The
 * wording of one container (`qualifier`), of one pod (`podText`) and their
 * display order (`byDisplay`) live here alone, for every presentation.
 *
 *   container "web1" (podman)
 *   container "web" (lxd, project prod)           an engine's non-default namespace
 *   containers "web", "web-side" (docker, compose shop)
 *   pod prod/cart-7d9f (kubernetes)              every container of the pod
 *   sandbox "cart-7d9f" (kubernetes, pod prod/cart-7d9f)
 *   containers "c01", "c02", "c03" and 22 more (podman)
 *   also container "web1" (podman)                the host's, a container shares it
 *   netns "blue"
 *
 * Every string here comes from the system and is hostile: the caller says
 * how to show one (`Marks`), so the tree escapes for a terminal line and
 * the DOT for an HTML-like label, and no name can fake the structure.
 * Pure, and cheap: one pass over the model's containers (pod sizes), then
 * work proportional to what one namespace holds.
 */
import { ownEngineNamespace, podKey } from '../model/containers';
import type { ModelGraph } from '../model/graph';
import { ENGINES } from '../model/types';
import type { Container, Namespace, NsKey, PodRef } from '../model/types';

/** How the caller shows system strings. */
export interface Marks {
  /** A container's name or id, a netns name: shown as itself (the tree quotes it). */
  name(s: string): string;
  /** A pod, compose project, engine namespace or project inside the parentheses. */
  token(s: string): string;
  /** A path inside the parentheses (an engine instance's): its `/` kept. */
  path(s: string): string;
}

/** Items named before `and N more`. */
export const MAX_ITEMS = 3;

/** Docker's short id: the first 12 of 64 hex digits; other ids (LXC's names) stay whole. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/** What users call a container: its name, else its short id. */
export function containerName(c: Container): string {
  return c.name ?? shortId(c.id);
}

/** `prod/cart-7d9f` (Kubernetes: namespace/name) or `shop` (podman). */
export function podText(p: PodRef, m: Marks): string {
  return p.namespace !== undefined ? `${m.token(p.namespace)}/${m.token(p.name)}` : m.token(p.name);
}

/**
 * `namespace demo` (containerd, Kubernetes) or `project prod` (LXD, Incus):
 * the engine's own grouping where it is not the default one, which tells
 * apart two containers of one name; undefined in the default.
 */
export function engineNamespaceText(c: Container, m: Marks): string | undefined {
  const ns = ownEngineNamespace(c);
  if (ns === undefined) return undefined;
  return `${c.engine === 'lxd' || c.engine === 'incus' ? 'project' : 'namespace'} ${m.token(ns)}`;
}

/** The parenthesised part: engine, then the groups it has. */
export function qualifier(c: Container, m: Marks): string {
  // which of several instances of its engine: `docker at /srv/docker2`
  const parts: string[] = [
    c.instance !== undefined ? `${c.engine} at ${m.path(c.instance)}` : c.engine,
  ];
  const ns = engineNamespaceText(c, m);
  if (ns !== undefined) parts.push(ns);
  // a rootless engine's container is its user's: said, so it is never taken for root's
  if (c.owner)
    parts.push(c.owner.user !== undefined ? `user ${m.token(c.owner.user)}` : `uid ${c.owner.uid}`);
  if (c.compose) parts.push(`compose ${m.token(c.compose.project)}`);
  if (c.pod) parts.push(`pod ${podText(c.pod, m)}`);
  return parts.join(', ');
}

const engineOrder = new Map(ENGINES.map((e, i) => [e, i]));

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Pods by kind, Kubernetes namespace, name; no pod first. */
function byPod(a: PodRef | undefined, b: PodRef | undefined): number {
  if (!a || !b) return Number(!!a) - Number(!!b);
  return (
    byText(a.kind, b.kind) || byText(a.namespace ?? '', b.namespace ?? '') || byText(a.name, b.name)
  );
}

/** Display order: engine, pod, the sandbox first, name, id. */
export function byDisplay(a: Container, b: Container): number {
  return (
    (engineOrder.get(a.engine) ?? 99) - (engineOrder.get(b.engine) ?? 99) ||
    byPod(a.pod, b.pod) ||
    Number(!!b.sandbox) - Number(!!a.sandbox) ||
    byText(containerName(a), containerName(b)) ||
    byText(a.id, b.id)
  );
}

/** One named thing: a container (or sandbox), or a whole pod. */
interface Item {
  /** `container`, `sandbox` or `pod`; containers of one qualifier share one word. */
  word: 'container' | 'sandbox' | 'pod';
  text: string;
  /** The parenthesised part, and for a nested container what follows it (` in container "kind" (podman)`). */
  qualifier: string;
}

/** Words for the containers of a model; build once per model. */
export interface ContainerWords {
  /**
   * What the namespace belongs to, or '' for none: its containers (all of
   * a pod's as the pod once), prefixed `also` when host processes hold it too.
   */
  of(ns: Namespace, m: Marks): string;
  /** The namespace's containers in display order (empty for none). */
  containers(ns: Namespace): readonly Container[];
  /** Whether a process outside every container holds the namespace too. */
  hostToo(ns: Namespace): boolean;
  /** `containers "a", "b" (podman)` for any containers, in display order. */
  list(cs: readonly Container[], m: Marks): string;
}

/** How many containers each pod of the model has (by podKey). */
function podSizes(containers: readonly Container[]): Map<string, number> {
  const size = new Map<string, number>();
  for (const c of containers)
    if (c.pod) size.set(podKey(c.pod), (size.get(podKey(c.pod)) ?? 0) + 1);
  return size;
}

/** Whether a process outside every container of the model (or a thread of one) is in `ns`. */
function hostHolds(g: ModelGraph, ns: Namespace): boolean {
  const host = (pid: number) => {
    const p = g.byPid.get(pid);
    return p !== undefined && (p.container === undefined || !g.containerByKey.has(p.container));
  };
  return ns.pids.some(host) || ns.tasks.some((t) => host(t.pid));
}

/**
 * What follows a nested container's qualifier: `) in container "kind" (podman`,
 * inside the parentheses the list puts around the qualifier; '' for any other.
 */
function outerWords(g: ModelGraph, c: Container, m: Marks): string {
  const outer = c.outer !== undefined ? g.containerByKey.get(c.outer) : undefined;
  return outer
    ? `) in ${outer.sandbox ? 'sandbox' : 'container'} ${m.name(containerName(outer))} (${qualifier(outer, m)}`
    : '';
}

/**
 * The items naming `cs` (in display order): a pod once where all its
 * containers (two or more) are among them, every other container itself.
 */
function itemsOf(
  g: ModelGraph,
  cs: readonly Container[],
  podSize: ReadonlyMap<string, number>,
  m: Marks,
): Item[] {
  const inPod = new Map<string, Container[]>();
  for (const c of cs) {
    if (!c.pod) continue;
    const l = inPod.get(podKey(c.pod));
    if (l) l.push(c);
    else inPod.set(podKey(c.pod), [c]);
  }
  const items: Item[] = [];
  const podDone = new Set<string>();
  for (const c of cs) {
    const id = c.pod ? podKey(c.pod) : undefined;
    const members = id === undefined ? undefined : inPod.get(id);
    if (c.pod && members && members.length >= 2 && members.length === podSize.get(id!)) {
      if (podDone.has(id!)) continue;
      podDone.add(id!);
      const engines = [...new Set(members.map((x) => x.engine))].join(', ');
      items.push({ word: 'pod', text: podText(c.pod, m), qualifier: engines });
      continue;
    }
    items.push({
      word: c.sandbox ? 'sandbox' : 'container',
      text: m.name(containerName(c)),
      qualifier: qualifier(c, m) + outerWords(g, c, m),
    });
  }
  return items;
}

const plural = (word: Item['word'], n: number) => (n > 1 ? `${word}s` : word);

/** `containers "a", "b" (podman)`: items of one word and qualifier, which they share. */
function groupText(items: readonly Item[], count = items.length): string {
  return `${plural(items[0]!.word, count)} ${items.map((i) => i.text).join(', ')}`;
}

/**
 * The items as words: the first MAX_ITEMS named, the rest counted. All of
 * one word and qualifier share them once; else consecutive ones do.
 */
function itemsText(items: readonly Item[]): string {
  const shown = items.slice(0, MAX_ITEMS);
  const rest = items.length - shown.length;
  const more = rest > 0 ? ` and ${rest} more` : '';
  const head = items[0];
  if (!head) return '';
  if (items.every((i) => i.word === head.word && i.qualifier === head.qualifier))
    return `${groupText(shown, items.length)}${more} (${head.qualifier})`;
  const groups: Item[][] = [];
  for (const i of shown) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.word === i.word && last[0]!.qualifier === i.qualifier) last.push(i);
    else groups.push([i]);
  }
  return `${groups.map((gr) => `${groupText(gr)} (${gr[0]!.qualifier})`).join(', ')}${more}`;
}

/** Build the words for `g`'s model. */
export function containerWords(g: ModelGraph): ContainerWords {
  const podSize = podSizes(g.model.containers);
  const sorted = new Map<string, readonly Container[]>();
  const containers = (ns: Namespace) => {
    let cs = sorted.get(ns.key);
    if (!cs) {
      cs = [...g.containersOf(ns.key)].sort(byDisplay);
      sorted.set(ns.key, cs);
    }
    return cs;
  };
  // once per namespace: the host's own namespaces hold every process (50 000 on a large host)
  const held = new Map<NsKey, boolean>();
  const hostToo = (ns: Namespace) => {
    let h = held.get(ns.key);
    if (h === undefined) held.set(ns.key, (h = hostHolds(g, ns)));
    return h;
  };
  const list = (given: readonly Container[], m: Marks) =>
    itemsText(itemsOf(g, [...given].sort(byDisplay), podSize, m));
  return {
    containers,
    hostToo,
    list,
    of(ns, m) {
      const cs = containers(ns);
      if (cs.length === 0) return '';
      return `${hostToo(ns) ? 'also ' : ''}${list(cs, m)}`;
    },
  };
}

/**
 * Where `ip netns` (`/run/netns`, `/var/run/netns`), rootless podman
 * (`/run/user/UID/netns`) and Docker (`/run/docker/netns/<sandbox>`, a
 * rootless dockerd's under its user's runtime directory) keep names.
 */
const NETNS_PATH = /^(?:\/var)?\/run(?:\/user\/\d+)?(?:\/docker)?\/netns\/([^/]+)$/;

/** The names a network namespace is bind-mounted under, sorted, once each. */
export function netnsNames(ns: Namespace): string[] {
  if (ns.type !== 'net') return [];
  const names = new Set<string>();
  for (const mount of ns.mounts) {
    const hit = NETNS_PATH.exec(mount.path);
    if (hit && hit[1] !== '.' && hit[1] !== '..') names.add(hit[1]!);
  }
  return [...names].sort();
}

/** `netns "blue"`, `netns "blue", "red"`, or '' for none. */
export function netnsWords(ns: Namespace, m: Marks): string {
  const names = netnsNames(ns);
  if (names.length === 0) return '';
  const shown = names.slice(0, MAX_ITEMS).map((n) => m.name(n));
  const rest = names.length - shown.length;
  return `netns ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}
