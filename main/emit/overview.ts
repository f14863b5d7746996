/**
 * The overview: a drawing of a large host that Graphviz lays out in a
 * second, which a user opens up where they look. Pure, shared by the
 * command line (`--output`, `--dot`) and the page, like view.ts.
 *
 * Why: a host with 20 000 namespaces (a CI runner, a node with thousands of
 * sandboxes) draws as 20 000 boxes, whose layout takes half a minute or,
 * for a fan of thousands of siblings, overflows the WebAssembly stack of
 * Graphviz's network simplex. Nothing about such a host is hard to show:
 * the user and PID namespaces are two trees, and most namespaces are one of
 * many alike under one parent. So:
 *
 * - **Fans are grouped.** Under one parent, siblings of one type beyond
 *   FAN_FROM are grouped by kind (which engine's containers, which
 *   process's sandboxes) into one node each, saying how many and how many
 *   namespaces lie below them; the first SAMPLE are drawn beside it, as
 *   examples: with what they own, their nested children folded (else the
 *   overview of nested containers was one strip of 400 boxes, too wide to
 *   read when fitted). A group opens a page of OPEN_PAGE members at a time.
 * - **Depth is folded.** The trees are walked breadth first; once
 *   OVERVIEW_BUDGET boxes are drawn, the namespaces left at the frontier
 *   are drawn folded ("N more below"), as a collapsed one is.
 * - **Nothing is lost.** A namespace inside a group or a fold is still in
 *   the model: find, the filters and the details reach it, and opening its
 *   chain (`revealKeys`) draws it.
 *
 * `auto` draws the overview only when the full drawing's cost (boxes, and
 * table rows at a fraction of a box: the layout's cost grows with both)
 * passes FULL_BUDGET, or its shape has a fan of WIDE_FAN children under
 * one parent; `on` and `off` force it either way.
 *
 * Group ids are built from the parent's key, the type and a hash of the
 * kind's words, never from the words themselves: process names are
 * hostile text, and ids end up in DOT and in the SVG's element ids.
 */
import type { ModelGraph } from '../model/graph';
import type { Namespace, NsKey, NsTypeName } from '../model/types';
import { holderOf } from './holder';
import type { ViewSelection } from './view';

/** Whether to draw the overview: by the drawing's size (`auto`), always, or never. */
export type OverviewMode = 'auto' | 'on' | 'off';

/**
 * Cost (boxes, plus table rows at ROW_COST each) from which `auto` draws
 * the overview. The full drawing of the synthetic 5000-namespace host
 * (about 5000 boxes) takes Graphviz's WASM 2-3 s; beyond it, tens of
 * seconds (docs/BENCHMARKS.md, issue 21).
 */
export const FULL_BUDGET = 6000;
/**
 * Children of one parent from which `auto` draws the overview whatever
 * the cost: Graphviz's position phase grows with the square of a fan's
 * width, and in its WebAssembly build recurses once per sibling: a star
 * of 5000 took 3.8 s, 10 000 took 15.5 s, and 8750 overflow the page
 * worker's stack (docs/BENCHMARKS.md, layout limits).
 */
export const WIDE_FAN = 3000;
/** A table row's share of a box in the cost. */
export const ROW_COST = 0.25;
/** Boxes the overview draws before it folds the levels below. */
export const OVERVIEW_BUDGET = 400;
/** Siblings of one type under one parent from which they are grouped. */
export const FAN_FROM = 13;
/** Members one opening of a group draws. */
export const OPEN_PAGE = 100;
/**
 * Members of a closed group drawn beside it, as a sample of what it holds
 * (their own subtrees with them), while the overview's budget lasts.
 */
export const SAMPLE = 2;
/** Boxes drawn before which closed groups get their samples. */
export const SAMPLE_BUDGET = 60;
/** Kinds of one member each drawn as themselves, at most; more share one "other" group. */
const SINGLES = 3;

