/**
 * Viewer benchmark (npm run bench:viewer), browser shell in headless
 * Chromium, synthetic snapshots of 100, 1000 and 5000 namespaces, all
 * drawn (`-d`):
 *
 * - first paint: from spawning graphns to the graph painted, side by side
 *   with its peer, the same Chromium with the same flags started on a
 *   trivial page by a trivial server, from spawn to its first request
 *   (browser-peer.ts); the runs interleave (viewer, peer, viewer, ...);
 * - the page's share of it (navigation to painted, the worker's layout,
 *   inserting and painting), and the longest pause in the page's
 *   painting while the worker lays out (the UI must not freeze);
 * - a redraw: from the `r` keydown in the page to the new graph painted
 *   (a re-read of the snapshot, changed each time, DOT, the worker's layout
 *   with its WASM long loaded, insert and paint);
 * - at 5000, the time from a zoom key to the repaint;
 * - live, this host plus `unshare -Urn sleep` processes for about 1000
 *   namespaces in all: first paint of a real discovery, and r (a rescan);
 * - at 1000 again under (simulated) sudo, the window as a throwaway user
 *   and the peer as that user too: the path with a shell host, which drops
 *   privileges, between graphns and the browser.
 *
 * Medians of RUNS runs (default 5) after one warm-up (page cache); the load
 * average is printed with every row, because the figures mean little on a
 * busy machine. `SIZES=1000 RUNS=9 npm run bench:viewer` narrows it down.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel, type Model } from '../../main/model';
import { CHROMIUM, HEADLESS_ARGS, launchViewer, viewerCommand } from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import { browserFirstRequestMs } from './browser-peer';
import { buildScene, teardown } from './scene';
import { median } from './measure';
import { syntheticModel } from './synthetic';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
declare const window: {
  dispatchEvent(e: unknown): void;
  addEventListener(type: string, f: (e: { timeStamp: number }) => void, o: unknown): void;
};
declare const KeyboardEvent: new (type: string, init: { key: string }) => unknown;
declare function requestAnimationFrame(f: () => void): void;

const SIZES = (process.env.SIZES ?? '100,1000,5000').split(',').filter(Boolean).map(Number);
const RUNS = Number(process.env.RUNS ?? 5);
/** Live scenes of about these many namespaces (LIVE_SIZES= for none). */
const LIVE_SIZES = (process.env.LIVE_SIZES ?? '1000').split(',').filter(Boolean).map(Number);
/** Sizes also measured under (simulated) sudo, the window as a throwaway user; SUDO_SIZES= for none. */
const SUDO_SIZES = (process.env.SUDO_SIZES ?? '1000').split(',').filter(Boolean).map(Number);
/**
 * Playwright attaches once the first graph is painted (the page's own
 * time stamps say when), so that the browser does no more work while it
 * starts than the peer does; ATTACH=early for the old way, to compare.
 */
const ATTACH_LATE = process.env.ATTACH !== 'early';
/** Redraws timed per run. */
const REDRAWS = 3;

