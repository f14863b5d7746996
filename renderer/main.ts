/**
 * The viewer page: asks the Node side for the graph (through the contract),
 * has the worker lay it out, shows it pannable and zoomable, and maps keys
 * to actions (keys.ts). Everything data-derived reaches the DOM as text or
 * as parsed SVG, never as HTML.
 *
 * `<html data-state>` says where the page is (loading, layout, ready,
 * error, closed), `data-painted-at` when the graph was first painted and
 * `data-drawn-at` when the latest one was (epoch ms; `data-draws` counts
 * them), so tests and benchmarks wait on events instead of sleeping;
 * `data-layout-ms`, `data-show-ms` and `data-max-frame-gap` (the longest
 * pause in painting while the worker laid out) are for the benchmark;
 * `data-layouts` counts the layouts put on screen (a refresh that finds
 * nothing changed must not add one).
 */
import type { GraphResult } from '../main/contract';
import { rowSvgId, svgId } from '../main/emit/dot';
import type { NsKey } from '../main/model/types';
import { connect } from './bridge';
import { Busy } from './busy';
import { Clipboard } from './clipboard';
import { afterPaint, byId, nextFrame } from './dom';
import { installDetails } from './details';
import { installFind } from './find';
import { installExport } from './export';
import { buildHelp } from './help';
import { actionForKey, type Action } from './keys';
import { sameDrawing } from './diff';
import { installFilters } from './filters';
import { LayoutClient } from './layout';
import { installMarks } from './marks';
import { PageState, type PageModel } from './page';
import { epochMs, probe, probeOnce } from './probes';
import { installRefresh } from './refresh';
import { installSelection } from './selection';
import { GraphView } from './view';

// The browser shell answers its spent /launch/<token> address with this page:
// show `/` instead, which the worker's and the API's relative URLs resolve against.
if (location.pathname.startsWith('/launch/')) history.replaceState(null, '', '/');

const api = connect();
const layout = new LayoutClient();
/** What the page's features share: the graph shown and its model (page.ts). */
const page = new PageState();
const busy = new Busy(byId('busy'), byId('busy-text'));
const errorBox = byId('error');
const status = byId('status');
const help = byId('help');
buildHelp(byId<HTMLTableElement>('help-keys'));

let summary = '';
let note = '';
let zoomText = '';
let working = false;
/** Graphs drawn so far (`data-draws`). */
let draws = 0;

function renderStatus(): void {
  status.textContent = [summary, zoomText, note, 'h: help'].filter(Boolean).join('  ·  ');
  status.title = status.textContent; // all of it on hover, when the line is cut
}

const view = new GraphView(byId('graph'), (z, labelsHidden) => {
  zoomText = `zoom ${Math.round(z * 100)}%${labelsHidden ? ' (zoom in to read the labels)' : ''}`;
  probe('zoom', z);
  renderStatus();
});

const marks = installMarks({ page, view, host: byId('graph') });
installSelection({ page, host: byId('graph'), marks });
const clipboard = new Clipboard((text) => setNote(text));
const details = installDetails({ page, view, clipboard, setNote });
const find = installFind({ page, view, marks });

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
  probe('state', 'error');
}

let layouts = 0;
/** A layout is running, or queued. */
let laying = 0;
let queue: Promise<unknown> = Promise.resolve();
/** The DOT the drawing on screen was laid out from (of page.result): a refresh drawing the same lays out nothing. */
let drawnDot: string | undefined;

/** Draws happen one after the other, never two layouts at once. */
function serial<T>(work: () => Promise<T>): Promise<T> {
  laying++;
  const p = queue.then(work, work).finally(() => laying--);
  queue = p.catch(() => undefined);
  return p;
}

interface DrawOptions {
  /** The model of `result`, when the caller has parsed it. */
  model?: PageModel;
  /** A namespace that keeps its place on screen (before the selection and what is near the centre). */
  anchor?: NsKey;
  /** Lay nothing out when the drawing would not change (a refresh). */
  unlessSame?: boolean;
}

