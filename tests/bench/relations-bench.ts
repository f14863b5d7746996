/**
 * Relations benchmark (`npm run bench:relations`): showing a namespace's
 * relations and dimming the rest at 5000 namespaces, all drawn (`-d`), in
 * the browser shell (headless Chromium), on a synthetic snapshot, as
 * tests/bench/viewer-ui-bench.ts measures the details panel and find.
 *
 *   - hover: the pointer moves onto a node in view and rests; from the
 *     pointer's event to the frame after its relations are on (painted),
 *     which includes the wait before a hover counts (HOVER_MS, 120 ms); of
 *     that, the relations' own script time (`#marks[data-focus-ms]`);
 *   - select: a click on a node with the details panel open (the first
 *     click of a run opens it, and is given apart), pointerdown to painted;
 *   - keys: `[` up a container's chain and `]` back down, keydown to the
 *     new selection's relations painted and the node centred; the last
 *     `[` lands on the root user namespace, the worst case (619 related
 *     namespaces and as many edges at 5000);
 *   - for comparison, what selecting and centring cost before: a click on
 *     the details panel's link to the parent (select, centre at 1x);
 *   - the longest pause between two frames over each of these (target:
 *     none over 100 ms), per run;
 *   - the alternative to the veil, measured the same way over the same
 *     hovers: one class on the SVG root dimming every node and edge by
 *     opacity, and a class on each related element lifting it (the veil
 *     hidden; the classes set in the same task as the relations, by a
 *     MutationObserver on `#marks[data-focus]`, so the frame pays for them).
 *
 * Each step starts from rest: 700 ms for the raster of the one before,
 * then three idle periods (after a draw the page parses the model and
 * builds its indexes while idle, which is not what is measured here).
 *
 * Medians over RUNS viewer starts (default 5; `RUNS=7 npm run bench:relations`),
 * with the machine's load average, since the figures
 * depend on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { relationsOf } from '../../main/emit/relations';
import { graphOf, serializeModel, type NsKey } from '../../main/model';
import { stepGap, stopFrames, watchFrames } from '../helpers/frame-gaps';
import { launchViewer, viewerCommand } from '../helpers/viewer';
import { waitData } from '../helpers/viewer-ui';
import { median } from './measure';
import { syntheticModel } from './synthetic';

const SIZE = Number(process.env.SIZE ?? 5000);
const RUNS = Number(process.env.RUNS ?? 5);
const HOVERS = 8;
const CLICKS = 6;
/** After each step, for the raster of the one before to finish (then until the page is idle). */
const REST_MS = 700;

type Samples = Record<string, number[]>;

/**
 * In the page: the time stamp of the last pointer or key event, a watch
 * of the longest pause between frames, the frame after the next
 * (painted), and the class-on-the-root alternative to the veil.
 */
