/**
 * The find box: `/` or Ctrl+F opens it; every keystroke highlights the
 * namespaces the query matches (main/emit/find.ts, an index built once per
 * model) and says how many of each kind: the own namespaces of what the
 * query names best (a container, pod, process), of the other things it
 * names, and those only mentioning it. Enter goes to the best match first
 * (the index ranks them), then the next, each centred at a readable zoom,
 * Shift+Enter back; Escape closes it and clears the highlight.
 *
 * The index is built and searched in a worker (find-worker.ts), handed
 * the model once per model: at 50 000 namespaces building it takes about
 * a second and ranking a short query's matches a tenth of one, frame gaps
 * on the page's thread. The page's share of a keystroke is a lookup per
 * match in the drawing's element index and an outline per drawn match in
 * the overlay, which draws only the cells near the view (marks.ts): at
 * thousands of namespaces it must leave the page painting (the bench,
 * tests/bench/viewer-ui-bench.ts, measures the longest frame gap while
 * typing). Matches the filters do not draw are counted apart, not hidden
 * in the count; in the overview, Enter draws the best of them out of its
 * group.
 *
 * `<html data-find-query>` is the query the highlight shows (set once the
 * marks are on), `data-find-count` / `data-find-hidden` the counts,
 * `data-find-current` the match stepped to and `data-find-ms` the time
 * from the update's start to its marks (the worker's answer included):
 * tests and the bench wait on and read them.
 */
import { matchWhy, matchWords, type FindMatch } from '../main/emit/find';
import { byId, whenIdle } from './dom';
import type { Drawing } from './drawing';
import { FindClient } from './find-client';
import type { PackedMatches } from './find-wire';
import { findActionForKey, type Commands, type FindAction } from './keys';
import type { Marks } from './marks';
import { elementFor, indexElements } from './page';
import { probe } from './probes';
import type { Selection } from './selection';
import type { GraphView } from './view';
import type { NsKey } from '../main/model/types';

/** The zoom a match is centred at (at least): 1x, where 10-point labels are 10 px. */
const READABLE = 1;

/** What the find box works with. */
export interface FindParts {
  drawing: Drawing;
  selection: Selection;
  view: GraphView;
  marks: Marks;
  /** Draw `key` as itself, out of the overview's groups and folds (a relayout follows); false when it cannot. */
  reveal(key: NsKey): boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What the count beside the box says: `3 matches` and of what kinds
 * (matchWords: `12 matches: 5 own namespaces of container "web", 7
 * mentioning it`), `2 of 12: own namespace of container "web"` while
 * stepping, `no match`, and what the filters hide. `shown` are the drawn
 * matches, best first.
 */
export function countText(
  query: string,
  shown: readonly FindMatch[],
  current: number,
  hidden: number,
  grouped = false,
): string {
  if (query.trim() === '') return '';
  const n = shown.length;
  let text: string;
  const at = current >= 0 ? shown[current] : undefined;
  if (n === 0) text = hidden === 0 ? 'no match' : 'none shown';
  else if (at) text = `${current + 1} of ${n}: ${matchWhy(at)}`;
  else {
    const words = matchWords(shown);
    text = `${plural(n, 'match', 'matches')}${words ? `: ${words}` : ''}`;
  }
  if (hidden === 0) return text;
  // in the overview, Enter opens a group to reach a match in it
  return grouped
    ? `${text}, ${hidden} inside groups or filtered (Enter draws the best)`
    : `${text}, ${hidden} hidden by filters`;
}

/** The find box. */
export class FindBox {
  readonly #parts: FindParts;
  readonly #box = byId('find');
  readonly #input = byId<HTMLInputElement>('find-input');
  readonly #count = byId('find-count');
  /** The index, in a worker: at 50 000 namespaces building and ranking are frame gaps on the page's thread. */
  readonly #client = new FindClient();
  /** The latest update's number: an answer for an older one is dropped. */
  #seq = 0;
  /** The latest update, done when its answer is on screen (an Enter waits for it). */
  #latest: Promise<void> = Promise.resolve();
  /** The drawn matches, best first, with their place in the ranking. */
  #shown: { match: FindMatch; el: Element; rank: number }[] = [];
  #hidden = 0;
  /** The best match not drawn, and its place in the ranking: in the overview, Enter draws it. */
  #bestHidden: { key: NsKey; rank: number } | undefined;
  /** Matches drawing was asked for once: not asked again for this query (filters may hide them). */
  #tried = new Set<NsKey>();
  /** A match being drawn (a relayout runs): stepped to once it is. */
  #revealing: NsKey | undefined;
  #current = -1;
  /** The query of the last update (a new one forgets what was tried). */
  #probedQuery = '';
  /** An update waits for the next frame (keys typed faster than frames share one). */
  #pending = false;
  /** Its key's handler. */
  readonly commands: Commands<'find'> = { find: () => this.open() };

