/**
 * Large hosts (issue 21): the synthetic shapes of tests/bench/synthetic.ts
 * (`containers`, `docker`, `star`) at 1000 to 50 000 namespaces, each
 * written as a snapshot and drawn with every namespace (`-d`):
 *
 * - `graphns --open SNAP -d --output x.svg`, the whole process: wall time
 *   (median of the runs), peak RSS (GNU time %M), the nodes drawn (each
 *   `class="node` of the SVG), or how it failed: its last line on stderr
 *   and after how long, or "timeout" when the run was ended at the limit;
 * - beside it native `dot -Tsvg` on the DOT `graphns --open SNAP -d --dot`
 *   prints (and how long printing that DOT took);
 * - the window's first useful picture: graphns with the browser shell in
 *   headless Chromium, as tests/bench/viewer-bench.ts starts it, from the
 *   browser's start (its DevTools line on stderr) and from graphns's spawn
 *   to the first graph painted (`<html data-painted-at>`, renderer/probes.ts),
 *   the page's own share (navigation to painted, the worker's layout), and
 *   the memory of graphns, its shell host and the browser then (the sum of
 *   their PSS); or the page's error, or "timeout".
 *
 * A size that failed or timed out is run once: the failure is the layout's,
 * and repeats. Runs that take longer than --long seconds are not repeated
 * either (one run, said in the table).
 *
 *   npm run build && npm run bench:large -- [--shapes containers,docker,star]
 *     [--sizes 1000,5000,20000,50000] [--runs 3] [--timeout 120]
 *     [--dot-timeout 300] [--viewer-timeout 120] [--long 30]
 *     [--no-dot] [--no-viewer] [--dist DIR]
 *
 * --dist times another build of graphns (its dist/ folder), e.g. one made
 * from an older commit for a baseline. Needs /usr/bin/time (apt-get
 * install time), /usr/bin/dot (graphviz) and /usr/bin/chromium. Prints
 * Markdown tables for docs/BENCHMARKS.md, the load average with each row.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { serializeModel } from '../../main/model';
import type { PageDocument } from '../helpers/page-dom';
import { CHROMIUM, HEADLESS_ARGS, ROOT } from '../helpers/viewer';
import { median } from './measure';
import { SHAPES, shapeModel, type Shape } from './synthetic';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

const { values: opts } = parseArgs({
  options: {
    shapes: { type: 'string', default: SHAPES.join(',') },
    sizes: { type: 'string', default: '1000,5000,20000,50000' },
    runs: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '120' },
    'dot-timeout': { type: 'string', default: '300' },
    'viewer-timeout': { type: 'string', default: '120' },
    long: { type: 'string', default: '30' },
    'no-dot': { type: 'boolean', default: false },
    'no-viewer': { type: 'boolean', default: false },
    dist: { type: 'string', default: join(ROOT, 'dist') },
  },
  strict: true,
});
const shapes = opts.shapes.split(',').filter(Boolean) as Shape[];
for (const s of shapes) if (!SHAPES.includes(s)) throw new Error(`unknown shape ${s}`);
const sizes = opts.sizes.split(',').filter(Boolean).map(Number);
const RUNS = Number(opts.runs);
const TIMEOUT_MS = Number(opts.timeout) * 1000;
const DOT_TIMEOUT_MS = Number(opts['dot-timeout']) * 1000;
const VIEWER_TIMEOUT_MS = Number(opts['viewer-timeout']) * 1000;
const LONG_MS = Number(opts.long) * 1000;
const WITH_DOT = !opts['no-dot'];
const WITH_VIEWER = !opts['no-viewer'];
const DIST = resolve(opts.dist);
const GRAPHNS = join(DIST, 'app', 'graphns.js');
const TIME = '/usr/bin/time';
const NATIVE_DOT = '/usr/bin/dot';

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One timed run of a whole process. */
interface Run {
  ms: number;
  /** Peak RSS (KiB), when the process ran to its end. */
  rssKiB?: number;
  ok: boolean;
  timedOut: boolean;
  /** The last line of its stderr (or how it ended), when it failed. */
  error?: string;
}

/**
 * Run `argv` under GNU time in a process group of its own, stdout to
 * `stdoutFile` (else nowhere); at `timeoutMs` the whole group is killed
 * (only what this run started).
 */
