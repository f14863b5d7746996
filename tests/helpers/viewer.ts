/**
 * Drives the viewer for end-to-end tests: starts graphns's viewer with the
 * browser shell in headless Chromium, connects Playwright to that very
 * browser over the DevTools protocol (the browser prints its address when
 * GRAPHNS_BROWSER_ARGS asks for --remote-debugging-port), and waits on the
 * page's own state (`<html data-state>`), never on sleeps.
 *
 * Runs the built command, `dist/app/graphns.js`.
 */
import { HANG_MS, unmetNeed } from './need';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PageDocument } from './page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

/** The repository root. */
export const ROOT = new URL('../..', import.meta.url).pathname;
/** Debian's Chromium, which the tests drive. */
export const CHROMIUM = '/usr/bin/chromium';

const GRAPHNS = join(ROOT, 'dist', 'app', 'graphns.js');

/** Skip reason when the viewer cannot be tested here, or false; under CI=true a failure (need.ts). */
export function viewerSkip(): string | false {
  if (!existsSync(CHROMIUM)) return unmetNeed(`no ${CHROMIUM} (apt-get install chromium)`);
  if (!existsSync(GRAPHNS) || !existsSync(join(ROOT, 'dist', 'shell', 'host.js'))) {
    return unmetNeed('not built: run npm run build');
  }
  return false;
}

/** The command that opens the viewer (after `node`): graphns itself. */
export function viewerCommand(): string[] {
  return [GRAPHNS];
}

/** A running viewer under test. */
export interface Viewer {
  child: ChildProcess;
  browser: Browser;
  page: Page;
  /** The server's origin, `http://127.0.0.1:PORT`. */
  origin: string;
  /** Everything graphns wrote on stderr so far. */
  stderr(): string;
  /** Resolves with graphns's exit code. */
  exited: Promise<number | null>;
  /** End graphns if the test did not (kills only the process we started). */
  close(): Promise<void>;
}

/** Headless, with a DevTools port Playwright can attach to. */
export const HEADLESS_ARGS =
  '--headless --remote-debugging-port=0 --disable-gpu --window-size=1200,800';

/**
 * Start the viewer with `args` (e.g. `--open snap.json`) and wait until
 * the page has drawn the graph (or shown an error). `wrapper` goes before
 * the command (e.g. `xvfb-run -a` for a headed window).
 */
export async function launchViewer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  // a guard against a hang, not a budget: the waits below end on the page's states
  timeoutMs = HANG_MS,
  wrapper: string[] = [],
  /**
   * Attach Playwright only once the page has painted its first graph (its
   * title changes then), polling the browser's DevTools HTTP endpoint
   * meanwhile: for benchmarks, since attaching costs the browser work
   * while it starts, which the browser alone would not do.
   */
  attachLate = false,
): Promise<Viewer> {
  const argv = [process.execPath, ...viewerCommand(), '--shell', 'browser', ...args];
  const [cmd, ...rest] = [...wrapper, ...argv];
  const child = spawn(cmd!, rest, {
    cwd: ROOT,
    env: { ...process.env, GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ws = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no DevTools address:\n${stderr}`)), timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      const m = /DevTools listening on (ws:\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`graphns exited (${code}) before the browser started:\n${stderr}`));
    });
  });
  if (attachLate) await pageTitled(ws, timeoutMs);
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0]!;
  // the window opens on the launch page in its profile (file://) and moves on to the server
  const page = context.pages()[0] ?? (await context.waitForEvent('page'));
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/, { timeout: timeoutMs });
  await page.waitForFunction(
    () => ['ready', 'error'].includes(document.documentElement.dataset.state ?? ''),
    null,
    // polling by timer: frames of a huge graph can be slow, and this must not measure them
    { timeout: timeoutMs, polling: 50 },
  );
  const origin = new URL(page.url()).origin;
  return {
    child,
    browser,
    page,
    origin,
    stderr: () => stderr,
    exited,
    close: async () => {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Wait until the browser at DevTools address `ws` shows a page whose title is no longer the page's initial one. */
async function pageTitled(ws: string, timeoutMs: number): Promise<void> {
  const list = `${new URL(ws).origin.replace(/^ws/, 'http')}/json/list`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const targets = (await (await fetch(list)).json()) as {
      type: string;
      url: string;
      title: string;
    }[];
    const page = targets.find(
      (t) => t.type === 'page' && /^http:\/\/127\.0\.0\.1:\d+\//.test(t.url),
    );
    if (page && page.title !== 'graphns' && !page.url.includes('/launch/')) return;
    if (Date.now() > deadline)
      throw new Error(`no titled page in ${timeoutMs} ms: ${JSON.stringify(targets)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Where the graph is on screen: its scale, and its origin from the drawing host's corner (px). */
export async function viewTransform(page: Page): Promise<{ scale: number; x: number; y: number }> {
  // svg-pan-zoom applies a change at the next animation frame: read after it
  // Chromium's screen matrix: svg-pan-zoom's transform and the SVG element's
  // own translation (a pan moves the element, view.ts), from the host's corner
  const m = await page.evaluate<[number, number, number] | null>(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ctm = document.querySelector('#graph svg .svg-pan-zoom_viewport')?.getScreenCTM();
    const host = document.getElementById('graph')?.getBoundingClientRect();
    return ctm && host ? [ctm.a, ctm.e - host.left, ctm.f - host.top] : null;
  })()`);
  if (!m) throw new Error('no drawing on screen');
  return { scale: m[0]!, x: m[1]!, y: m[2]! };
}