/** Siblings of one kind under one parent, drawn as one node. */
export interface Fan {
  /** `fan:PARENT:TYPE:HASH` (PARENT `none:0` for roots), the DOT node id (svgId makes it `fan-...`). */
  id: string;
  /**
   * The drawn namespace it hangs under: the parent, or for flat namespaces
   * the owner; undefined for a group of namespaces drawn without one
   * (roots: a view of the network namespaces alone has thousands).
   */
  parent: NsKey | undefined;
  type: NsTypeName;
  /** What the members are, in words ('podman container', a process name: system text). */
  kind: string;
  /** For the group of kinds of one member each (`various`): the first few of them (system text). */
  some?: readonly string[];
  /** The members it stands for, in inode order. */
  members: readonly NsKey[];
  /** Members opened pages have drawn beside it (they are not in `members`). */
  opened: number;
  /** Namespaces below the members (their subtrees), hidden with them. */
  below: number;
}

/** What the overview did, for the legend and the status line. */
export interface OverviewNote {
  /** Namespaces the filters keep (before the overview). */
  total: number;
  /** Namespaces drawn. */
  drawn: number;
  /** In groups, or below their members. */
  grouped: number;
  /** Below folded namespaces. */
  folded: number;
  /** The overview was asked for (`on`), not chosen by size. */
  forced: boolean;
}

/** How to apply it: the mode, and what the user opened. */
export interface OverviewOptions {
  mode?: OverviewMode;
  /**
   * What the user opened: a group id with how many pages of it are drawn;
   * a namespace key (any value) draws that namespace as itself, out of its
   * group, and unfolds it when the budget folded it.
   */
  open?: ReadonlyMap<string, number>;
}

/**
 * `20,000`: a count with thousands separated, as the legend and the notes
 * write it. Not toLocaleString: its first call loads ICU's locale data,
 * 0.3 s of a command line's run here.
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable id for a kind's words. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** What a namespace is one of, for grouping: its container's engine, else its holder's name. */
export function kindOf(g: ModelGraph, ns: Namespace): string {
  const c = g.containersOf(ns.key)[0];
  if (c) {
    const what = c.sandbox ? 'pod sandbox' : c.pod ? 'pod container' : 'container';
    return `${c.engine} ${what}${c.owner ? ` of uid ${c.owner.uid}` : ''}`;
  }
  const h = holderOf(g, ns);
  switch (h.kind) {
    case 'process':
    case 'thread':
    case 'fd':
      return h.name ?? 'unnamed process';
    case 'mount':
      return 'bind mount';
    case 'hidden':
    case 'none':
      return 'no process';
  }
}

/** Whether namespaces of type `t` form a tree (user, PID) rather than hang flat under an owner. */
export const isTree = (t: NsTypeName) => t === 'user' || t === 'pid';

/** The most children of one parent among the shown user and PID namespaces. */
export function widestFan(g: ModelGraph, shown: ReadonlySet<NsKey>): number {
  const fans = new Map<NsKey, number>();
  let widest = 0;
  for (const k of shown) {
    const ns = g.byKey.get(k);
    if (!ns || !isTree(ns.type) || ns.parent === undefined || !shown.has(ns.parent)) continue;
    const n = (fans.get(ns.parent) ?? 0) + 1;
    fans.set(ns.parent, n);
    if (n > widest) widest = n;
  }
  return widest;
}

/** The drawing's cost in boxes: user and PID namespaces, flat groups, and their table rows. */
export function drawCost(g: ModelGraph, shown: ReadonlySet<NsKey>): number {
  let boxes = 0;
  const rows = new Map<string, number>();
  for (const k of shown) {
    const ns = g.byKey.get(k);
    if (!ns) continue;
    if (isTree(ns.type)) boxes++;
    else {
      const id = `${ns.owner !== undefined && shown.has(ns.owner) ? ns.owner : ''}:${ns.type}`;
      rows.set(id, (rows.get(id) ?? 0) + 1);
    }
  }
  for (const n of rows.values()) boxes += n === 1 ? 1 : 1 + n * ROW_COST;
  return boxes;
}

/** The shown namespaces below `ns` in the picture: child trees, and for a user namespace what it owns (but PID namespaces). */
function below(g: ModelGraph, ns: Namespace, shown: ReadonlySet<NsKey>): NsKey[] {
  const out: NsKey[] = [];
  const stack = [ns];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const owned = n.type === 'user' ? g.owned(n.key).filter((o) => !isTree(o.type)) : [];
    for (const c of [...g.children(n.key), ...owned]) {
      if (!shown.has(c.key)) continue;
      out.push(c.key);
      if (isTree(c.type)) stack.push(c);
    }
  }
  return out;
}

