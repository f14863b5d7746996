/**
 * The viewer page: asks the Node side for the graph (through the contract),
 * has the worker lay it out, shows it pannable and zoomable, and maps keys
 * to actions (keys.ts). Everything data-derived reaches the DOM as text or
 * as parsed SVG, never as HTML.
 *
 * `<html data-state>` says where the page is (loading, layout, ready,
 * error, closed) and `data-painted-at` when the graph was first painted
 * (epoch ms), so tests and benchmarks wait on events instead of sleeping;
 * `data-layout-ms`, `data-show-ms` and `data-max-frame-gap` (the longest
 * pause in painting while the worker laid out) are for the benchmark.
 */
import type { GraphResult } from '../main/contract';
import { connect } from './bridge';
import { Busy } from './busy';
import { installDetails } from './details';
import { installFind } from './find';
import { buildHelp } from './help';
import { actionForKey, type Action } from './keys';
import { LayoutClient } from './layout';
import { PageState } from './page';
import { installSelection } from './selection';
import { GraphView } from './view';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page lacks #${id}`);
  return el as T;
}

const root = document.documentElement;
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

function renderStatus(): void {
  status.textContent = [summary, zoomText, note, 'h: help'].filter(Boolean).join('  ·  ');
}

const view = new GraphView(byId('graph'), (z, labelsHidden) => {
  zoomText = `zoom ${Math.round(z * 100)}%${labelsHidden ? ' (zoom in to read the labels)' : ''}`;
  root.dataset.zoom = String(z);
  renderStatus();
});

installSelection({ page, host: byId('graph'), root });
const details = installDetails({ page, view, root, setNote });
const find = installFind({ page, view, root });

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
  root.dataset.state = 'error';
}

/** Resolves once the current DOM has been painted: the frame after the next has begun. */
function afterPaint(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
}

async function draw(result: GraphResult, keepView: boolean): Promise<void> {
  if (!result.ok) {
    showError(result.error);
    return;
  }
  document.title = result.title;
  page.setGraph(result);
  root.dataset.state = 'layout';
  busy.start(`laying out ${result.namespaces} namespaces`);
  const t0 = performance.now();
  try {
    const svg = await layout.layout(result.dot);
    const t1 = performance.now();
    root.dataset.layoutMs = String(Math.round(t1 - t0));
    // the page must have kept painting while the worker worked
    root.dataset.maxFrameGap = String(Math.round(busy.maxFrameGap));
    view.show(svg, keepView);
    const shown = byId('graph').querySelector('svg');
    if (shown) page.drawn(shown);
    errorBox.hidden = true;
    await afterPaint();
    root.dataset.showMs = String(Math.round(performance.now() - t1));
    root.dataset.paintedAt ??= String(Math.round(performance.timeOrigin + performance.now()));
    const w = result.warnings.length;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    summary = count(result.namespaces, 'namespace');
    if (w) summary += `, ${count(w, 'warning')} (some of the system out of sight)`;
    if (view.large) summary += ', large graph: dashed arrows drawn faint';
    root.dataset.state = 'ready';
  } catch (err) {
    showError(`layout failed: ${err instanceof Error ? err.message : String(err)}`);
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
  rediscover: () =>
    void exclusive('rediscover', async () => {
      busy.start('discovering');
      root.dataset.state = 'loading';
      const result = await api.rediscover();
      await draw(result, true);
      setNote(`rediscovered at ${new Date().toLocaleTimeString()}`);
    }),
  quit: () => {
    root.dataset.state = 'closed';
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

/** Whether keys typed at `target` are text for it (a find box, a field), not shortcuts. */
function typingInto(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
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
    root.dataset.graphAt = String(Math.round(performance.timeOrigin + performance.now()));
    await draw(graph, false);
  } catch (err) {
    busy.stop();
    showError(`could not get the graph: ${err instanceof Error ? err.message : String(err)}`);
  }
}

void start();
