/**
 * The Electron shell's core, with real values: the page's address and the
 * scheme's answers (app-scheme.ts), the main process's decisions
 * (electron-core.ts: identity, window, bounds, saves, IPC), and the plan
 * Electron is started from (electron-plan.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CHANNELS, type GraphResult } from '../../main/contract';
import {
  answerAppRequest,
  APP_PAGE_URL,
  appPath,
  isTrustedSender,
} from '../../main/shell/app-scheme';
import { CSP, loadAssets } from '../../main/shell/assets';
import {
  answerIpc,
  DEFAULT_SIZE,
  defaultSavePath,
  electronHandlers,
  electronUserData,
  permissionGranted,
  restoreBounds,
  saveDialogOptions,
  saveWhereChosen,
  WINDOW_BACKGROUND,
  windowOptions,
} from '../../main/shell/electron-core';
import { electronPlan } from '../../main/shell/electron-plan';
import { pipeBroker } from '../../main/shell/host-broker';

const scratch = () => mkdtempSync(join(tmpdir(), 'graphns-electron-core-'));
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
/** A real PNG: the app's icon. */
const PNG = readFileSync(new URL('../../build/icons/16x16.png', import.meta.url));

/** A real renderer directory with the page's files, and a secret beside it. */
function renderer(dir: string): string {
  const r = join(dir, 'renderer');
  mkdirSync(r);
  for (const f of [
    'index.html',
    'main.js',
    'worker.js',
    'find-worker.js',
    'style.css',
    'graphviz.wasm',
  ]) {
    writeFileSync(join(r, f), `contents of ${f}`);
  }
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync(join(dir, 'secret.txt'), join(r, 'link.txt'));
  return r;
}

test('appPath: only graphns://app, without credentials or port; never by origin', () => {
  // the bug this replaces: a non-special scheme's origin is opaque
  assert.equal(new URL(APP_PAGE_URL).origin, 'null');
  assert.equal(appPath(APP_PAGE_URL), '/index.html');
  assert.equal(appPath('graphns://app/main.js?x=1#y'), '/main.js');
  assert.equal(appPath('graphns://app/../../etc/passwd'), '/etc/passwd'); // resolved, still ours
  for (const bad of [
    'graphns://evil/index.html',
    'graphns://app.evil/index.html',
    'graphns://APP/index.html',
    'graphns://user:pw@app/index.html',
    'graphns://app@evil/index.html',
    'graphns://user@app/index.html',
    'graphns://app:1/index.html',
    'graphns:app/index.html',
    'graphns:///index.html',
    'graphns://app\\index.html',
    'GRAPHNS2://app/index.html',
    'https://app/index.html',
    'file:///index.html',
    'not a url',
    '',
  ]) {
    assert.equal(appPath(bad), undefined, bad);
  }
});