/** The shown lists under a drawn namespace, one per type: its children, and what it owns. */
function listsUnder(g: ModelGraph, ns: Namespace, shown: ReadonlySet<NsKey>): Namespace[][] {
  const byType = new Map<NsTypeName, Namespace[]>();
  const add = (n: Namespace) => {
    if (!shown.has(n.key)) return;
    const list = byType.get(n.type);
    if (list) list.push(n);
    else byType.set(n.type, [n]);
  };
  for (const c of g.children(ns.key)) add(c);
  if (ns.type === 'user') {
    for (const o of g.owned(ns.key)) if (!isTree(o.type)) add(o);
  }
  return [...byType.values()];
}

/** The work of one overview: what stays, what is grouped, what is folded. */
class Overview {
  readonly shown: Set<NsKey>;
  readonly folded: Map<NsKey, number>;
  readonly fans: Fan[] = [];
  #boxes = 0;
  /** Members drawn as a closed group's sample: their own flat namespaces drawn, their children folded. */
  readonly #samples = new Set<NsKey>();
  #grouped = 0;
  #foldedBelow = 0;
  readonly #queue: Namespace[] = [];

  constructor(
    readonly g: ModelGraph,
    readonly sel: ViewSelection,
    readonly open: ReadonlyMap<string, number>,
  ) {
    this.shown = new Set(sel.shown);
    this.folded = new Map(sel.folded);
  }

  /** Hide `keys` (members or what lies below them); how many were shown. */
  #hide(keys: Iterable<NsKey>): number {
    let n = 0;
    for (const k of keys) if (this.shown.delete(k)) n++;
    return n;
  }

  /** Draw `ns` as itself; a user or PID namespace is walked further. */
  #draw(ns: Namespace): void {
    this.#boxes++;
    if (isTree(ns.type)) this.#queue.push(ns);
  }

  /** Group `members` (one kind, under `parent`) into a fan, but pages and pinned members. */
  #fan(
    parent: Namespace | undefined,
    type: NsTypeName,
    kind: string,
    members: Namespace[],
    some?: string[],
  ): void {
    const id = `fan:${parent?.key ?? 'none:0'}:${type}:${hash(kind)}`;
    const pages = this.open.get(id) ?? 0;
    // a closed group shows what it holds by a sample drawn beside it, while the budget lasts
    const apart = pages > 0 ? pages * OPEN_PAGE : this.#boxes < SAMPLE_BUDGET ? SAMPLE : 0;
    const rest: Namespace[] = [];
    let opened = 0;
    for (const [i, m] of members.entries()) {
      if (i < apart || this.open.has(m.key)) {
        opened++;
        // a sample (not a page the user opened, nor a namespace asked for) is an example only
        if (pages === 0 && !this.open.has(m.key)) this.#samples.add(m.key);
        this.#draw(m);
      } else rest.push(m);
    }
    if (rest.length === 0) return;
    if (rest.length === 1 && opened === 0) return this.#draw(rest[0]!);
    let under = 0;
    for (const m of rest) under += this.#hide(below(this.g, m, this.shown));
    this.#hide(rest.map((m) => m.key));
    this.#grouped += rest.length + under;
    this.#boxes++;
    this.fans.push({
      id,
      parent: parent?.key,
      type,
      kind,
      ...(some && { some }),
      members: rest.map((m) => m.key),
      opened,
      below: under,
    });
  }

  /** One list of siblings under a drawn namespace: as themselves, or grouped by kind. */
  #list(parent: Namespace | undefined, list: Namespace[]): void {
    if (list.length < FAN_FROM) {
      for (const n of list) this.#draw(n);
      return;
    }
    const kinds = new Map<string, Namespace[]>();
    for (const n of list) {
      const k = kindOf(this.g, n);
      const same = kinds.get(k);
      if (same) same.push(n);
      else kinds.set(k, [n]);
    }
    const singles = [...kinds.values()].filter((m) => m.length === 1);
    const other: Namespace[] = singles.length > SINGLES ? singles.flat() : [];
    const type = list[0]!.type;
    for (const [kind, members] of kinds) {
      if (members.length === 1 && other.length > 0) continue;
      this.#fan(parent, type, kind, members);
    }
    if (other.length > 0) {
      const some = singles.slice(0, SINGLES).map((m) => kindOf(this.g, m[0]!));
      this.#fan(parent, type, 'various', other, some);
    }
  }

  /** Fold `ns`: everything below it hidden, counted on it. */
  #fold(ns: Namespace): void {
    const n = this.#hide(below(this.g, ns, this.shown));
    if (n === 0) return;
    this.folded.set(ns.key, (this.folded.get(ns.key) ?? 0) + n);
    this.#foldedBelow += n;
  }

  /** Walk both trees from their drawn roots, breadth first. */
  run(): void {
    // the roots drawn, per type: grouped as any siblings are
    const roots = new Map<NsTypeName, Namespace[]>();
    for (const k of this.shown) {
      const ns = this.g.byKey.get(k)!;
      const up = isTree(ns.type) ? ns.parent : ns.owner;
      if (up !== undefined && this.shown.has(up)) continue;
      const list = roots.get(ns.type);
      if (list) list.push(ns);
      else roots.set(ns.type, [ns]);
    }
    for (const list of roots.values()) this.#list(undefined, list);
    for (let i = 0; i < this.#queue.length; i++) {
      const ns = this.#queue[i]!;
      if (!this.shown.has(ns.key)) continue;
      if (this.#boxes >= OVERVIEW_BUDGET && !this.open.has(ns.key)) {
        this.#fold(ns);
        continue;
      }
      const lists = listsUnder(this.g, ns, this.shown);
      if (this.#samples.has(ns.key)) {
        // an example of its group: what it owns, not what it holds nested
        for (const list of lists) if (!isTree(list[0]!.type)) this.#list(ns, list);
        this.#foldChildren(ns);
        continue;
      }
      for (const list of lists) this.#list(ns, list);
    }
  }

  /** Fold the child trees of `ns` (its children, what lies below them) into it. */
  #foldChildren(ns: Namespace): void {
    let n = 0;
    for (const c of this.g.children(ns.key)) {
      if (!this.shown.has(c.key)) continue;
      n += this.#hide(below(this.g, c, this.shown)) + this.#hide([c.key]);
    }
    if (n === 0) return;
    this.folded.set(ns.key, (this.folded.get(ns.key) ?? 0) + n);
    this.#foldedBelow += n;
  }

  note(total: number, forced: boolean): OverviewNote {
    return {
      total,
      drawn: this.shown.size,
      grouped: this.#grouped,
      folded: this.#foldedBelow,
      forced,
    };
  }
}

