/**
 * The drawing: the one owner of what the page shows. It holds the graph
 * result and its model, the filters it is drawn by, the DOT laid out from
 * them, the SVG on screen, the queue of layouts and whether one runs.
 * Nothing else decides which DOT is laid out or keeps a copy of it.
 *
 * It changes only through a few calls: `show` a graph (the first, or a
 * rescan's), `filterBy` a new FilterState (the filter bar's), and say the
 * page is fetching or has failed. It tells of every change in one event,
 * `drawn` (a new SVG, or the same one with a newer scan's model), whose
 * steps fix the order features follow it in: the overlay takes the new
 * SVG first, then whatever marks it, then the panels.
 *
 * Layouts run one after the other, never two at once; filter changes made
 * while one is queued share the next one. While the filters are where the
 * command line put them, the Node side's own DOT is drawn, so the first
 * paint never waits for the model to be parsed.
 */
import type { GraphPayload, GraphResult } from '../main/contract';
import { modelToDot, rowSvgId, svgId } from '../main/emit/dot';
import { modelToNetDot } from '../main/emit/net-dot';
import type { OverviewNote } from '../main/emit/overview';
import { selectView, type ViewSelection } from '../main/emit/view';
import type { NsKey } from '../main/model/types';
import type { Busy } from './busy';
import { sameDrawing } from './diff';
import { afterPaint, nextFrame } from './dom';
import { Signal } from './events';
import {
  fitFilter,
  hasWiring,
  isDefault,
  scopeText,
  startFilter,
  viewFilter,
  wiringOnly,
  type FilterState,
} from './filter-state';
import type { LayoutClient } from './layout';
import { tooLarge } from '../main/emit/layout-failure';
import { LayoutFailure } from './layout-failure';

import { pageModel, type PageModel } from './page';
import { epochMs, probe, probeOnce } from './probes';
import type { ErrorBox } from './status';
import type { GraphView } from './view';

/** The steps of `drawn`, in the order they run. */
export const DRAWN_STEPS = [
  /** The overlay takes the new SVG (before anything marks it). */
  'overlay',
  /** Marks on it: the selection, find's matches, what is new. */
  'marks',
  /** Panels, bars and the status line show what is drawn now. */
  'panels',
] as const;
export type DrawnStep = (typeof DRAWN_STEPS)[number];

/** What `drawn` tells. */
export interface Drawn {
  /** The SVG on screen. */
  svg: SVGSVGElement;
  /** Whether a layout put it there (else it is the one before, kept for a newer scan that draws the same). */
  laidOut: boolean;
}

/** What the drawing works with. */
export interface DrawingParts {
  layout: LayoutClient;
  view: GraphView;
  busy: Busy;
  errors: ErrorBox;
  /** A note for the status line. */
  say(text: string): void;
  /** The namespace that keeps its place on screen across a relayout, after an anchor (the selection). */
  keeping(): NsKey | undefined;
}

/** How to show a graph. */
export interface ShowOptions {
  /** Keep the zoom and the pan (a rescan, a filter change); else the whole graph is fitted in. */
  keepView?: boolean;
  /** The model of the result, when the caller has parsed it. */
  model?: PageModel;
  /** A namespace that keeps its place on screen (before the selection and what is near the centre). */
  anchor?: NsKey;
  /** Lay nothing out when the drawing would not change (a timed refresh). */
  unlessSame?: boolean;
  /**
   * The name of the snapshot file this result was made from in the page
   * (dropped on the window, chosen in its file chooser, handed over by a
   * second graphns --open); absent for the Node side's graph. The model
   * must come with it (`model`).
   */
  opened?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The drawing on the page. */
export class Drawing {
  /** The one event: what is drawn changed. */
  readonly drawn = new Signal<Drawn, DrawnStep>(DRAWN_STEPS);
  readonly #parts: DrawingParts;
  #result: GraphPayload | undefined;
  #model: PageModel | undefined;
  /** The page-opened snapshot shown (ShowOptions.opened). */
  #opened: string | undefined;
  #filter = startFilter(false);
  #started = false;
  #selection: ViewSelection | undefined;
  #svg: SVGSVGElement | undefined;
  /** The DOT the SVG on screen was laid out from. */
  #dot: string | undefined;
  /** The DOT that draws the latest result (undefined while a layout may change it): a rescan drawing the same lays out nothing. */
  #latest: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Layouts running or queued. */
  #pending = 0;
  /** A relayout for the filters is queued: changes meanwhile join it. */
  #relayout: { anchor?: NsKey } | undefined;
  #layouts = 0;
  #draws = 0;

  constructor(parts: DrawingParts) {
    this.#parts = parts;
  }

  /** The graph result shown (or being laid out) now. */
  get result(): GraphPayload | undefined {
    return this.#result;
  }

