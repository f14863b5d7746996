/**
 * The graph on screen: one laid-out SVG under svg-pan-zoom. The wheel
 * zooms around the pointer (svg-pan-zoom's handler), a drag pans (ours,
 * below); the key actions call zoomIn/zoomOut/actualSize and step
 * (Shift+arrows), fit.ts fitBox (the whole graph, the selection) and the
 * minimap centreAt. Zoom is bounded in real
 * terms (SVG units per pixel), whatever the graph's size: from half the
 * whole-graph view down to 10x.
 *
 * Zoom is svg-pan-zoom's; the pan is split in two. svg-pan-zoom's pan
 * moves the drawing inside the SVG (a transform attribute, so a change
 * paints all of the drawing again: 60-100 ms at 5000 namespaces with
 * labels); `#float` moves the SVG element itself as a picture, a CSS
 * translation of a compositing layer of its own (style.css), which paints
 * nothing. The SVG's overflow is visible (the host clips), so the layer
 * holds what lies around the window too, as far as Chromium paints ahead
 * (4000 px). Pans alone (a drag, the arrow keys, the minimap, centring at
 * the same zoom) change only the float, and never need to be put into
 * svg-pan-zoom's: its wheel zoom reads the element's screen matrix, which
 * includes the translation, and ours add the float where they need
 * screen positions (#pan, #panTo). Where the view is on screen is
 * `matrix`: svg-pan-zoom's pan plus the float.
 */
import svgPanZoom from 'svg-pan-zoom';
import { anchorOf, geometryBox, nodeAnchors, toViewport, type Box, type Point } from './anchors';
import type { Commands } from './keys';
import { seenBox, showLabelsIn } from './labels';
import { parseSvg } from './sanitize';

const MAX_REAL_ZOOM = 10;
/** One zoom step: svg-pan-zoom's zoomScaleSensitivity, for the keys as for the wheel. */
const ZOOM_STEP = 0.25;
/** One step of the view moved by keys: this part of what is seen. */
const PAN_STEP = 1 / 3;
/** A graph too large to read when fitted in starts here, at its top, centred. */
const MIN_START_ZOOM = 0.35;
/**
 * Graphs with more labels than this hide them while zoomed out below
 * READABLE_ZOOM, where 10-point text is a few pixels high anyway, and always
 * draw dashed arrows solid and faint (style.css). Chromium lays SVG text out again at
 * every zoom step (font size times zoom), and dashes long curves anew for
 * every frame: on thousands of them each costs seconds per step.
 */
const MANY_LABELS = 1500;
const READABLE_ZOOM = 0.5;
/** How long after the last zoom step a large graph's labels come back. */
const SETTLE_MS = 300;
/**
 * Zooms closer than this (relative) are one zoom: the `1` key leaves
 * 0.999999998 or 1.00000003, not 1 (svg-pan-zoom's zoom is relative to the
 * fit), and zooming a large graph to where it already is repaints all of it.
 */
const SAME_ZOOM = 1e-3;

