/**
 * Viewer UI benchmark (npm run bench:ui): the details panel and the find
 * box at 5000 namespaces, all drawn (`-d`), in the browser shell (headless
 * Chromium), on a synthetic snapshot.
 *
 *   - open details: from the click's pointerdown on a node to the frame
 *     after the panel went up (painted); the first open of a run parses the
 *     model too, and is given apart; "switch" is a click on another node
 *     while the panel is open (no resize of the drawing then);
 *   - find: from each keydown to the frame after its highlight is on
 *     (painted), typing 6-letter queries at human speed (KEY_GAP_MS between
 *     keys), and the longest pause in painting while typing (target: none
 *     over 100 ms). "contai" ends matching 4 of 5 namespaces (the worst
 *     case: thousands of elements marked and unmarked per key), "chromi" a
 *     fifth of them; and of that, the find's own script time;
 *   - the floor: a change to one line of text elsewhere on the page, to
 *     painted, with the drawing on screen (Chromium paints the whole
 *     drawing again at any change, whatever changed);
 *   - pan and zoom with the minimap (renderer/minimap.ts) and without it
 *     (`m`), in turn: the longest pause in painting while dragging the
 *     drawing at about the start zoom (33%, labels hidden) and at 1x
 *     (labels shown), while wheel-zooming out and in below 50%, and in
 *     across it (labels hidden while the zoom changes, laid out again
 *     300 ms after the last notch: watched until 500 ms after), and, map
 *     on, while dragging the map's rectangle at 1x (target: no gap over
 *     100 ms), and how many gaps were over 100 ms (a count the machine's
 *     load sways less than the longest); and what drawing the map cost
 *     (script time in idle slices, the longest slice).
 *
 * Medians over RUNS viewer starts (default 5; `RUNS=7 npm run bench:ui`),
 * with the machine's load average, since the figures depend on it.
 * `PARTS=panzoom` runs only the pan and zoom part (`details,find` the rest).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { launchViewer, viewerCommand } from '../helpers/viewer';
import { gapsDuring, stopFrames, watchFrames } from '../helpers/frame-gaps';
import { waitData, wheelNotches } from '../helpers/viewer-ui';
import { median } from './measure';
import { syntheticModel } from './synthetic';

const SIZE = Number(process.env.SIZE ?? 5000);
const RUNS = Number(process.env.RUNS ?? 5);
const PARTS = new Set((process.env.PARTS ?? 'details,find,panzoom').split(','));
/** Pan and zoom gestures: a pointer step every frame or so, a wheel notch every WHEEL_GAP_MS. */
const MOVE_GAP_MS = 16;
const WHEEL_GAP_MS = 100;
/** After a gesture, this long still watched: a large graph's labels come back 300 ms after a zoom (view.ts). */
const AFTER_MS = 500;
const KEY_GAP_MS = 120;
const QUERIES = ['contai', 'chromi'];
const OPENS = 5;
const SETTLE_MS = 1500;
/** The panel's width (27em of 13 px, style.css), and some. */
const PANEL_PX = 360;

interface Run {
  floorMs: number[];
  firstOpenMs: number;
  openMs: number[];
  switchMs: number[];
  closeMs: number[];
  panMs: number[];
  keyMs: Record<string, number[]>;
  scriptMs: Record<string, number[]>;
  gapMs: Record<string, number>;
  matches: Record<string, string>;
  /** Pan and zoom: the longest frame gap per gesture, map on and off, and how many gaps were over 100 ms. */
  panGapMs: Record<string, number>;
  panOver: Record<string, number>;
  mapDrawMs: number;
  mapSliceMs: number;
}

/**
 * In the page: for each key typed into the find box while recording, the
 * time from its keydown (the event's timeStamp) to the frame after the
 * next (painted), and the find's own script time (data-find-ms); the
 * pointerdown time of the last click (frame gaps: tests/helpers/frame-gaps.ts).
 */
const INSTRUMENT = `(() => {
  const ui = (window.__ui = { keys: [], scripts: [], recording: false, down: 0 });
  const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  document.addEventListener('keydown', (e) => {
    if (!ui.recording || e.target.id !== 'find-input' || e.key.length !== 1) return;
    const t0 = e.timeStamp;
    void painted().then(() => {
      ui.keys.push(performance.now() - t0);
      ui.scripts.push(Number(document.documentElement.dataset.findMs));
    });
  }, true);
  document.addEventListener('pointerdown', (e) => { ui.down = e.timeStamp; }, true);
  ui.painted = painted;
  // the floor: what any change to the page costs to paint with this drawing on screen
  ui.floor = async () => {
    const xs = [];
    for (let i = 0; i < 5; i++) {
      await painted();
      await new Promise((r) => setTimeout(r, 150));
      const t = performance.now();
      document.getElementById('status').textContent = 'floor ' + i;
      await painted();
      xs.push(performance.now() - t);
    }
    return xs;
  };
})()`;

