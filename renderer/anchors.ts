/**
 * Where the drawing's nodes are, read from the SVG's own attributes: the
 * geometry Graphviz wrote, never the browser's layout.
 *
 * Why not getBoundingClientRect() or elementFromPoint(): at thousands of
 * namespaces either forces Chromium to lay out and hit-test the whole
 * drawing (seconds under load: a type toggle at 3000 namespaces spent 4 s
 * finding the nodes near the middle by hit tests), and both read the DOM's
 * transform, which svg-pan-zoom updates only at the next animation frame,
 * so a pan made in this frame is not seen yet. The numbers in a `d` or
 * `points` attribute cost a string scan, and are the same whatever the
 * pan, zoom or CSS.
 *
 * An anchor is a point of an element that is the same point of it in any
 * layout: the centre of a node's outline (a node that grows when collapsed
 * keeps its centre), the start of a table row's first text (a row is text
 * only). Coordinates are the viewport's (svg-pan-zoom's untransformed
 * space): screen = pan + realZoom × anchor.
 */

/** A point in the viewport's coordinates. */
export interface Point {
  x: number;
  y: number;
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

/** A box in the coordinates of the attribute it was read from. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The bounding box of a list of x,y pairs: `d` of Graphviz's paths (all absolute), `points`. */
export function geometryBox(text: string): Box | undefined {
  const n = text.match(NUMBER);
  if (!n || n.length < 2) return undefined;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < n.length; i += 2) {
    const x = Number(n[i]);
    const y = Number(n[i + 1]);
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function middleOf(text: string): Point | undefined {
  const b = geometryBox(text);
  return b && { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** An element's anchor in the coordinates its own attributes are written in. */
function ownAnchor(el: Element): Point | undefined {
  for (const c of el.children) {
    switch (c.localName) {
      case 'path': {
        const d = c.getAttribute('d');
        if (d) return middleOf(d);
        break;
      }
      case 'polygon': {
        const p = c.getAttribute('points');
        if (p) return middleOf(p);
        break;
      }
      case 'ellipse':
        return { x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')) };
    }
  }
  // a table row: <g id="a_row-…"><a><text x y>…
  const text = el.querySelector('text');
  if (!text) return undefined;
  return { x: Number(text.getAttribute('x')), y: Number(text.getAttribute('y')) };
}

/**
 * The matrix from Graphviz's coordinates to the viewport's: the transform
 * of Graphviz's outer group (`<g id="graph0" transform="…">`), the one
 * transform between the two (svg-pan-zoom wraps that group in its viewport).
 * Read once per drawing.
 */
export function toViewport(svg: SVGSVGElement): DOMMatrix {
  return drawingOf(svg).toViewport;
}

function readToViewport(svg: SVGSVGElement): DOMMatrix {
  const g = svg.querySelector('g.graph');
  const m = g instanceof SVGGraphicsElement ? g.transform.baseVal.consolidate() : null;
  return m ? DOMMatrix.fromMatrix(m.matrix) : new DOMMatrix();
}

export function mapped(m: DOMMatrix, p: Point | undefined): Point | undefined {
  if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) return undefined;
  return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
}

/** Anchors of one drawing, computed once (each redraw is a new SVG element). */
interface Drawing {
  toViewport: DOMMatrix;
  nodes: Map<string, Point> | undefined;
}
const drawings = new WeakMap<SVGSVGElement, Drawing>();

function drawingOf(svg: SVGSVGElement): Drawing {
  let d = drawings.get(svg);
  if (!d) {
    d = { toViewport: readToViewport(svg), nodes: undefined };
    drawings.set(svg, d);
  }
  return d;
}

/** The anchor of the element with SVG id `id` in `svg`, if it is drawn there. */
export function anchorOf(svg: SVGSVGElement, id: string): Point | undefined {
  const el = svg.ownerDocument.getElementById(id);
  if (!el || !svg.contains(el)) return undefined;
  return mapped(drawingOf(svg).toViewport, ownAnchor(el));
}

/**
 * Every namespace node's anchor (`g.node.ns`: not the grouped tables,
 * whose rows and size change with any filter), by SVG id.
 */
export function nodeAnchors(svg: SVGSVGElement): Map<string, Point> {
  const d = drawingOf(svg);
  if (!d.nodes) {
    d.nodes = new Map();
    for (const el of svg.querySelectorAll('g.node.ns')) {
      const p = mapped(d.toViewport, ownAnchor(el));
      if (p) d.nodes.set(el.id, p);
    }
  }
  return d.nodes;
}
