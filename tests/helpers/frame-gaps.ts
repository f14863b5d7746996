/**
 * The frame-gap watch the viewer benches share: the longest pause between
 * two animation frames (the page's main thread busy: a long style, layout
 * or paint), as docs/BENCHMARKS.md reports them.
 *
 * Stopping waits for the next frame and counts the pause before it. A
 * watch read at once missed the longest frames of all: one under way when
 * asked (the ask itself waited for it to end) showed only at the frame
 * after, which was not counted.
 */
import type { Page } from 'playwright-core';

/** In the page: `window.__frames`, with watch(), step() and stop(). */
const INSTALL = `(() => {
  if (window.__frames) return;
  const f = (window.__frames = { gap: 0, over: 0, stepGap: 0, running: false, stopped: () => {} });
  f.watch = () => {
    f.gap = 0;
    f.over = 0;
    f.stepGap = 0;
    if (f.running) return;
    f.running = true;
    let last = performance.now();
    const loop = () => {
      const now = performance.now();
      f.gap = Math.max(f.gap, now - last);
      f.stepGap = Math.max(f.stepGap, now - last);
      if (now - last > 100) f.over++;
      last = now;
      if (f.running) requestAnimationFrame(loop);
      else f.stopped();
    };
    requestAnimationFrame(loop);
  };
  // the longest gap since the last step (or the watch's start)
  f.step = () => { const g = f.stepGap; f.stepGap = 0; return g; };
  f.stop = () => new Promise((r) => {
    f.stopped = () => r({ gap: f.gap, over: f.over });
    f.running = false;
  });
})()`;

/** What a watch saw: the longest gap (ms) and how many gaps were over 100 ms. */
export interface Gaps {
  gap: number;
  over: number;
}

/** Start watching the page's frames (installing the watch on the first call). */
export async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(INSTALL);
  await page.evaluate('window.__frames.watch()');
}

/** The longest gap since the last step, the watch going on. */
export function stepGap(page: Page): Promise<number> {
  return page.evaluate<number>('window.__frames.step()');
}

/** Stop watching, at the next frame: what the watch saw. */
export function stopFrames(page: Page): Promise<Gaps> {
  return page.evaluate<Gaps>('window.__frames.stop()');
}

/** The frames while `gesture` runs and `afterMs` after it. */
export async function gapsDuring(
  page: Page,
  gesture: () => Promise<unknown>,
  afterMs: number,
): Promise<Gaps> {
  await watchFrames(page);
  await gesture();
  await page.waitForTimeout(afterMs);
  return stopFrames(page);
}