test("answerAppRequest: the page's files with type and CSP; everything else 404, other methods 405", () => {
  const dir = scratch();
  try {
    const assets = loadAssets(renderer(dir));
    const page = answerAppRequest(assets, 'GET', APP_PAGE_URL);
    assert.equal(page.status, 200);
    assert.equal(page.headers['Content-Type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['Content-Security-Policy'], CSP);
    assert.equal(page.body.toString(), 'contents of index.html');
    assert.equal(
      answerAppRequest(assets, 'GET', 'graphns://app/').body.toString(),
      page.body.toString(),
    );
    const js = answerAppRequest(assets, 'GET', 'graphns://app/worker.js');
    assert.equal(js.headers['Content-Type'], 'text/javascript; charset=utf-8');
    assert.equal(answerAppRequest(assets, 'HEAD', 'graphns://app/style.css').body.length, 0);
    const wasm = answerAppRequest(assets, 'GET', 'graphns://app/graphviz.wasm');
    assert.equal(wasm.headers['Content-Type'], 'application/wasm');
    assert.equal(wasm.body.toString(), 'contents of graphviz.wasm');
    for (const url of [
      'graphns://app/link.txt',
      'graphns://app/../secret.txt',
      'graphns://app/%2e%2e/secret.txt',
      'graphns://app/renderer/index.html',
      'graphns://user:pw@app/index.html',
      'graphns://app:80/index.html',
      'graphns://evil/index.html',
      'file:///etc/passwd',
      '::',
    ]) {
      const r = answerAppRequest(assets, 'GET', url);
      assert.equal(r.status, 404, url);
      assert.equal(r.headers['Content-Security-Policy'], CSP);
      assert.equal(r.body.toString(), 'not found\n');
    }
    assert.equal(answerAppRequest(assets, 'POST', APP_PAGE_URL).status, 405);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('isTrustedSender: our window, its main frame, our page, nothing else', () => {
  const ok = { fromOurWindow: true, isMainFrame: true, frameUrl: APP_PAGE_URL };
  assert.ok(isTrustedSender(ok));
  assert.ok(isTrustedSender({ ...ok, frameUrl: 'graphns://app/index.html#x' }));
  for (const frameUrl of [
    'graphns://app/',
    'graphns://app/other.html',
    'graphns://app.evil/index.html',
    'graphns://app@evil/index.html',
    'graphns://user@app/index.html',
    'graphns://app:9/index.html',
    'graphns://APP/index.html',
    'https://app/index.html',
    'graphns://evil/graphns://app/index.html',
    undefined,
  ]) {
    assert.ok(!isTrustedSender({ ...ok, frameUrl }), String(frameUrl));
  }
  assert.ok(!isTrustedSender({ ...ok, fromOurWindow: false }));
  assert.ok(!isTrustedSender({ ...ok, isMainFrame: false }));
});

test('identity, window options and restored bounds', () => {
  assert.equal(electronUserData({}, '/home/u'), '/home/u/.config/graphns/electron');
  assert.equal(electronUserData({ XDG_CONFIG_HOME: '/c' }, '/home/u'), '/c/graphns/electron');
  const screen = [
    { x: 0, y: 0, width: 1920, height: 1080 },
    { x: 1920, y: 0, width: 1280, height: 1024 },
  ];
  const saved = { x: 2000, y: 100, width: 800, height: 600 };
  assert.deepEqual(restoreBounds(saved, screen), saved, 'on the second display');
  assert.deepEqual(restoreBounds({ ...saved, x: 5000 }, screen), DEFAULT_SIZE, 'off every display');
  assert.deepEqual(restoreBounds(undefined, screen), DEFAULT_SIZE);
  const o = windowOptions({ bounds: saved, preload: '/p/preload.cjs' });
  assert.deepEqual([o.x, o.y, o.width, o.height], [2000, 100, 800, 600]);
  assert.deepEqual(o.webPreferences, {
    preload: '/p/preload.cjs',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
    spellcheck: false,
  });
  assert.equal(o.show, false);
  assert.equal('x' in windowOptions({ bounds: DEFAULT_SIZE, preload: '/p' }), false);
  // before the page paints, the window has the page's background in the desktop's scheme
  const css = readFileSync(new URL('../../renderer/style.css', import.meta.url), 'utf8');
  const graphBg = [...css.matchAll(/--graph-bg: (#[0-9a-f]{6});/g)].map((m) => m[1]);
  assert.deepEqual(graphBg, [WINDOW_BACKGROUND.light, WINDOW_BACKGROUND.dark], 'as style.css says');
  assert.equal(o.backgroundColor, WINDOW_BACKGROUND.light);
  assert.equal(
    windowOptions({ bounds: DEFAULT_SIZE, preload: '/p', dark: true }).backgroundColor,
    WINDOW_BACKGROUND.dark,
  );
});

test('saves: the dialog starts in ~/Downloads or ~; the chosen file is replaced whole, failures said', () => {
  const home = scratch();
  try {
    const now = new Date(2026, 0, 2, 3, 4, 5);
    assert.equal(defaultSavePath(home, 'h/x', now), join(home, 'graphns-h_x-20260102-030405.svg'));
    mkdirSync(join(home, 'Downloads'));
    assert.equal(
      defaultSavePath(home, 'h', now),
      join(home, 'Downloads', 'graphns-h-20260102-030405.svg'),
    );
    const target = join(home, 'chosen.svg');
    writeFileSync(target, 'old');
    assert.deepEqual(saveWhereChosen({ canceled: false, filePath: target }, SVG), {
      saved: true,
      path: target,
    });
    assert.equal(readFileSync(target, 'utf8'), SVG);
    assert.deepEqual(saveWhereChosen({ canceled: true, filePath: target }, 'x'), { saved: false });
    assert.deepEqual(saveWhereChosen({ canceled: false }, 'x'), { saved: false });
    const failed = saveWhereChosen({ canceled: false, filePath: join(home, 'no', 'x.svg') }, SVG);
    assert.equal(failed.saved, false);
    assert.match((failed as { error: string }).error, /ENOENT/);
    // PNG: its own name, dialog and filter; the bytes written as they are
    assert.equal(
      defaultSavePath(home, 'h', now, 'png'),
      join(home, 'Downloads', 'graphns-h-20260102-030405.png'),
    );
    assert.deepEqual(saveDialogOptions('/d/x.png', 'png').filters, [
      { name: 'PNG image', extensions: ['png'] },
    ]);
    assert.deepEqual(saveDialogOptions('/d/x.svg').filters, [
      { name: 'SVG image', extensions: ['svg'] },
    ]);
    const png = join(home, 'chosen.png');
    assert.deepEqual(saveWhereChosen({ canceled: false, filePath: png }, PNG), {
      saved: true,
      path: png,
    });
    assert.deepEqual(readFileSync(png), PNG);
    assert.deepEqual(
      readdirSync(home).sort(),
      ['Downloads', 'chosen.png', 'chosen.svg'],
      'no temp left',
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('electronHandlers over a real pipe broker; answerIpc refuses before any handler runs', async () => {
  const home = scratch();
  try {
    const stream = new PassThrough();
    const sent: string[] = [];
    const broker = pipeBroker(stream);
    // what the broker writes goes to `sent`; what we write reaches the broker
    stream.write = ((chunk: string) => (sent.push(chunk), true)) as typeof stream.write;
    const first: GraphResult = { ok: false, error: 'first' };
    stream.emit('data', `${JSON.stringify({ t: 'graph', id: 0, result: first })}\n`);
    const asked: string[] = [];
    let closed = 0;
    const h = electronHandlers({
      broker,
      askSavePath: async (p, kind) => (
        asked.push(`${kind} ${p}`),
        { canceled: false, filePath: join(home, `a.${kind}`) }
      ),
      close: () => void closed++,
      home,
      hostname: 'box',
      now: () => new Date(2026, 0, 2, 3, 4, 5),
    });
    const main = { fromOurWindow: true, isMainFrame: true, frameUrl: APP_PAGE_URL };
    assert.deepEqual(await answerIpc(h, 'getGraph', main, undefined), first);
    await assert.rejects(
      answerIpc(h, 'rediscover', { ...main, isMainFrame: false }, undefined),
      /refused/,
    );
    assert.deepEqual(sent, [], 'a refused sender caused no request on the pipe');
    const again = answerIpc(h, 'rediscover', main, undefined);
    assert.deepEqual(sent, ['{"t":"rediscover","id":1}\n']);
    stream.emit(
      'data',
      `${JSON.stringify({ t: 'graph', id: 1, result: { ok: false, error: 'two' } })}\n`,
    );
    assert.deepEqual(await again, { ok: false, error: 'two' });
    assert.deepEqual(await answerIpc(h, 'saveSvg', main, SVG), {
      saved: true,
      path: join(home, 'a.svg'),
    });
    assert.deepEqual(asked, [`svg ${join(home, 'graphns-box-20260102-030405.svg')}`]);
    await assert.rejects(answerIpc(h, 'saveSvg', main, { path: '/etc/passwd' }));
    // a PNG: checked before the dialog opens, then where the user chose
    await assert.rejects(answerIpc(h, 'savePng', main, { path: '/etc/x.png' }));
    await assert.rejects(answerIpc(h, 'savePng', main, PNG.subarray(0, 30).toString('base64')));
    assert.equal(asked.length, 1, 'no dialog for a bad PNG');
    assert.deepEqual(await answerIpc(h, 'savePng', main, PNG.toString('base64')), {
      saved: true,
      path: join(home, 'a.png'),
    });
    assert.equal(asked[1], `png ${join(home, 'graphns-box-20260102-030405.png')}`);
    assert.deepEqual(readFileSync(join(home, 'a.png')), PNG);
    await answerIpc(h, 'quit', main, null);
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, 1, 'quit closes the window after answering');
    assert.equal(Object.keys(CHANNELS).length, Object.keys(h).length);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('permissions: the clipboard write for our page in our window, nothing else', () => {
  const ours = { fromOurWindow: true, isMainFrame: true, url: APP_PAGE_URL };
  assert.equal(permissionGranted('clipboard-sanitized-write', ours), true);
  // a check handler may know only the origin
  assert.equal(
    permissionGranted('clipboard-sanitized-write', { ...ours, url: 'graphns://app' }),
    true,
  );
  for (const other of [
    'clipboard-read',
    'deprecated-sync-clipboard-read',
    'media',
    'notifications',
    'openExternal',
    'unknown',
  ]) {
    assert.equal(permissionGranted(other, ours), false, other);
  }
  for (const asker of [
    { ...ours, fromOurWindow: false },
    { ...ours, isMainFrame: false },
    { ...ours, url: undefined },
    { ...ours, url: 'https://evil.example/' },
    { ...ours, url: 'graphns://app.evil/index.html' },
    { ...ours, url: 'graphns://user@app/index.html' },
    { ...ours, url: 'not a url' },
  ]) {
    assert.equal(
      permissionGranted('clipboard-sanitized-write', asker),
      false,
      JSON.stringify(asker),
    );
  }
});

test("electronPlan: main.cjs first, the user's switches, no sandbox only as root, pipe on fd 3, clean env, ends with its parent", () => {
  const env = {
    PATH: '/usr/bin',
    DISPLAY: ':0',
    ELECTRON_RUN_AS_NODE: '1',
    NODE_OPTIONS: '--require /tmp/x.js',
    LD_PRELOAD: '/tmp/x.so',
    GRAPHNS_ELECTRON_ARGS: ' --a  --b=1 ',
  };
  const p = electronPlan({ program: '/e/electron', mainScript: '/d/main.cjs', env, asRoot: false });
  assert.equal(p.program, '/e/electron');
  assert.deepEqual(p.args, ['/d/main.cjs', '--a', '--b=1']);
  assert.deepEqual(p.env, {
    PATH: '/usr/bin',
    DISPLAY: ':0',
    GRAPHNS_ELECTRON_ARGS: ' --a  --b=1 ',
  });
  assert.deepEqual(p.fds, ['ignore', 'inherit', 'inherit', 3]);
  assert.equal(p.endsWithParent, true, 'a host killed outright takes Electron along');
  assert.equal(env.ELECTRON_RUN_AS_NODE, '1', 'the caller’s environment is not changed');
  const root = electronPlan({ program: '/e', mainScript: '/m', env: {}, asRoot: true });
  assert.deepEqual(root.args, ['/m', '--no-sandbox']);
});
