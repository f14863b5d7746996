/**
 * The minimap: a small overview of the whole graph in a corner of the
 * drawing, with a rectangle where the view is. A click on it centres the
 * view there; dragging the rectangle (or anywhere on the map) moves the
 * view with it. `m` turns it off and on; it is hidden while the whole
 * graph fits in what is seen (nothing to find your way in then).
 *
 * Cheap at thousands of namespaces: the map is a small <canvas> drawn once
 * per drawing, from the node and cluster boxes read out of Graphviz's own
 * geometry (anchors.ts geometryBox: attributes, never the browser's
 * layout), in slices while the page is idle; a pan or zoom moves only the
 * rectangle (a transform on one small element, from the matrix
 * svg-pan-zoom reports, and the drawing's size as its ResizeObserver last
 * said it: nothing read that would make Chromium lay the drawing out).
 * A copy of the SVG would cost as much to paint as the drawing itself.
 * tests/bench/viewer-ui-bench.ts measures frame gaps while panning and
 * zooming at 5000 namespaces, with the map and without; `#minimap`'s
 * data-drawn (the nodes drawn, once the map is), data-draw-ms and
 * data-slice-ms (its script time in all, and the longest idle slice) are
 * for it and the tests.
 *
 * The selection and find's matches (and the match stepped to) are marked
 * on it, from the same geometry, as the overlay (marks.ts) sets them: the
 * map's drawing is kept in a canvas of its own, and the one shown is that
 * copied with the marks over it, painted again when they change (at idle,
 * so a find keystroke does not wait for it). `data-marks` says how many
 * of each are on it. Shift+arrows move the view a step (view.ts), its
 * rectangle with it.
 */
import { geometryBox, toViewport as viewportOf, type Box } from './anchors';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import type { Marks, MarkKind } from './marks';
import type { GraphView } from './view';

/** The largest the map gets (CSS px), and at most this part of the drawing's width or height. */
const MAX_WIDTH = 240;
const MAX_HEIGHT = 160;
const MAX_PART = 0.3;
/** A very wide or tall graph's map is at least this thick (CSS px): the drawing is stretched to it. */
const MIN_SIDE = 36;
/** A box drawn at least this large (device px), so that a node never vanishes. */
const MIN_DOT = 1;

/** The marks the map shows, in the order painted (later on top). */
const MAP_MARKS = ['match', 'match-current', 'sel'] as const satisfies readonly MarkKind[];
type MapMark = (typeof MAP_MARKS)[number];
/** Each mark's colour (style.css, the overlay's) and least size (device px, a square). */
const MARK_STYLE: Record<MapMark, { colour: string; least: number }> = {
  match: { colour: '--match', least: 3 },
  'match-current': { colour: '--match-current', least: 5 },
  sel: { colour: '--highlight', least: 5 },
};

/** One box of the drawing to paint: where (viewport coordinates) and in what colours (attributes). */
interface Shape {
  box: Box;
  fill: string | null;
  stroke: string | null;
}

/** The minimap over `host` (the drawing's element). */
export class Minimap {
  readonly #root: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  /** The map's drawing without the marks (not in the page). */
  readonly #base: HTMLCanvasElement;
  readonly #rect: HTMLElement;
  readonly #view: GraphView;
  readonly #say: (text: string) => void;
  #on = true;
  /** The drawing the map shows, and its whole box (viewport coordinates). */
  #svg: SVGSVGElement | undefined;
  #box: Box | undefined;
  /** CSS px of the map per viewport unit, along x and y. */
  #sx = 1;
  #sy = 1;
  /** The drawing's visible size (px), as the ResizeObserver says. */
  #size = { width: 0, height: 0 };
  /** The drawing's matrix from Graphviz's coordinates to the viewport's, and the marks' colours. */
  #toViewport = new DOMMatrix();
  #markColour: Partial<Record<MapMark, string>> = {};
  /** The marked elements of each kind, as the overlay has them. */
  readonly #marked = new Map<MapMark, readonly Element[]>();
  /** Boxes of marked elements (viewport coordinates), once each per drawing. */
  #boxes = new WeakMap<Element, Box | null>();
  #composing = false;
  /** While the pointer drags: where on the rectangle it holds it (CSS px from its centre). */
  #grab: { dx: number; dy: number } | undefined;
  readonly commands: Commands<'toggleMinimap'> = { toggleMinimap: () => this.toggle() };

