/**
 * The viewer's layout worker (dist/renderer/worker.js, after `npm run
 * build`) in Debian's Chromium, driven by Playwright, on its own: a
 * loopback server serves dist/renderer (graphviz.wasm as application/wasm,
 * which the worker's streaming compile requires) and a blank page; the
 * page starts the worker and sends it DOT by its protocol (`{ id, dot }`
 * in, `{ id, svg }` or `{ id, error, kind }` out). For
 * tests/e2e/layout-worker.test.ts and tests/bench/layout-limits.ts.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, ROOT } from '../helpers/viewer';

const TYPES: Record<string, string> = {
  '/worker.js': 'text/javascript',
  '/graphviz.wasm': 'application/wasm',
};

/** One reply of the worker, with the time the page measured. */
export interface WorkerReply {
  svgBytes?: number;
  error?: string;
  kind?: string;
  ms: number;
}

/** A Chromium with a page that owns one layout worker. */
export interface WorkerPage {
  browser: Browser;
  page: Page;
  /** Lay `dot` out in the worker; never rejects for a layout failure. */
  layout(dot: string): Promise<WorkerReply>;
  close(): Promise<void>;
}

function serve(): Promise<Server> {
  const dir = join(ROOT, 'dist', 'renderer');
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>layout worker</body></html>');
      return;
    }
    const type = TYPES[path];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(join(dir, path.slice(1))));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Start Chromium (extra `args`, e.g. `--js-flags=--stack-size=4000`) on a page with the worker. */
export async function workerPage(args: string[] = []): Promise<WorkerPage> {
  const server = await serve();
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--disable-gpu', ...args],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  // page.evaluate() runs this text in the page, where Worker and performance exist
  await page.evaluate(`(() => {
    const w = new Worker('/worker.js');
    const waiting = new Map();
    let next = 1;
    w.onmessage = (e) => { const r = waiting.get(e.data.id); waiting.delete(e.data.id); r(e.data); };
    w.onerror = (e) => { for (const r of waiting.values()) r({ error: 'worker error: ' + e.message, kind: 'worker' }); waiting.clear(); };
    window.layoutInWorker = (dot) => new Promise((resolve) => {
      const id = next++;
      const t0 = performance.now();
      waiting.set(id, (d) => resolve({
        svgBytes: d.svg === undefined ? undefined : d.svg.length,
        error: d.error,
        kind: d.kind,
        ms: Math.round(performance.now() - t0),
      }));
      w.postMessage({ id, dot });
    });
  })()`);
  return {
    browser,
    page,
    layout: (dot) =>
      page.evaluate(
        ([d]) =>
          (
            globalThis as unknown as { layoutInWorker(x: string): Promise<WorkerReply> }
          ).layoutInWorker(d),
        [dot] as const,
      ),
    close: async () => {
      await browser.close().catch(() => undefined);
      await new Promise((r) => server.close(r));
    },
  };
}
