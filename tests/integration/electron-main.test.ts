/**
 * The BUILT Electron main process (dist/shell/electron/main.cjs) under a
 * recording stand-in for the `electron` module (tests/helpers/electron-stand-in.mjs),
 * in a child Node process whose fd 3 is a real pipe served here by the
 * privileged side's own code (LineChannel, parseRequest). Its protocol
 * handler is asked, with real Request objects, for every asset of the page
 * the window loads and for what lies outside it; its IPC handlers for
 * senders that are and are not our page; and the recording shows the
 * window's options, the app's identity and the refused navigation.
 *
 * This checks the wiring against what we expect Electron to do with it;
 * tests/e2e/electron.test.ts runs the real Electron where there is one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { CHANNELS, type GraphResult } from '../../main/contract';
import { CSP } from '../../main/shell/assets';
import { LineChannel, MAX_REQUEST_LINE, parseRequest } from '../../main/shell/pipe';
import { HANG_MS } from '../helpers/need';

const ROOT = new URL('../..', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist', 'shell', 'electron', 'main.cjs');
const RENDERER = join(ROOT, 'dist', 'renderer');
const STAND_IN = join(ROOT, 'tests', 'helpers', 'electron-stand-in.mjs');

const graph = (title: string): GraphResult => ({
  ok: true,
  dot: 'digraph { a -> b }',
  modelJson: '{}',
  title,
  namespaces: 2,
  warnings: [],
});

interface Call {
  api: string;
  args: unknown[];
}

/** One run of main.cjs under the stand-in, with the privileged side played here. */
class Run {
  child: ChildProcess;
  stderr = '';
  requests: number[] = [];
  exited: Promise<number | null>;
  pipe: LineChannel;
  #next = 1;
  #waiting = new Map<number, (m: { value?: unknown; error?: string }) => void>();
  ready: Promise<void>;
  /** What app.exit() reported: its code and the calls made until then. */
  exitReport: { exit: number; calls: Call[] } | undefined;
  /** Resolves when main.cjs calls app.quit(). */
  quit: Promise<void>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [STAND_IN, MAIN], {
      stdio: ['ignore', 'inherit', 'pipe', 'pipe', 'ipc'],
      env: { PATH: process.env.PATH, ...env },
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    let ready: () => void = () => undefined;
    this.ready = new Promise((r) => (ready = r));
    let quit: () => void = () => undefined;
    this.quit = new Promise((r) => (quit = r));
    type Message = {
      id?: number;
      value?: unknown;
      error?: string;
      ready?: boolean;
      quit?: boolean;
      exit?: number;
      calls?: Call[];
    };
    this.child.on('message', (m: Message) => {
      if (m.ready) ready();
      if (m.quit) quit();
      if (m.exit !== undefined) this.exitReport = { exit: m.exit, calls: m.calls ?? [] };
      if (m.id !== undefined) this.#waiting.get(m.id)?.(m);
    });
    // the privileged side: the first graph, then one per rediscover request
    this.pipe = new LineChannel(
      this.child.stdio[3] as Duplex,
      (line) => {
        const r = parseRequest(line);
        assert.ok(r, `a well-formed request on the pipe: ${line}`);
        this.requests.push(r.id);
        this.pipe.send({ t: 'graph', id: r.id, result: graph(`rediscovery ${r.id}`) });
      },
      MAX_REQUEST_LINE,
    );
    this.pipe.send({ t: 'graph', id: 0, result: graph('first') });
  }

  async ask<T = unknown>(q: Record<string, unknown>): Promise<T> {
    const id = this.#next++;
    const answer = new Promise<{ value?: unknown; error?: string }>((r) =>
      this.#waiting.set(id, r),
    );
    this.child.send({ ...q, id });
    const m = await answer;
    if (m.error) throw new Error(`stand-in: ${m.error}`);
    return m.value as T;
  }

  async calls(): Promise<Call[]> {
    return (await this.ask<{ calls: Call[] }>({ q: 'recording' })).calls;
  }

  async end(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    await this.exited;
  }
}