/** Lay out and show `result` with the filters as they are; resolves with whether it laid out. */
function draw(result: GraphResult, keepView: boolean, o: DrawOptions = {}): Promise<boolean> {
  return serial(() => drawNow(result, keepView, o));
}

let relayoutQueued: { anchor?: NsKey } | undefined;
/** The filters changed: lay the graph out again, keeping the view's place (several changes, one layout). */
function relayout(anchor?: NsKey): void {
  const result = page.result;
  if (!result) return;
  if (relayoutQueued) {
    relayoutQueued.anchor ??= anchor;
    return;
  }
  const queued: { anchor?: NsKey } = { anchor };
  relayoutQueued = queued;
  void serial(async () => {
    relayoutQueued = undefined;
    return drawNow(page.result ?? result, true, { anchor: queued.anchor });
  });
}

async function drawNow(result: GraphResult, keepView: boolean, o: DrawOptions): Promise<boolean> {
  if (!result.ok) {
    showError(result.error);
    return false;
  }
  // the scan time of what is drawn, the one thing allowed to differ
  const before = o.unlessSame && page.result !== result ? page.model?.model.host.time : undefined;
  if (page.result !== result) page.setGraph(result, o.model);
  probe('state', 'layout');
  busy.start(`laying out ${result.namespaces} namespaces`);
  // filtered, the page builds the DOT (a fifth of a second at 5000): let the indicator paint first
  if (!filters.isDefault) await nextFrame();
  const t0 = performance.now();
  try {
    const dot = filters.dotFor(result);
    probe('dotMs', Math.round(performance.now() - t0));
    if (
      before !== undefined &&
      drawnDot !== undefined &&
      page.svg &&
      sameDrawing({ dot: drawnDot, time: before }, { dot, time: page.model!.model.host.time })
    ) {
      // the same picture: keep it, but let the panels see the new model
      drawnDot = dot;
      // (still the DOT the SVG on screen was laid out from: `y` copies what is drawn)
      page.drawn(page.svg, page.dot ?? dot);
      probe('state', 'ready');
      return false;
    }
    drawnDot = undefined;
    const svg = await layout.layout(dot);
    const t1 = performance.now();
    probe('layoutMs', Math.round(t1 - t0));
    // the page must have kept painting while the worker worked
    probe('maxFrameGap', Math.round(busy.maxFrameGap));
    const preferred = [o.anchor, page.selected]
      .filter((k): k is NsKey => k !== undefined)
      .flatMap((k) => [svgId(k), rowSvgId(k)]);
    const tp = performance.now();
    const places = keepView ? view.places(preferred) : [];
    const placeMs = performance.now() - tp;
    view.show(svg, keepView);
    const tk = performance.now();
    // which node kept its place (tests check that it did)
    if (keepView) probe('keptPlace', view.keepPlace(places) ?? '');
    // for the benchmark: what keeping the view's place costs (measuring the old nodes, moving)
    probe('placeMs', Math.round(placeMs + performance.now() - tk));
    drawnDot = dot;
    probe('layouts', ++layouts);
    const shown = byId('graph').querySelector('svg');
    if (shown) page.drawn(shown, dot);
    errorBox.hidden = true;
    await afterPaint();
    probe('showMs', Math.round(performance.now() - t1));
    const paintedAt = epochMs();
    probeOnce('paintedAt', paintedAt);
    probe('drawnAt', paintedAt);
    probe('draws', ++draws);
    // only now: a title says the graph is there (benchmarks wait for it)
    document.title = result.title;
    const w = result.warnings.length;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    summary = count(result.namespaces, 'namespace');
    if (w) summary += `, ${count(w, 'warning')} (some of the system out of sight)`;
    if (view.large) summary += ', large graph: dashed arrows drawn faint';
    probe('state', 'ready');
    return true;
  } catch (err) {
    showError(`layout failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  } finally {
    busy.stop();
    renderStatus();
  }
}

/** Run one long action at a time (rediscover, save); keys meanwhile do nothing. */
async function exclusive(label: string, work: () => Promise<void>): Promise<void> {
  if (working) return;
  working = true;
  try {
    await work();
  } catch (err) {
    showError(`${label}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    working = false;
  }
}

function setNote(text: string): void {
  note = text;
  renderStatus();
}

const filters = installFilters({ page, relayout, note: setNote });
const refresh = installRefresh({
  page,
  api,
  busy: () => laying > 0 || working,
  show: (result, model, unlessSame) => draw(result, true, { model, unlessSame }),
  error: (message) => {
    busy.stop();
    showError(message);
  },
  note: setNote,
});
const exporter = installExport({
  api,
  page,
  svgText: () => view.svgText,
  say: setNote,
  clipboard,
});

const actions: Record<Action, () => void> = {
  zoomIn: () => view.zoomIn(),
  zoomOut: () => view.zoomOut(),
  resetZoom: () => view.actualSize(),
  help: () => {
    help.hidden = !help.hidden;
  },
  // Escape: the topmost thing open
  close: () => {
    if (!help.hidden) help.hidden = true;
    else if (!find.close()) details.close();
  },
  find: () => find.open(),
  save: () =>
    void exclusive('save', async () => {
      const svg = view.svgText;
      if (svg === undefined) return;
      setNote('saving…');
      const r = await api.saveSvg(svg);
      if (r.saved) setNote(`saved to ${r.path ?? 'file'}`);
      else setNote(r.error ? `not saved: ${r.error}` : 'save cancelled');
    }),
  pngView: () => void exclusive('PNG', exporter.pngView),
  pngWhole: () => void exclusive('PNG', exporter.pngWhole),
  copyDot: () => void exclusive('copy', exporter.copyDot),
  rediscover: () => {
    busy.start('discovering');
    probe('state', 'loading');
    refresh.now();
  },
  liveRefresh: () => refresh.cycle(),
  dismissChanges: () => refresh.dismiss(),
  toggleFlat: () => filters.toggleFlat(),
  hideEmpty: () => filters.toggleHideEmpty(),
  focusFilters: () => filters.focus(),
  resetFilters: () => filters.reset(),
  collapse: () => {
    if (page.selected) filters.toggleCollapse(page.selected);
    else setNote('c collapses the selected user or PID namespace: click one first');
  },
  quit: () => {
    probe('state', 'closed');
    setNote('closing…');
    void reportBounds()
      .then(() => api.quit())
      .catch(() => undefined)
      .finally(() => window.close());
  },
};

/** Tell the Node side where the window is, for the next run; a failure only loses that. */
function reportBounds(): Promise<void> {
  return api
    .windowBounds({
      x: Math.round(window.screenX),
      y: Math.round(window.screenY),
      width: Math.round(window.outerWidth),
      height: Math.round(window.outerHeight),
    })
    .catch(() => undefined);
}
let boundsTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(boundsTimer);
  boundsTimer = setTimeout(() => void reportBounds(), 500);
});

/** Inputs that take no typed text: keys at them stay shortcuts. */
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color']);

/** Whether keys typed at `target` are text for it (a find box, a field), not shortcuts. */
function typingInto(target: EventTarget | null): boolean {
  return (
    (target instanceof HTMLInputElement && !NOT_TEXT.has(target.type)) ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

window.addEventListener('keydown', (e) => {
  if (typingInto(e.target)) return;
  const action = actionForKey(e.key, e);
  if (!action) return;
  e.preventDefault();
  actions[action]();
});

async function start(): Promise<void> {
  busy.start('discovering');
  try {
    const graph = await api.getGraph();
    probe('graphAt', epochMs());
    await draw(graph, false);
  } catch (err) {
    busy.stop();
    showError(`could not get the graph: ${err instanceof Error ? err.message : String(err)}`);
  }
}

void start();
