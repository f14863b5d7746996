/**
 * A namespace's relations in the hierarchy, as the viewer shows them in
 * the drawing, and the walk along them that its `[` and `]` keys take.
 * Pure: the model's parent and owner links in, keys out.
 *
 * Relations: its ancestors (a user or PID namespace's parents up to the
 * root; a flat namespace's owning user namespace and that one's parents,
 * as the filters' context is, view.ts), a PID namespace's owner (off its
 * chain), its children, and what a user namespace owns; and the pairs of
 * them an edge of the drawing joins (`links`, lower end first), so the
 * page can mark the chain's edges by id without reading the SVG.
 *
 * The walk: one step up is the parent, else the owner (a flat namespace,
 * a root PID namespace), so `[` pressed again and again climbs any chain
 * to the root user namespace. The namespaces one step up takes to a given
 * one are its `below`, so up and below are each other's inverse and every
 * namespace lies on exactly one path from a top: `]` goes down to the
 * first below, and at the bottom to the next one beside it (the next
 * below of the nearest one up that has a next): a walk in depth-first
 * order that reaches every namespace shown. Steps pass over namespaces
 * the drawing does not show (`shown`), to the nearest one it does.
 */
import type { ModelGraph } from '../model/graph';
import { sortedNamespaces } from '../model/order';
import type { Namespace, NsKey } from '../model/types';

/** What the drawing highlights for one namespace. */
export interface Relations {
  /** Up its chain, nearest first: parents (user, PID), or the owner and its parents (flat). */
  ancestors: NsKey[];
  /** A PID namespace's owning user namespace (a user or flat namespace's is on its chain). */
  owner: NsKey | undefined;
  /** Its children (user and PID namespaces), in inode order. */
  children: NsKey[];
  /** What a user namespace owns besides its children, by type then inode. */
  owned: NsKey[];
  /** Pairs joined by one edge of the hierarchy's drawing, [lower, upper]: child to parent, member to owner. */
  links: [NsKey, NsKey][];
}

const hasChain = (ns: Namespace) => ns.type === 'user' || ns.type === 'pid';

/** The relations of `key` in `g`, or undefined when the model has no such namespace. */
export function relationsOf(g: ModelGraph, key: NsKey): Relations | undefined {
  const ns = g.byKey.get(key);
  if (!ns) return undefined;
  const ancestors: NsKey[] = [];
  const links: [NsKey, NsKey][] = [];
  const seen = new Set<NsKey>([key]);
  let below = ns;
  let next = hasChain(ns) ? ns.parent : ns.owner;
  while (next !== undefined && !seen.has(next)) {
    const up = g.byKey.get(next);
    if (!up) break;
    seen.add(next);
    ancestors.push(next);
    links.push([below.key, next]);
    below = up;
    next = up.parent;
  }
  const owner =
    ns.type === 'pid' && ns.owner !== undefined && g.byKey.has(ns.owner) ? ns.owner : undefined;
  if (owner !== undefined) links.push([key, owner]);
  const children = g
    .children(key)
    .map((c) => c.key)
    .filter((k) => k !== key);
  const childSet = new Set(children);
  const owned =
    ns.type === 'user'
      ? g
          .owned(key)
          .map((o) => o.key)
          .filter((k) => k !== key && !childSet.has(k))
      : [];
  for (const k of [...children, ...owned]) links.push([k, key]);
  return { ancestors, owner, children, owned, links };
}

/** Every namespace `relationsOf` names, each once: ancestors, owner, children, owned. */
export function relatedKeys(r: Relations): NsKey[] {
  const all = [
    ...r.ancestors,
    ...(r.owner !== undefined ? [r.owner] : []),
    ...r.children,
    ...r.owned,
  ];
  return [...new Set(all)];
}

