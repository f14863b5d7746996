/**
 * Viewer benchmark (npm run bench:viewer): time from starting graphns to
 * the graph painted in the browser shell (headless Chromium), for synthetic
 * snapshots of 100, 1000 and 5000 namespaces, all drawn (`-d`); the
 * longest pause in the page's painting while the worker lays out (the UI
 * must not freeze); and at 5000 the time from a zoom key to the repaint.
 * Median of RUNS runs (default 3; `RUNS=5 npm run bench:viewer`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel } from '../../main/model';
import { launchViewer, viewerCommand } from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';
import { median } from './measure';
import { syntheticModel } from './synthetic';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
declare const window: { dispatchEvent(e: unknown): void };
declare const KeyboardEvent: new (type: string, init: { key: string }) => unknown;
declare function requestAnimationFrame(f: () => void): void;

const SIZES = [100, 1000, 5000];
const RUNS = Number(process.env.RUNS ?? 3);

interface Sample {
  firstPaintMs: number;
  /** From graphns's start to the page's navigation: graphns, host and browser start-up. */
  browserUpMs: number;
  /** From the page's navigation to the graph painted: what the viewer itself costs. */
  pageMs: number;
  layoutMs: number;
  showMs: number;
  maxFrameGapMs: number;
  zoomKeyMs?: number;
  zoomKey1xMs?: number;
  labelsBackMs?: number;
}

async function once(snapshot: string, measureZoom: boolean): Promise<Sample> {
  const t0 = Date.now();
  const viewer = await launchViewer(['--open', snapshot, '--details'], {}, 120_000);
  try {
    const { page } = viewer;
    const d: Record<string, string | undefined> = await page.evaluate(() => ({
      ...document.documentElement.dataset,
      navigation: String(performance.timeOrigin),
    }));
    if (d.state !== 'ready') throw new Error(`viewer not ready: ${JSON.stringify(d)}`);
    const sample: Sample = {
      firstPaintMs: Number(d.paintedAt) - t0,
      browserUpMs: Number(d.navigation) - t0,
      pageMs: Number(d.paintedAt) - Number(d.navigation),
      layoutMs: Number(d.layoutMs),
      showMs: Number(d.showMs),
      maxFrameGapMs: Number(d.maxFrameGap),
    };
    if (measureZoom) {
      // one key, from rest: the keydown until the frame after it, then the
      // longest pause in painting over the next second (a large graph's
      // labels coming back after the zoom has settled)
      const step = (key: string) =>
        page.evaluate(async (k) => {
          await new Promise((r) => setTimeout(r, 600)); // settle the previous step
          const t = performance.now();
          window.dispatchEvent(new KeyboardEvent('keydown', { key: k }));
          await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          const repaint = performance.now() - t;
          let last = performance.now();
          let gap = 0;
          while (performance.now() - t < 1000) {
            await new Promise<void>((r) => requestAnimationFrame(() => r()));
            gap = Math.max(gap, performance.now() - last);
            last = performance.now();
          }
          return { repaint, gap };
        }, key);
      const far: number[] = [];
      for (const key of ['+', '-', '+', '-', '+']) far.push((await step(key)).repaint);
      sample.zoomKeyMs = median(far);
      await page.keyboard.press('1'); // 1x: labels shown
      const near: { repaint: number; gap: number }[] = [];
      for (const key of ['+', '-', '+', '-', '+']) near.push(await step(key));
      sample.zoomKey1xMs = median(near.map((n) => n.repaint));
      sample.labelsBackMs = median(near.map((n) => n.gap));
    }
    void page.keyboard.press('q').catch(() => undefined);
    await viewer.exited;
    return sample;
  } finally {
    await viewer.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'graphns-viewer-bench-'));
try {
  console.log(`command: node ${viewerCommand().join(' ')} --shell browser --open <snapshot> -d`);
  console.log(
    '| namespaces | first paint | of which start-up | of which page | layout (worker) | insert + paint | longest frame gap during layout | zoom key to repaint | same at 1x | longest frame gap after it at 1x |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const size of SIZES) {
    const snapshot = join(dir, `synthetic-${size}.json`);
    writeFileSync(snapshot, serializeModel(syntheticModel(size)));
    const samples: Sample[] = [];
    await once(snapshot, false); // warm-up: page cache
    for (let i = 0; i < RUNS; i++) samples.push(await once(snapshot, size === 5000));
    const m = (f: (s: Sample) => number | undefined) => {
      const xs = samples.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? `${Math.round(median(xs))} ms` : '—';
    };
    console.log(
      `| ${size} | ${m((s) => s.firstPaintMs)} | ${m((s) => s.browserUpMs)} | ${m((s) => s.pageMs)} | ` +
        `${m((s) => s.layoutMs)} | ${m((s) => s.showMs)} | ` +
        `${m((s) => s.maxFrameGapMs)} | ${m((s) => s.zoomKeyMs)} | ${m((s) => s.zoomKey1xMs)} | ` +
        `${m((s) => s.labelsBackMs)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
