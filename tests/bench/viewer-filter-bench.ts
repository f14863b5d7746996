/**
 * Filter and live refresh benchmark (npm run bench:filter): graphns's
 * browser shell (headless Chromium) on a synthetic snapshot of 5000
 * namespaces (`-d`, every container given a podman container record so
 * "only one container" has something to pick).
 *
 * - Filter click to redrawn: from the click on a filter control to the
 *   frame after the new layout is on screen, for each kind of change
 *   (a type hidden: 4999 namespaces drawn by the page's own DOT; back to
 *   the start: the Node side's DOT again; flat namespaces off and on;
 *   only one container), with what it is made of (DOT built in the page,
 *   worker layout, insert + paint).
 * - A live refresh that finds nothing changed (the snapshot read again):
 *   the whole check and the page's part of it (parse + compare), the
 *   longest frame gap meanwhile; and one that finds a change the drawing
 *   does not show (one more process: the model differs, the DOT not),
 *   which also builds and compares the DOT. Neither may lay out.
 *
 * Medians of RUNS (default 5) each; the load average is printed with them.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel, type ContainerKey, type Model } from '../../main/model';
import { launchViewer } from '../helpers/viewer';
import { launchBare } from './bare-cdp';
import type { PageDocument } from '../helpers/page-dom';
import { median } from './measure';
import { syntheticModel } from './synthetic';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
declare function requestAnimationFrame(f: (t: number) => void): void;
declare const Event: new (type: string) => unknown;

const SIZE = Number(process.env.SIZE ?? 5000);
const RUNS = Number(process.env.RUNS ?? 5);

/** The synthetic model with a podman container record per container process. */
function model(): Model {
  const m = syntheticModel(SIZE);
  let n = 0;
  for (const p of m.processes) {
    if (!p.name.startsWith('container-')) continue;
    const id = (++n).toString(16).padStart(64, '0');
    const key = `podman:${id}` as ContainerKey;
    m.containers.push({
      key,
      engine: 'podman',
      id,
      name: p.name,
      pids: [p.pid],
      sources: ['bench'],
    });
    p.container = key;
  }
  return m;
}

interface Click {
  totalMs: number;
  dotMs: number;
  layoutMs: number;
  showMs: number;
  placeMs: number;
  shown: number;
}

/** Click the control `id` (or choose `value` in the select `id`) and time it to the redrawn frame. */
async function click(page: Page, id: string, value?: string): Promise<Click> {
  const r = await page.evaluate(
    async ([id, value, size]) => {
      const d = document.documentElement.dataset;
      const before = Number(d.layouts);
      const t = performance.now();
      const el = document.getElementById(id!) as unknown as { click(): void };
      if (value === undefined) el.click();
      else {
        const s = el as unknown as { value: string; dispatchEvent(e: unknown): void };
        s.value = value;
        s.dispatchEvent(new Event('change'));
      }
      while (!(Number(d.layouts) > before && d.state === 'ready')) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return {
        totalMs: performance.now() - t,
        dotMs: Number(d.dotMs),
        layoutMs: Number(d.layoutMs),
        showMs: Number(d.showMs),
        placeMs: Number(d.placeMs),
        // the page's own count is absent while nothing is filtered: then all are drawn
        shown: Number(d.filterShown ?? size),
      };
    },
    [id, value, SIZE] as const,
  );
  return r;
}

interface Check {
  outcome: string;
  checkMs: number;
  pageMs: number;
  maxGapMs: number;
  layouts: number;
}

/**
 * In the page: wait for the next refresh check whose outcome is `want`
 * (any, when null); that check's figures and the longest frame gap while
 * waiting for it. Source text, for Playwright and the bare socket alike.
 */
const NEXT_CHECK = `async (want) => {
  const d = document.documentElement.dataset;
  let last = performance.now();
  let gap;
  for (;;) {
    const before = Number(d.checks ?? 0);
    gap = 0;
    while (Number(d.checks ?? 0) === before) {
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }
    if (want === null || d.checkOutcome === want) break;
  }
  return { outcome: d.checkOutcome ?? '', checkMs: Number(d.checkMs),
           pageMs: Number(d.checkPageMs), maxGapMs: gap, layouts: Number(d.layouts) };
}`;

/** In the page: the longest frame gap over 5 s of nothing happening. */
const IDLE_GAP = `(async () => {
  let last = performance.now();
  const t0 = last;
  let gap = 0;
  while (performance.now() - t0 < 5000) {
    await new Promise((r) => requestAnimationFrame(() => r()));
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }
  return gap;
})()`;

const checkIn = (outcome?: string) => `(${NEXT_CHECK})(${JSON.stringify(outcome ?? null)})`;

/** Wait for the next refresh check whose outcome is `outcome` (any, when undefined). */
function nextCheck(page: Page, outcome?: string): Promise<Check> {
  return page.evaluate(checkIn(outcome));
}

function writeSnapshot(path: string, m: Model): void {
  writeFileSync(`${path}.tmp`, serializeModel(m));
  renameSync(`${path}.tmp`, path);
}

