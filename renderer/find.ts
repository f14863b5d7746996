/**
 * The find box: `/` or Ctrl+F opens it; every keystroke highlights the
 * namespaces the query matches (main/emit/find.ts, an index built once per
 * model) and says how many; Enter and Shift+Enter step through them, each
 * centred at a readable zoom; Escape closes it and clears the highlight.
 *
 * A keystroke costs one pass of the index over short strings plus work in
 * the number of matches (a lookup each in the drawing's element index, an
 * outline each in the overlay, which draws only the cells near the view,
 * marks.ts): at thousands of namespaces it must leave the page painting
 * (the bench, tests/bench/viewer-ui-bench.ts, measures the longest frame
 * gap while typing). Matches the filters do not draw are counted apart, not hidden
 * in the count.
 *
 * `<html data-find-query>` is the query the highlight shows (set once the
 * marks are on), `data-find-count` / `data-find-hidden` the counts,
 * `data-find-current` the match stepped to and `data-find-ms` the script
 * time of the last update: tests and the bench wait on and read them.
 */
import { findIndex, type FindIndex } from '../main/emit/find';
import type { NsKey } from '../main/model/types';
import { byId, whenIdle } from './dom';
import { findActionForKey, type FindAction } from './keys';
import type { Marks } from './marks';
import { elementFor, indexElements, type PageState } from './page';
import { probe } from './probes';
import type { GraphView } from './view';

/** The zoom a match is centred at (at least): 1x, where 10-point labels are 10 px. */
const READABLE = 1;

/** What the find box needs of the page. */
export interface FindContext {
  page: PageState;
  view: GraphView;
  marks: Marks;
}

/** The find box, as main.ts drives it. */
export interface FindBox {
  open(): void;
  /** Close it and clear the highlight; false when it was not open. */
  close(): boolean;
}

const elementOf = (m: { el: Element }): Element => m.el;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Install the find box. */
export function installFind(ctx: FindContext): FindBox {
  const { page, view, marks: overlay } = ctx;
  const box = byId('find');
  const input = byId<HTMLInputElement>('find-input');
  const count = byId('find-count');
  let index: { of: object; find: FindIndex } | undefined;
  /** The drawn matches, in drawing order. */
  let shown: { key: NsKey; el: Element }[] = [];
  let hidden = 0;
  let current = -1;

  const indexNow = (): FindIndex | undefined => {
    const m = page.model;
    if (!m) return undefined;
    // built once per model: a new scan brings a new model object
    if (index?.of !== m) index = { of: m, find: findIndex(m.graph) };
    return index.find;
  };

  const say = (): void => {
    const q = input.value.trim();
    const n = shown.length;
    let text = '';
    if (q !== '') {
      if (n === 0) text = hidden === 0 ? 'no match' : 'none shown';
      else if (current >= 0) text = `${current + 1} of ${n}`;
      else text = plural(n, 'match', 'matches');
      if (hidden > 0) text += `, ${hidden} hidden by filters`;
    }
    count.textContent = text;
    probe('findCount', n);
    probe('findHidden', hidden);
    probe('findCurrent', current >= 0 ? shown[current]!.key : undefined);
  };

  /** Highlight what the query matches now. */
  const update = (): void => {
    const t0 = performance.now();
    const find = indexNow();
    const svg = page.svg;
    const q = input.value;
    shown = [];
    hidden = 0;
    current = -1;
    if (find && svg) {
      for (const key of find.find(q)) {
        const el = elementFor(svg, key);
        if (el) shown.push({ key, el });
        else hidden++;
      }
    }
    overlay.set('match', shown.map(elementOf));
    overlay.set('match-current', []);
    say();
    probe('findQuery', q);
    probe('findMs', Math.round(performance.now() - t0));
  };

  // keys typed faster than frames are painted: one update per frame, just
  // before it is rendered, for the text typed by then
  let pending = false;
  /** Bring the highlight up to the text now (a key like Enter must act on it). */
  const flush = (): void => {
    if (!pending) return;
    pending = false;
    if (!box.hidden) update();
  };
  const schedule = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(flush);
  };

  const step = (by: 1 | -1): void => {
    const n = shown.length;
    if (n === 0) return;
    current = current < 0 ? (by > 0 ? 0 : n - 1) : (current + by + n) % n;
    const { el } = shown[current]!;
    overlay.set('match-current', [el]);
    view.centreOn(el, READABLE);
    say();
  };

  const details = (): void => {
    const hit = shown[Math.max(current, 0)];
    if (hit) page.select(hit.key);
  };

  const api: FindBox = {
    open(): void {
      const wasHidden = box.hidden;
      box.hidden = false;
      probe('find', 'open');
      input.focus();
      input.select();
      if (wasHidden) update();
    },
    close(): boolean {
      if (box.hidden) return false;
      box.hidden = true;
      probe('find', undefined);
      overlay.set('match', []);
      overlay.set('match-current', []);
      shown = [];
      hidden = 0;
      current = -1;
      say();
      probe('findQuery', '');
      if (box.contains(document.activeElement)) input.blur();
      return true;
    },
  };

  const run: Record<FindAction, () => void> = {
    next: () => step(1),
    previous: () => step(-1),
    details,
    close: () => void api.close(),
    select: () => input.select(),
  };

  input.addEventListener('input', schedule);
  input.addEventListener('keydown', (e) => {
    const action = findActionForKey(e.key, e);
    if (!action) return;
    e.preventDefault();
    flush();
    run[action]();
  });
  byId('find-next').addEventListener('click', () => (flush(), step(1)));
  byId('find-prev').addEventListener('click', () => (flush(), step(-1)));
  byId('find-details').addEventListener('click', () => (flush(), details()));
  byId('find-close').addEventListener('click', () => void api.close());
  // a new drawing: the same query over the new SVG (and, after a scan, the new model)
  page.onDrawn(() => {
    if (!box.hidden) update();
    // build the indexes (and parse the model) while the page is idle, not at
    // the first letter typed: at 5000 namespaces that is a 100 ms task, a frame
    // gap the user would see while typing
    whenIdle(() => {
      indexNow();
      if (page.svg) indexElements(page.svg);
    });
  });
  return api;
}
