/**
 * The selection: one namespace (or none), with one owner and one event.
 * The details panel shows it; the overlay (marks.ts) outlines it, its
 * relations (parent, children, owning user namespace; in the wiring, the
 * network namespaces it is wired to) and the edges between them, again
 * after every redraw, since a new layout is a new SVG.
 *
 * What is related comes from the model, never from the SVG's text;
 * elements are found by id (page.ts elementFor, dot.ts edgeSvgId).
 */
import { edgeSvgId } from '../main/emit/dot';
import { ifNode } from '../main/emit/net-dot';
import { wiresOf } from '../main/emit/wires';
import type { ModelGraph } from '../main/model/graph';
import type { NsKey } from '../main/model/types';
import type { Drawing } from './drawing';
import { Signal } from './events';
import type { Marks } from './marks';
import { elementFor } from './page';
import { probe } from './probes';

/** The steps of `changed`, in the order they run. */
export const SELECTED_STEPS = [
  /** The overlay outlines the new selection. */
  'marks',
  /** Panels show it. */
  'panels',
] as const;
export type SelectedStep = (typeof SELECTED_STEPS)[number];

/** The selected namespace. */
export class Selection {
  /** The one event: the selection changed (to undefined: none). */
  readonly changed = new Signal<NsKey | undefined, SelectedStep>(SELECTED_STEPS);
  #key: NsKey | undefined;

  /** The namespace selected, if any; it may not be drawn. */
  get key(): NsKey | undefined {
    return this.#key;
  }

  /** Select `key` (undefined: none); listeners hear of every change. */
  select(key: NsKey | undefined): void {
    if (key === this.#key) return;
    this.#key = key;
    probe('selected', key);
    this.changed.emit(key);
  }
}

/** The namespaces related to `key`: its children, its parent and its owner. */
export function relatedKeys(g: ModelGraph, key: NsKey): Set<NsKey> {
  const ns = g.byKey.get(key);
  const rel = new Set<NsKey>(g.children(key).map((c) => c.key));
  if (ns?.parent !== undefined) rel.add(ns.parent);
  if (ns?.owner !== undefined) rel.add(ns.owner);
  rel.delete(key);
  return rel;
}

/** In the wiring: the namespaces `key` is wired to, and the ids of the wires' edges (either way). */
export function wiredTo(g: ModelGraph, key: NsKey): { keys: Set<NsKey>; edges: string[] } {
  const ns = g.byKey.get(key);
  const wires = ns ? wiresOf(g, ns) : [];
  const edges = wires.flatMap((w) => {
    if (!w.other) return [];
    const [a, b] = [ifNode(ns!, w.iface.index), ifNode(w.ns, w.other.index)];
    return [edgeSvgId(a, b), edgeSvgId(b, a)];
  });
  return { keys: new Set(wires.map((w) => w.ns.key)), edges };
}

/** The id of the node an element belongs to: its own, or a table row's table. */
function nodeIdOf(el: Element): string {
  return el.closest('g.node')?.id ?? el.id;
}

/** The edges of `svg` between `a` and `b`, either way (child -> parent, member -> owner). */
function edgesBetween(svg: SVGSVGElement, a: Element, b: Element): Element[] {
  const [x, y] = [nodeIdOf(a), nodeIdOf(b)];
  const doc = svg.ownerDocument;
  return [edgeSvgId(x, y), edgeSvgId(y, x)]
    .map((id) => doc.getElementById(id))
    .filter((e): e is HTMLElement => e !== null && svg.contains(e));
}

/** Outline the selection and its relations in the overlay, after every change and redraw. */
export function markSelection(selection: Selection, drawing: Drawing, marks: Marks): void {
  const apply = (): void => {
    const key = selection.key;
    const svg = drawing.svg;
    const g = key !== undefined ? drawing.model?.graph : undefined;
    if (key === undefined || !svg || !g?.byKey.has(key)) {
      for (const kind of ['sel', 'rel', 'rel-edge'] as const) marks.set(kind, []);
      return;
    }
    const own = elementFor(svg, key);
    marks.set('sel', own ? [own] : []);
    if (drawing.filter.net) {
      const { keys, edges } = wiredTo(g, key);
      marks.set(
        'rel',
        [...keys].flatMap((k) => elementFor(svg, k) ?? []),
      );
      const doc = svg.ownerDocument;
      marks.set(
        'rel-edge',
        edges.flatMap((id) => doc.getElementById(id) ?? []),
      );
      return;
    }
    const relEls: Element[] = [];
    const edgeEls: Element[] = [];
    for (const r of relatedKeys(g, key)) {
      const el = elementFor(svg, r);
      if (!el) continue;
      relEls.push(el);
      if (own) edgeEls.push(...edgesBetween(svg, own, el));
    }
    marks.set('rel', relEls);
    marks.set('rel-edge', edgeEls);
  };
  selection.changed.on('marks', apply);
  // a new layout is a new SVG (a namespace gone from a new scan is simply not found)
  drawing.drawn.on('marks', apply);
}
