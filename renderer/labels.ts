/**
 * Which labels of a large drawing Chromium lays out: only those near what
 * is seen. A node, edge or cluster of a large graph (view.ts MANY_LABELS)
 * shows its texts only while it has the class `near` (style.css); the rest
 * are `display: none`, which costs no layout.
 *
 * Why: Chromium lays out every SVG text again when the zoom changes (the
 * font size times the zoom), shown or hidden by visibility alike. At 5000
 * namespaces (16 000 texts) bringing all labels back after a zoom was one
 * frame of 0.6-1 s (tests/bench/viewer-ui-bench.ts). Near the view are a
 * few hundred at most, since a large graph's labels are hidden below 50 %.
 *
 * Where a group's texts are is read from their x and y attributes (no
 * layout: see anchors.ts), once per drawing; a frame's update scans that
 * list and changes the class only where it changes.
 */
import { mapped, toViewport, type Box, type Point } from './anchors';

/** Around what is seen, this part of its width and height is near too (ahead of a pan). */
const MARGIN = 0.5;
/**
 * How far a label may reach from its text's x (drawing units): Graphviz
 * writes a text's anchor, middle or end, not its width. Wider labels show
 * late at the window's edge.
 */
const REACH = 250;

/** A group with texts: where its texts' anchors lie, in the viewport's coordinates. */
interface Labelled {
  el: Element;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

interface State {
  groups: Labelled[];
  near: Set<Element>;
}

const states = new WeakMap<SVGSVGElement, State>();

function stateOf(svg: SVGSVGElement): State {
  let s = states.get(svg);
  if (!s) {
    s = { groups: labelled(svg), near: new Set() };
    states.set(svg, s);
  }
  return s;
}

/** Every node, edge and cluster with texts, with its texts' extent. */
function labelled(svg: SVGSVGElement): Labelled[] {
  const m = toViewport(svg);
  const byGroup = new Map<Element, Labelled>();
  for (const t of svg.getElementsByTagName('text')) {
    const el = t.closest('g.node, g.edge, g.cluster');
    if (!el) continue;
    const p = mapped(m, { x: Number(t.getAttribute('x')), y: Number(t.getAttribute('y')) });
    if (!p) continue;
    const g = byGroup.get(el);
    if (!g) byGroup.set(el, { el, x0: p.x, x1: p.x, y0: p.y, y1: p.y });
    else {
      g.x0 = Math.min(g.x0, p.x);
      g.x1 = Math.max(g.x1, p.x);
      g.y0 = Math.min(g.y0, p.y);
      g.y1 = Math.max(g.y1, p.y);
    }
  }
  return [...byGroup.values()];
}

/**
 * The part of the drawing seen in a `width` x `height` host at real zoom
 * `zoom` and screen pan `pan`, in the viewport's coordinates, with the
 * margin kept near.
 */
export function seenBox(pan: Point, zoom: number, width: number, height: number): Box {
  const mx = MARGIN * width;
  const my = MARGIN * height;
  return {
    x: (-mx - pan.x) / zoom,
    y: (-my - pan.y) / zoom,
    width: (width + 2 * mx) / zoom,
    height: (height + 2 * my) / zoom,
  };
}

/** Lay out the labels of the groups in `box` (viewport coordinates), and no others. */
export function showLabelsIn(svg: SVGSVGElement, box: Box): void {
  const s = stateOf(svg);
  const x0 = box.x - REACH;
  const x1 = box.x + box.width + REACH;
  const y0 = box.y;
  const y1 = box.y + box.height;
  const near = new Set<Element>();
  for (const g of s.groups) {
    if (g.x1 >= x0 && g.x0 <= x1 && g.y1 >= y0 && g.y0 <= y1) near.add(g.el);
  }
  for (const el of s.near) if (!near.has(el)) el.classList.remove('near');
  for (const el of near) if (!s.near.has(el)) el.classList.add('near');
  s.near = near;
}