  constructor(
    root: HTMLElement,
    host: HTMLElement,
    parts: { drawing: Drawing; view: GraphView; marks: Marks; say(text: string): void },
  ) {
    this.#root = root;
    this.#view = parts.view;
    this.#say = parts.say;
    this.#canvas = document.createElement('canvas');
    this.#canvas.setAttribute('aria-hidden', 'true');
    this.#base = document.createElement('canvas');
    this.#rect = document.createElement('div');
    this.#rect.className = 'minimap-view';
    root.replaceChildren(this.#canvas, this.#rect);
    root.hidden = true;
    this.#size = { width: host.clientWidth, height: host.clientHeight };
    parts.drawing.drawn.on('panels', ({ svg }) => {
      if (svg !== this.#svg) this.#draw(svg);
    });
    parts.view.onMatrix(() => this.#place());
    parts.marks.onSet((kind, els) => {
      if (!(MAP_MARKS as readonly string[]).includes(kind)) return;
      this.#marked.set(kind as MapMark, els);
      this.#composeSoon();
    });
    new ResizeObserver((entries) => {
      const r = entries[entries.length - 1]!.contentRect;
      this.#size = { width: r.width, height: r.height };
      // the map's size follows the drawing's (drawn again only when its size changes)
      if (this.#svg) this.#draw(this.#svg, true);
    }).observe(host);
    // the theme's colours: the map is drawn in the drawing's, as the page shows them
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      if (this.#svg) this.#draw(this.#svg);
    });
    root.addEventListener('pointerdown', (e) => this.#down(e));
    root.addEventListener('pointermove', (e) => this.#moved(e));
    root.addEventListener('pointerup', (e) => this.#up(e));
    root.addEventListener('pointercancel', (e) => this.#up(e));
    // the drawing's wheel zoom is svg-pan-zoom's, on the drawing; over the map, nothing
    root.addEventListener('wheel', (e) => e.preventDefault(), { passive: false });
  }

  /** Whether the map is turned on (it shows only when the graph is larger than the window). */
  get on(): boolean {
    return this.#on;
  }

  /** Turn the map off, or on again. */
  toggle(): void {
    this.#on = !this.#on;
    this.#place();
    const fits = this.#on && this.#root.hidden && this.#box !== undefined;
    this.#say(
      this.#on
        ? `minimap on${fits ? ' (hidden while the whole graph fits in the window)' : ''}`
        : 'minimap off (m: on)',
    );
  }

  /**
   * Draw the map of `svg` (a new drawing): its size now, its boxes while the
   * page is idle. `resized`: the drawing's area changed size, the map only
   * when its own size does.
   */
  #draw(svg: SVGSVGElement, resized = false): void {
    const again = resized && svg === this.#svg;
    if (svg !== this.#svg) this.#boxes = new WeakMap();
    this.#svg = svg;
    const box = this.#view.contentBox;
    this.#box = box;
    const canvas = this.#canvas;
    if (!box) {
      this.#place();
      return;
    }
    const maxW = Math.max(MIN_SIDE, Math.min(MAX_WIDTH, this.#size.width * MAX_PART));
    const maxH = Math.max(MIN_SIDE, Math.min(MAX_HEIGHT, this.#size.height * MAX_PART));
    const s = Math.min(maxW / box.width, maxH / box.height);
    const w = Math.min(maxW, Math.max(MIN_SIDE, box.width * s));
    const h = Math.min(maxH, Math.max(MIN_SIDE, box.height * s));
    const dpr = window.devicePixelRatio || 1;
    if (again && canvas.width === Math.round(w * dpr) && canvas.height === Math.round(h * dpr)) {
      this.#place();
      return;
    }
    this.#sx = w / box.width;
    this.#sy = h / box.height;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    this.#base.width = canvas.width;
    this.#base.height = canvas.height;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    this.#root.style.width = `${w}px`;
    this.#root.style.height = `${h}px`;
    this.#place();
    const ctx = this.#base.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const colour = themeColours(svg);
    const style = getComputedStyle(this.#root);
    const outline = style.borderTopColor || 'gray';
    for (const kind of MAP_MARKS) {
      this.#markColour[kind] = style.getPropertyValue(MARK_STYLE[kind].colour).trim() || outline;
    }
    const toViewport = viewportOf(svg);
    this.#toViewport = toViewport;
    // the legend and index (the graph's label: shapes of its own, the background's polygon
    // aside) and clusters (the wiring's namespaces, the hierarchy's groups) below the nodes
    const label = [...svg.querySelectorAll('g.graph > path, g.graph > polygon')].slice(1);
    const groups: ArrayLike<Element>[] = [
      label,
      svg.getElementsByClassName('cluster'),
      svg.getElementsByClassName('node'),
    ];
    // device pixels per viewport unit
    const kx = dpr * this.#sx;
    const ky = dpr * this.#sy;
    let g = 0;
    let i = 0;
    // what drawing it costs, for the bench: script time in all, and the longest slice
    let spent = 0;
    let longest = 0;
    const slice = (deadline?: IdleDeadline): void => {
      // a newer drawing took over
      if (this.#svg !== svg) return;
      const t0 = performance.now();
      // never more than a few ms at a time, whatever the idle time left says
      const until = t0 + Math.min(8, deadline?.timeRemaining() ?? 8);
      const done = () => {
        // what is drawn so far, with the marks over it
        this.#compose();
        const t = performance.now() - t0;
        spent += t;
        longest = Math.max(longest, t);
      };
      while (g < groups.length) {
        const list = groups[g]!;
        while (i < list.length) {
          if (performance.now() > until) {
            done();
            requestIdleCallback(slice);
            return;
          }
          const el = list[i++]!;
          const shape = shapeOf(el, toViewport);
          if (!shape) continue;
          // the box #compose marks it at: read here once, for every node (at 5000
          // namespaces reading 4660 matches' boxes at the first keystroke of a
          // find was an 88 ms frame gap)
          this.#boxes.set(el, shape.box);
          // in device pixels, whole ones (crisp): every pixel the box touches, at least MIN_DOT
          const x = Math.floor((shape.box.x - box.x) * kx);
          const y = Math.floor((shape.box.y - box.y) * ky);
          const w = Math.max(MIN_DOT, Math.ceil((shape.box.x + shape.box.width - box.x) * kx) - x);
          const h = Math.max(MIN_DOT, Math.ceil((shape.box.y + shape.box.height - box.y) * ky) - y);
          const fill = colour(shape.fill, 'fill');
          const stroke = colour(shape.stroke, 'stroke');
          // large enough: filled and outlined as drawn (a table without a border in the muted
          // grey); else one dot in its border's colour, the type's, which shows at that size
          const cluster = g < 2;
          if (w > 3 && h > 3) {
            if (fill) {
              ctx.fillStyle = fill;
              ctx.fillRect(x, y, w, h);
            }
            ctx.strokeStyle = stroke ?? outline;
            ctx.lineWidth = 1;
            ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
          } else {
            ctx.fillStyle = (cluster ? fill : stroke) ?? fill ?? stroke ?? outline;
            ctx.fillRect(x, y, w, h);
          }
        }
        g++;
        i = 0;
      }
      done();
      this.#root.dataset.drawMs = spent.toFixed(1);
      this.#root.dataset.sliceMs = longest.toFixed(1);
      this.#root.dataset.drawn = String(svg.getElementsByClassName('node').length);
    };
    delete this.#root.dataset.drawn;
    requestIdleCallback(slice);
  }

  /** Paint the map again with the marks as they are now, once the page is idle (or soon). */
  #composeSoon(): void {
    if (this.#composing) return;
    this.#composing = true;
    requestIdleCallback(
      () => {
        this.#composing = false;
        this.#compose();
      },
      { timeout: 150 },
    );
  }

  /** The map shown: its drawing, and over it each marked element of the drawing shown as a dot in its mark's colour. */
  #compose(): void {
    const canvas = this.#canvas;
    const box = this.#box;
    const svg = this.#svg;
    const ctx = canvas.getContext('2d');
    if (!ctx || !box || !svg || canvas.width === 0) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(this.#base, 0, 0);
    const dpr = window.devicePixelRatio || 1;
    const kx = dpr * this.#sx;
    const ky = dpr * this.#sy;
    const painted: string[] = [];
    for (const kind of MAP_MARKS) {
      const { least } = MARK_STYLE[kind];
      const ring = kind !== 'match';
      ctx.fillStyle = ctx.strokeStyle = this.#markColour[kind] ?? 'red';
      ctx.lineWidth = Math.max(1, Math.round(dpr));
      let n = 0;
      for (const el of this.#marked.get(kind) ?? []) {
        // an element of a drawing gone, or not yet the map's
        if (!(el instanceof SVGElement) || el.ownerSVGElement !== svg) continue;
        const b = this.#boxOf(el);
        if (!b) continue;
        // every device pixel the box touches, grown about its centre to the least size
        let x0 = Math.floor((b.x - box.x) * kx);
        let y0 = Math.floor((b.y - box.y) * ky);
        let x1 = Math.ceil((b.x + b.width - box.x) * kx);
        let y1 = Math.ceil((b.y + b.height - box.y) * ky);
        const gx = Math.max(0, least - (x1 - x0));
        const gy = Math.max(0, least - (y1 - y0));
        x0 -= Math.floor(gx / 2);
        x1 += Math.ceil(gx / 2);
        y0 -= Math.floor(gy / 2);
        y1 += Math.ceil(gy / 2);
        ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
        // the selection and the current match ringed, a pixel clear: seen among the matches
        if (ring) {
          const r = 2 * ctx.lineWidth;
          ctx.strokeRect(x0 - r + 0.5, y0 - r + 0.5, x1 - x0 + 2 * r - 1, y1 - y0 + 2 * r - 1);
        }
        n++;
      }
      painted.push(`${kind} ${n}`);
    }
    this.#root.dataset.marks = painted.join(', ');
  }

  /** A marked element's box: a node's or cluster's shape, a table row's node's. */
  #boxOf(el: Element): Box | undefined {
    let b = this.#boxes.get(el);
    if (b === undefined) {
      const node = el.closest('.node, .cluster');
      b =
        shapeOf(el, this.#toViewport)?.box ??
        (node ? shapeOf(node, this.#toViewport)?.box : undefined) ??
        null;
      this.#boxes.set(el, b);
    }
    return b ?? undefined;
  }

  /**
   * Show or hide the map and put the rectangle where the view is (called
   * once a frame at most while the view moves: svg-pan-zoom reports its
   * matrix at the frame it puts it on the drawing).
   */
  #place(): void {
    const box = this.#box;
    // as svg-pan-zoom holds it (no DOM read)
    const m = this.#view.matrix;
    const { width, height } = this.#size;
    if (!box || !this.#svg || width === 0 || height === 0) {
      this.#root.hidden = true;
      return;
    }
    const z = m.a;
    // what is seen, in the viewport's coordinates
    const x0 = -m.e / z;
    const y0 = -m.f / z;
    const x1 = x0 + width / z;
    const y1 = y0 + height / z;
    // the whole graph in view (a pixel's slack): no map
    const slack = 1 / z;
    const fits =
      box.x >= x0 - slack &&
      box.y >= y0 - slack &&
      box.x + box.width <= x1 + slack &&
      box.y + box.height <= y1 + slack;
    const hidden = !this.#on || fits;
    if (this.#root.hidden !== hidden) this.#root.hidden = hidden;
    if (hidden) return;
    // the rectangle: what is seen, within the graph
    const l = Math.max(x0, box.x);
    const t = Math.max(y0, box.y);
    const r = Math.min(x1, box.x + box.width);
    const b = Math.min(y1, box.y + box.height);
    const w = Math.max(0, r - l) * this.#sx;
    const h = Math.max(0, b - t) * this.#sy;
    const style = this.#rect.style;
    style.transform = `translate(${(l - box.x) * this.#sx}px, ${(t - box.y) * this.#sy}px)`;
    style.width = `${w}px`;
    style.height = `${h}px`;
  }

  /** The centre of what is seen, in the viewport's coordinates. */
  #viewCentre(): { x: number; y: number } | undefined {
    const m = this.#view.matrix;
    const { width, height } = this.#size;
    return m.a > 0 ? { x: (width / 2 - m.e) / m.a, y: (height / 2 - m.f) / m.a } : undefined;
  }

  /** The viewport point under a pointer event on the map. */
  #pointAt(e: PointerEvent): { x: number; y: number } | undefined {
    const box = this.#box;
    if (!box) return undefined;
    const r = this.#canvas.getBoundingClientRect();
    return {
      x: box.x + (e.clientX - r.left) / this.#sx,
      y: box.y + (e.clientY - r.top) / this.#sy,
    };
  }

  #down(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    this.#root.setPointerCapture(e.pointerId);
    // on the rectangle: it moves with the pointer from where it was held (kept as
    // the offset from the view's centre, which a rectangle cut at the graph's edge
    // does not show); elsewhere the view jumps there
    const rect = this.#rect.getBoundingClientRect();
    const inside =
      e.clientX >= rect.left &&
      e.clientX <= rect.right &&
      e.clientY >= rect.top &&
      e.clientY <= rect.bottom;
    const p = this.#pointAt(e);
    const c = this.#viewCentre();
    this.#grab =
      inside && p && c
        ? { dx: (p.x - c.x) * this.#sx, dy: (p.y - c.y) * this.#sy }
        : { dx: 0, dy: 0 };
    this.#root.classList.add('dragging');
    this.#moveTo(e);
  }

  #moved(e: PointerEvent): void {
    if (this.#grab) this.#moveTo(e, true);
  }

  #up(e: PointerEvent): void {
    if (!this.#grab) return;
    this.#grab = undefined;
    this.#root.classList.remove('dragging');
    if (this.#root.hasPointerCapture(e.pointerId)) this.#root.releasePointerCapture(e.pointerId);
  }

  /** Centre the view where the pointer holds the rectangle's centre (`moving`: a drag's step). */
  #moveTo(e: PointerEvent, moving = false): void {
    const grab = this.#grab;
    const box = this.#box;
    const p = this.#pointAt(e);
    if (!grab || !box || !p) return;
    this.#view.centreAt({ x: p.x - grab.dx / this.#sx, y: p.y - grab.dy / this.#sy }, moving);
  }
}

/** A node's or cluster's box and colours, from its first shape's attributes (or a shape's own). */
function shapeOf(el: Element, m: DOMMatrix): Shape | undefined {
  const own = ['path', 'polygon', 'ellipse'].includes(el.localName);
  const shape = own ? el : el.querySelector(':scope > path, :scope > polygon, :scope > ellipse');
  if (!shape) return undefined;
  let b: Box | undefined;
  if (shape.localName === 'ellipse') {
    const [cx, cy, rx, ry] = ['cx', 'cy', 'rx', 'ry'].map((a) => Number(shape.getAttribute(a)));
    b = { x: cx! - rx!, y: cy! - ry!, width: 2 * rx!, height: 2 * ry! };
  } else {
    const g = shape.getAttribute(shape.localName === 'path' ? 'd' : 'points');
    b = g ? geometryBox(g) : undefined;
  }
  if (!b || !Number.isFinite(b.x + b.y + b.width + b.height)) return undefined;
  const a = new DOMPoint(b.x, b.y).matrixTransform(m);
  const c = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(m);
  return {
    box: {
      x: Math.min(a.x, c.x),
      y: Math.min(a.y, c.y),
      width: Math.abs(c.x - a.x),
      height: Math.abs(c.y - a.y),
    },
    fill: shape.getAttribute('fill'),
    stroke: shape.getAttribute('stroke'),
  };
}

/**
 * The colour the page paints an attribute's colour in (the dark theme maps
 * Graphviz's colours, style.css), asked once per colour and drawing: a few
 * dozen computed styles, not one per node.
 */
function themeColours(
  svg: SVGSVGElement,
): (value: string | null, property: 'fill' | 'stroke') => string | undefined {
  const known = new Map<string, string | undefined>();
  return (value, property) => {
    if (value === null || value === 'none' || value === 'transparent') return undefined;
    const key = `${property}:${value}`;
    if (known.has(key)) return known.get(key);
    const el = svg.querySelector(`[${property}="${CSS.escape(value)}"]`);
    const shown = el ? getComputedStyle(el)[property] : value;
    const colour = shown && shown !== 'none' ? shown : undefined;
    known.set(key, colour);
    return colour;
  };
}