/** Whether real zooms `a` and `b` are the same to the eye (see SAME_ZOOM). */
export function sameZoom(a: number, b: number): boolean {
  return Math.abs(a - b) <= SAME_ZOOM * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Where a node of the drawing is on screen: its SVG id and its centre in
 * pixels from the drawing's top left corner.
 */
export interface Place {
  id: string;
  x: number;
  y: number;
}

/** Nodes nearest the view's centre remembered as fallbacks for keeping the view's place. */
const NEAREST = 24;

/** svg-pan-zoom's viewport matrix: screen px = matrix × drawing coordinates. */
export interface ViewMatrix {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** What a redraw keeps: the real zoom and the pan. */
interface ViewState {
  realZoom: number;
  pan: { x: number; y: number };
}

/** Shows one SVG at a time in `host`, pannable and zoomable. */
export class GraphView {
  #host: HTMLElement;
  #pz: SvgPanZoom.Instance | undefined;
  #fitZoom = 1;
  #svgText: string | undefined;
  #manyLabels = false;
  /** Where the host starts in the window (px): a panel on the left moves it. */
  #left = 0;
  #settle: number | undefined;
  /** When a minimap drag's jumps have rested: the SVG a layer again. */
  #jumpRest: number | undefined;
  #onZoom: (realZoom: number, labelsHidden: boolean) => void;
  #onMatrix: ((m: ViewMatrix) => void)[] = [];
  /** The drag under way: its pointer, where it started, and the float then (px). */
  #drag: { pointer: number; x: number; y: number; from: Point } | undefined;
  /** The SVG element's translation (px): the part of the pan svg-pan-zoom does not hold (see the top). */
  #float: Point = { x: 0, y: 0 };
  /** The frame that puts the float on the SVG element and tells the overlays, when one is asked for. */
  #floatFrame = 0;
  /** Its keys' handlers. */
  readonly commands: Commands<
    'zoomIn' | 'zoomOut' | 'resetZoom' | 'panLeft' | 'panRight' | 'panUp' | 'panDown'
  > = {
    zoomIn: () => this.zoomIn(),
    zoomOut: () => this.zoomOut(),
    resetZoom: () => this.actualSize(),
    panLeft: () => this.step(-1, 0),
    panRight: () => this.step(1, 0),
    panUp: () => this.step(0, -1),
    panDown: () => this.step(0, 1),
  };

  /** `onZoom` hears of every zoom change, and whether labels are hidden at that zoom. */
  constructor(
    host: HTMLElement,
    onZoom: (realZoom: number, labelsHidden: boolean) => void = () => {},
  ) {
    this.#host = host;
    this.#onZoom = onZoom;
    window.addEventListener('resize', () => this.resized());
    host.addEventListener('pointerdown', (e) => this.#dragStart(e));
    window.addEventListener('pointermove', (e) => this.#dragMove(e));
    window.addEventListener('pointerup', (e) => this.#dragEnd(e));
    window.addEventListener('pointercancel', (e) => this.#dragEnd(e));
    // the drawing's box also changes without the window (the filter bar wrapping)
    new ResizeObserver(() => this.resized()).observe(host);
  }

  /** The SVG element shown now. */
  get svg(): SVGSVGElement | undefined {
    return this.#host.querySelector('svg') ?? undefined;
  }

  /** The SVG text shown now, as the layout produced it (for saving). */
  get svgText(): string | undefined {
    return this.#svgText;
  }

  /** Whether the graph is large enough to be drawn simplified (see MANY_LABELS). */
  get large(): boolean {
    return this.#manyLabels;
  }

  /** Real zoom: screen pixels per SVG unit. */
  get realZoom(): number {
    return this.#pz?.getSizes().realZoom ?? 1;
  }

  /**
   * Replace the graph with `svgText`. With `keepView`, the zoom and pan of
   * the previous graph carry over (a redraw after rediscovery); otherwise
   * the whole graph is fitted in, never enlarged past 1x, and a graph too
   * large to read that way starts at its top, at a readable zoom.
   * @throws Error when the text is not well-formed SVG.
   */
  show(svgText: string, keepView: boolean): void {
    const svg = parseSvg(svgText);
    // a drag under way ends here, its move kept: the new drawing starts where the old one is seen
    this.#drag = undefined;
    const before: ViewState | undefined =
      keepView && this.#pz ? { realZoom: this.realZoom, pan: this.#pan() } : undefined;
    // the new SVG element is not translated: all of the pan goes to svg-pan-zoom
    this.#float = { x: 0, y: 0 };
    cancelAnimationFrame(this.#floatFrame);
    this.#floatFrame = 0;
    this.#pz?.destroy();
    this.#host.replaceChildren(svg);
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', '100%');
    // svg-pan-zoom would set overflow hidden as a style attribute, which the
    // CSP forbids; visible, so that the float's layer holds what is around
    // the window (see the top), the host clipping it
    svg.style.overflow = 'visible';
    this.#svgText = svgText;
    this.#left = this.#host.offsetLeft;
    this.#manyLabels = svg.getElementsByTagName('text').length > MANY_LABELS;
    this.#host.classList.toggle('many', this.#manyLabels);
    // until the zoom is known, assume labels hidden: laying out thousands of
    // labels only to hide them at the first zoom would double the cost
    this.#host.classList.toggle('far', this.#manyLabels);
    const pz = svgPanZoom(svg, {
      // drags are ours (#dragStart): svg-pan-zoom's would paint all of the drawing at each frame
      panEnabled: false,
      zoomEnabled: true,
      mouseWheelZoomEnabled: true,
      dblClickZoomEnabled: false,
      controlIconsEnabled: false,
      fit: true,
      center: true,
      zoomScaleSensitivity: ZOOM_STEP,
      onZoom: () => this.#zoomed(),
      // after the matrix went on the drawing, in the same frame: overlays follow it there
      onUpdatedCTM: () => {
        this.#tell();
      },
    });
    this.#pz = pz;
    this.#fitZoom = pz.getSizes().realZoom || 1;
    this.#bound();
    if (before) {
      pz.zoom(before.realZoom / this.#fitZoom);
      pz.pan(before.pan);
    } else if (this.#fitZoom > 1) {
      this.actualSize();
    } else if (this.#fitZoom < MIN_START_ZOOM) {
      pz.zoom(MIN_START_ZOOM / this.#fitZoom);
      pz.center();
      pz.pan({ x: pz.getPan().x, y: 8 });
    }
    this.#zoomed();
  }

  /** Zoom bounds in real terms (see the top), relative to the fit zoom as svg-pan-zoom wants them. */
  #bound(): void {
    const pz = this.#pz;
    if (!pz) return;
    pz.setMinZoom(this.#minReal / this.#fitZoom);
    pz.setMaxZoom(this.#maxReal / this.#fitZoom);
  }

  get #minReal(): number {
    return Math.min(this.#fitZoom, 1) / 2;
  }

  get #maxReal(): number {
    return Math.max(MAX_REAL_ZOOM, this.#fitZoom * 2);
  }

  /**
   * The host changed size (the window, or a panel beside the drawing):
   * the graph keeps its zoom and pan; only the fit zoom, which the bounds
   * are relative to, changes.
   */
  resized(): void {
    const pz = this.#pz;
    if (!pz) return;
    pz.resize();
    // resize() recomputes the fit (svg-pan-zoom's "original" zoom), not the zoom shown
    this.#fitZoom = pz.getSizes().realZoom / pz.getZoom() || 1;
    this.#bound();
    // a panel opened or closed on the left: the drawing stays where it was on screen
    const left = this.#host.offsetLeft;
    if (left !== this.#left) this.#panBy(this.#left - left, 0);
    this.#left = left;
  }

  /**
   * Centre `el` (an element of the graph shown) in the host, zooming in to
   * at least `minZoom` (real zoom) so its labels can be read; a closer zoom
   * is kept.
   */
  centreOn(el: Element, minZoom = 1): void {
    const pz = this.#pz;
    const viewport = this.#host.querySelector('svg .svg-pan-zoom_viewport');
    if (!pz || !(viewport instanceof SVGGraphicsElement) || !(el instanceof SVGGraphicsElement)) {
      return;
    }
    // a large graph's labels may be hidden (zoomed out): show this element's
    // for the measure, or a table row, which is text only, has no box
    el.classList.add('measure');
    const box = el.getBBox();
    el.classList.remove('measure');
    // el's coordinates in the viewport's: the ratio of the two screen CTMs,
    // which does not depend on the pan and zoom (svg-pan-zoom applies a
    // change at the next frame only, so the DOM may not show it yet)
    const outer = viewport.getScreenCTM();
    const inner = el.getScreenCTM();
    if (!outer || !inner) return;
    const p = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2).matrixTransform(
      outer.inverse().multiply(inner),
    );
    const now = this.realZoom;
    const want = Math.min(Math.max(now, minZoom, this.#minReal), this.#maxReal);
    // a pan alone when the zoom stays (within SAME_ZOOM: 1x asked at the 1 key's
    // 0.999999998): a zoom, even to the same value, makes a large graph hide and
    // lay out all its labels again (#zoomed), and repaints all of it
    const zooms = !sameZoom(want, now);
    const z = zooms ? want : now;
    if (zooms) pz.zoom(z / this.#fitZoom);
    const c = this.#visibleCentre();
    this.#panTo({ x: c.x - p.x * z, y: c.y - p.y * z });
    if (zooms) this.#zoomed();
  }

  /**
   * The whole graph's box in the viewport's coordinates (Graphviz's canvas:
   * its background polygon covers exactly this), or undefined when none is shown.
   */
  get contentBox(): Box | undefined {
    const vb = this.#pz?.getSizes().viewBox;
    return vb && vb.width > 0 && vb.height > 0
      ? { x: vb.x, y: vb.y, width: vb.width, height: vb.height }
      : undefined;
  }

  /** The part of the drawing the user sees (the host), in pixels. */
  get visibleSize(): { width: number; height: number } {
    return { width: this.#host.clientWidth, height: this.#host.clientHeight };
  }

  /**
   * Zoom and pan so that `box` (viewport coordinates) fills what is seen,
   * `margin` pixels clear of its edges, centred; the zoom stays within its
   * bounds (a box too large for the least zoom is centred, a tiny one is
   * not enlarged past the most).
   */
  fitBox(box: Box, margin = 16): void {
    const pz = this.#pz;
    if (!pz) return;
    const { width, height } = this.visibleSize;
    const w = Math.max(1, width - 2 * margin);
    const h = Math.max(1, height - 2 * margin);
    const want = Math.min(w / Math.max(box.width, 1e-6), h / Math.max(box.height, 1e-6));
    const z = Math.min(Math.max(want, this.#minReal), this.#maxReal);
    const now = this.realZoom;
    // a pan alone when the zoom stays (see centreOn)
    const zooms = !sameZoom(z, now);
    if (zooms) pz.zoom(z / this.#fitZoom);
    const zoomed = this.realZoom;
    this.#panTo({
      x: width / 2 - zoomed * (box.x + box.width / 2),
      y: height / 2 - zoomed * (box.y + box.height / 2),
    });
    if (zooms) this.#zoomed();
  }

  /**
   * Pan (the zoom unchanged) so that `p` (viewport coordinates) is at the
   * centre of what is seen. `moving`: one of many jumps (the minimap
   * dragged), each to a part of the drawing not painted yet. Until the
   * view rests, a large graph's labels are hidden, as while zooming, and
   * the SVG is no layer of its own (`jumping`, style.css): a layer is
   * painted 4000 px around the window, so each jump painted all of that
   * anew, where the page alone paints what the window shows (the map's
   * drag at 1x, 5000 namespaces: 81-130 ms frame gaps at the median, now
   * 74, docs/BENCHMARKS.md).
   */
  centreAt(p: Point, moving = false): void {
    if (!this.#pz) return;
    if (moving) {
      this.#labelsAfterSettling();
      this.#host.classList.add('jumping');
      clearTimeout(this.#jumpRest);
      this.#jumpRest = window.setTimeout(() => this.#host.classList.remove('jumping'), SETTLE_MS);
    }
    const z = this.realZoom;
    const c = this.#visibleCentre();
    this.#panTo({ x: c.x - z * p.x, y: c.y - z * p.y });
  }

  /**
   * The box of `el` (an element of the graph shown) in the viewport's
   * coordinates: a node's from its shape's own coordinates (no layout), a
   * table row's (text only) measured with its labels shown.
   */
  boxOf(el: Element): Box | undefined {
    const svg = this.svg;
    const viewport = this.#host.querySelector('svg .svg-pan-zoom_viewport');
    if (!svg || !(el instanceof SVGGraphicsElement) || !(viewport instanceof SVGGraphicsElement)) {
      return undefined;
    }
    if (el.classList.contains('node') || el.classList.contains('cluster')) {
      const shape = el.querySelector(':scope > path, :scope > polygon, :scope > a > path');
      const geometry = shape?.getAttribute(shape.localName === 'path' ? 'd' : 'points');
      const b = geometry ? geometryBox(geometry) : undefined;
      if (b) return mappedBox(toViewport(svg), b);
    }
    const outer = viewport.getScreenCTM();
    const inner = el.getScreenCTM();
    if (!outer || !inner) return undefined;
    el.classList.add('measure');
    const b = el.getBBox();
    el.classList.remove('measure');
    if (b.width === 0 && b.height === 0) return undefined;
    return mappedBox(outer.inverse().multiply(inner), b);
  }

  /**
   * Whether `el`'s box lies wholly inside the host's, with the pan and zoom
   * as svg-pan-zoom holds them now (the DOM shows a change made in this
   * frame only at the next one).
   */
  inView(el: Element): boolean {
    const pz = this.#pz;
    const viewport = this.#host.querySelector('svg .svg-pan-zoom_viewport');
    if (!pz || !(viewport instanceof SVGGraphicsElement) || !(el instanceof SVGGraphicsElement)) {
      return false;
    }
    const outer = viewport.getScreenCTM();
    const inner = el.getScreenCTM();
    if (!outer || !inner) return false;
    const b = el.getBBox();
    // el's box in the viewport's coordinates: the ratio of the two CTMs does not depend on the pan
    const m = outer.inverse().multiply(inner);
    const a = new DOMPoint(b.x, b.y).matrixTransform(m);
    const c = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(m);
    const z = this.realZoom;
    const pan = this.#pan();
    const left = pan.x + z * Math.min(a.x, c.x);
    const right = pan.x + z * Math.max(a.x, c.x);
    const top = pan.y + z * Math.min(a.y, c.y);
    const bottom = pan.y + z * Math.max(a.y, c.y);
    return (
      left >= 0 && top >= 0 && right <= this.#host.clientWidth && bottom <= this.#host.clientHeight
    );
  }

  /**
   * Where the drawing's nodes are on screen now, to keep the view's place
   * across a relayout: the elements with `preferred` ids first (a
   * selection, the node just collapsed), then the namespace nodes nearest
   * the middle of what is seen. Read from the SVG's geometry (anchors.ts),
   * not measured: no layout of a large drawing, and no stale transform.
   */
  places(preferred: readonly string[]): Place[] {
    const svg = this.#host.querySelector('svg');
    const pz = this.#pz;
    if (!svg || !pz) return [];
    const z = this.realZoom;
    const pan = this.#pan();
    const onScreen = (id: string, p: Point): Place => ({
      id,
      x: pan.x + z * p.x,
      y: pan.y + z * p.y,
    });
    const out: Place[] = [];
    for (const id of preferred) {
      const p = anchorOf(svg, id);
      if (p) out.push(onScreen(id, p));
    }
    // the middle of what is seen, in the viewport's coordinates
    const mx = (this.#host.clientWidth / 2 - pan.x) / z;
    const my = (this.#host.clientHeight / 2 - pan.y) / z;
    const near: { id: string; p: Point; d: number }[] = [];
    for (const [id, p] of nodeAnchors(svg)) {
      near.push({ id, p, d: (p.x - mx) ** 2 + (p.y - my) ** 2 });
    }
    near.sort((a, b) => a.d - b.d);
    for (const n of near.slice(0, NEAREST)) out.push(onScreen(n.id, n.p));
    return out;
  }

  /**
   * Pan (the zoom unchanged) so that the first of `places` that is drawn
   * now sits where it was; centre the graph when none is. Returns the id
   * of the element that kept its place.
   */
  keepPlace(places: readonly Place[]): string | undefined {
    const svg = this.#host.querySelector('svg');
    const pz = this.#pz;
    if (!svg || !pz) return undefined;
    const z = this.realZoom;
    for (const p of places) {
      const c = anchorOf(svg, p.id);
      if (!c) continue;
      this.#panTo({ x: p.x - z * c.x, y: p.y - z * c.y });
      return p.id;
    }
    pz.center();
    this.#panTo(pz.getPan());
    return undefined;
  }

  /** Tell the overlays where the drawing is now (the drag's translation included). */
  #tell(): void {
    const m = this.matrix;
    for (const l of this.#onMatrix) l(m);
    this.#nearLabels();
  }

  /** A large graph's labels shown now: those near what is seen (labels.ts). */
  #nearLabels(): void {
    const svg = this.svg;
    const c = this.#host.classList;
    if (!svg || !this.#manyLabels || c.contains('far') || c.contains('zooming')) return;
    const m = this.matrix;
    const { width, height } = this.visibleSize;
    showLabelsIn(svg, seenBox({ x: m.e, y: m.f }, m.a, width, height));
  }

  #dragStart(e: PointerEvent): void {
    if (e.button !== 0 || !e.isPrimary || !this.#pz || this.#drag) return;
    this.#drag = { pointer: e.pointerId, x: e.clientX, y: e.clientY, from: this.#float };
  }

  #dragMove(e: PointerEvent): void {
    const d = this.#drag;
    if (!d || e.pointerId !== d.pointer) return;
    this.#float = { x: d.from.x + e.clientX - d.x, y: d.from.y + e.clientY - d.y };
    this.#floated();
  }

  #dragEnd(e: PointerEvent): void {
    const d = this.#drag;
    if (d && e.pointerId === d.pointer) this.#drag = undefined;
  }

  /** Where the drawing is on screen: svg-pan-zoom's pan and the float. */
  #pan(): Point {
    const pan = this.#pz?.getPan() ?? { x: 0, y: 0 };
    return { x: pan.x + this.#float.x, y: pan.y + this.#float.y };
  }

  /** Move the drawing to `pan` on screen (the zoom unchanged) by the float: nothing is painted. */
  #panTo(pan: Point): void {
    const held = this.#pz?.getPan() ?? { x: 0, y: 0 };
    this.#float = { x: pan.x - held.x, y: pan.y - held.y };
    this.#floated();
  }

  #panBy(dx: number, dy: number): void {
    const pan = this.#pan();
    this.#panTo({ x: pan.x + dx, y: pan.y + dy });
  }

  /**
   * The float changed: at the next frame (once, however many changes came
   * before it, as pointer moves do), the SVG element moves and the overlays follow.
   */
  #floated(): void {
    this.#floatFrame ||= requestAnimationFrame(() => {
      this.#floatFrame = 0;
      const svg = this.svg;
      if (!svg) return;
      const { x, y } = this.#float;
      const t = x === 0 && y === 0 ? '' : `translate(${x}px, ${y}px)`;
      if (svg.style.transform !== t) svg.style.transform = t;
      this.#tell();
    });
  }

  #zoomed(): void {
    const z = this.realZoom;
    const hide = this.#manyLabels && z < READABLE_ZOOM;
    if (this.#host.classList.contains('far') !== hide) this.#host.classList.toggle('far', hide);
    // zooming a large graph with labels shown: hide them while the zoom
    // changes (each step would lay them all out again) and bring them
    // back once it has settled
    if (!hide) this.#labelsAfterSettling();
    this.#onZoom(z, hide);
  }

  /** A large graph's labels, when shown at this zoom, hidden until the view has rested SETTLE_MS. */
  #labelsAfterSettling(): void {
    if (!this.#manyLabels || this.#host.classList.contains('far')) return;
    this.#host.classList.add('zooming');
    clearTimeout(this.#settle);
    this.#settle = window.setTimeout(() => {
      this.#host.classList.remove('zooming');
      this.#nearLabels();
    }, SETTLE_MS);
  }

  /** Hear of every new pan and zoom, once it is on the drawing. */
  onMatrix(l: (m: ViewMatrix) => void): void {
    this.#onMatrix.push(l);
  }

  /** The pan and zoom now (as svg-pan-zoom holds them; the drawing shows them by the next frame). */
  get matrix(): ViewMatrix {
    const z = this.realZoom;
    const pan = this.#pan();
    return { a: z, b: 0, c: 0, d: z, e: pan.x, f: pan.y };
  }

  /**
   * The centre of the part of the drawing the user sees (the host), in the
   * SVG's pixels: the SVG keeps the window's width when a panel narrows
   * the host (style.css), so svg-pan-zoom's own centre is not it.
   */
  #visibleCentre(): { x: number; y: number } {
    return { x: this.#host.clientWidth / 2, y: this.#host.clientHeight / 2 };
  }

  /** A point of the host (px) in the SVG element's own pixels, as svg-pan-zoom takes them: less the float. */
  #held(p: Point): Point {
    return { x: p.x - this.#float.x, y: p.y - this.#float.y };
  }

  /**
   * Move the view (not the graph) by `dx`, `dy` steps of PAN_STEP of what is
   * seen: right and down for positive ones. Keys repeated faster than frames
   * are one pan (svg-pan-zoom applies the sum at the next frame).
   */
  step(dx: number, dy: number): void {
    const { width, height } = this.visibleSize;
    this.#panBy(-dx * PAN_STEP * width, -dy * PAN_STEP * height);
  }

  /** Zoom in one step around the centre of what is seen. */
  zoomIn(): void {
    this.#pz?.zoomAtPointBy(1 + ZOOM_STEP, this.#held(this.#visibleCentre()));
  }

  /** Zoom out one step around the centre of what is seen. */
  zoomOut(): void {
    this.#pz?.zoomAtPointBy(1 / (1 + ZOOM_STEP), this.#held(this.#visibleCentre()));
  }

  /** Zoom to 1x (one SVG unit per pixel) and centre the graph in what is seen. */
  actualSize(): void {
    const pz = this.#pz;
    if (!pz) return;
    pz.zoom(1 / this.#fitZoom);
    pz.center();
    const { width } = pz.getSizes();
    const centred = pz.getPan();
    this.#panTo({ x: centred.x + this.#visibleCentre().x - width / 2, y: centred.y });
    this.#zoomed();
  }
}

/** `b` through `m` (no rotation: Graphviz's and svg-pan-zoom's matrices scale and move). */
function mappedBox(m: DOMMatrix, b: Box): Box {
  const a = new DOMPoint(b.x, b.y).matrixTransform(m);
  const c = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(m);
  return {
    x: Math.min(a.x, c.x),
    y: Math.min(a.y, c.y),
    width: Math.abs(c.x - a.x),
    height: Math.abs(c.y - a.y),
  };
}
