/**
 * The selection in the drawing: a click on a namespace (its node, or its
 * row of a group table) selects it, a click on empty space clears it, and
 * the selected namespace and its relations (parent, children, owning user
 * namespace, and the edges between them) are outlined in the overlay
 * (marks.ts). They are marked again after every redraw (page.onDrawn),
 * since a new layout is a new SVG.
 *
 * What is related comes from the model (page.model), never from the SVG's
 * text; elements are found by id (page.ts elementFor, dot.ts edgeSvgId).
 */
import { edgeSvgId } from '../main/emit/dot';
import type { NsKey } from '../main/model/types';
import type { Marks } from './marks';
import { elementFor, keyAt, type PageState } from './page';
import { probe } from './probes';

/** The id of the node an element belongs to: its own, or a table row's table. */
function nodeIdOf(el: Element): string {
  return el.closest('g.node')?.id ?? el.id;
}

/** A click that moved the pointer more than this (px) was a drag (a pan), not a click. */
const DRAG_PX = 5;

/** What the selection needs of the page. */
export interface SelectionContext {
  page: PageState;
  /** The element the drawing lives in (#graph). */
  host: HTMLElement;
  marks: Marks;
}

/** Hook the selection up: clicks select, and every drawing shows the selection. */
export function installSelection(ctx: SelectionContext): void {
  const { page, host, marks } = ctx;

  const apply = (): void => {
    const key = page.selected;
    const svg = page.svg;
    const g = key !== undefined ? page.model?.graph : undefined;
    const ns = key !== undefined ? g?.byKey.get(key) : undefined;
    if (key === undefined || !svg || !g || !ns) {
      for (const kind of ['sel', 'rel', 'rel-edge'] as const) marks.set(kind, []);
      return;
    }
    const own = elementFor(svg, key);
    marks.set('sel', own ? [own] : []);
    const rel = new Set<NsKey>(g.children(key).map((c) => c.key));
    if (ns.parent !== undefined) rel.add(ns.parent);
    if (ns.owner !== undefined) rel.add(ns.owner);
    rel.delete(key);
    const relEls: Element[] = [];
    const edgeEls: Element[] = [];
    const doc = svg.ownerDocument;
    for (const r of rel) {
      const el = elementFor(svg, r);
      if (!el) continue;
      relEls.push(el);
      if (!own) continue;
      // both directions: child -> parent, member -> owner (a table's edge is its table's)
      const [a, b] = [nodeIdOf(own), nodeIdOf(el)];
      for (const id of [edgeSvgId(a, b), edgeSvgId(b, a)]) {
        const e = doc.getElementById(id);
        if (e && svg.contains(e)) edgeEls.push(e);
      }
    }
    marks.set('rel', relEls);
    marks.set('rel-edge', edgeEls);
  };

  page.onSelect((key) => {
    probe('selected', key);
    apply();
  });
  // a new layout is a new SVG (a namespace gone from a new scan is simply not found)
  page.onDrawn(() => apply());

  let down: { x: number; y: number } | undefined;
  let dragged = false;
  host.addEventListener('pointerdown', (e) => {
    down = { x: e.clientX, y: e.clientY };
    dragged = false;
  });
  host.addEventListener('pointermove', (e) => {
    if (!down || dragged || Math.hypot(e.clientX - down.x, e.clientY - down.y) <= DRAG_PX) return;
    dragged = true;
    // the grabbing cursor only for a real drag: the cursor is inherited, so
    // changing it restyles every element of the drawing (:active would, at every click)
    host.classList.add('dragging');
  });
  const up = (): void => {
    down = undefined;
    host.classList.remove('dragging');
  };
  host.addEventListener('pointerup', up);
  host.addEventListener('pointercancel', up);
  host.addEventListener('click', (e) => {
    // a table row is an <a href="#..."> (Graphviz's handle on a cell): never follow it
    e.preventDefault();
    if (dragged) return;
    const key = keyAt(e.target);
    if (key !== undefined) page.select(key);
    // a table's heading is part of a node, not empty space
    else if (!(e.target instanceof Element && e.target.closest('g.node'))) page.select(undefined);
  });
}