interface Sample {
  /** Drawn, as the page's status line says. */
  namespaces: number;
  firstPaintMs: number;
  /** The peer's run next to this one: Chromium's spawn to its first request. */
  peerMs: number;
  /** From graphns's start to the page's navigation: graphns, host and browser start-up. */
  browserUpMs: number;
  /** From the page's navigation to the graph painted: what the viewer itself costs. */
  pageMs: number;
  /** From the page's navigation to the graph in its hands (page, scripts, getGraph). */
  toGraphMs: number;
  layoutMs: number;
  showMs: number;
  maxFrameGapMs: number;
  redrawMs: number;
  zoomKeyMs?: number;
  zoomKey1xMs?: number;
  labelsBackMs?: number;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Write `model` (as host `hostname`) to `path` in one step, so that a reader never sees half of it. */
function writeSnapshot(path: string, model: Model, hostname = model.host.hostname): void {
  writeFileSync(`${path}.new`, serializeModel({ ...model, host: { ...model.host, hostname } }));
  renameSync(`${path}.new`, path);
}

/** What a run shows: a snapshot (rewritten, changed, before each `r`), or this host live. */
type Source = { snapshot: string; model: Model } | 'live';

async function once(source: Source, config: string, measureZoom: boolean, sudo?: TestUser) {
  if (source !== 'live') writeSnapshot(source.snapshot, source.model);
  const t0 = Date.now();
  const viewer = await launchViewer(
    source === 'live' ? ['--details'] : ['--open', source.snapshot, '--details'],
    // no remembered window bounds: the peer has none either
    sudo
      ? { SUDO_UID: String(sudo.uid), SUDO_GID: String(sudo.gid), SUDO_USER: sudo.name }
      : { XDG_CONFIG_HOME: config },
    120_000,
    [],
    ATTACH_LATE,
  );
  try {
    const { page } = viewer;
    const d: Record<string, string | undefined> = await page.evaluate(() => ({
      ...document.documentElement.dataset,
      navigation: String(performance.timeOrigin),
      status: document.getElementById('status')?.textContent ?? '',
    }));
    if (d.state !== 'ready') throw new Error(`viewer not ready: ${JSON.stringify(d)}`);
    const sample: Omit<Sample, 'peerMs'> = {
      namespaces: Number(/(\d+) namespaces?/.exec(d.status ?? '')?.[1]),
      firstPaintMs: Number(d.paintedAt) - t0,
      browserUpMs: Number(d.navigation) - t0,
      pageMs: Number(d.paintedAt) - Number(d.navigation),
      toGraphMs: Number(d.graphAt) - Number(d.navigation),
      layoutMs: Number(d.layoutMs),
      showMs: Number(d.showMs),
      maxFrameGapMs: Number(d.maxFrameGap),
      redrawMs: 0,
    };
    // r, from its keydown in the page (the event's own time stamp) to the
    // frame after the new graph has been painted (data-drawn-at); each time
    // the snapshot has changed (its host name, which the graph's header
    // shows), so every redraw is a new layout of a new graph
    const redraws: number[] = [];
    for (let i = 0; i < REDRAWS; i++) {
      if (source !== 'live') {
        writeSnapshot(source.snapshot, source.model, `${source.model.host.hostname}-r${i}`);
      }
      await page.evaluate(() => {
        const w = window as unknown as Record<string, unknown>;
        w.__benchDraws = document.documentElement.dataset.draws;
        window.addEventListener('keydown', (e) => (w.__benchKeyAt = e.timeStamp), {
          capture: true,
          once: true,
        });
      });
      await page.keyboard.press('r');
      const ms = await page.evaluate(async () => {
        const w = window as unknown as Record<string, unknown>;
        const data = document.documentElement.dataset;
        while (data.draws === w.__benchDraws || data.state !== 'ready') {
          if (data.state === 'error') throw new Error('redraw failed');
          await new Promise((r) => setTimeout(r, 5));
        }
        return Number(data.drawnAt) - (performance.timeOrigin + Number(w.__benchKeyAt));
      });
      redraws.push(ms);
    }
    sample.redrawMs = median(redraws);
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
  const config = join(dir, 'config');
  console.log(`viewer: node ${viewerCommand().join(' ')} --shell browser --open <snapshot> -d`);
  console.log(`peer: ${CHROMIUM} with the same flags on a trivial page (spawn to first request)`);
  console.log(`GRAPHNS_BROWSER_ARGS: ${HEADLESS_ARGS}; medians of ${RUNS} runs, interleaved\n`);
  const rows: string[] = [];
  const zoomRows: string[] = [];
  const row = async (size: number, sudo?: TestUser, live?: string) => {
    const source: Source = live
      ? 'live'
      : { snapshot: join(dir, `synthetic-${size}.json`), model: syntheticModel(size) };
    const peer = () =>
      browserFirstRequestMs(
        CHROMIUM,
        HEADLESS_ARGS,
        sudo && { uid: sudo.uid, gid: sudo.gid, home: `/home/${sudo.name}` },
      );
    const samples: Sample[] = [];
    const load = [loadAverage()];
    // warm-up: page cache for both
    await once(source, config, false, sudo);
    await peer();
    for (let i = 0; i < RUNS; i++) {
      const s = await once(source, config, !live && !sudo && size === 5000, sudo);
      samples.push({ ...s, peerMs: await peer() });
    }
    load.push(loadAverage());
    const med = (f: (s: Sample) => number | undefined) => {
      const xs = samples.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? median(xs) : undefined;
    };
    const ms = (x: number | undefined) => (x === undefined ? '—' : `${Math.round(x)} ms`);
    const paint = med((s) => s.firstPaintMs)!;
    const peerMs = med((s) => s.peerMs)!;
    rows.push(
      `| ${live ? `${med((s) => s.namespaces)} (${live})` : size}${sudo ? ' (sudo)' : ''} | ${ms(paint)} | ${ms(peerMs)} | **${ms(paint - peerMs)}** | ` +
        `${ms(med((s) => s.firstPaintMs - s.peerMs))} | ` +
        `${ms(med((s) => s.browserUpMs))} | ${ms(med((s) => s.pageMs))} | ${ms(med((s) => s.toGraphMs))} | ` +
        `${ms(med((s) => s.layoutMs))} | ${ms(med((s) => s.showMs))} | ` +
        `${ms(med((s) => s.maxFrameGapMs))} | ${ms(med((s) => s.redrawMs))} | ${load.join(' → ')} |`,
    );
    if (!live && !sudo && size === 5000) {
      zoomRows.push(
        `| ${size} | ${ms(med((s) => s.zoomKeyMs))} | ${ms(med((s) => s.zoomKey1xMs))} | ` +
          `${ms(med((s) => s.labelsBackMs))} | ${load.join(' → ')} |`,
      );
    }
    console.error(`done: ${live ?? size}${sudo ? ' under sudo' : ''}`);
  };
  for (const size of SIZES) await row(size);
  // live: this host plus half as many `unshare -Urn sleep` as namespaces wanted (a user
  // and a net namespace each), discovered at start and rescanned by every r
  for (const size of LIVE_SIZES) {
    if (process.geteuid?.() !== 0) {
      console.error('no live rows: not root');
      break;
    }
    const kids = await buildScene(Math.round(size / 2));
    try {
      await row(size, undefined, `live, this host + ${kids.length} unshare -Urn`);
    } finally {
      await teardown(kids);
    }
  }
  // under sudo: the window as a throwaway user, and the peer as that user too
  if (SUDO_SIZES.length) {
    if (process.geteuid?.() !== 0 || noUseradd) {
      console.error(`no sudo rows: ${noUseradd || 'not root'}`);
    } else {
      const user = makeUser();
      try {
        for (const size of SUDO_SIZES) await row(size, user);
      } finally {
        await removeUser(user);
      }
    }
  }
  console.log(
    "| namespaces | first paint | Chromium alone: first request | first paint after it | the same, median of each run's own difference | of which start-up (to the page's navigation) | of which page | page: to the graph | page: layout (worker) | page: insert + paint | longest frame gap during layout | redraw after r | load average |",
  );
  console.log(
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of rows) console.log(r);
  if (zoomRows.length) {
    console.log(
      '\n| namespaces | zoom key to repaint | same at 1x | longest frame gap after it at 1x | load average |',
    );
    console.log('| ---: | ---: | ---: | ---: | --- |');
    for (const r of zoomRows) console.log(r);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