/**
 * Ids of node elements wholly inside the drawing now, spread over it;
 * `right` px off its right edge (where the panel will cover it).
 */
function visibleNodes(page: Page, n: number, right = 0): Promise<string[]> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    const right = g.right - ${right};
    const ids = [];
    for (const el of document.querySelectorAll('#graph g.node.ns')) {
      const r = el.getBoundingClientRect();
      if (r.left > g.left + 10 && r.right < right - 10 && r.top > g.top + 10 && r.bottom < g.bottom - 10)
        ids.push(el.id);
    }
    const step = Math.max(1, Math.floor(ids.length / ${n}));
    return ids.filter((_, i) => i % step === 0).slice(0, ${n});
  })()`);
}

/** Of `ids`, those wholly in the strip the panel will cover. */
function coveredNodes(page: Page, ids: string[]): Promise<string[]> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    return ${JSON.stringify(ids)}.filter((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.left > g.right - ${PANEL_PX} + 20 && r.right < g.right - 10;
    });
  })()`);
}

/** Click node `id` and return the ms from its pointerdown to the panel on it painted. */
async function clickToPanel(page: Page, id: string): Promise<number> {
  const box = await page.locator(`[id="${id}"]`).boundingBox();
  if (!box) throw new Error(`${id} not on screen`);
  const key = id.replace('-', ':');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  return page.evaluate(`(async () => {
    while (document.documentElement.dataset.details !== ${JSON.stringify(key)})
      await new Promise((r) => setTimeout(r, 1));
    await window.__ui.painted();
    return performance.now() - window.__ui.down;
  })()`);
}

/** Press `key` and return the ms from its keydown to painted, once `<html data-NAME>` is `value`. */
async function keyToPainted(
  page: Page,
  key: string,
  name: string,
  value: string | undefined,
): Promise<number> {
  await page.evaluate(`(() => {
    window.__ui.keyAt = 0;
    document.addEventListener('keydown', (e) => { window.__ui.keyAt = e.timeStamp; }, { capture: true, once: true });
  })()`);
  await page.keyboard.press(key);
  await waitData(page, name, value);
  return page.evaluate('window.__ui.painted().then(() => performance.now() - window.__ui.keyAt)');
}

/** The longest pause in painting while `gesture` runs, and AFTER_MS after it (ms). */
async function gapDuring(page: Page, gesture: () => Promise<void>): Promise<number> {
  await page.waitForTimeout(SETTLE_MS);
  const { gap, over } = await gapsDuring(page, gesture, AFTER_MS);
  lastOver = over;
  return gap;
}

/** How many frame gaps over 100 ms the last gapDuring saw. */
let lastOver = 0;

/** Drag the drawing from its middle by (dx, dy) px, a step every MOVE_GAP_MS. */
async function dragBy(page: Page, dx: number, dy: number, steps = 40): Promise<void> {
  const g = await page.locator('#graph').boundingBox();
  if (!g) throw new Error('no drawing');
  const [x, y] = [g.x + g.width / 2, g.y + g.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
    await page.waitForTimeout(MOVE_GAP_MS);
  }
  await page.mouse.up();
}

/** Wheel `notches` notches in (negative: out) around the drawing's middle. */
const wheel = (page: Page, notches: number) => wheelNotches(page, notches, WHEEL_GAP_MS);

/** Drag the minimap's rectangle by `dx` px along the map, a step every MOVE_GAP_MS. */
async function dragMap(page: Page, dx: number, steps = 30): Promise<void> {
  const r = await page.locator('#minimap .minimap-view').boundingBox();
  if (!r) throw new Error('no minimap shown');
  const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(x + (dx * i) / steps, y);
    await page.waitForTimeout(MOVE_GAP_MS);
  }
  await page.mouse.up();
}

/** Whether the minimap is shown now. */
const mapShown = (page: Page): Promise<boolean> =>
  page.evaluate("!document.getElementById('minimap').hidden");

/**
 * Pan and zoom, the map on and off in turn (`mapFirst`: on first), each
 * from the start view: the longest frame gap per gesture.
 */
