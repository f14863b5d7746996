/**
 * The viewer with no Playwright attached: graphns started as launchViewer
 * starts it, and the page driven over a bare DevTools socket that enables
 * no domain (Runtime.evaluate works without). Playwright enables the
 * Network domain on every page it attaches to, and then Chromium copies
 * each response for DevTools: at 5000 namespaces a 3 MB refresh answer cost
 * frames 40-50 ms longer than in a window nobody inspects. What a user's
 * window does is measured here.
 *
 * Needs the WebSocket global: Node 22 has it, Node 20 with
 * --experimental-websocket (the bench scripts pass it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { HEADLESS_ARGS, ROOT, viewerCommand } from '../helpers/viewer';

export interface BarePage {
  /** Evaluate `expression` in the page (promises awaited), its value by JSON. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Start the viewer with `args` and wait for its page to say data-state=ready. */
export async function launchBare(args: string[], timeoutMs = 180_000): Promise<BarePage> {
  if (typeof WebSocket === 'undefined')
    throw new Error('no WebSocket: run Node 20 with --experimental-websocket');
  const child: ChildProcess = spawn(
    process.execPath,
    [...viewerCommand(), '--shell', 'browser', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + timeoutMs;
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      const m = /DevTools listening on (ws:\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`graphns exited:\n${stderr}`)));
  });
  const list = `${new URL(address).origin.replace(/^ws/, 'http')}/json/list`;
  let target: { webSocketDebuggerUrl: string } | undefined;
  while (!target) {
    if (Date.now() > deadline) throw new Error('no viewer page');
    const pages = (await (await fetch(list)).json()) as {
      type: string;
      url: string;
      webSocketDebuggerUrl: string;
    }[];
    target = pages.find((p) => p.type === 'page' && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(p.url));
    if (!target) await new Promise((r) => setTimeout(r, 100));
  }
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  let id = 0;
  interface Reply {
    id?: number;
    result?: { result?: { value?: unknown } };
  }
  const waiting = new Map<number, (reply: Reply) => void>();
  ws.addEventListener('message', (m: MessageEvent) => {
    const reply = JSON.parse(String(m.data)) as Reply;
    if (reply.id === undefined) return;
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const page: BarePage = {
    evaluate<T>(expression: string): Promise<T> {
      const n = ++id;
      return new Promise<T>((resolve) => {
        waiting.set(n, (reply) => resolve(reply.result?.result?.value as T));
        ws.send(
          JSON.stringify({
            id: n,
            method: 'Runtime.evaluate',
            params: { expression, awaitPromise: true, returnByValue: true },
          }),
        );
      });
    },
    async close() {
      ws.close();
      child.kill('SIGTERM');
      await exited;
    },
  };
  while (
    (await page.evaluate<string | undefined>('document.documentElement.dataset.state')) !== 'ready'
  ) {
    if (Date.now() > deadline) throw new Error('the viewer never became ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return page;
}
