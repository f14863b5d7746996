/**
 * Live refresh and rediscovery: `r` (or F5) rediscovers now; an optional
 * interval (off by default, 2 s to 5 min: a select in the bar and `l`)
 * does it again and again. Never two scans at once, none while a layout
 * runs, none while the window is hidden.
 *
 * Each new scan is compared with the one shown: namespaces new since then
 * are marked in the drawing (class `fresh`), vanished ones are listed, with
 * what they were, in a notice until it is dismissed (`x`), which clears
 * the marks too. A timed refresh that finds the same (the model apart from
 * its scan time, or failing that the same drawing) lays nothing out: it
 * only says when it checked.
 */
import type { ViewerApi } from '../main/contract';
import { escapeDisplay } from '../main/model/names';
import type { NsKey } from '../main/model/types';
import { diffModels, sameScan, type Vanished } from './diff';
import { byId } from './dom';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import { probe } from './probes';
import { elementFor, pageModel } from './page';

/** The intervals offered, in ms (0: off). */
export const INTERVALS: readonly { ms: number; text: string }[] = [
  { ms: 0, text: 'off' },
  { ms: 2_000, text: '2 s' },
  { ms: 5_000, text: '5 s' },
  { ms: 10_000, text: '10 s' },
  { ms: 30_000, text: '30 s' },
  { ms: 60_000, text: '1 min' },
  { ms: 300_000, text: '5 min' },
];

/** How soon a due refresh tries again while the page is busy. */
const RETRY_MS = 250;
/** Vanished namespaces listed in the notice; more are counted. */
const MAX_LISTED = 200;

/** What refresh works with. */
export interface RefreshContext {
  drawing: Drawing;
  api: ViewerApi;
  /** Whether another long action runs now (a refresh then waits, as it does for a layout). */
  busy(): boolean;
  note(text: string): void;
}

/** HH:MM:SS, local time. */
function clock(d: Date): string {
  return d.toLocaleTimeString([], { hour12: false });
}