  constructor(parts: FindParts) {
    this.#parts = parts;
    this.#listen();
    // a new drawing: the same query over the new SVG (and, after a scan, the new model)
    parts.drawing.drawn.on('marks', () => this.#redrawn());
  }

  get isOpen(): boolean {
    return !this.#box.hidden;
  }

  /** Open the box (or go back to it), its text selected. */
  open(): void {
    const wasHidden = this.#box.hidden;
    this.#box.hidden = false;
    probe('find', 'open');
    this.#input.focus();
    this.#input.select();
    if (wasHidden) void this.#update();
  }

  /** Close it and clear the highlight; false when it was not open. */
  close(): boolean {
    if (this.#box.hidden) return false;
    this.#box.hidden = true;
    probe('find', undefined);
    this.#seq++; // an answer on its way is for a box closed since
    this.#parts.marks.set('match', []);
    this.#parts.marks.set('match-current', []);
    this.#shown = [];
    this.#hidden = 0;
    this.#current = -1;
    this.#say();
    probe('findQuery', '');
    if (this.#box.contains(document.activeElement)) this.#input.blur();
    return true;
  }

  #listen(): void {
    const run: Record<FindAction, () => void> = {
      next: () => this.#step(1),
      previous: () => this.#step(-1),
      details: () => this.#details(),
      close: () => void this.close(),
      select: () => this.#input.select(),
    };
    this.#input.addEventListener('input', () => this.#schedule());
    this.#input.addEventListener('keydown', (e) => {
      const action = findActionForKey(e.key, e);
      if (!action) return;
      e.preventDefault();
      void this.#flush().then(() => run[action]());
    });
    const click = (id: string, action: FindAction) =>
      byId(id).addEventListener('click', () => void this.#flush().then(() => run[action]()));
    click('find-next', 'next');
    click('find-prev', 'previous');
    click('find-details', 'details');
    click('find-close', 'close');
  }

  /** Hand the worker the model drawn (the same model again costs nothing). */
  #loadModel(): void {
    const r = this.#parts.drawing.result;
    if (r) this.#client.load(r.modelJson);
  }