  /**
   * The model of the current result, parsed and checked on first use.
   * @throws ModelFormatError when the Node side sent a malformed model.
   */
  get model(): PageModel | undefined {
    if (!this.#model && this.#result) this.#model = pageModel(this.#result.modelJson);
    return this.#model;
  }

  /** The model of the current result when it has been parsed already (no parse now). */
  get parsed(): PageModel | undefined {
    return this.#model;
  }

  /**
   * The name of the snapshot the page opened that is shown (or being laid
   * out) now; undefined while the Node side's graph is (a live scan, or
   * the file of graphns --open).
   */
  get opened(): string | undefined {
    return this.#opened;
  }

  /** The filters it is drawn by (the next layout's, when one is queued). */
  get filter(): FilterState {
    return this.#filter;
  }

  /** What the filters keep, or undefined while the Node side's own DOT is drawn. */
  get selection(): ViewSelection | undefined {
    return this.#selection;
  }

  /** The SVG on screen now. */
  get svg(): SVGSVGElement | undefined {
    return this.#svg;
  }

  /** The DOT that SVG was laid out from (what `y` copies): the filtered view's, when filtered. */
  get dot(): string | undefined {
    return this.#dot;
  }

  /** Whether a layout runs or waits. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Lay out and show `result` with the filters as they are; resolves with whether it laid out. */
  show(result: GraphResult, o: ShowOptions = {}): Promise<boolean> {
    return this.#serial(() => this.#draw(result, o));
  }

  /** Draw by `filter` from now on: lay the graph out again, keeping the view's place (several changes, one layout). */
  filterBy(filter: FilterState, anchor?: NsKey): void {
    this.#filter = filter;
    const result = this.#result;
    if (!result) return;
    if (this.#relayout) {
      this.#relayout.anchor ??= anchor;
      return;
    }
    const queued: { anchor?: NsKey } = { anchor };
    this.#relayout = queued;
    void this.#serial(async () => {
      this.#relayout = undefined;
      return this.#draw(this.#result ?? result, { keepView: true, anchor: queued.anchor });
    });
  }

  /** A graph is being fetched (`label`: what the busy indicator says). */
  fetching(label: string): void {
    this.#parts.busy.start(label);
    probe('state', 'loading');
  }

  /** No graph could be had: say why. */
  fail(why: string): void {
    this.#parts.busy.stop();
    this.#parts.errors.show(why);
  }

