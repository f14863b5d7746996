/**
 * The overview's interaction at 50 000 namespaces (issue 21: "no frame gap
 * over 100 ms while zooming and typing in find"): the browser shell in
 * headless Chromium on each large host's shape (tests/bench/synthetic.ts
 * shapeModel), drawn -d, so as the overview. Per run and shape, the
 * longest pause between animation frames:
 *
 *   - after the first paint, until the page is idle (the page parses the
 *     model for its panels then, once per scan: reported, not a gesture);
 *   - wheel-zooming in and out, a notch every 100 ms;
 *   - typing the name of the shape's last container in find, at 120 ms a
 *     key (the worker ranks: renderer/find-worker.ts): its first letters
 *     match most of the model;
 *   - Enter, which draws the best match out of its group (a relayout);
 *   - a click on a group, which draws a page of 100 of its members.
 *
 *   npm run build && npm run bench:overview       # SIZE=20000 RUNS=5 SHAPES=star
 *
 * Medians over RUNS viewer starts (default 3), the load average beside.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { gapsDuring } from '../helpers/frame-gaps';
import { launchViewer } from '../helpers/viewer';
import { relaidOut, waitData, wheelNotches } from '../helpers/viewer-ui';
import { median } from './measure';
import { shapeModel, SHAPES, type Shape } from './synthetic';

const SIZE = Number(process.env.SIZE ?? 50000);
const RUNS = Number(process.env.RUNS ?? 3);
const SHAPE_LIST = (process.env.SHAPES?.split(',') ?? SHAPES) as Shape[];
const KEY_GAP_MS = 120;
const WHEEL_GAP_MS = 100;
const SETTLE_MS = 1500;

/** The longest frame gap while `gesture` runs and 500 ms after (ms). */
async function gapDuring(page: Page, gesture: () => Promise<unknown>): Promise<number> {
  return (await gapsDuring(page, gesture, 500)).gap;
}

const wheel = (page: Page, notches: number) => wheelNotches(page, notches, WHEEL_GAP_MS);

type Gaps = Record<
  'after first paint' | 'zoom' | 'typing in find' | 'Enter (draws a match)' | 'open a group',
  number
>;

async function once(file: string, query: string): Promise<Gaps> {
  const viewer = await launchViewer(['--open', file, '-d']);
  try {
    const { page } = viewer;
    // the page's idle work after its first paint
    const { gap: first } = await gapsDuring(page, () => Promise.resolve(), 3000);
    await page.waitForTimeout(SETTLE_MS);
    const zoom = await gapDuring(page, async () => {
      await wheel(page, 6);
      await wheel(page, -6);
    });
    await page.keyboard.press('w');
    await page.waitForTimeout(SETTLE_MS);
    await page.keyboard.press('/');
    await waitData(page, 'find', 'open');
    const typing = await gapDuring(page, async () => {
      for (const c of query) {
        await page.keyboard.type(c);
        await page.waitForTimeout(KEY_GAP_MS);
      }
      await waitData(page, 'findQuery', query);
    });
    const enter = await gapDuring(page, () => relaidOut(page, () => page.keyboard.press('Enter')));
    await page.keyboard.press('Escape');
    await page.keyboard.press('w');
    await page.waitForTimeout(SETTLE_MS);
    const open = await gapDuring(page, () =>
      relaidOut(page, () => page.locator('#graph svg g.node.fan').first().click()),
    );
    return {
      'after first paint': first as number,
      zoom,
      'typing in find': typing,
      'Enter (draws a match)': enter,
      'open a group': open,
    };
  } finally {
    await viewer.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'graphns-overview-bench-'));
try {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`${SIZE} namespaces per shape, ${RUNS} runs each; load average before: ${load()}\n`);
  console.log('| shape | gesture | longest frame gap, median | max | runs |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const shape of SHAPE_LIST) {
    const file = join(dir, `${shape}.json`);
    const model = shapeModel(shape, SIZE);
    writeFileSync(file, serializeModel(model));
    // a container deep in a group: Enter draws it out
    const query = model.containers.at(-1)?.name ?? 'a';
    const runs: Gaps[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(await once(file, query));
    for (const k of Object.keys(runs[0]!) as (keyof Gaps)[]) {
      const xs = runs.map((g) => g[k]);
      console.log(
        `| ${shape} | ${k} | ${Math.round(median(xs))} ms | ${Math.round(Math.max(...xs))} ms | ${xs.length} |`,
      );
    }
  }
  console.log(`\nload average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