const INSTRUMENT = `(() => {
  const ui = (window.__rel = { at: 0 });
  document.addEventListener('pointerover', (e) => { ui.over = (e.target.closest && e.target.closest('[id]') || e.target).id; }, true);
  for (const type of ['pointermove', 'pointerdown', 'keydown'])
    document.addEventListener(type, (e) => { ui.at = e.timeStamp; }, true);
  ui.painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  // until the page's own idle work queued before has run (after a draw it parses the model
  // and builds its indexes while idle: not the thing measured), three idle periods later
  ui.idle = async () => {
    // (bounded: headless Chromium may hold idle callbacks back for long)
    for (let i = 0; i < 3; i++)
      await new Promise((r) => requestIdleCallback(() => r(), { timeout: 2000 }));
  };

  // wait until the relations of key are shown, then painted: ms since the event
  ui.shown = async (key, frames = 2) => {
    const marks = document.getElementById('marks');
    const deadline = performance.now() + 30000;
    while (marks.dataset.focus !== key) {
      if (performance.now() > deadline) throw new Error('relations of ' + key + ' never shown: ' + marks.dataset.focus + ' over ' + ui.over);
      await new Promise((r) => setTimeout(r, 2));
    }
    for (let i = 0; i < frames; i++) await new Promise((r) => requestAnimationFrame(r));
    return { ms: performance.now() - ui.at, script: Number(marks.dataset.focusMs) };
  };
  // the alternative: the veil hidden; a class on the root, one on each related element
  ui.classes = () => {
    const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith('style.css'));
    sheet.insertRule('#marks .mark-veil { display: none; }', sheet.cssRules.length);
    sheet.insertRule('#graph svg.dim g.node:not(.lit), #graph svg.dim g.edge:not(.lit) { opacity: 0.3; }', sheet.cssRules.length);
    let lit = [];
    const marks = document.getElementById('marks');
    const observer = new MutationObserver(() => {
      const svg = document.querySelector('#graph svg');
      for (const el of lit) el.classList.remove('lit');
      const focus = marks.dataset.focus;
      svg.classList.toggle('dim', focus !== undefined);
      const ids = [];
      for (const kind of ['veil', 'rel-edge']) {
        const g = marks.querySelector('.mark-' + kind);
        if (g && g.dataset.ids) ids.push(...g.dataset.ids.split(' '));
      }
      lit = ids.map((id) => document.getElementById(id)).filter(Boolean).map((el) => el.closest('g.node, g.edge') || el);
      for (const el of lit) el.classList.add('lit');
    });
    observer.observe(marks, { attributes: true, attributeFilter: ['data-focus'] });
    ui.unclass = () => {
      observer.disconnect();
      for (const el of lit) el.classList.remove('lit');
      document.querySelector('#graph svg').classList.remove('dim');
      sheet.deleteRule(sheet.cssRules.length - 1);
      sheet.deleteRule(sheet.cssRules.length - 1);
    };
  };
})()`;

/** A pause after a step: its raster done, the page idle. */
async function rest(page: Page): Promise<void> {
  await page.waitForTimeout(REST_MS);
  await page.evaluate('window.__rel.idle()');
}

/** Ids of namespace nodes wholly inside the drawing now, spread over it. */
function visibleNodes(page: Page, n: number): Promise<string[]> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    const ids = [];
    for (const el of document.querySelectorAll('#graph g.node.ns')) {
      const r = el.getBoundingClientRect();
      if (r.left > g.left + 10 && r.right < g.right - 10 && r.top > g.top + 10 && r.bottom < g.bottom - 10 &&
          // its middle is its own (no edge drawn across it there)
          document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('g.node') === el)
        ids.push(el.id);
    }
    const step = Math.max(1, Math.floor(ids.length / ${n}));
    return ids.filter((_, i) => i % step === 0).slice(0, ${n});
  })()`);
}

const keyOf = (id: string) => id.replace('-', ':');
const svgIdOf = (key: string) => key.replace(':', '-');

async function centreOf(page: Page, id: string): Promise<{ x: number; y: number }> {
  const b = await page.locator(`[id="${id}"]`).boundingBox();
  if (!b) throw new Error(`${id} not on screen`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** A point of the drawing on no node (screen coordinates). */
function emptyPoint(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    for (let y = g.top + 10; y < g.bottom - 10; y += 15)
      for (let x = g.left + 10; x < g.right - 10; x += 15) {
        const hit = document.elementFromPoint(x, y);
        if (hit && hit.closest('#graph') && !hit.closest('g.node, g.edge')) return { x, y };
      }
    throw new Error('no empty point');
  })()`);
}

/** Hover each of `ids` in turn; latencies and script times into `into` under `name`, and the longest gap. */
async function hovers(page: Page, ids: string[], into: Samples, name: string): Promise<number> {
  const off = await emptyPoint(page);
  await page.mouse.move(off.x, off.y);
  await rest(page);
  await watchFrames(page);
  for (const id of ids) {
    const at = await centreOf(page, id);
    await page.mouse.move(at.x, at.y);
    const r: { ms: number; script: number } = await page.evaluate(
      `window.__rel.shown(${JSON.stringify(keyOf(id))})`,
    );
    (into[name] ??= []).push(r.ms);
    (into[`${name} script`] ??= []).push(r.script);
    await rest(page);
    (into[`${name} gap`] ??= []).push(await stepGap(page));
  }
  return (await stopFrames(page)).gap;
}

