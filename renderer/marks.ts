/**
 * Highlights drawn over the graph, not in it: the selection, its
 * relations, the edges between them, find's matches and the current match
 * are outlines in a second, transparent SVG laid over the drawing, in a
 * compositing layer of its own, that follows the drawing's pan and zoom.
 *
 * Why not style the drawing's own elements: at thousands of namespaces
 * any change inside the drawing makes Chromium record and rasterize all
 * of it again (seconds per keystroke in software rendering, measured in
 * tests/bench/viewer-ui-bench.ts); a change in the overlay repaints the
 * overlay only. The outlines of one kind in one cell of the drawing share
 * a path, so a keystroke that marks 4000 namespaces sets a few dozen
 * attributes, and Chromium still rasterizes only the cells in view.
 *
 * The marked `<g>` elements still get a class (sel, rel, rel-edge, match,
 * match-current) for whoever asks the drawing what is marked; no style
 * uses those classes, so setting them costs no repaint.
 */
import type { PageState } from './page';
import type { GraphView, ViewMatrix } from './view';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The kinds of mark, in the order they are painted (later on top). */
export const MARK_KINDS = ['rel-edge', 'rel', 'sel', 'match', 'match-current'] as const;
export type MarkKind = (typeof MARK_KINDS)[number];

/** Outline margin around a node's box, in drawing units. */
const PAD = 3;

/** An element's outline: path data, and the cell of the drawing it lies in. */
interface Shape {
  d: string;
  cell: string;
}

/** The side of a cell (drawing units): marks are grouped by where they are. */
const CELL = 500;

/** The overlay and its marks. */
export class Marks {
  readonly #svg: SVGSVGElement;
  readonly #g: SVGGElement;
  /** Per kind: its group, and one path per cell of the drawing that has marks of it. */
  readonly #layers = new Map<MarkKind, { g: SVGGElement; cells: Map<string, SVGPathElement> }>();
  /** The drawing's own transform (Graphviz's `g.graph`), under the pan and zoom. */
  #base = new DOMMatrix();
  #view: ViewMatrix = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
  /** Outline per element of the current drawing, computed once. */
  #shapes = new WeakMap<Element, Shape | null>();