  /** Draws happen one after the other, never two layouts at once. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    this.#pending++;
    const p = this.#queue.then(work, work).finally(() => this.#pending--);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  async #draw(result: GraphResult, o: ShowOptions): Promise<boolean> {
    if (!result.ok) {
      this.fail(result.error);
      return false;
    }
    const before = this.#take(result, o);
    probe('state', 'layout');
    this.#parts.busy.start(`laying out ${result.namespaces} namespaces`);
    // filtered, the page builds the DOT (a fifth of a second at 5000): let the indicator paint first
    if (!isDefault(this.#filter)) await nextFrame();
    const t0 = performance.now();
    try {
      const dot = this.#dotFor(result);
      probe('dotMs', Math.round(performance.now() - t0));
      if (before !== undefined && this.#sameAsShown(dot, before)) {
        this.#keepShown(dot);
        return false;
      }
      this.#latest = undefined;
      const svg = await this.#parts.layout.layout(dot);
      const t1 = performance.now();
      probe('layoutMs', Math.round(t1 - t0));
      // the page must have kept painting while the worker worked
      probe('maxFrameGap', Math.round(this.#parts.busy.maxFrameGap));
      this.#put(svg, dot, o);
      await this.#announce(result, t1);
      return true;
    } catch (err) {
      if (this.#overviewInstead(result, err)) return this.#draw(result, o);
      this.#parts.errors.show(`layout failed: ${message(err)}`);
      return false;
    } finally {
      this.#parts.busy.stop();
    }
  }

  /**
   * A full drawing Graphviz could not lay out (its WASM stack or memory):
   * the overview instead, said on the status line; false when the failed
   * drawing was the overview already, or the wiring.
   */
  #overviewInstead(result: GraphPayload, err: unknown): boolean {
    const f = this.#filter;
    // a drawing too large for Graphviz (its stack, its memory), not a worker that cannot load
    const avoidable = err instanceof LayoutFailure && tooLarge(err.kind);
    if (!avoidable || f.net || this.overview || f.overview === 'on') return false;
    this.#filter = { ...f, overview: 'on' };
    this.#parts.say(
      `Graphviz could not lay out all ${result.namespaces} namespaces (${message(err)}): drawing the overview`,
    );
    return true;
  }

  /** What the overview on screen (or being laid out) draws and hides; undefined when it is no overview. */
  get overview(): OverviewNote | undefined {
    if (this.#selection) return this.#selection.overview;
    return !this.#filter.net && isDefault(this.#filter) ? this.#result?.overview : undefined;
  }

  /**
   * `result` becomes the graph shown (its layout follows), with the filters
   * fitted to its model. Returns the scan time of the graph before, when a
   * refresh asks to keep its picture if nothing changed.
   */
  #take(result: GraphPayload, o: ShowOptions): string | undefined {
    if (this.#result === result) return undefined;
    const before = o.unlessSame ? this.model?.model.host.time : undefined;
    const old = this.#model;
    this.#result = result;
    this.#model = o.model;
    this.#opened = o.opened;
    if (!this.#started) {
      // the first graph says where the filters start: with -d or without, the wiring or not
      this.#started = true;
      const details = result.details ?? false;
      const net = result.net ?? false;
      const overview = result.overviewMode ?? 'auto';
      this.#filter = {
        ...this.#filter,
        details,
        flat: details,
        netStart: net,
        net,
        overviewStart: overview,
        overview,
      };
    } else this.#fitFilter(old);
    if (o.opened !== undefined) this.#fitWiring();
    return before;
  }

  /** A snapshot the page opened may have no interfaces: the wiring view gives way to the hierarchy. */
  #fitWiring(): void {
    const m = this.model?.model;
    if (!this.#filter.net || !m || hasWiring(m)) return;
    this.#filter = { ...this.#filter, net: false };
    this.#parts.say('this snapshot has no interfaces: showing the hierarchy');
  }

  /** A later scan: what the filters name may be gone. */
  #fitFilter(old: PageModel | undefined): void {
    const f = this.#filter;
    if (f.collapsed.size === 0 && f.scope === '') return;
    const m = this.model;
    if (!m) return;
    const { filter, scopeGone } = fitFilter(f, m.graph);
    if (scopeGone) this.#parts.say(`${scopeText(f.scope, old?.model)} is gone: showing everything`);
    this.#filter = filter;
  }

  /**
   * The DOT to lay out for `result`: the Node side's own while the filters
   * are at their start, else the page's, of what the filters keep.
   * @throws ModelFormatError when the model is malformed.
   */
  #dotFor(result: GraphPayload): string {
    const f = this.#filter;
    const m = isDefault(f) ? undefined : this.model!;
    this.#selection = m ? selectView(m.graph, viewFilter(f)) : undefined;
    probe('filter', m ? 'filtered' : 'default');
    probe('graph', f.net ? 'wiring' : 'hierarchy');
    const total = m?.model.namespaces.length ?? 0;
    probe('filterShown', this.#selection?.shown.size);
    probe('filterHidden', this.#selection && total - this.#selection.shown.size);
    if (!m || !this.#selection) return result.dot;
    if (f.net) {
      const only = wiringOnly(f, this.#selection.shown);
      const onlyText = f.scope !== '' ? scopeText(f.scope, m.model) : 'with processes in them';
      return modelToNetDot(m.model, { ...(only && { only, onlyText }) });
    }
    return modelToDot(m.model, { details: f.flat, view: this.#selection, graph: m.graph });
  }

  /** Whether `dot`, of a scan taken after one at `before`, draws what the screen shows. */
  #sameAsShown(dot: string, before: string): boolean {
    const time = this.model?.model.host.time;
    return (
      this.#latest !== undefined &&
      this.#svg !== undefined &&
      time !== undefined &&
      sameDrawing({ dot: this.#latest, time: before }, { dot, time })
    );
  }

  /** The same picture: keep it, but let everything that follows the drawing see the new model. */
  #keepShown(dot: string): void {
    this.#latest = dot;
    // #dot stays the DOT the SVG on screen was laid out from: `y` copies what is drawn
    this.drawn.emit({ svg: this.#svg!, laidOut: false });
    probe('state', 'ready');
  }

  /** Put the laid-out `svgText` on screen, keeping the view's place when asked to. */
  #put(svgText: string, dot: string, o: ShowOptions): void {
    const { view } = this.#parts;
    const keepView = o.keepView ?? false;
    const preferred = [o.anchor, this.#parts.keeping()]
      .filter((k): k is NsKey => k !== undefined)
      .flatMap((k) => [svgId(k), rowSvgId(k)]);
    const tp = performance.now();
    const places = keepView ? view.places(preferred) : [];
    const placeMs = performance.now() - tp;
    view.show(svgText, keepView);
    const tk = performance.now();
    // which node kept its place (tests check that it did)
    if (keepView) probe('keptPlace', view.keepPlace(places) ?? '');
    // for the benchmark: what keeping the view's place costs (measuring the old nodes, moving)
    probe('placeMs', Math.round(placeMs + performance.now() - tk));
    this.#latest = dot;
    probe('layouts', ++this.#layouts);
    const shown = view.svg;
    if (shown) {
      this.#svg = shown;
      this.#dot = dot;
      this.drawn.emit({ svg: shown, laidOut: true });
    }
    this.#parts.errors.clear();
  }

  /** Once it is painted: the times, and the title that says the graph is there. */
  async #announce(result: GraphPayload, laidOutAt: number): Promise<void> {
    await afterPaint();
    probe('showMs', Math.round(performance.now() - laidOutAt));
    const paintedAt = epochMs();
    probeOnce('paintedAt', paintedAt);
    probe('drawnAt', paintedAt);
    probe('draws', ++this.#draws);
    // only now: a title says the graph is there (benchmarks wait for it)
    document.title = result.title;
    probe('state', 'ready');
  }
}