async function once(
  snapshot: string,
  deepest: { key: string; depth: number; chain: string[] },
): Promise<{ samples: Samples; gaps: Samples }> {
  const viewer = await launchViewer(['--open', snapshot, '--details'], {}, 180_000);
  const samples: Samples = {};
  const gaps: Samples = {};
  const gap = (name: string, ms: number) => (gaps[name] ??= []).push(ms);
  try {
    const { page } = viewer;
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.evaluate(INSTRUMENT);
    // as the ui bench: at 1x, labels shown, nodes big enough to point at
    await page.keyboard.press('1');
    await rest(page);
    const ids = await visibleNodes(page, HOVERS);
    if (ids.length < 3) throw new Error(`too few nodes on screen: ${ids.length}`);
    gap('hover', await hovers(page, ids, samples, 'hover'));

    // select: the first click opens the panel; then clicks on others while it is open
    await rest(page);
    const first = (await visibleNodes(page, 40))[3]!;
    let at = await centreOf(page, first);
    await watchFrames(page);
    await page.mouse.click(at.x, at.y);
    await waitData(page, 'details', keyOf(first));
    (samples['select, panel opens'] ??= []).push(
      (await page.evaluate<{ ms: number }>(`window.__rel.shown(${JSON.stringify(keyOf(first))})`))
        .ms,
    );
    gap('select, panel opens', (await stopFrames(page)).gap);
    await rest(page);
    await watchFrames(page);
    const others = (await visibleNodes(page, 40)).filter((id) => id !== first);
    for (let i = 0; i < CLICKS; i++) {
      const id = others[(i * 7) % others.length]!;
      at = await centreOf(page, id);
      await page.mouse.click(at.x, at.y);
      const r: { ms: number; script: number } = await page.evaluate(
        `window.__rel.shown(${JSON.stringify(keyOf(id))})`,
      );
      (samples['select (panel open)'] ??= []).push(r.ms);
      (samples['select (panel open) script'] ??= []).push(r.script);
      await rest(page);
      (samples['select (panel open) gap'] ??= []).push(await stepGap(page));
    }
    gap('select (panel open)', (await stopFrames(page)).gap);

    // keys: from the PID namespace nested deepest, [ up to the root user namespace, ] back down
    const nested = svgIdOf(deepest.key);
    await page.evaluate(
      `document.getElementById(${JSON.stringify(nested)}).dispatchEvent(new MouseEvent('click', { bubbles: true }))`,
    );
    await waitData(page, 'selected', keyOf(nested));
    await rest(page);
    await watchFrames(page);
    const walk: string[] = [];
    // up the PID chain and on to the root PID namespace's owner, then as far back down
    const keys = [
      ...Array<string>(deepest.depth + 1).fill('['),
      ...Array<string>(deepest.depth + 1).fill(']'),
    ];
    for (const key of keys) {
      const before: string = await page.evaluate('document.documentElement.dataset.selected');
      await page.keyboard.press(key);
      await page
        .waitForFunction(
          (b) =>
            (
              globalThis as unknown as {
                document: { documentElement: { dataset: Record<string, string> } };
              }
            ).document.documentElement.dataset.selected !== b,
          before,
          { timeout: 30_000, polling: 5 },
        )
        .catch(() => undefined);
      const now: string = await page.evaluate('document.documentElement.dataset.selected');
      walk.push(now);
      if (now === before) continue;
      // the selection in one frame, the pan that centres it in the next: painted after both
      const r: { ms: number; script: number } = await page.evaluate(
        `window.__rel.shown(${JSON.stringify(now)}, 3)`,
      );
      const name =
        now === 'user:4026531837'
          ? '[ onto the root user namespace'
          : now === 'pid:4026531836'
            ? `${key} onto the root PID namespace`
            : `${key} step`;
      (samples[name] ??= []).push(r.ms);
      (samples[`${name} script`] ??= []).push(r.script);
      await rest(page);
      (samples[`${name} gap`] ??= []).push(await stepGap(page));
    }
    gap('[ and ] steps', (await stopFrames(page)).gap);

    // what selecting and centring cost before this work: the details' links to the parent
    await watchFrames(page);
    for (const up of deepest.chain) {
      await page.locator(`#details button.ns-link[data-key="${up}"]`).first().click();
      const r: { ms: number } = await page.evaluate(`window.__rel.shown(${JSON.stringify(up)})`);
      (samples['a details link to the parent (select, centre)'] ??= []).push(r.ms);
      await rest(page);
      (samples['a details link to the parent (select, centre) gap'] ??= []).push(
        await stepGap(page),
      );
    }
    gap('details links', (await stopFrames(page)).gap);
    samples.walk = [walk.length];
    await page.keyboard.press('Escape');
    await rest(page);

    // the alternative: a class on the root and on each related element, the veil hidden
    await page.evaluate('window.__rel.classes()');
    const again = await visibleNodes(page, HOVERS);
    gap('hover, class on the root', await hovers(page, again, samples, 'hover, class on the root'));
    // and the veil again, over the same nodes in the same state of the page
    await page.evaluate('window.__rel.unclass()');
    gap('hover, veil (again)', await hovers(page, again, samples, 'hover, veil (again)'));
    return { samples, gaps };
  } finally {
    await viewer.close();
  }
}

