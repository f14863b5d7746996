/**
 * Live refresh and rediscovery: `r` (or F5) rediscovers now; an optional
 * interval (off by default, 2 s to 5 min: a select in the bar and `l`)
 * does it again and again. Never two scans at once, none while a layout
 * runs, none while the window is hidden.
 *
 * Each new scan is compared with the one shown: namespaces new since then
 * are marked in the drawing (class `fresh`), vanished ones are listed, with
 * what they were, in a notice until it is dismissed (`x`), which clears
 * the marks too (changes.ts, which also shows a comparison with a
 * snapshot, kept up to date across scans). A timed refresh that finds the
 * same (the model apart from its scan time, or failing that the same
 * drawing) lays nothing out: it only says when it checked.
 *
 * While a snapshot the page opened is shown (open.ts), nothing replaces it
 * behind the user's back: the timer checks nothing (the bar says it is
 * paused), and `r` goes back to the Node side's graph (a live scan, or the
 * file of graphns --open, read again), saying so; the page's snapshot is
 * not diffed against it, and a comparison ends there.
 */
import type { GraphPayload, ViewerApi } from '../main/contract';
import { escapeDisplay } from '../main/model/names';
import type { ChangesNotice } from './changes';
import { diffModels, sameScan } from './diff';
import { byId } from './dom';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import { probe } from './probes';
import { pageModel } from './page';

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

/** What `r` goes back to from a snapshot the page opened: the Node side's graph, in words. */
export function backTo(result: Pick<GraphPayload, 'snapshot'>): string {
  return result.snapshot === undefined
    ? 'the live scan'
    : `${escapeDisplay(result.snapshot)} (graphns --open, read again)`;
}

/** What refresh works with. */
export interface RefreshContext {
  drawing: Drawing;
  api: ViewerApi;
  /** The notice of what changed (and the marks). */
  changes: ChangesNotice;
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
  #checks = 0;
  /** Its keys' handlers. */
  readonly commands: Commands<'rediscover' | 'liveRefresh' | 'dismissChanges'> = {
    rediscover: () => this.rediscover(),
    liveRefresh: () => this.cycle(),
    dismissChanges: () => this.dismiss(),
  };
  #els: { select: HTMLSelectElement; checked: HTMLElement };

  constructor(ctx: RefreshContext) {
    this.#ctx = ctx;
    this.#els = { select: byId('f-live'), checked: byId('f-checked') };
    const { select } = this.#els;
    for (const [i, iv] of INTERVALS.entries()) select.append(new Option(iv.text, String(i)));
    select.value = '0';
    select.addEventListener('change', () => this.setInterval(INTERVALS[Number(select.value)]!.ms));
    byId('changes-dismiss').addEventListener('click', () => this.dismiss());
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
    const paused = this.#ctx.drawing.opened !== undefined && ms !== 0;
    if (!paused && this.#els.checked.textContent?.startsWith('paused')) {
      this.#els.checked.textContent = '';
    }
    this.#ctx.note(
      (ms ? `live refresh every ${INTERVALS[i]?.text ?? `${ms} ms`}` : 'live refresh off') +
        (paused ? ' (paused while the snapshot is shown; r goes back)' : ''),
    );
    this.#schedule(ms);
  }

  /** The next interval in the list (after the last: off). */
  cycle(): void {
    const i = INTERVALS.findIndex((x) => x.ms === this.#interval);
    this.setInterval(INTERVALS[(i + 1) % INTERVALS.length]!.ms);
  }

  /**
   * Rediscover now, saying so, and show the result (the `r` key): laid out
   * whatever it finds. From a snapshot the page opened, this is the way
   * back to the Node side's graph.
   */
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

  /** Forget what changed: the notice goes, and so do the marks (and a comparison). */
  dismiss(): void {
    this.#ctx.changes.dismiss();
  }

  #schedule(ms: number): void {
    window.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#interval === 0 || document.visibilityState === 'hidden') return;
    this.#timer = window.setTimeout(() => this.#due(), ms);
  }

  #due(): void {
    this.#timer = undefined;
    if (this.#ctx.drawing.opened !== undefined) {
      // a snapshot the page opened is shown: no scan replaces it unasked
      this.#els.checked.textContent = 'paused: a snapshot is shown (r: back)';
      probe('checkOutcome', 'paused');
      this.#schedule(this.#interval);
      return;
    }
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
      // from a snapshot the page opened: back to the Node side's graph, nothing to diff
      const back = drawing.opened !== undefined;
      if (back && !manual) return; // opened while this scan ran: it stays
      if (!manual && before && sameScan(before.modelJson, result.modelJson)) {
        this.#checked(t0, t1, 'same scan');
        return;
      }
      const model = pageModel(result.modelJson);
      const beforeModel = before && !back && drawing.model;
      if (beforeModel) this.#ctx.changes.record(diffModels(beforeModel.graph, model.graph));
      if (back) this.#ctx.changes.dismiss();
      const laidOut = await drawing.show(result, {
        keepView: !back,
        model,
        unlessSame: !manual,
      });
      this.#ctx.changes.show();
      this.#checked(t0, t1, laidOut ? 'laid out' : 'same drawing');
      if (back) this.#ctx.note(`back to ${backTo(result)} at ${clock(new Date())}`);
      else if (manual) this.#ctx.note(`rediscovered at ${clock(new Date())}`);
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
}
