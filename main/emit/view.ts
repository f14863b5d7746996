/**
 * Which namespaces a view of the graph shows: the viewer's filters as data,
 * and the one function that applies them. Pure, so the page (which lays the
 * graph out again on every filter change) and the tests share it.
 *
 * Filters take namespaces away; then, so that what is left still reads as
 * a hierarchy, every ancestor of a shown namespace comes back as context
 * (its parents up to the root, and for a flat namespace its owning user
 * namespace and that one's parents), unless its type is hidden. Context
 * namespaces are marked, so the drawing can show them faint. Last, a
 * collapsed user or PID namespace hides everything below it, and says how
 * much. Then, for a view too large to lay out in seconds, the overview
 * (overview.ts) groups fans and folds depth.
 */
import type { ModelGraph } from '../model/graph';
import { podKey } from '../model/containers';
import type { ContainerKey, Engine, Namespace, NsKey, NsTypeName } from '../model/types';
import { applyOverview, type Fan, type OverviewNote, type OverviewOptions } from './overview';

/** Only the namespaces of one container, one pod, or one engine's containers. */
export type ContainerScope =
  | { kind: 'container'; key: ContainerKey }
  | { kind: 'pod'; pod: string }
  | { kind: 'engine'; engine: Engine };

/** What the viewer's filters ask for. */
export interface ViewFilter {
  /** The namespace types drawn. */
  types: ReadonlySet<NsTypeName>;
  /** Hide namespaces no process or thread is in (held only by fds, mounts, or hidden). */
  hideEmpty: boolean;
  /** Keep only namespaces of these containers (and their ancestors, as context). */
  scope?: ContainerScope;
  /** User or PID namespaces whose descendants are folded into them. */
  collapsed: ReadonlySet<NsKey>;
  /** Whether to draw a large view as the overview (overview.ts), and what the user opened in it. */
  overview?: OverviewOptions;
}

/** The outcome: what to draw, what is only context, and what each collapsed node hides. */
export interface ViewSelection {
  shown: ReadonlySet<NsKey>;
  /** Shown only because something below them is (drawn faint). */
  context: ReadonlySet<NsKey>;
  /** Per collapsed, shown namespace: how many namespaces below it are folded away. */
  folded: ReadonlyMap<NsKey, number>;
  /** The overview's groups (overview.ts): siblings of one kind drawn as one node. */
  fans?: readonly Fan[];
  /** Set when the overview is drawn: what it drew and hid. */
  overview?: OverviewNote;
}

// a pod's identity is the model's (types.ts); the page imports it from here too
export { podKey };

/** Whether a namespace belongs to the scope (through any container it belongs to). */
function inScope(g: ModelGraph, ns: Namespace, scope: ContainerScope): boolean {
  return g.containersOf(ns.key).some((c) => {
    switch (scope.kind) {
      case 'container':
        return c.key === scope.key;
      case 'pod':
        return c.pod !== undefined && podKey(c.pod) === scope.pod;
      case 'engine':
        return c.engine === scope.engine;
    }
  });
}

/** Ancestors of `ns` in the picture: parents, and for a flat namespace its owner's line. */
function ancestors(g: ModelGraph, ns: Namespace): Namespace[] {
  const out: Namespace[] = [];
  const seen = new Set<NsKey>([ns.key]);
  let next: NsKey | undefined = ns.type === 'user' || ns.type === 'pid' ? ns.parent : ns.owner;
  while (next !== undefined && !seen.has(next)) {
    seen.add(next);
    const up = g.byKey.get(next);
    if (!up) break;
    out.push(up);
    next = up.parent;
  }
  return out;
}

/** Everything below a user or PID namespace: children, recursively, and (user) what they own. */
function descendants(g: ModelGraph, ns: Namespace): Namespace[] {
  const out: Namespace[] = [];
  const seen = new Set<NsKey>([ns.key]);
  const walk = (n: Namespace) => {
    const below = [...g.children(n.key), ...(n.type === 'user' ? g.owned(n.key) : [])];
    for (const c of below) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      // a PID namespace owned by a folded user namespace stays: it is in the PID tree
      if (n.type === 'user' && c.type === 'pid') continue;
      out.push(c);
      walk(c);
    }
  };
  walk(ns);
  return out;
}

/** Apply `filter` to the model behind `g`. */
export function selectView(g: ModelGraph, filter: ViewFilter): ViewSelection {
  const kept = g.model.namespaces.filter(
    (ns) =>
      filter.types.has(ns.type) &&
      !(filter.hideEmpty && ns.pids.length === 0 && ns.tasks.length === 0) &&
      (filter.scope === undefined || inScope(g, ns, filter.scope)),
  );
  const shown = new Set<NsKey>(kept.map((n) => n.key));
  const context = new Set<NsKey>();
  for (const ns of kept) {
    for (const up of ancestors(g, ns)) {
      if (shown.has(up.key) || !filter.types.has(up.type)) continue;
      shown.add(up.key);
      context.add(up.key);
    }
  }
  const folded = new Map<NsKey, number>();
  // outermost first, so a fold inside a folded subtree is not counted twice
  const folds = [...filter.collapsed]
    .map((k) => g.byKey.get(k))
    .filter((n): n is Namespace => n !== undefined && shown.has(n.key))
    .sort((a, b) => ancestors(g, a).length - ancestors(g, b).length);
  for (const ns of folds) {
    if (!shown.has(ns.key)) continue;
    let n = 0;
    for (const d of descendants(g, ns)) {
      if (shown.delete(d.key)) n++;
      context.delete(d.key);
    }
    if (n > 0) folded.set(ns.key, n);
  }
  return applyOverview(g, { shown, context, folded }, filter.overview);
}