function timed(argv: string[], timeoutMs: number, stdoutFile?: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-large-time-'));
  const out = join(dir, 'time');
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const t0 = process.hrtime.bigint();
  const child = spawn(TIME, ['-f', '%M', '-o', out, ...argv], {
    detached: true,
    stdio: ['ignore', fd, 'pipe'],
  });
  if (typeof fd === 'number') closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-64 * 1024);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }, timeoutMs);
  return new Promise((done) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const timeText = existsSync(out) ? readFileSync(out, 'utf8').trim() : '';
      rmSync(dir, { recursive: true, force: true });
      const last = (s: string) =>
        s
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .pop();
      const rss = Number(last(timeText));
      const ok = code === 0 && !timedOut;
      done({
        ms,
        ...(Number.isFinite(rss) && rss > 0 ? { rssKiB: rss } : {}),
        ok,
        timedOut,
        ...(ok
          ? {}
          : {
              error: timedOut
                ? 'timeout'
                : (last(stderr) ?? last(timeText) ?? `exit ${code ?? signal}`),
            }),
      });
    });
  });
}

/** Up to RUNS runs of `argv`; one only when it fails or takes longer than LONG_MS. */
async function runs(argv: string[], timeoutMs: number): Promise<Run[]> {
  const done: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(argv, timeoutMs);
    done.push(r);
    if (!r.ok || r.ms > LONG_MS) break;
  }
  return done;
}

const seconds = (ms: number) => (ms >= 10_000 ? (ms / 1000).toFixed(0) : (ms / 1000).toFixed(1));

/** A cell: the median of the runs that succeeded, or how the first failure went. */
function timeCell(rs: Run[], limitMs: number): string {
  const good = rs.filter((r) => r.ok);
  if (good.length === 0) {
    const r = rs[0]!;
    return r.timedOut
      ? `> ${seconds(limitMs)} s (timeout)`
      : `**fails after ${seconds(r.ms)} s**: "${r.error}"`;
  }
  const spread =
    good.length > 1
      ? ` (${seconds(Math.min(...good.map((r) => r.ms)))}-${seconds(Math.max(...good.map((r) => r.ms)))})`
      : ' (1 run)';
  return `${seconds(median(good.map((r) => r.ms)))} s${spread}`;
}

function rssCell(rs: Run[]): string {
  const xs = rs.filter((r) => r.ok && r.rssKiB !== undefined).map((r) => r.rssKiB!);
  return xs.length ? `${(median(xs) / 1024).toFixed(0)} MiB` : '—';
}

/** PSS (KiB) of `root` and every process below it, from /proc. */
function treePssKiB(root: number): number {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const l = children.get(ppid);
      if (l) l.push(Number(e));
      else children.set(ppid, [Number(e)]);
    } catch {
      /* exited */
    }
  }
  let kib = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    todo.push(...(children.get(pid) ?? []));
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return kib;
}

/** One start of the window on a snapshot, until its first graph is painted (or it fails). */
interface ViewerRun {
  ok: boolean;
  timedOut: boolean;
  error?: string;
  /** After how long it failed, from graphns's spawn. */
  failedMs?: number;
  /** graphns's spawn to the first graph painted. */
  spawnMs?: number;
  /** The browser's start (its DevTools line on stderr) to the first graph painted. */
  browserMs?: number;
  /** The page's navigation to the first graph painted. */
  pageMs?: number;
  layoutMs?: number;
  pssMiB?: number;
}