async function panZoom(
  page: Page,
  mapFirst: boolean,
): Promise<{ gaps: Record<string, number>; over: Record<string, number> }> {
  const gaps: Record<string, number> = {};
  const over: Record<string, number> = {};
  const out = {
    set(what: string, gap: number) {
      gaps[what] = gap;
      over[what] = lastOver;
    },
  };
  // warm up (the first time labels are laid out, tiles first rastered), not measured
  await page.keyboard.press('1');
  await dragBy(page, -200, 0, 10);
  await wheel(page, -4);
  await wheel(page, 4);
  for (const on of mapFirst ? [true, false] : [false, true]) {
    const tag = on ? 'map on' : 'map off';
    // about the start zoom (1x, five steps out: 33%, labels hidden), the map as asked
    await page.keyboard.press('1');
    for (let i = 0; i < 5; i++) await page.keyboard.press('-');
    const shown = await mapShown(page);
    if (shown !== on) await page.keyboard.press('m');
    if ((await mapShown(page)) !== on) throw new Error(`the map is not ${tag}`);
    out.set(
      `pan, zoomed out (labels hidden), ${tag}`,
      await gapDuring(page, async () => {
        await dragBy(page, -400, -60);
        await dragBy(page, 400, 60);
      }),
    );
    out.set(
      `wheel zoom out and in below 50% (labels hidden), ${tag}`,
      await gapDuring(page, async () => {
        await wheel(page, -3);
        await wheel(page, 3);
      }),
    );
    // across 50%: labels hidden while the zoom changes, laid out again once it rests
    out.set(
      `wheel zoom in across 50%, then the labels back, ${tag}`,
      await gapDuring(page, () => wheel(page, 6)),
    );
    await page.keyboard.press('1');
    out.set(
      `pan at 1x (labels shown), ${tag}`,
      await gapDuring(page, async () => {
        await dragBy(page, -400, -60);
        await dragBy(page, 400, 60);
      }),
    );
    if (on) {
      out.set(
        `drag the map's rectangle, at 1x`,
        await gapDuring(page, async () => {
          await dragMap(page, 60);
          await dragMap(page, -60);
        }),
      );
    }
  }
  // the map on again for what follows
  if (!(await mapShown(page))) await page.keyboard.press('m');
  return { gaps, over };
}

async function once(snapshot: string, index: number): Promise<Run> {
  const viewer = await launchViewer(['--open', snapshot, '--details'], {}, 180_000);
  try {
    const { page } = viewer;
    if ((await page.evaluate('document.documentElement.dataset.state')) !== 'ready') {
      throw new Error('viewer not ready');
    }
    await page.evaluate(INSTRUMENT);
    // a large graph starts zoomed out, labels hidden: zoom to 1x so nodes are big enough to click
    await page.keyboard.press('1');
    await page.waitForTimeout(700); // labels come back after the zoom settles (view.ts)
    const run: Run = {
      floorMs: await page.evaluate('window.__ui.floor()'),
      scriptMs: {},
      firstOpenMs: 0,
      openMs: [],
      switchMs: [],
      closeMs: [],
      panMs: [],
      keyMs: {},
      gapMs: {},
      matches: {},
      panGapMs: {},
      panOver: {},
      mapDrawMs: 0,
      mapSliceMs: 0,
    };
    // each step from rest: the previous one's raster finished (a closed panel
    // uncovers a strip of the drawing that must be rasterized)
    const settle = () => page.waitForTimeout(SETTLE_MS);
    if (PARTS.has('panzoom')) {
      // the map is drawn while the page is idle after the first paint
      await page.waitForFunction(
        () =>
          (
            globalThis as unknown as {
              document: { getElementById(id: string): { dataset: { drawn?: string } } };
            }
          ).document.getElementById('minimap').dataset.drawn !== undefined,
        null,
        { timeout: 60_000 },
      );
      const m: { drawMs: string; sliceMs: string } = await page.evaluate(
        "({ ...document.getElementById('minimap').dataset })",
      );
      run.mapDrawMs = Number(m.drawMs);
      run.mapSliceMs = Number(m.sliceMs);
      const pz = await panZoom(page, index % 2 === 0);
      run.panGapMs = pz.gaps;
      run.panOver = pz.over;
      await page.keyboard.press('1');
      await page.waitForTimeout(700);
    }
    if (!PARTS.has('details') && !PARTS.has('find')) {
      void page.keyboard.press('q').catch(() => undefined);
      await viewer.exited;
      return run;
    }
    const first = await visibleNodes(page, 40);
    if (first.length < 3) throw new Error(`too few nodes on screen: ${first.length}`);
    if (PARTS.has('details')) run.firstOpenMs = await clickToPanel(page, first[0]!);
    for (let i = 1; i <= (PARTS.has('details') ? OPENS : 0); i++) {
      await settle();
      // the drawing has narrowed: a node on screen now
      let visible = await visibleNodes(page, 40);
      run.switchMs.push(await clickToPanel(page, visible[(i * 7) % visible.length]!));
      await settle();
      run.closeMs.push(await keyToPainted(page, 'Escape', 'details', undefined));
      await settle();
      // a node the panel will not cover; then one it will (the view pans to it)
      visible = await visibleNodes(page, 40, PANEL_PX);
      run.openMs.push(await clickToPanel(page, visible[(i * 11) % visible.length]!));
      await settle();
      await page.keyboard.press('Escape');
      await settle();
      const covered = (await visibleNodes(page, 400)).filter((id) => !visible.includes(id));
      const under = await coveredNodes(page, covered);
      if (under.length > 0) run.panMs.push(await clickToPanel(page, under[i % under.length]!));
    }
    await settle();
    await page.keyboard.press('Escape');
    await settle();

    for (const q of PARTS.has('find') ? QUERIES : []) {
      await page.keyboard.press('/');
      await waitData(page, 'find', 'open');
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Backspace');
      await page.waitForTimeout(300);
      await page.evaluate(
        'window.__ui.keys.length = 0; window.__ui.scripts.length = 0; window.__ui.recording = true',
      );
      await watchFrames(page);
      await page.keyboard.type(q, { delay: KEY_GAP_MS });
      await waitData(page, 'findQuery', q, 60_000);
      await page.evaluate('window.__ui.painted()');
      await page.waitForTimeout(200);
      const { gap } = await stopFrames(page);
      const r: { keys: number[]; scripts: number[]; count: string } =
        await page.evaluate(`(async () => {
        window.__ui.recording = false;
        return { keys: [...window.__ui.keys], scripts: [...window.__ui.scripts],
                 count: document.getElementById('find-count').textContent };
      })()`);
      run.keyMs[q] = r.keys;
      run.scriptMs[q] = r.scripts;
      run.gapMs[q] = gap;
      run.matches[q] = r.count;
      await page.keyboard.press('Escape');
    }
    void page.keyboard.press('q').catch(() => undefined);
    await viewer.exited;
    return run;
  } finally {
    await viewer.close();
  }
}