  /** Lay the overlay over `host` (it goes right after it, so it paints above). */
  constructor(host: HTMLElement) {
    this.#svg = document.createElementNS(SVG_NS, 'svg');
    this.#svg.id = 'marks';
    this.#svg.setAttribute('aria-hidden', 'true');
    this.#g = document.createElementNS(SVG_NS, 'g');
    for (const kind of MARK_KINDS) {
      const g = document.createElementNS(SVG_NS, 'g');
      g.classList.add(`mark-${kind}`);
      this.#layers.set(kind, { g, cells: new Map() });
      this.#g.append(g);
    }
    this.#svg.append(this.#g);
    host.after(this.#svg);
  }

  /** A new drawing is on screen: forget the old one's shapes, take its transform. */
  attach(svg: SVGSVGElement): void {
    this.#shapes = new WeakMap();
    this.#prepare(svg);
    for (const kind of MARK_KINDS) this.set(kind, []);
    const graph = svg.querySelector('g.graph');
    const m =
      graph instanceof SVGGraphicsElement ? graph.transform.baseVal.consolidate()?.matrix : null;
    this.#base = m ? DOMMatrix.fromMatrix(m) : new DOMMatrix();
    this.#apply();
  }

  /** The drawing's pan and zoom changed (svg-pan-zoom's viewport matrix). */
  follow(m: ViewMatrix): void {
    this.#view = m;
    this.#apply();
  }

  #apply(): void {
    const v = this.#view;
    const m = new DOMMatrix([v.a, v.b, v.c, v.d, v.e, v.f]).multiply(this.#base);
    this.#g.setAttribute('transform', `matrix(${m.a} ${m.b} ${m.c} ${m.d} ${m.e} ${m.f})`);
  }

  /**
   * Outline exactly `els` (elements of the drawing on screen) as marks of
   * `kind`. The outlines of one cell of the drawing share one path: few
   * elements to add or change however many marks there are (a keystroke
   * sets a few dozen attributes, not thousands of elements), and Chromium
   * still rasterizes only the cells in view.
   */
  set(kind: MarkKind, els: readonly Element[]): void {
    const layer = this.#layers.get(kind)!;
    if (els.length === 0 && layer.cells.size === 0) return;
    this.#measure(els);
    const byCell = new Map<string, string[]>();
    for (const el of els) {
      const shape = this.#shapes.get(el);
      if (!shape) continue;
      const list = byCell.get(shape.cell);
      if (list) list.push(shape.d);
      else byCell.set(shape.cell, [shape.d]);
    }
    for (const [cell, path] of layer.cells) {
      if (byCell.has(cell)) continue;
      path.remove();
      layer.cells.delete(cell);
    }
    for (const [cell, ds] of byCell) {
      let path = layer.cells.get(cell);
      if (!path) {
        path = document.createElementNS(SVG_NS, 'path');
        layer.cells.set(cell, path);
        layer.g.append(path);
      }
      const d = ds.join('');
      if (path.getAttribute('d') !== d) path.setAttribute('d', d);
    }
  }

  /**
   * Compute the nodes' shapes while the page is idle, a slice at a time, so
   * that the first find keystroke, which may mark thousands, need not.
   */
  #prepare(svg: SVGSVGElement): void {
    const shapes = this.#shapes;
    const nodes = svg.getElementsByClassName('node');
    let i = 0;
    const slice = (deadline: IdleDeadline): void => {
      // a newer drawing took over
      if (shapes !== this.#shapes) return;
      while (i < nodes.length && deadline.timeRemaining() > 1) {
        const el = nodes[i++]!;
        if (!shapes.has(el)) shapes.set(el, shapeOf(el));
      }
      if (i < nodes.length) requestIdleCallback(slice);
    };
    requestIdleCallback(slice);
  }

  /** Compute the shapes of `els` not known yet, with at most one layout for all of them. */
  #measure(els: readonly Element[]): void {
    const todo = els.filter((el) => !this.#shapes.has(el));
    if (todo.length === 0) return;
    // a table row is text only, and a large graph zoomed out hides its labels:
    // show the labels of the rows for the measure (style.css)
    const rows = todo.filter(
      (el) => !el.classList.contains('node') && !el.classList.contains('edge'),
    );
    for (const el of rows) el.classList.add('measure');
    for (const el of todo) this.#shapes.set(el, shapeOf(el));
    for (const el of rows) el.classList.remove('measure');
  }
}

const NUMBER = /-?\d+(?:\.\d+)?/g;

/** The box of the numbers in a Graphviz path or points attribute (pairs of x, y). */
function boxOf(geometry: string): DOMRect | undefined {
  const n = geometry.match(NUMBER);
  if (!n || n.length < 4) return undefined;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i + 1 < n.length; i += 2) {
    const x = Number(n[i]);
    const y = Number(n[i + 1]);
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return new DOMRect(x0, y0, x1 - x0, y1 - y0);
}

const cellOf = (x: number, y: number): string => `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;

/**
 * An edge's own curve and arrowhead; a node's box read from its shape's
 * coordinates (no layout needed); a table row's box from the layout.
 */
function shapeOf(el: Element): Shape | null {
  if (el.classList.contains('edge')) {
    let d = '';
    for (const p of el.querySelectorAll('path')) d += p.getAttribute('d') ?? '';
    for (const p of el.querySelectorAll('polygon')) {
      const pts = (p.getAttribute('points') ?? '').trim();
      if (pts) d += `M${pts.replace(/\s+/g, ' L')}Z`;
    }
    const b = boxOf(d);
    return d && b ? { d, cell: cellOf(b.x, b.y) } : null;
  }
  let b: DOMRect | undefined;
  if (el.classList.contains('node')) {
    // Graphviz draws a node's shape first: a path (rounded box) or polygon
    const shape = el.querySelector(':scope > path, :scope > polygon');
    const geometry = shape?.getAttribute(shape.localName === 'path' ? 'd' : 'points');
    if (geometry) b = boxOf(geometry);
  }
  if (!b && el instanceof SVGGraphicsElement) b = el.getBBox();
  if (!b || (b.width === 0 && b.height === 0)) return null;
  const [x, y, w, h] = [b.x - PAD, b.y - PAD, b.width + 2 * PAD, b.height + 2 * PAD];
  return {
    d: `M${x.toFixed(1)} ${y.toFixed(1)}h${w.toFixed(1)}v${h.toFixed(1)}h${(-w).toFixed(1)}z`,
    cell: cellOf(b.x, b.y),
  };
}

/** Make the overlay and keep it on the drawing. */
export function installMarks(ctx: { page: PageState; view: GraphView; host: HTMLElement }): Marks {
  const marks = new Marks(ctx.host);
  ctx.view.onMatrix((m) => marks.follow(m));
  // before the selection's and find's own onDrawn listeners, which set marks on it
  ctx.page.onDrawn((svg) => {
    marks.attach(svg);
    marks.follow(ctx.view.matrix);
  });
  return marks;
}