/** One step up in the model: the parent, else the owner (when the model has it). */
export function upOf(g: ModelGraph, key: NsKey): NsKey | undefined {
  const ns = g.byKey.get(key);
  if (!ns) return undefined;
  if (ns.parent !== undefined && g.byKey.has(ns.parent)) return ns.parent;
  if (ns.owner !== undefined && ns.owner !== key && g.byKey.has(ns.owner)) return ns.owner;
  return undefined;
}

/** The namespaces one step up takes to `key`: its children, then what it owns that has no parent. */
export function belowOf(g: ModelGraph, key: NsKey): NsKey[] {
  const out = g.children(key).map((c) => c.key);
  const have = new Set(out);
  for (const o of g.owned(key)) {
    if (have.has(o.key) || o.key === key) continue;
    if (upOf(g, o.key) === key) out.push(o.key);
  }
  return out.filter((k) => k !== key);
}

/** The tops of the walk: namespaces with nothing up from them, in the model's order (type, inode). */
export function topsOf(g: ModelGraph): NsKey[] {
  return sortedNamespaces(g.model.namespaces)
    .filter((n) => upOf(g, n.key) === undefined)
    .map((n) => n.key);
}

/** Which namespaces the drawing shows. */
export type Shown = (key: NsKey) => boolean;

/** The nearest namespace up from `key` that is shown, if any. */
export function stepUp(g: ModelGraph, key: NsKey, shown: Shown): NsKey | undefined {
  const seen = new Set<NsKey>([key]);
  let up = upOf(g, key);
  while (up !== undefined && !shown(up) && !seen.has(up)) {
    seen.add(up);
    up = upOf(g, up);
  }
  return up !== undefined && shown(up) && up !== key ? up : undefined;
}

/** The nearest shown namespaces below `key` (through ones not shown), in walk order. */
export function stepsBelow(g: ModelGraph, key: NsKey, shown: Shown): NsKey[] {
  const out: NsKey[] = [];
  const seen = new Set<NsKey>([key]);
  const walk = (k: NsKey): void => {
    for (const b of belowOf(g, k)) {
      if (seen.has(b)) continue;
      seen.add(b);
      if (shown(b)) out.push(b);
      else walk(b);
    }
  };
  walk(key);
  return out;
}

/** The shown tops of the walk (through tops not shown). */
function shownTops(g: ModelGraph, shown: Shown): NsKey[] {
  const out: NsKey[] = [];
  for (const t of topsOf(g)) {
    if (shown(t)) out.push(t);
    else out.push(...stepsBelow(g, t, shown));
  }
  return out;
}

/**
 * The next namespace of the walk after `key`: the first shown one below
 * it, else the next one beside it (or beside the nearest one up that has
 * a next); undefined at the end.
 */
export function stepDown(g: ModelGraph, key: NsKey, shown: Shown): NsKey | undefined {
  const first = stepsBelow(g, key, shown)[0];
  if (first !== undefined) return first;
  const seen = new Set<NsKey>();
  let cur = key;
  while (!seen.has(cur)) {
    seen.add(cur);
    const up = stepUp(g, cur, shown);
    const beside = up !== undefined ? stepsBelow(g, up, shown) : shownTops(g, shown);
    const i = beside.indexOf(cur);
    if (i >= 0 && i + 1 < beside.length) return beside[i + 1];
    if (up === undefined) return undefined;
    cur = up;
  }
  return undefined;
}

/**
 * In the network wiring: where `]` goes from `key` along the wires, given
 * the namespaces it is wired to in order (`wired`), the one the walk came
 * from (not back there: that is `[`), and the one it just came back from
 * (to the next after it). Undefined when no other wire leads on.
 */
export function nextWired(
  wired: readonly NsKey[],
  cameFrom: NsKey | undefined,
  backFrom: NsKey | undefined,
): NsKey | undefined {
  const onward = wired.filter((k) => k !== cameFrom);
  if (backFrom === undefined) return onward[0];
  const i = onward.indexOf(backFrom);
  return i >= 0 ? onward[i + 1] : onward[0];
}