/** The page's target in the browser at DevTools address `ws`, once it shows our page. */
async function pageTitle(ws: string): Promise<string | undefined> {
  const list = `${new URL(ws).origin.replace(/^ws/, 'http')}/json/list`;
  const targets = (await (await fetch(list)).json()) as {
    type: string;
    url: string;
    title: string;
  }[];
  const page = targets.find((t) => t.type === 'page' && /^http:\/\/127\.0\.0\.1:\d+\//.test(t.url));
  return page && !page.url.includes('/launch/') ? page.title : undefined;
}

/**
 * Start graphns's window (browser shell, headless Chromium, as
 * viewer-bench does) on `snapshot` with -d and wait for its first graph.
 * Playwright attaches late (after the page's title says the graph is
 * painted, or after 3 s, to see an error), so that small graphs are timed
 * without it.
 */
async function viewerOnce(snapshot: string, config: string): Promise<ViewerRun> {
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [GRAPHNS, '--shell', 'browser', '--open', snapshot, '--details'],
    {
      cwd: ROOT,
      env: { ...process.env, GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS, XDG_CONFIG_HOME: config },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  let stderr = '';
  let exited = false;
  const gone = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  child.stderr!.setEncoding('utf8');
  let browserAt = 0;
  const ws = new Promise<string>((r) =>
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      const m = /DevTools listening on (ws:\S+)/.exec(stderr);
      if (m && !browserAt) {
        browserAt = Date.now();
        r(m[1]!);
      }
    }),
  );
  const deadline = t0 + VIEWER_TIMEOUT_MS;
  const lastLine = () => stderr.trim().split('\n').pop()?.trim() ?? '';
  let browser: Awaited<ReturnType<typeof chromium.connectOverCDP>> | undefined;
  let limit: NodeJS.Timeout | undefined;
  try {
    const address = await Promise.race<string | undefined>([
      ws,
      gone.then(() => undefined),
      new Promise<undefined>((r) => (limit = setTimeout(() => r(undefined), VIEWER_TIMEOUT_MS))),
    ]);
    if (!address) {
      return exited
        ? { ok: false, timedOut: false, failedMs: Date.now() - t0, error: lastLine() }
        : { ok: false, timedOut: true };
    }
    // late attach: the title changes only once the first graph is painted
    for (;;) {
      if (exited)
        return { ok: false, timedOut: false, failedMs: Date.now() - t0, error: lastLine() };
      if (Date.now() > deadline) return { ok: false, timedOut: true };
      const title = await pageTitle(address).catch(() => undefined);
      if (title !== undefined && title !== 'graphns') break;
      if (Date.now() - t0 > 3000) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    browser = await chromium.connectOverCDP(address);
    const context = browser.contexts()[0]!;
    // the window opens on the launch page in its profile (file://) and moves on to the server
    const page = context.pages()[0] ?? (await context.waitForEvent('page'));
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/, {
      timeout: Math.max(1, deadline - Date.now()),
    });
    for (;;) {
      const d: Record<string, string | undefined> = await page.evaluate(() => ({
        ...document.documentElement.dataset,
        navigation: String(performance.timeOrigin),
        error: document.getElementById('error')?.textContent ?? '',
      }));
      if (d.state === 'ready' && d.paintedAt) {
        const painted = Number(d.paintedAt);
        return {
          ok: true,
          timedOut: false,
          spawnMs: painted - t0,
          browserMs: painted - browserAt,
          pageMs: painted - Number(d.navigation),
          layoutMs: Number(d.layoutMs),
          pssMiB: treePssKiB(child.pid!) / 1024,
        };
      }
      if (d.state === 'error') {
        return {
          ok: false,
          timedOut: false,
          failedMs: Date.now() - t0,
          error: (d.error ?? '').trim().split('\n')[0] ?? 'error',
        };
      }
      if (Date.now() > deadline) return { ok: false, timedOut: true };
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    clearTimeout(limit);
    await browser?.close().catch(() => undefined);
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
        await gone;
      }
    }
  }
}

/** A cell of the window's table; the first says how a failed start failed, the others stay empty. */
function viewerCell(
  rs: ViewerRun[],
  pick: (r: ViewerRun) => number | undefined,
  first = false,
): string {
  const good = rs.filter((r) => r.ok);
  if (good.length === 0) {
    const r = rs[0]!;
    if (!first) return '—';
    return r.timedOut
      ? `> ${seconds(VIEWER_TIMEOUT_MS)} s (timeout)`
      : `**fails after ${seconds(r.failedMs ?? 0)} s**: "${r.error}"`;
  }
  const xs = good.map(pick).filter((x): x is number => x !== undefined);
  return xs.length ? `${seconds(median(xs))} s` : '—';
}

if (!existsSync(GRAPHNS)) throw new Error(`no ${GRAPHNS}: npm run build`);
for (const need of [TIME, ...(WITH_DOT ? [NATIVE_DOT] : []), ...(WITH_VIEWER ? [CHROMIUM] : [])])
  if (!existsSync(need)) throw new Error(`${need} is missing`);