/**
 * `sel` as the overview, when `o.mode` asks for it or (auto) the drawing
 * is too large to lay out in a few seconds; else `sel` itself.
 */
export function applyOverview(
  g: ModelGraph,
  sel: ViewSelection,
  o: OverviewOptions = {},
): ViewSelection {
  const mode = o.mode ?? 'auto';
  if (mode === 'off') return sel;
  if (
    mode === 'auto' &&
    drawCost(g, sel.shown) <= FULL_BUDGET &&
    widestFan(g, sel.shown) < WIDE_FAN
  ) {
    return sel;
  }
  const ov = new Overview(g, sel, o.open ?? new Map());
  ov.run();
  const context = new Set([...sel.context].filter((k) => ov.shown.has(k)));
  return {
    shown: ov.shown,
    context,
    folded: ov.folded,
    fans: ov.fans,
    overview: ov.note(sel.shown.size, mode === 'on'),
  };
}

/**
 * What to open so that `key` is drawn: the namespace and every ancestor
 * in the picture (parents; for a flat namespace its owner and that one's
 * parents), each taken out of its group or unfolded.
 */
export function revealKeys(g: ModelGraph, key: NsKey): NsKey[] {
  const out: NsKey[] = [];
  const seen = new Set<NsKey>();
  let n = g.byKey.get(key);
  while (n && !seen.has(n.key)) {
    seen.add(n.key);
    out.push(n.key);
    const up = isTree(n.type) ? n.parent : n.owner;
    n = up !== undefined ? g.byKey.get(up) : undefined;
  }
  return out;
}
