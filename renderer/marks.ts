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
 * a path, and only the cells whose marks reach into the view (and a
 * margin around it) are in the overlay at all: a keystroke that marks 4000
 * namespaces of a wide drawing puts a handful of paths on screen, where
 * all of them cost one frame of 120-220 ms to record and paint. A pan or
 * zoom brings in the cells that come into view.
 *
 * What is marked, all of it and not only what is drawn, is the list of
 * element ids in each kind's `<g data-ids>`, for whoever asks the page
 * (the tests). The drawing's own elements are left alone: a class on each
 * of 4000 matches cost 50 ms of the keystroke's frame, though no style
 * used it.
 *
 * The veil dims the rest of the drawing while relations are shown
 * (relations.ts): one path in the overlay, below the outlines, filling the
 * drawing's box in the background's colour, translucent, with the related
 * elements' own boxes cut out of it (even-odd: nodes never overlap), so
 * they show as drawn; edges are not cut out but painted above it (the
 * relations' edge marks). Like the outlines, only the holes of cells near
 * the view are in it. Dimming by a style on the drawing's elements (a
 * class on its root, opacity on every node and edge but the related)
 * would restyle and repaint all of it at every hover:
 * tests/bench/relations-bench.ts measures both, docs/BENCHMARKS.md.
 */
import { geometryBox, type Box } from './anchors';
import type { Drawing } from './drawing';
import type { GraphView, ViewMatrix } from './view';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The kinds of mark, in the order they are painted (later on top). */
export const MARK_KINDS = ['rel-edge', 'rel', 'hover', 'sel', 'match', 'match-current'] as const;
export type MarkKind = (typeof MARK_KINDS)[number];

/** Outline margin around a node's box, in drawing units. */
const PAD = 3;

/** An element's outline: path data, its box, and the cell of the drawing it lies in. */
interface Shape {
  d: string;
  box: Box;
  cell: string;
  /** Its own box as path data (no margin), cut out of the veil; none for an edge. */
  hole?: string;
}