/** The page's files: index.html, what it references, the worker main.js starts and its WASM. */
function pageAssets(): string[] {
  const html = readFileSync(join(RENDERER, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1]!)
    .filter((r) => !r.startsWith('data:'))
    .map((r) => r.replace(/^\//, '')); // absolute (the browser shell serves it at /launch/… first)
  assert.ok(refs.includes('main.js') && refs.includes('style.css'), `index.html refs: ${refs}`);
  const main = readFileSync(join(RENDERER, 'main.js'), 'utf8');
  assert.match(main, /"worker\.js"/, 'main.js starts worker.js');
  const worker = readFileSync(join(RENDERER, 'worker.js'), 'utf8');
  assert.match(worker, /"graphviz\.wasm"/, 'worker.js fetches graphviz.wasm');
  return ['index.html', ...refs, 'worker.js', 'graphviz.wasm'];
}

const TYPES: Record<string, RegExp> = {
  html: /^text\/html; charset=utf-8$/,
  js: /^text\/javascript; charset=utf-8$/,
  css: /^text\/css; charset=utf-8$/,
  wasm: /^application\/wasm$/,
};

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// a guard against a hang only: every wait below is for a state (an answer, an exit)
describe(
  'the built Electron main process under a recording stand-in',
  { timeout: 2 * HANG_MS },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-main-'));
    const config = join(dir, 'config');
    const saveTo = join(dir, 'chosen.svg');
    let run: Run;

    before(async () => {
      assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build`);
      mkdirSync(join(config, 'graphns'), { recursive: true });
      // remembered bounds on the stand-in's one 1920x1080 display
      writeFileSync(
        join(config, 'graphns', 'window.json'),
        JSON.stringify({ x: 100, y: 120, width: 900, height: 600 }),
      );
      run = new Run({ HOME: dir, XDG_CONFIG_HOME: config, STAND_IN_SAVE_TO: saveTo });
      await Promise.race([
        run.ready,
        run.exited.then((c) => assert.fail(`main.cjs ended (${c}) before ready: ${run.stderr}`)),
      ]);
    });
    after(async () => {
      await run?.end();
      rmSync(dir, { recursive: true, force: true });
    });

    test('every asset of the page the window loads: 200, its type, the CSP, the built bytes', async () => {
      const calls = await run.calls();
      const loaded = calls.filter((c) => c.api === 'win.loadURL').map((c) => c.args[0]);
      assert.deepEqual(loaded, ['graphns://app/index.html']);
      for (const name of pageAssets()) {
        const url: string = new URL(name, loaded[0] as string).href;
        const r: Fetched = await run.ask<Fetched>({ q: 'fetch', url });
        assert.equal(r.status, 200, url);
        assert.equal(r.headers['content-security-policy'], CSP, `${url} CSP`);
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
        assert.match(r.headers['content-type']!, TYPES[name.split('.').pop()!]!, `${url} type`);
        assert.ok(
          Buffer.from(r.body, 'base64').equals(readFileSync(join(RENDERER, name))),
          `${url} is the built file`,
        );
      }
    });

    test('nothing outside the page: other paths, hosts, schemes, credentials, ports: 404', async () => {
      for (const url of [
        'graphns://app/../etc/passwd',
        'graphns://app/%2e%2e/%2e%2e/etc/passwd',
        'graphns://app/..%2fpackage.json',
        'graphns://app/package.json',
        'graphns://app/../shell/host.js',
        'graphns://app/../shell/electron/main.cjs',
        'graphns://app/index.html/',
        'graphns://app//index.html',
        'graphns://app/INDEX.HTML',
        'graphns://evil/index.html',
        'graphns://app.evil/index.html',
        'graphns://APP/index.html',
        // (a URL with credentials cannot be a Request: app-scheme.test.ts has those)
        'graphns://app:8080/index.html',
        'graphns:app/index.html',
        'graphns:///index.html',
        'file:///etc/passwd',
        'https://app/index.html',
      ]) {
        const r = await run.ask<Fetched>({ q: 'fetch', url });
        assert.equal(r.status, 404, url);
        assert.equal(r.headers['content-security-policy'], CSP, `${url}: the CSP on refusals too`);
        assert.equal(Buffer.from(r.body, 'base64').toString(), 'not found\n');
      }
      const post = await run.ask<Fetched>({
        q: 'fetch',
        url: 'graphns://app/index.html',
        method: 'POST',
      });
      assert.equal(post.status, 405);
    });

    test('the app is named graphns and has its own userData before the single-instance lock', async () => {
      const calls = await run.calls();
      const at = (api: string) => calls.findIndex((c) => c.api === api);
      const lock = at('app.requestSingleInstanceLock');
      assert.ok(lock > 0, 'the lock is requested');
      const name = calls.find((c) => c.api === 'app.setName');
      assert.deepEqual(name?.args, ['graphns']);
      assert.ok(at('app.setName') < lock, 'name set before the lock');
      const userData = calls.findIndex((c) => c.api === 'app.setPath' && c.args[0] === 'userData');
      assert.ok(userData >= 0 && userData < lock, 'userData set before the lock');
      assert.deepEqual(calls[userData]!.args, ['userData', join(config, 'graphns', 'electron')]);
      // no default menu (it opens DevTools and reloads the page)
      assert.deepEqual(
        calls.filter((c) => c.api === 'Menu.setApplicationMenu').map((c) => c.args),
        [[null]],
      );
      const schemes = calls.find((c) => c.api === 'protocol.registerSchemesAsPrivileged');
      assert.deepEqual(schemes?.args, [
        [{ scheme: 'graphns', privileges: { standard: true, secure: true, codeCache: true } }],
      ]);
      assert.ok(at('protocol.registerSchemesAsPrivileged') < at('app.whenReady'));
      assert.deepEqual(
        calls.filter((c) => c.api === 'protocol.handle').map((c) => c.args),
        [['graphns']],
      );
    });

    test('the window: isolated, sandboxed, no Node, our preload, the remembered bounds', async () => {
      const made = (await run.calls()).filter((c) => c.api === 'new BrowserWindow');
      assert.equal(made.length, 1);
      const o = made[0]!.args[0] as Record<string, unknown> & {
        webPreferences: Record<string, unknown>;
      };
      assert.equal(o.webPreferences.contextIsolation, true);
      assert.equal(o.webPreferences.sandbox, true);
      assert.equal(o.webPreferences.nodeIntegration, false);
      assert.equal(o.webPreferences.nodeIntegrationInSubFrames, false);
      assert.equal(o.webPreferences.webviewTag, false);
      assert.equal(o.webPreferences.webSecurity, true);
      assert.equal(
        o.webPreferences.preload,
        join(ROOT, 'dist', 'shell', 'electron', 'preload.cjs'),
      );
      assert.ok(existsSync(o.webPreferences.preload as string));
      assert.deepEqual(
        [o.x, o.y, o.width, o.height],
        [100, 120, 900, 600],
        'the remembered bounds, which are on the display',
      );
      assert.equal(o.backgroundColor, '#ffffff', 'a light desktop: white until the page paints');
    });

    test('navigation, redirects, webviews, new windows and permissions are refused', async () => {
      for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
        const r = await run.ask<{ prevented: boolean }>({
          q: 'navigate',
          event,
          url: 'https://evil.example/',
        });
        assert.equal(r.prevented, true, event);
      }
      assert.deepEqual(await run.ask({ q: 'window-open', url: 'https://evil.example/' }), {
        action: 'deny',
      });
      for (const permission of ['media', 'notifications', 'clipboard-read', 'openExternal']) {
        assert.deepEqual(await run.ask({ q: 'permission', permission }), {
          granted: false,
          checked: false,
        });
      }
      // the one exception: our page may write text to the clipboard (`y`, copy buttons) ...
      assert.deepEqual(
        await run.ask({ q: 'permission', permission: 'clipboard-sanitized-write' }),
        {
          granted: true,
          checked: true,
        },
      );
      // ... and nobody else may
      for (const sender of ['subframe', 'other-window', 'https://evil.example/']) {
        assert.deepEqual(
          await run.ask({ q: 'permission', permission: 'clipboard-sanitized-write', sender }),
          { granted: false, checked: false },
          sender,
        );
      }
    });

    test('IPC: our main frame gets the graphs from the pipe; any other sender is refused', async () => {
      const calls = await run.calls();
      assert.deepEqual(
        calls
          .filter((c) => c.api === 'ipcMain.handle')
          .map((c) => c.args[0])
          .sort(),
        Object.values(CHANNELS).sort(),
      );
      const ipc = (sender: string, channel: string, arg?: unknown) =>
        run.ask<{ value?: GraphResult; error?: string }>({ q: 'ipc', sender, channel, arg });

      const first = await ipc('main', CHANNELS.getGraph);
      assert.equal(first.value?.ok && first.value.title, 'first');
      const again = await ipc('main', CHANNELS.rediscover);
      assert.equal(again.value?.ok && again.value.title, 'rediscovery 1');
      assert.deepEqual(run.requests, [1], 'one rediscover request went down the pipe');

      for (const sender of [
        'subframe',
        'other-window',
        'no-frame',
        'https://evil.example/index.html',
        'graphns://evil/index.html',
        'graphns://app.evil/index.html',
        'graphns://app/other.html',
        'graphns://user@app/index.html',
      ]) {
        for (const channel of [CHANNELS.getGraph, CHANNELS.rediscover]) {
          const r = await ipc(sender, channel);
          assert.match(r.error ?? '', /refused/, `${sender} on ${channel}`);
        }
      }
      assert.deepEqual(run.requests, [1], 'refused senders caused no discovery');
      // our page, but a bad argument: the contract's check answers
      const bad = await ipc('main', CHANNELS.getGraph, { path: '/etc' });
      assert.ok(bad.error && !/refused/.test(bad.error), bad.error);
    });

    test('save: the native dialog starts in the home folder, the file is written where chosen', async () => {
      const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>';
      const r = await run.ask<{ value?: unknown }>({
        q: 'ipc',
        sender: 'main',
        channel: CHANNELS.saveSvg,
        arg: svg,
      });
      assert.deepEqual(r.value, { saved: true, path: saveTo });
      assert.equal(readFileSync(saveTo, 'utf8'), svg);
      const asked = (await run.calls()).filter((c) => c.api === 'dialog.showSaveDialog');
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.args[0], 0, 'the dialog belongs to our window');
      const o = asked[0]!.args[1] as { defaultPath: string; properties: string[] };
      const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
      assert.match(o.defaultPath, new RegExp(`^${dir}/graphns-${host.replace(/\./g, '\\.')}-`));
      assert.ok(o.properties.includes('showOverwriteConfirmation'));
    });

    test('quit closes the window, which remembers its bounds; a closed pipe quits the app', async () => {
      await run.ask({ q: 'ipc', sender: 'main', channel: CHANNELS.quit });
      // the close follows the answer: wait for it (the bounds are written as it closes)
      let calls = await run.calls();
      while (!calls.some((c) => c.api === 'win.close')) {
        await new Promise((r) => setTimeout(r, 10));
        calls = await run.calls();
      }
      assert.deepEqual(JSON.parse(readFileSync(join(config, 'graphns', 'window.json'), 'utf8')), {
        x: 40,
        y: 30,
        width: 1000,
        height: 700,
      });
      assert.ok(!calls.some((c) => c.api === 'app.quit'));
      run.pipe.close(); // graphns (the privileged side) has gone
      await run.quit; // (the test times out if it never comes)
    });
  },
);

test('a window that closes, or a page that dies, before the page had its graph: exit 1 with why', async () => {
  for (const q of ['all-closed', 'page-gone'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-main-'));
    const run = new Run({ HOME: dir, XDG_CONFIG_HOME: dir });
    try {
      await run.ready;
      run.child.send({ q, id: -1 }); // its answer never comes: the process ends
      assert.equal(await run.exited, 1, `${q}: ${run.stderr}`);
      assert.equal(run.exitReport?.exit, 1);
      assert.match(
        run.stderr,
        q === 'all-closed'
          ? /the viewer window closed before the window showed the graph/
          : /the viewer page ended \(crashed, exit code 139\) before the window showed the graph/,
      );
    } finally {
      await run.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // once the page has asked for its graph, closing is the user's normal way out
  const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-main-'));
  const run = new Run({ HOME: dir, XDG_CONFIG_HOME: dir });
  try {
    await run.ready;
    await run.ask({ q: 'ipc', sender: 'main', channel: CHANNELS.getGraph });
    await run.ask({ q: 'all-closed' });
    await run.quit;
    assert.equal(run.exitReport, undefined, 'no app.exit');
  } finally {
    await run.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("on a dark desktop the window's first colour is the dark page's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-main-'));
  const run = new Run({ HOME: dir, XDG_CONFIG_HOME: dir, STAND_IN_DARK: '1' });
  try {
    await Promise.race([
      run.ready,
      run.exited.then((c) => assert.fail(`main.cjs ended (${c}) before ready: ${run.stderr}`)),
    ]);
    const made = (await run.calls()).filter((c) => c.api === 'new BrowserWindow');
    assert.equal((made[0]?.args[0] as { backgroundColor?: string }).backgroundColor, '#16181c');
  } finally {
    await run.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second instance exits at once, without a window, named before it asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-main-'));
  try {
    const run = new Run({ HOME: dir, XDG_CONFIG_HOME: dir, STAND_IN_LOCK: 'taken' });
    const code = await run.exited;
    assert.equal(code, 1, run.stderr);
    assert.match(run.stderr, /a viewer window is already open/);
    const calls = run.exitReport?.calls.map((c) => c.api) ?? [];
    assert.ok(calls.indexOf('app.setName') >= 0, calls.join());
    assert.ok(calls.indexOf('app.setName') < calls.indexOf('app.requestSingleInstanceLock'));
    assert.equal(calls.at(-1), 'app.exit');
    assert.ok(!calls.includes('app.whenReady') && !calls.includes('new BrowserWindow'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
