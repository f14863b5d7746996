/**
 * The changes notice and its marks in the drawing: what differs from the
 * view before. Two sources, one notice:
 *
 * - live refresh (refresh.ts) records each new scan's diff against the
 *   one shown: namespaces new since the notice was last dismissed are
 *   marked (class `fresh`), vanished ones listed;
 * - a comparison (compare.ts: `k`, or a file dropped on "compare") holds a
 *   baseline model and compares what is drawn with it, again after every
 *   new scan: namespaces added are marked `fresh` as new ones are,
 *   changed ones `changed`, removed ones listed, and the containers
 *   added, changed and removed listed; a summary counts each.
 *
 * While a comparison is shown, refresh records nothing of its own: the
 * comparison is recomputed for each new model instead. `x` (dismiss)
 * clears both. Every system string reaches the DOM escaped, as text.
 */
import { escapeDisplay } from '../main/model/names';
import type { NsKey } from '../main/model/types';
import { compareModels, type Comparison, type ModelDiff, type Vanished } from './diff';
import { byId } from './dom';
import type { Drawing } from './drawing';
import { elementFor, type PageModel } from './page';
import { probe } from './probes';

/** Entries listed in the notice; more are counted. */
const MAX_LISTED = 200;

/** A comparison with a baseline model. */
interface Baseline {
  model: PageModel;
  /** The notice's words for the baseline and for what is drawn (`before.json (12:00:01)`). */
  before: string;
  after: () => string;
  /** Its result for the model drawn now. */
  result?: Comparison;
  /** The model it was computed for. */
  against?: PageModel;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One list entry: a namespace id as code, then words (escaped). */
function entry(
  data: Record<string, string>,
  code: string | undefined,
  words: string,
): HTMLLIElement {
  const li = document.createElement('li');
  Object.assign(li.dataset, data);
  if (code !== undefined) {
    const c = document.createElement('code');
    c.textContent = code;
    li.append(c, document.createTextNode(' '));
  }
  li.append(document.createTextNode(escapeDisplay(words)));
  return li;
}

/** The notice of changes and the marks of what is new or changed. */
export class ChangesNotice {
  readonly #drawing: Drawing;
  /** Live refresh: namespaces new since the notice was last dismissed, and vanished ones. */
  readonly #fresh = new Set<NsKey>();
  readonly #vanished = new Map<NsKey, Vanished>();
  #baseline: Baseline | undefined;
  readonly #els: { notice: HTMLElement; summary: HTMLElement; list: HTMLElement };
  /** Who hears of a click on a listed namespace that is drawn (the selection). */
  pick: (key: NsKey) => void = () => undefined;