/** What one cell of one kind would draw: its outlines' path data and the box of all of them. */
interface Cell {
  /** Joined only when the cell comes into view (most never do). */
  ds: string[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Around the view, this much more of it (a fraction of its size) is kept marked, for small pans. */
const MARGIN = 0.5;

/** The side of a cell (drawing units): marks are grouped by where they are. */
const CELL = 500;

/** Add path `d` with its `box` to `cell` of `want`, growing the cell's box. */
function addToCell(want: Map<string, Cell>, cell: string, d: string, box: Box): void {
  const { x, y, width, height } = box;
  const c = want.get(cell);
  if (!c) {
    want.set(cell, { ds: [d], x0: x, y0: y, x1: x + width, y1: y + height });
    return;
  }
  c.ds.push(d);
  c.x0 = Math.min(c.x0, x);
  c.y0 = Math.min(c.y0, y);
  c.x1 = Math.max(c.x1, x + width);
  c.y1 = Math.max(c.y1, y + height);
}

/** The overlay and its marks. */
export class Marks {
  readonly #svg: SVGSVGElement;
  readonly #g: SVGGElement;
  /** Per kind: its group, and one path per cell of the drawing that has marks of it. */
  readonly #layers = new Map<
    MarkKind,
    { g: SVGGElement; want: Map<string, Cell>; cells: Map<string, SVGPathElement> }
  >();
  /** The drawing's own transform (Graphviz's `g.graph`), under the pan and zoom. */
  #base = new DOMMatrix();
  #view: ViewMatrix = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
  /** The part of the drawing that is marked: what is seen and a margin (drawing units). */
  #seen = { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity };
  /** Outline per element of the current drawing, computed once. */
  #shapes = new WeakMap<Element, Shape | null>();
  /** The veil: its group and path, the drawing's box (path data), its holes per cell; off when undefined. */
  readonly #veil: { g: SVGGElement; path: SVGPathElement; want: Map<string, Cell> | undefined };
  #bounds = '';
  /** The veil's path data now. */
  #veilD = '';
  /** Who hears of each kind's new marks (the minimap). */
  readonly #listeners: ((kind: MarkKind, els: readonly Element[]) => void)[] = [];

  /** Lay the overlay over `host` (it goes right after it, so it paints above). */
  constructor(host: HTMLElement) {
    this.#svg = document.createElementNS(SVG_NS, 'svg');
    this.#svg.id = 'marks';
    this.#svg.setAttribute('aria-hidden', 'true');
    this.#g = document.createElementNS(SVG_NS, 'g');
    // the veil first: every outline paints above it
    const veil = document.createElementNS(SVG_NS, 'g');
    veil.classList.add('mark-veil');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('fill-rule', 'evenodd');
    this.#veil = { g: veil, path, want: undefined };
    this.#g.append(veil);
    for (const kind of MARK_KINDS) {
      const g = document.createElementNS(SVG_NS, 'g');
      g.classList.add(`mark-${kind}`);
      this.#layers.set(kind, { g, want: new Map(), cells: new Map() });
      this.#g.append(g);
    }
    this.#svg.append(this.#g);
    host.after(this.#svg);
  }

  /** Hear of every kind's new marks, as set (the minimap shows the selection and find's matches). */
  onSet(l: (kind: MarkKind, els: readonly Element[]) => void): void {
    this.#listeners.push(l);
  }

  /** The overlay's element (tests read what it says of the relations shown, relations.ts). */
  get element(): SVGSVGElement {
    return this.#svg;
  }

  /** A new drawing is on screen: forget the old one's shapes, take its transform. */
  attach(svg: SVGSVGElement): void {
    this.#shapes = new WeakMap();
    this.#prepare(svg);
    for (const kind of MARK_KINDS) this.set(kind, []);
    this.veil(undefined);
    const graph = svg.querySelector('g.graph');
    const m =
      graph instanceof SVGGraphicsElement ? graph.transform.baseVal.consolidate()?.matrix : null;
    this.#base = m ? DOMMatrix.fromMatrix(m) : new DOMMatrix();
    this.#bounds = boundsOf(graph);
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
    // what is seen, in the drawing's coordinates, with a margin
    const inv = m.inverse();
    const w = this.#svg.clientWidth || window.innerWidth;
    const h = this.#svg.clientHeight || window.innerHeight;
    const a = new DOMPoint(-MARGIN * w, -MARGIN * h).matrixTransform(inv);
    const b = new DOMPoint((1 + MARGIN) * w, (1 + MARGIN) * h).matrixTransform(inv);
    this.#seen = {
      x0: Math.min(a.x, b.x),
      y0: Math.min(a.y, b.y),
      x1: Math.max(a.x, b.x),
      y1: Math.max(a.y, b.y),
    };
    for (const kind of MARK_KINDS) this.#sync(kind);
    this.#syncVeil();
  }

  /** Put exactly the cells of `kind` that reach into the seen part in the overlay. */
  #sync(kind: MarkKind): void {
    const layer = this.#layers.get(kind)!;
    const s = this.#seen;
    const seen = (c: Cell) => c.x1 >= s.x0 && c.x0 <= s.x1 && c.y1 >= s.y0 && c.y0 <= s.y1;
    for (const [key, path] of layer.cells) {
      const c = layer.want.get(key);
      if (c && seen(c)) continue;
      path.remove();
      layer.cells.delete(key);
    }
    for (const [key, c] of layer.want) {
      if (!seen(c)) continue;
      let path = layer.cells.get(key);
      if (!path) {
        path = document.createElementNS(SVG_NS, 'path');
        layer.cells.set(key, path);
        layer.g.append(path);
      }
      const d = c.ds.join('');
      if (path.getAttribute('d') !== d) path.setAttribute('d', d);
    }
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
    if (els.length === 0 && layer.want.size === 0 && !layer.g.dataset.ids) return;
    this.#measure(els);
    const want = new Map<string, Cell>();
    for (const el of els) {
      const shape = this.#shapes.get(el);
      if (!shape) continue;
      addToCell(want, shape.cell, shape.d, shape.box);
    }
    layer.want = want;
    layer.g.dataset.ids = els.map((el) => el.id).join(' ');
    this.#sync(kind);
    for (const l of this.#listeners) l(kind, els);
  }

  /**
   * Dim everything but `els` (elements of the drawing on screen), or lift
   * the veil (undefined). One path however many are cut out: the drawing's
   * box, and each element's own box in the cells near the view.
   */
  veil(els: readonly Element[] | undefined): void {
    const v = this.#veil;
    if (!els) {
      if (v.want === undefined) return;
      v.want = undefined;
      delete v.g.dataset.ids;
      this.#syncVeil();
      return;
    }
    this.#measure(els);
    const want = new Map<string, Cell>();
    for (const el of els) {
      const shape = this.#shapes.get(el);
      if (!shape?.hole) continue;
      // one hole a box, however many of its elements are related
      if (want.get(shape.cell)?.ds.includes(shape.hole)) continue;
      addToCell(want, shape.cell, shape.hole, shape.box);
    }
    v.want = want;
    v.g.dataset.ids = els.map((el) => el.id).join(' ');
    this.#syncVeil();
  }

  /** The veil's path: the drawing's box with the holes of the cells that reach into the seen part. */
  #syncVeil(): void {
    const v = this.#veil;
    if (!v.want || !this.#bounds) {
      if (v.path.isConnected) v.path.remove();
      this.#veilD = '';
      return;
    }
    const s = this.#seen;
    let d = this.#bounds;
    for (const c of v.want.values()) {
      if (c.x1 >= s.x0 && c.x0 <= s.x1 && c.y1 >= s.y0 && c.y0 <= s.y1) d += c.ds.join('');
    }
    if (d !== this.#veilD) {
      v.path.setAttribute('d', d);
      this.#veilD = d;
    }
    if (!v.path.isConnected) v.g.append(v.path);
  }

  /**
   * Compute the nodes' shapes, then the edges', while the page is idle, a
   * slice at a time, so that the first find keystroke, which may mark
   * thousands, need not, nor the selection of a namespace with hundreds of
   * children (their edges marked, relations.ts).
   */
  #prepare(svg: SVGSVGElement): void {
    const shapes = this.#shapes;
    const lists = [svg.getElementsByClassName('node'), svg.getElementsByClassName('edge')];
    let [l, i] = [0, 0];
    const slice = (deadline: IdleDeadline): void => {
      // a newer drawing took over
      if (shapes !== this.#shapes) return;
      while (l < lists.length && deadline.timeRemaining() > 1) {
        const list = lists[l]!;
        if (i >= list.length) {
          [l, i] = [l + 1, 0];
          continue;
        }
        const el = list[i++]!;
        if (!shapes.has(el)) shapes.set(el, shapeOf(el));
      }
      if (l < lists.length) requestIdleCallback(slice);
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
    const b = geometryBox(d);
    return d && b ? { d, box: b, cell: cellOf(b.x, b.y) } : null;
  }
  let b: Box | undefined;
  if (el.classList.contains('node')) {
    // Graphviz draws a node's shape first: a path (rounded box) or polygon
    const shape = el.querySelector(':scope > path, :scope > polygon');
    const geometry = shape?.getAttribute(shape.localName === 'path' ? 'd' : 'points');
    if (geometry) b = geometryBox(geometry);
  }
  if (!b && el instanceof SVGGraphicsElement) b = el.getBBox();
  if (!b || (b.width === 0 && b.height === 0)) return null;
  const [x, y, w, h] = [b.x - PAD, b.y - PAD, b.width + 2 * PAD, b.height + 2 * PAD];
  return {
    d: rect(x, y, w, h),
    box: { x, y, width: w, height: h },
    cell: cellOf(b.x, b.y),
    hole: rect(b.x, b.y, b.width, b.height),
  };
}

/** A rectangle as path data. */
const rect = (x: number, y: number, w: number, h: number): string =>
  `M${x.toFixed(1)} ${y.toFixed(1)}h${w.toFixed(1)}v${h.toFixed(1)}h${(-w).toFixed(1)}z`;

/**
 * The drawing's box in its own coordinates, as path data with a margin:
 * Graphviz's background polygon, the first shape of its `g.graph` (the
 * viewBox is gone: svg-pan-zoom takes it). What lies beyond is the page's
 * background, which the veil's colour would not change.
 */
function boundsOf(graph: Element | null): string {
  const bg = graph?.querySelector(':scope > polygon');
  const b = geometryBox(bg?.getAttribute('points') ?? '');
  if (!b || b.width === 0 || b.height === 0) return '';
  const m = 4 * PAD;
  return rect(b.x - m, b.y - m, b.width + 2 * m, b.height + 2 * m);
}

/** Make the overlay over `host` and keep it on the drawing: it takes each new SVG first (step `overlay`). */
export function installMarks(drawing: Drawing, view: GraphView, host: HTMLElement): Marks {
  const marks = new Marks(host);
  view.onMatrix((m) => marks.follow(m));
  drawing.drawn.on('overlay', ({ svg }) => {
    marks.attach(svg);
    marks.follow(view.matrix);
  });
  return marks;
}