/** Rediscovery, once or on an interval, and what changed. */
export class Refresh {
  #ctx: RefreshContext;
  #interval = 0;
  #timer: number | undefined;
  #running = false;
  /** `r` pressed while a scan ran: one more, shown whatever it finds. */
  #manualPending = false;
  /** Namespaces new since the notice was last dismissed. */
  #fresh = new Set<NsKey>();
  #vanished = new Map<NsKey, Vanished>();
  #checks = 0;
  /** Its keys' handlers. */
  readonly commands: Commands<'rediscover' | 'liveRefresh' | 'dismissChanges'> = {
    rediscover: () => this.rediscover(),
    liveRefresh: () => this.cycle(),
    dismissChanges: () => this.dismiss(),
  };
  #els: {
    select: HTMLSelectElement;
    checked: HTMLElement;
    notice: HTMLElement;
    summary: HTMLElement;
    list: HTMLElement;
  };

  constructor(ctx: RefreshContext) {
    this.#ctx = ctx;
    this.#els = {
      select: byId('f-live'),
      checked: byId('f-checked'),
      notice: byId('changes'),
      summary: byId('changes-summary'),
      list: byId('changes-list'),
    };
    const { select } = this.#els;
    for (const [i, iv] of INTERVALS.entries()) select.append(new Option(iv.text, String(i)));
    select.value = '0';
    select.addEventListener('change', () => this.setInterval(INTERVALS[Number(select.value)]!.ms));
    byId('changes-dismiss').addEventListener('click', () => this.dismiss());
    ctx.drawing.drawn.on('marks', ({ svg }) => this.#mark(svg));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.#schedule(0);
      else window.clearTimeout(this.#timer);
    });
  }

  /** Refresh every `ms` (0: stop). */
  setInterval(ms: number): void {
    this.#interval = ms;
    const i = INTERVALS.findIndex((x) => x.ms === ms);
    this.#els.select.value = String(Math.max(0, i));
    probe('refreshMs', ms);
    this.#ctx.note(
      ms ? `live refresh every ${INTERVALS[i]?.text ?? `${ms} ms`}` : 'live refresh off',
    );
    this.#schedule(ms);
  }

  /** The next interval in the list (after the last: off). */
  cycle(): void {
    const i = INTERVALS.findIndex((x) => x.ms === this.#interval);
    this.setInterval(INTERVALS[(i + 1) % INTERVALS.length]!.ms);
  }

  /** Rediscover now, saying so, and show the result (the `r` key): laid out whatever it finds. */
  rediscover(): void {
    this.#ctx.drawing.fetching('discovering');
    this.now();
  }

  /** Rediscover now and show the result: laid out whatever it finds. */
  now(): void {
    if (this.#running) {
      this.#manualPending = true;
      return;
    }
    void this.#check(true);
  }

  /** Forget what changed: the notice goes, and so do the marks. */
  dismiss(): void {
    this.#fresh.clear();
    this.#vanished.clear();
    const svg = this.#ctx.drawing.svg;
    if (svg) for (const el of [...svg.querySelectorAll('.fresh')]) el.classList.remove('fresh');
    this.#showNotice();
  }

  #schedule(ms: number): void {
    window.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#interval === 0 || document.visibilityState === 'hidden') return;
    this.#timer = window.setTimeout(() => this.#due(), ms);
  }

  #due(): void {
    this.#timer = undefined;
    if (this.#running || this.#ctx.drawing.busy || this.#ctx.busy()) {
      this.#schedule(RETRY_MS);
      return;
    }
    void this.#check(false);
  }

  async #check(manual: boolean): Promise<void> {
    const { drawing, api } = this.#ctx;
    this.#running = true;
    window.clearTimeout(this.#timer);
    const t0 = performance.now();
    try {
      const result = await api.rediscover();
      const t1 = performance.now();
      if (!result.ok) {
        if (manual || !drawing.result) drawing.fail(result.error);
        else this.#ctx.note(`refresh failed: ${result.error}`);
        return;
      }
      const before = drawing.result;
      if (!manual && before && sameScan(before.modelJson, result.modelJson)) {
        this.#checked(t0, t1, 'same scan');
        return;
      }
      const model = pageModel(result.modelJson);
      const beforeModel = before && drawing.model;
      if (beforeModel) this.#record(diffModels(beforeModel.graph, model.graph));
      const laidOut = await drawing.show(result, { keepView: true, model, unlessSame: !manual });
      this.#showNotice();
      this.#checked(t0, t1, laidOut ? 'laid out' : 'same drawing');
      if (manual) this.#ctx.note(`rediscovered at ${clock(new Date())}`);
    } catch (err) {
      const message = `refresh failed: ${err instanceof Error ? err.message : String(err)}`;
      if (manual) drawing.fail(message);
      else this.#ctx.note(message);
    } finally {
      this.#running = false;
      if (this.#manualPending) {
        this.#manualPending = false;
        void this.#check(true);
      } else {
        this.#schedule(this.#interval);
      }
    }
  }

  #record(d: ReturnType<typeof diffModels>): void {
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
   * A check is done: it began at `t0` and had the scan's answer at `t1`
   * (performance.now()); `outcome` says what it found.
   */
  #checked(t0: number, t1: number, outcome: string): void {
    const now = new Date();
    this.#checks++;
    this.#els.checked.textContent = `checked at ${clock(now)}`;
    probe('checkedAt', now.getTime());
    probe('checks', this.#checks);
    // for the benchmark: the whole check, and the page's own part after the answer came
    probe('checkMs', Math.round(performance.now() - t0));
    probe('checkPageMs', Math.round(performance.now() - t1));
    probe('checkOutcome', outcome);
  }

  /** Mark the new namespaces in a freshly drawn SVG. */
  #mark(svg: SVGSVGElement): void {
    for (const k of this.#fresh) elementFor(svg, k)?.classList.add('fresh');
  }

  #showNotice(): void {
    const { notice, summary, list } = this.#els;
    const n = this.#fresh.size;
    const v = this.#vanished.size;
    probe('fresh', n);
    probe('vanished', v);
    notice.hidden = n === 0 && v === 0;
    const parts: string[] = [];
    if (n) parts.push(`${n} new namespace${n === 1 ? '' : 's'} (marked)`);
    if (v) parts.push(`${v} vanished:`);
    summary.textContent = `Since the last view: ${parts.join(', ')}`;
    const items = [...this.#vanished.values()].slice(0, MAX_LISTED).map((x) => {
      const li = document.createElement('li');
      li.dataset.key = x.key;
      const id = document.createElement('code');
      id.textContent = x.id;
      li.append(id, document.createTextNode(` ${escapeDisplay(x.was)}`));
      return li;
    });
    if (v > MAX_LISTED) {
      const li = document.createElement('li');
      li.textContent = `and ${v - MAX_LISTED} more`;
      items.push(li);
    }
    list.replaceChildren(...items);
  }
}