const ms = (xs: number[]) => `${Math.round(median(xs))} ms`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'graphns-filter-bench-'));
const snap = join(dir, 'snap.json');
const base = model();
writeSnapshot(snap, base);
const viewer = await launchViewer(['--open', snap, '-d'], {}, 180_000);
try {
  const { page } = viewer;
  const first = await page.evaluate(() => ({ ...document.documentElement.dataset }));
  if (first.state !== 'ready') throw new Error(`viewer not ready: ${JSON.stringify(first)}`);
  // the model is parsed when the page is idle after the first paint (the scope list needs it)
  await page.locator('#f-scope').focus();
  const one = await page.evaluate(() => {
    const s = document.querySelector('#f-scope option[value^="c:"]') as unknown as {
      value: string;
    } | null;
    return s?.value;
  });
  await page.locator('#f-scope').blur();
  if (!one) throw new Error('no container to pick');

  const kinds: [string, () => Promise<Click>][] = [
    ['a type hidden (time): page builds the DOT', () => click(page, 'f-type-time')],
    ['back to the start: the Node side DOT', () => click(page, 'f-type-time')],
    ['flat namespaces off (user and PID only)', () => click(page, 'f-flat')],
    ['flat namespaces on again (the start)', () => click(page, 'f-flat')],
    ['only one container (its ancestors as context)', () => click(page, 'f-scope', one)],
    ['everything again (the start)', () => click(page, 'f-scope', '')],
  ];
  const samples = kinds.map(() => [] as Click[]);
  const loads: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const [i, [, f]] of kinds.entries()) samples[i]!.push(await f());
    loads.push(load());
  }
  console.log(`## Filter click to redrawn, ${SIZE} namespaces (-d), medians of ${RUNS}`);
  console.log(`load average during the runs: ${loads.join(' | ')}`);
  console.log(
    '| change | drawn | click to painted | DOT in the page | layout (worker, incl. DOT) | insert + paint | of which keeping the place |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, [label]] of kinds.entries()) {
    const s = samples[i]!;
    console.log(
      `| ${label} | ${Math.round(median(s.map((x) => x.shown)))} | ${ms(s.map((x) => x.totalMs))} | ` +
        `${ms(s.map((x) => x.dotMs))} | ${ms(s.map((x) => x.layoutMs))} | ${ms(s.map((x) => x.showMs))} | ` +
        `${ms(s.map((x) => x.placeMs))} |`,
    );
  }

  // the floor for frame gaps: the drawing at rest, nothing running
  const idle: number = await page.evaluate(IDLE_GAP);

  // live refresh: every 2 s, the snapshot read again
  await page.locator('#f-live').selectOption({ label: '2 s' });
  await nextCheck(page); // the first one after switching on
  const same: Check[] = [];
  for (let i = 0; i < RUNS; i++) same.push(await nextCheck(page, 'same scan'));
  const hidden: Check[] = [];
  const more = structuredClone(base);
  more.processes.push({ pid: 77, ppid: 1, name: 'extra', start: 77, ns: {} });
  more.namespaces[0]!.pids.push(77);
  // every write differs from the one before: base, more, base, ...
  let written = base;
  const flip = () => {
    written = written === base ? more : base;
    writeSnapshot(snap, written);
  };
  for (let i = 0; i < RUNS; i++) {
    flip();
    hidden.push(await nextCheck(page, 'same drawing'));
  }
  // the same with a filter on: the page builds the DOT it compares
  await page.locator('#f-live').selectOption({ label: 'off' });
  await click(page, 'f-type-time');
  await page.locator('#f-live').selectOption({ label: '2 s' });
  await nextCheck(page);
  const filtered: Check[] = [];
  for (let i = 0; i < RUNS; i++) {
    flip();
    filtered.push(await nextCheck(page, 'same drawing'));
  }
  if (new Set(filtered.map((c) => c.layouts)).size !== 1) throw new Error('a refresh laid out');
  const layouts = [...same, ...hidden].map((c) => c.layouts);
  if (new Set(layouts).size !== 1)
    throw new Error(`a refresh laid out: layouts ${layouts.join(',')}`);
  console.log(`\n## Live refresh that lays nothing out, ${SIZE} namespaces, medians of ${RUNS}`);
  console.log(`load average: ${load()}`);
  console.log('| refresh | whole check | of which in the page | longest frame gap |');
  console.log('| --- | ---: | ---: | ---: |');
  const row = (label: string, cs: Check[]) =>
    console.log(
      `| ${label} | ${ms(cs.map((c) => c.checkMs))} | ${ms(cs.map((c) => c.pageMs))} | ${ms(cs.map((c) => c.maxGapMs))} |`,
    );
  console.log(`| (floor: the drawing at rest, 5 s, no refresh) | — | — | ${Math.round(idle)} ms |`);
  row('nothing changed (model equal but for the time)', same);
  row('a change the drawing does not show (the Node side DOT compared)', hidden);
  row('the same, one type hidden (the page builds the DOT to compare)', filtered);
  await page.locator('#f-live').selectOption({ label: 'off' });
  void page.keyboard.press('q').catch(() => undefined);
  await viewer.exited;

  // the same refresh in a window no Playwright inspects (bare-cdp.ts says why)
  writeSnapshot(snap, base);
  const bare = await launchBare(['--open', snap, '-d']);
  try {
    const bareIdle = await bare.evaluate<number>(IDLE_GAP);
    await bare.evaluate(
      `(() => { const s = document.getElementById('f-live'); s.value = '1'; s.dispatchEvent(new Event('change')); })()`,
    );
    await bare.evaluate(checkIn());
    const bareSame: Check[] = [];
    for (let i = 0; i < RUNS; i++) bareSame.push(await bare.evaluate<Check>(checkIn('same scan')));
    if (new Set(bareSame.map((c) => c.layouts)).size !== 1) throw new Error('a refresh laid out');
    console.log(`| (floor, no Playwright attached) | — | — | ${Math.round(bareIdle)} ms |`);
    row('nothing changed, no Playwright attached (a window as users have it)', bareSame);
  } finally {
    await bare.close();
  }
} finally {
  await viewer.close();
  rmSync(dir, { recursive: true, force: true });
}