  constructor(drawing: Drawing) {
    this.#drawing = drawing;
    this.#els = {
      notice: byId('changes'),
      summary: byId('changes-summary'),
      list: byId('changes-list'),
    };
    drawing.drawn.on('marks', ({ svg }) => this.#mark(svg));
    this.#els.list.addEventListener('click', (e) => {
      const li = (e.target as Element | null)?.closest('li');
      const key = li?.dataset.key as NsKey | undefined;
      if (key && li?.dataset.change !== 'removed' && drawing.model?.graph.byKey.has(key)) {
        this.pick(key);
      }
    });
  }

  /** The baseline's words while a comparison is shown, else undefined. */
  get comparing(): string | undefined {
    return this.#baseline?.before;
  }

  /** A new scan's diff against the one shown (live refresh); nothing while comparing. */
  record(d: ModelDiff): void {
    if (this.#baseline) return;
    for (const k of d.added) {
      // back again: it did not vanish after all (a new namespace never reuses a live inode)
      if (!this.#vanished.delete(k)) this.#fresh.add(k);
    }
    for (const v of d.vanished) {
      this.#fresh.delete(v.key);
      this.#vanished.set(v.key, v);
    }
  }

  /**
   * Compare what is drawn with `model` from now on (refreshes included):
   * `before` names it in the notice, `after()` what is drawn. What live
   * refresh had recorded goes: the comparison says more.
   */
  compare(model: PageModel, before: string, after: () => string): void {
    this.#fresh.clear();
    this.#vanished.clear();
    this.#baseline = { model, before, after };
    const svg = this.#drawing.svg;
    if (svg && this.#drawing.model) this.#mark(svg);
    this.show();
  }

  /** Forget what changed: the notice and the marks go, and a comparison ends. */
  dismiss(): void {
    this.#fresh.clear();
    this.#vanished.clear();
    this.#baseline = undefined;
    this.#unmark();
    this.show();
  }

  /** Show the notice as things are (hidden when there is nothing to tell). */
  show(): void {
    const c = this.#baseline?.result;
    if (this.#baseline && c) this.#showComparison(this.#baseline, c);
    else this.#showRecorded();
  }

  /** The comparison for the model drawn now, computed once per model. */
  #comparison(): Comparison | undefined {
    const b = this.#baseline;
    const now = this.#drawing.model;
    if (!b || !now) return undefined;
    if (b.against !== now) {
      b.result = compareModels(b.model.graph, now.graph);
      b.against = now;
    }
    return b.result;
  }

  #unmark(): void {
    const svg = this.#drawing.svg;
    if (!svg) return;
    for (const el of [...svg.querySelectorAll('.fresh, .changed')]) {
      el.classList.remove('fresh', 'changed');
    }
  }

  /** Mark what is new or changed in a freshly drawn SVG (and the notice, when comparing). */
  #mark(svg: SVGSVGElement): void {
    const c = this.#comparison();
    if (!c) {
      for (const k of this.#fresh) elementFor(svg, k)?.classList.add('fresh');
      return;
    }
    this.#unmark();
    for (const a of c.added) elementFor(svg, a.key)?.classList.add('fresh');
    for (const x of c.changed) elementFor(svg, x.key)?.classList.add('changed');
    this.show();
  }

  #probes(fresh: number, vanished: number, changed: number | undefined): void {
    probe('fresh', fresh);
    probe('vanished', vanished);
    probe('changed', changed);
    probe('compared', this.#baseline?.before);
  }

  /** Live refresh's notice: new since the last view (marked), vanished (listed). */
  #showRecorded(): void {
    const { notice, summary, list } = this.#els;
    const n = this.#fresh.size;
    const v = this.#vanished.size;
    this.#probes(n, v, undefined);
    notice.hidden = n === 0 && v === 0;
    notice.classList.remove('comparing');
    const parts: string[] = [];
    if (n) parts.push(`${plural(n, 'new namespace')} (marked)`);
    if (v) parts.push(`${v} vanished:`);
    summary.textContent = `Since the last view: ${parts.join(', ')}`;
    const items = [...this.#vanished.values()]
      .slice(0, MAX_LISTED)
      .map((x) => entry({ key: x.key }, x.id, x.was));
    if (v > MAX_LISTED) items.push(entry({}, undefined, `and ${v - MAX_LISTED} more`));
    list.replaceChildren(...items);
  }

  /** A comparison's notice: a summary counting each kind, then every entry (the first MAX_LISTED). */
  #showComparison(b: Baseline, c: Comparison): void {
    const { notice, summary, list } = this.#els;
    const ct = c.containers;
    this.#probes(c.added.length, c.removed.length, c.changed.length);
    notice.hidden = false;
    notice.classList.add('comparing');
    const none =
      c.added.length + c.removed.length + c.changed.length === 0 &&
      ct.added.length + ct.removed.length + ct.changed.length === 0;
    summary.textContent =
      `From ${escapeDisplay(b.before)} to ${escapeDisplay(b.after())}: ` +
      (none
        ? 'no differences'
        : `namespaces ${c.added.length} added (marked), ${c.changed.length} changed (marked), ` +
          `${c.removed.length} removed; containers ${ct.added.length} added, ` +
          `${ct.changed.length} changed, ${ct.removed.length} removed`);
    const all = [
      ...c.added.map((x) => entry({ key: x.key, change: 'added' }, x.id, `added: ${x.is}`)),
      ...c.changed.map((x) =>
        entry({ key: x.key, change: 'changed' }, x.id, `changed: ${x.changes.join('; ')}`),
      ),
      ...c.removed.map((x) => entry({ key: x.key, change: 'removed' }, x.id, `removed: ${x.was}`)),
      ...ct.added.map((x) =>
        entry({ container: x.key, change: 'added' }, undefined, `container ${x.text} added`),
      ),
      ...ct.changed.map((x) =>
        entry(
          { container: x.key, change: 'changed' },
          undefined,
          `container ${x.text} changed: ${(x.changes ?? []).join('; ')}`,
        ),
      ),
      ...ct.removed.map((x) =>
        entry({ container: x.key, change: 'removed' }, undefined, `container ${x.text} removed`),
      ),
    ];
    const items = all.slice(0, MAX_LISTED);
    if (all.length > MAX_LISTED) {
      items.push(entry({}, undefined, `and ${all.length - MAX_LISTED} more`));
    }
    list.replaceChildren(...items);
  }
}