const ms = (x: number) => `${Math.round(x)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'graphns-relations-bench-'));
try {
  const snapshot = join(dir, `synthetic-${SIZE}.json`);
  const model = syntheticModel(SIZE);
  writeFileSync(snapshot, serializeModel(model));
  const g = graphOf(model);
  const depth = (k: NsKey): number => relationsOf(g, k)!.ancestors.length;
  const pid = model.namespaces
    .filter((n) => n.type === 'pid')
    .reduce((a, b) => (depth(b.key) > depth(a.key) ? b : a));
  const deepest = {
    key: pid.key,
    depth: depth(pid.key),
    // the PID parents its details link to, from where the walk ends
    chain: relationsOf(g, pid.key)!.ancestors.slice(0, 4),
  };
  console.log(
    `command: node ${viewerCommand().join(' ')} --shell browser --open <synthetic ${SIZE}> -d; ` +
      `${RUNS} runs; the walk from ${deepest.key}, ${deepest.depth} deep; load average before: ${load()}`,
  );
  const runs: { samples: Samples; gaps: Samples }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(snapshot, deepest));
  console.log('| what | median | max | samples |');
  console.log('| --- | ---: | ---: | ---: |');
  const row = (what: string, xs: number[]) => {
    if (xs.length === 0) return;
    console.log(`| ${what} | ${ms(median(xs))} | ${ms(Math.max(...xs))} | ${xs.length} |`);
  };
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.samples)))].filter(
    (n) => n !== 'walk',
  );
  for (const n of names) {
    row(
      n.endsWith(' script')
        ? `${n.slice(0, -7)}: of which the relations' script`
        : n.endsWith(' gap')
          ? `${n.slice(0, -4)}: longest frame gap (per step)`
          : `${n}: to painted`,
      runs.flatMap((r) => r.samples[n] ?? []),
    );
  }
  const gapNames = [...new Set(runs.flatMap((r) => Object.keys(r.gaps)))];
  for (const n of gapNames) {
    row(
      `${n}: longest frame gap (per run)`,
      runs.flatMap((r) => r.gaps[n] ?? []),
    );
  }
  console.log(`load average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