const dir = mkdtempSync(join(tmpdir(), 'graphns-large-bench-'));
const outputRows: string[] = [];
const viewerRows: string[] = [];
try {
  const config = join(dir, 'config');
  mkdirSync(config);
  console.error(
    `graphns: ${GRAPHNS}; up to ${RUNS} runs (one when it fails or takes over ${LONG_MS / 1000} s), ` +
      `--output limit ${TIMEOUT_MS / 1000} s, dot ${DOT_TIMEOUT_MS / 1000} s, window ${VIEWER_TIMEOUT_MS / 1000} s`,
  );
  for (const shape of shapes) {
    for (const size of sizes) {
      const snapshot = join(dir, `${shape}-${size}.json`);
      writeFileSync(snapshot, serializeModel(shapeModel(shape, size)));
      const load = [loadAverage()];
      const svg = join(dir, 'x.svg');
      const ours = await runs(
        [process.execPath, GRAPHNS, '--open', snapshot, '-d', '--output', svg],
        TIMEOUT_MS,
      );
      const nodes = ours.some((r) => r.ok)
        ? String((readFileSync(svg, 'utf8').match(/class="node/g) ?? []).length)
        : '—';
      rmSync(svg, { force: true });
      let dotCells = '— | —';
      if (WITH_DOT) {
        const dotFile = join(dir, `${shape}-${size}.dot`);
        const printed = await timed(
          [process.execPath, GRAPHNS, '--open', snapshot, '-d', '--dot'],
          TIMEOUT_MS,
          dotFile,
        );
        const peer = printed.ok
          ? await runs([NATIVE_DOT, '-Tsvg', dotFile, '-o', join(dir, 'y.svg')], DOT_TIMEOUT_MS)
          : [printed];
        rmSync(join(dir, 'y.svg'), { force: true });
        rmSync(dotFile, { force: true });
        dotCells = `${timeCell([printed], TIMEOUT_MS)} | ${timeCell(peer, DOT_TIMEOUT_MS)}`;
      }
      load.push(loadAverage());
      outputRows.push(
        `| ${shape} | ${size} | ${nodes} | ${timeCell(ours, TIMEOUT_MS)} | ${rssCell(ours)} | ${dotCells} | ${load.join(' → ')} |`,
      );
      console.error(`--output: ${outputRows.at(-1)}`);
      if (WITH_VIEWER) {
        const vload = [loadAverage()];
        const vs: ViewerRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await viewerOnce(snapshot, config).catch((e: unknown): ViewerRun => ({
            ok: false,
            timedOut: false,
            failedMs: 0,
            error: `bench: ${(e as Error).message.split('\n')[0]}`,
          }));
          vs.push(r);
          if (!r.ok || (r.spawnMs ?? 0) > LONG_MS) break;
        }
        vload.push(loadAverage());
        const good = vs.filter((r) => r.ok);
        const pss = good.map((r) => r.pssMiB!);
        viewerRows.push(
          `| ${shape} | ${size} | ${viewerCell(vs, (r) => r.browserMs, true)} | ${viewerCell(vs, (r) => r.spawnMs)} | ` +
            `${viewerCell(vs, (r) => r.pageMs)} | ${viewerCell(vs, (r) => r.layoutMs)} | ` +
            `${pss.length ? `${median(pss).toFixed(0)} MiB` : '—'} | ${vs.length} | ${vload.join(' → ')} |`,
        );
        console.error(`window: ${viewerRows.at(-1)}`);
      }
      rmSync(snapshot, { force: true });
    }
  }
  console.log(
    `\n\`graphns --open SNAP -d --output x.svg\` (whole process) and native \`dot -Tsvg\` on its DOT; ` +
      `median of up to ${RUNS} runs (range), one when it fails or takes over ${LONG_MS / 1000} s\n`,
  );
  console.log(
    '| shape | namespaces | nodes drawn | graphns --output | graphns peak RSS | graphns --dot | dot -Tsvg | load average |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of outputRows) console.log(r);
  if (viewerRows.length) {
    console.log(
      `\nThe window's first picture (browser shell, headless Chromium, \`--open SNAP -d\`): medians\n`,
    );
    console.log(
      '| shape | namespaces | browser start to first paint | graphns spawn to first paint | page: navigation to first paint | page: layout (worker) | PSS of graphns + host + browser at first paint | runs | load average |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of viewerRows) console.log(r);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
