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
 *     drawing again at any change, whatever changed).
 *
 * Medians over RUNS viewer starts (default 5; `RUNS=7 npm run bench:ui`),
 * with the machine's load average, since the figures depend on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { launchViewer, viewerCommand } from '../helpers/viewer';
import { waitData } from '../helpers/viewer-ui';
import { median } from './measure';
import { syntheticModel } from './synthetic';

const SIZE = Number(process.env.SIZE ?? 5000);
const RUNS = Number(process.env.RUNS ?? 5);
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
}

/**
 * In the page: for each key typed into the find box while recording, the
 * time from its keydown (the event's timeStamp) to the frame after the
 * next (painted), and the find's own script time (data-find-ms); the
 * longest pause between frames; the pointerdown time of the last click.
 */
const INSTRUMENT = `(() => {
  const ui = (window.__ui = { keys: [], scripts: [], gap: 0, running: false, recording: false, down: 0 });
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
  ui.watchGaps = () => {
    ui.gap = 0;
    ui.running = true;
    let last = performance.now();
    const loop = () => {
      const now = performance.now();
      ui.gap = Math.max(ui.gap, now - last);
      last = now;
      if (ui.running) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  };
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

async function once(snapshot: string): Promise<Run> {
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
    };
    // each step from rest: the previous one's raster finished (a closed panel
    // uncovers a strip of the drawing that must be rasterized)
    const settle = () => page.waitForTimeout(SETTLE_MS);
    const first = await visibleNodes(page, 40);
    if (first.length < 3) throw new Error(`too few nodes on screen: ${first.length}`);
    run.firstOpenMs = await clickToPanel(page, first[0]!);
    for (let i = 1; i <= OPENS; i++) {
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

    for (const q of QUERIES) {
      await page.keyboard.press('/');
      await waitData(page, 'find', 'open');
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Backspace');
      await page.waitForTimeout(300);
      await page.evaluate(
        'window.__ui.keys.length = 0; window.__ui.scripts.length = 0; window.__ui.recording = true; window.__ui.watchGaps()',
      );
      await page.keyboard.type(q, { delay: KEY_GAP_MS });
      await waitData(page, 'findQuery', q, 60_000);
      const r: { keys: number[]; scripts: number[]; gap: number; count: string } =
        await page.evaluate(`(async () => {
        await window.__ui.painted();
        await new Promise((r) => setTimeout(r, 200));
        window.__ui.running = false;
        window.__ui.recording = false;
        return { keys: [...window.__ui.keys], scripts: [...window.__ui.scripts], gap: window.__ui.gap,
                 count: document.getElementById('find-count').textContent };
      })()`);
      run.keyMs[q] = r.keys;
      run.scriptMs[q] = r.scripts;
      run.gapMs[q] = r.gap;
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
  for (let i = 0; i < RUNS; i++) runs.push(await once(snapshot));
  const all = (f: (r: Run) => number[]) => runs.flatMap(f);
  console.log('| what | median | max | samples |');
  console.log('| --- | ---: | ---: | ---: |');
  const row = (what: string, xs: number[]) =>
    console.log(`| ${what} | ${ms(median(xs))} | ${ms(Math.max(...xs))} | ${xs.length} |`);
  row(
    'floor: any change to the page, to painted',
    all((r) => r.floorMs),
  );
  row(
    'open details, first of a run (parses the model)',
    all((r) => [r.firstOpenMs]),
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
      all((r) => [r.gapMs[q] ?? 0]),
    );
  }
  for (const q of QUERIES) console.log(`"${q}" ends at: ${runs[0]!.matches[q]}`);
  console.log(`load average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