  #say(): void {
    const shown = this.#shown.map((m) => m.match);
    const q = this.#input.value;
    const grouped = this.#parts.drawing.overview !== undefined;
    this.#count.textContent = countText(q, shown, this.#current, this.#hidden, grouped);
    // while stepping, the kinds stay on hover
    this.#count.title = countText(q, shown, -1, this.#hidden, grouped);
    probe('findCount', shown.length);
    probe('findHidden', this.#hidden);
    probe('findCurrent', this.#current >= 0 ? shown[this.#current]!.key : undefined);
  }

  /** Highlight what the query matches now: asked of the worker, shown when its answer comes. */
  #update(): Promise<void> {
    return (this.#latest = this.#ask(++this.#seq));
  }

  async #ask(seq: number): Promise<void> {
    const t0 = performance.now();
    const q = this.#input.value;
    let found: PackedMatches | undefined;
    if (q.trim() !== '' && this.#parts.drawing.svg) {
      this.#loadModel();
      try {
        found = await this.#client.rank(q);
      } catch (err) {
        if (seq === this.#seq) this.#count.textContent = `find failed: ${(err as Error).message}`;
        return;
      }
      // another model came meanwhile: its drawing's update asks again
      if (found === undefined) return;
    }
    if (seq !== this.#seq) return;
    this.#show(q, found);
    probe('findQuery', q);
    probe('findMs', Math.round(performance.now() - t0));
  }

  /** Mark the drawn ones among `found` (ranked), count the others, remember the best of those. */
  #show(q: string, found: PackedMatches | undefined): void {
    const svg = this.#parts.drawing.svg;
    if (q !== this.#probedQuery) this.#tried.clear();
    this.#probedQuery = q;
    this.#shown = [];
    this.#hidden = 0;
    this.#bestHidden = undefined;
    this.#current = -1;
    if (found && svg) {
      found.keys.forEach((key, rank) => {
        const el = elementFor(svg, key);
        if (el) this.#shown.push({ match: found.match(rank), el, rank });
        else {
          this.#hidden++;
          if (!this.#bestHidden && !this.#tried.has(key)) this.#bestHidden = { key, rank };
        }
      });
    }
    this.#parts.marks.set(
      'match',
      this.#shown.map((m) => m.el),
    );
    this.#parts.marks.set('match-current', []);
    this.#say();
  }

  /** Bring the highlight up to the text now; resolves once it is (a key like Enter must act on it). */
  #flush(): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      if (!this.#box.hidden) void this.#update();
    }
    return this.#latest;
  }

  /** Keys typed faster than frames are painted: one update per frame, just before it is rendered. */
  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => this.#flush());
  }

  /** To the next (1) or previous (-1) match, centred at a readable zoom: the first Enter goes to the best. */
  #step(by: 1 | -1): void {
    const n = this.#shown.length;
    const c = this.#current;
    const next = c < 0 ? (by > 0 ? 0 : n - 1) : (c + by + n) % n;
    if (by > 0 && this.#revealBefore(c < 0 || next > c ? this.#shown[next] : undefined)) return;
    if (n === 0) return;
    this.#stepTo(next);
  }

  #stepTo(i: number): void {
    this.#current = i;
    const { el } = this.#shown[i]!;
    this.#parts.marks.set('match-current', [el]);
    this.#parts.view.centreOn(el, READABLE);
    this.#say();
  }

  /**
   * In the overview, the best match not drawn, when it ranks before `next`
   * (the drawn match Enter would go to; undefined at the end): drawn out
   * of its group, then stepped to once laid out (#redrawn). True when so.
   */
  #revealBefore(next: { rank: number } | undefined): boolean {
    const best = this.#bestHidden;
    if (!best || this.#parts.drawing.overview === undefined) return false;
    if (next && next.rank < best.rank) return false;
    this.#tried.add(best.key);
    if (!this.#parts.reveal(best.key)) return false;
    this.#revealing = best.key;
    return true;
  }

  /** Select the match stepped to (the first when none), which opens its details. */
  #details(): void {
    const hit = this.#shown[Math.max(this.#current, 0)];
    if (hit) this.#parts.selection.select(hit.match.key);
  }

  #redrawn(): void {
    const revealed = this.#revealing;
    this.#revealing = undefined;
    if (!this.#box.hidden) {
      void this.#update().then(() => {
        const at = this.#shown.findIndex((m) => m.match.key === revealed);
        if (at >= 0) this.#stepTo(at);
      });
    }
    // build the indexes (and parse the model) while the page is idle, not at
    // the first letter typed: at 5000 namespaces that is a 100 ms task, a frame
    // gap the user would see while typing
    whenIdle(() => {
      this.#loadModel();
      const svg = this.#parts.drawing.svg;
      if (svg) indexElements(svg);
    });
  }
}