const ms = (x: number) => `${Math.round(x)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'graphns-ui-bench-'));
try {
  const snapshot = join(dir, `synthetic-${SIZE}.json`);
  writeFileSync(snapshot, serializeModel(syntheticModel(SIZE)));
  console.log(
    `command: node ${viewerCommand().join(' ')} --shell browser --open <synthetic ${SIZE}> -d; ` +
      `${RUNS} runs; load average before: ${load()}`,
  );
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(snapshot, i));
  const all = (f: (r: Run) => number[]) => runs.flatMap(f);
  console.log('| what | median | max | samples |');
  console.log('| --- | ---: | ---: | ---: |');
  const row = (what: string, xs: number[], unit: (x: number) => string = ms) => {
    // a part not run (PARTS) has no samples
    if (xs.length > 0)
      console.log(`| ${what} | ${unit(median(xs))} | ${unit(Math.max(...xs))} | ${xs.length} |`);
  };
  row(
    'floor: any change to the page, to painted',
    all((r) => r.floorMs),
  );
  row(
    'open details, first of a run (parses the model)',
    all((r) => (PARTS.has('details') ? [r.firstOpenMs] : [])),
  );
  row(
    'open details (the drawing narrows)',
    all((r) => r.openMs),
  );
  row(
    'switch details (panel open)',
    all((r) => r.switchMs),
  );
  row(
    'open details on a node the panel covers (the view pans to it)',
    all((r) => r.panMs),
  );
  row(
    'close details (Escape; the drawing widens)',
    all((r) => r.closeMs),
  );
  for (const q of QUERIES) {
    row(
      `find "${q}": keystroke to highlight painted`,
      all((r) => r.keyMs[q] ?? []),
    );
    row(
      `find "${q}": of which find's script`,
      all((r) => r.scriptMs[q] ?? []),
    );
    row(
      `find "${q}": longest frame gap while typing (per run)`,
      all((r) => (r.gapMs[q] !== undefined ? [r.gapMs[q]] : [])),
    );
  }
  if (PARTS.has('panzoom')) {
    row(
      'minimap: drawing it, script time in idle slices (per run)',
      all((r) => [r.mapDrawMs]),
    );
    row(
      'minimap: its longest idle slice (per run)',
      all((r) => [r.mapSliceMs]),
    );
    for (const what of Object.keys(runs[0]!.panGapMs)) {
      row(
        `longest frame gap: ${what} (per run)`,
        all((r) => [r.panGapMs[what] ?? 0]),
      );
    }
    for (const what of Object.keys(runs[0]!.panOver)) {
      row(
        `frame gaps over 100 ms: ${what} (count, per run)`,
        all((r) => [r.panOver[what] ?? 0]),
        String,
      );
    }
  }
  for (const q of PARTS.has('find') ? QUERIES : [])
    console.log(`"${q}" ends at: ${runs[0]!.matches[q]}`);
  console.log(`load average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
