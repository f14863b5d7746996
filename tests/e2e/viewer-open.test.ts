/**
 * Snapshots opened and compared in the window, end to end in graphns's
 * browser shell (headless Chromium), with real files:
 *
 * - `o` and the file chooser, and files dropped on the window for real
 *   (the DevTools protocol's drag events carry file paths, which the
 *   browser reads as a drop from the desktop would): a snapshot opens in
 *   the window; one that is not JSON, a hostile one, and a 257 MiB one
 *   (sparse) are refused with a message and the window stays as it was;
 * - comparing (`k`, and a drop on "compare"): the namespaces and
 *   containers added, changed and removed, as read from the two files'
 *   own contents, are exactly those marked in the drawing and listed;
 * - `r` while a snapshot is shown goes back to graphns's own graph, and
 *   live refresh pauses meanwhile;
 * - a second `graphns --open FILE`, a real second process, run as the
 *   window's user and as root under sudo (a file only root can read),
 *   shows FILE in the window already open and exits 0; a file it cannot
 *   read, or a bad snapshot, is its error, and the window stays as it was.
 *
 * Screenshots land in test-results/ (the drop targets, a refusal, a
 * comparison).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SNAPSHOT_MAX_BYTES } from '../../main/contract';
import { parseModel, serializeModel, type Model } from '../../main/model';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import {
  HEADLESS_ARGS,
  launchViewer,
  ROOT,
  viewerCommand,
  viewerSkip,
  type Viewer,
} from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';
import { deployedModel, enginesModel } from '../unit/fixtures/dot-models';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

const data = (page: Page) => page.evaluate(() => ({ ...document.documentElement.dataset }));

const BEFORE = '2026-01-01T10:00:00.000Z';
const AFTER = '2026-01-01T11:00:00.000Z';

/** `before` an hour later, after a deploy (the fixture's), as a snapshot would carry it. */
const deployed = (before: Model): Model => parseModel(serializeModel(deployedModel(before, AFTER)));

/** The engines host as a snapshot taken at `time`. */
function engines(time: string): Model {
  const m = enginesModel();
  m.host.time = time;
  return parseModel(serializeModel(m));
}

/** What differs between two lists of entries, read from their contents alone. */
function differs<T extends { key: string }>(before: readonly T[], after: readonly T[]) {
  const b = new Map(before.map((x) => [x.key, JSON.stringify(x)]));
  const a = new Map(after.map((x) => [x.key, JSON.stringify(x)]));
  return {
    added: after
      .filter((x) => !b.has(x.key))
      .map((x) => x.key)
      .sort(),
    removed: before
      .filter((x) => !a.has(x.key))
      .map((x) => x.key)
      .sort(),
    changed: after
      .filter((x) => b.has(x.key) && b.get(x.key) !== a.get(x.key))
      .map((x) => x.key)
      .sort(),
  };
}

/** The namespaces marked with `cls` in the drawing, and every namespace drawn, as keys. */
function drawnKeys(page: Page, cls?: string): Promise<string[]> {
  return page.evaluate((c) => {
    const keys = new Set<string>();
    for (const el of document.querySelectorAll('#graph svg g[id]')) {
      if (c && !el.classList.contains(c)) continue;
      const m = /^(?:a_row-)?([a-z]+)-(\d+)$/.exec(el.id);
      if (m) keys.add(`${m[1]}:${m[2]}`);
    }
    return [...keys].sort();
  }, cls);
}

/** The notice's entries: namespace keys by change, container keys by change. */
function listed(page: Page) {
  return page.evaluate(() => {
    const out: Record<string, string[]> = {};
    for (const li of document.querySelectorAll('#changes-list li[data-change]')) {
      const change = li.getAttribute('data-change')!;
      const key = li.getAttribute('data-key');
      const container = li.getAttribute('data-container');
      const name = key ? `ns-${change}` : `ct-${change}`;
      (out[name] ??= []).push((key ?? container)!);
    }
    for (const v of Object.values(out)) v.sort();
    return out;
  });
}

/** Check the comparison on screen against the two snapshots' own contents. */
async function checkComparison(page: Page, before: Model, after: Model): Promise<void> {
  const ns = differs(before.namespaces, after.namespaces);
  const ct = differs(before.containers, after.containers);
  assert.ok(ns.added.length && ns.removed.length && ns.changed.length, 'a change of each kind');
  const d = await data(page);
  assert.equal(d.fresh, String(ns.added.length), 'added, counted');
  assert.equal(d.changed, String(ns.changed.length), 'changed, counted');
  assert.equal(d.vanished, String(ns.removed.length), 'removed, counted');
  const summary = (await page.locator('#changes-summary').textContent()) ?? '';
  assert.ok(
    summary.includes(
      `namespaces ${ns.added.length} added (marked), ${ns.changed.length} changed (marked), ` +
        `${ns.removed.length} removed; containers ${ct.added.length} added, ` +
        `${ct.changed.length} changed, ${ct.removed.length} removed`,
    ),
    summary,
  );
  assert.deepEqual(await listed(page), {
    'ns-added': ns.added,
    'ns-changed': ns.changed,
    'ns-removed': ns.removed,
    'ct-added': ct.added,
    'ct-changed': ct.changed,
    'ct-removed': ct.removed,
  });
  // marked: exactly what is added and changed, where drawn
  const drawn = new Set(await drawnKeys(page));
  assert.deepEqual(
    await drawnKeys(page, 'fresh'),
    ns.added.filter((k) => drawn.has(k)),
  );
  assert.deepEqual(
    await drawnKeys(page, 'changed'),
    ns.changed.filter((k) => drawn.has(k)),
  );
  assert.ok(drawn.has(ns.added[0]!), 'the new namespace is drawn');
}

/** Drop `file` on the window for real, at (x, y): the browser reads it from disk, as from a file manager. */
async function dropFile(page: Page, file: string, x: number, y: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const dragData = { items: [], files: [file], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data: dragData });
  }
  await cdp.detach();
}

/**
 * Files for the file choosers the page opens, in order. Playwright takes
 * over the browser's chooser only once something listens for it (one
 * DevTools call): the listener is there before any key opens one, or the
 * first would go to a dialog nobody sees, and block the next.
 */
async function chooserFeeder(page: Page): Promise<(key: string, file: string) => Promise<void>> {
  const files: { file: string; done: () => void }[] = [];
  page.on('filechooser', (chooser) => {
    const next = files.shift();
    if (next) void chooser.setFiles(next.file).then(next.done);
  });
  await page.evaluate(() => 0); // the interception is on by the time this comes back
  return async (key, file) => {
    const done = new Promise<void>((resolve) => files.push({ file, done: resolve }));
    await page.keyboard.press(key);
    await done;
  };
}

const waitData = (page: Page, name: string, value: string) =>
  page.waitForFunction(([n, v]) => document.documentElement.dataset[n!] === v, [name, value], {
    polling: 50,
    timeout: 60_000,
  });

test(
  'open and compare in the window: the chooser, real drops, refusals, r back, live refresh paused',
  { skip: viewerSkip(), timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-open-'));
    const results = join(ROOT, 'test-results');
    mkdirSync(results, { recursive: true });
    const before = engines(BEFORE);
    const after = deployed(before);
    const f = (name: string, text: string) => (
      writeFileSync(join(dir, name), text),
      join(dir, name)
    );
    const base = f('base.json', serializeModel(before));
    const later = f('after.json', serializeModel(after));
    const notJson = f('bad.json', '{"format": "graphns-model", "version": 7, ');
    const hostile = f(
      'hostile\u202e.json',
      serializeModel(before).replace('"type":"net"', '"type":"net\\u202e<script>"'),
    );
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, SNAPSHOT_MAX_BYTES + 1024 * 1024); // sparse: 257 MiB, no disk
    let viewer: Viewer | undefined;
    try {
      viewer = await launchViewer(['--open', base, '-d']);
      const { page } = viewer;
      const choose = await chooserFeeder(page);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const title = await page.title();
      assert.equal(title, 'graphns — engines');
      const size = page.viewportSize() ?? { width: 1200, height: 800 };
      const openAt = { x: size.width * 0.25, y: size.height / 2 };
      const compareAt = { x: size.width * 0.75, y: size.height / 2 };

      // refused, each with a message, the window as it was
      const unchanged = async (what: string) => {
        const d = await data(page);
        assert.equal(d.layouts, '1', `${what}: nothing laid out`);
        assert.equal(d.state, 'ready', `${what}: no error state`);
        assert.equal(d.opened, undefined);
        assert.equal(await page.title(), title, `${what}: the same graph`);
      };
      await choose('o', notJson);
      await waitData(page, 'refused', '1');
      assert.match(
        (await page.locator('#open-note').textContent()) ?? '',
        /^bad\.json is not a usable graphns snapshot: not valid JSON/,
      );
      await page.screenshot({ path: join(results, 'viewer-open-refused.png') });
      await unchanged('not JSON');
      await dropFile(page, hostile, openAt.x, openAt.y);
      await waitData(page, 'refused', '2');
      const said = (await page.locator('#open-note').textContent()) ?? '';
      assert.match(
        said,
        /^hostile\\u\{202e\}\.json is not a usable graphns snapshot: .*type/,
        said,
      );
      assert.ok(!said.includes('\u202e'), 'the name shown escaped');
      await unchanged('hostile');
      await dropFile(page, huge, openAt.x, openAt.y);
      await waitData(page, 'refused', '3');
      assert.match(
        (await page.locator('#open-note').textContent()) ?? '',
        /^huge\.json is not opened: larger than 256 MiB, the limit for a snapshot$/,
      );
      await unchanged('huge');

      // a real drop on "open": the drop targets show, then the snapshot
      const cdp = await page.context().newCDPSession(page);
      const dragData = { items: [], files: [later], dragOperationsMask: 1 };
      await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...openAt, data: dragData });
      await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...openAt, data: dragData });
      assert.equal(await page.locator('#drop').isVisible(), true, 'the drop targets show');
      await page.screenshot({ path: join(results, 'viewer-open-drop.png') });
      await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...openAt, data: dragData });
      await cdp.detach();
      await waitData(page, 'opens', '1');
      await waitData(page, 'state', 'ready');
      assert.equal(await page.locator('#drop').isVisible(), false);
      assert.equal(await page.title(), 'graphns — engines (snapshot after.json)');
      assert.equal((await data(page)).opened, 'after.json');
      assert.ok((await drawnKeys(page)).includes('net:4026539001'), 'the new namespace drawn');
      assert.match(
        (await page.locator('#status').textContent()) ?? '',
        /showing snapshot after\.json \(engines, 2026-01-01 11:00:00 UTC\); r goes back to base\.json/,
      );

      // live refresh does not replace it: paused while it is shown
      await page.locator('#f-live').selectOption({ label: '2 s' });
      await waitData(page, 'checkOutcome', 'paused');
      assert.match((await page.locator('#f-checked').textContent()) ?? '', /paused/);
      assert.equal((await data(page)).opened, 'after.json');
      await page.locator('#f-live').selectOption({ label: 'off' });
      await page.locator('#f-live').blur(); // keys typed at a select are its own

      // k: compare with the older file; the newer stays drawn, the older is the baseline
      await choose('k', base);
      await page.waitForFunction(() => document.documentElement.dataset.compared !== undefined);
      await checkComparison(page, before, after);
      assert.match(
        (await page.locator('#changes-summary').textContent()) ?? '',
        /^From base\.json \(engines, 2026-01-01 10:00:00 UTC\) to after\.json \(engines, 2026-01-01 11:00:00 UTC\): /,
      );
      const added = page.locator('#changes-list li[data-key="net:4026539001"]');
      assert.equal(
        await added.textContent(),
        'net:[4026539001] added: redis (9000), container cache',
      );
      assert.match(
        (await page.locator('#changes-list li[data-container="containerd:api1"]').textContent()) ??
          '',
        /^container "api-v2" \(containerd, namespace demo\) changed: name api -> api-v2$/,
      );
      await page.screenshot({ path: join(results, 'viewer-open-compare.png') });
      // a listed namespace selects it
      await added.click();
      await waitData(page, 'selected', 'net:4026539001');
      // x ends the comparison: no marks, no notice
      await page.keyboard.press('Escape'); // the details the click opened
      await page.keyboard.press('x');
      assert.equal(await page.locator('#changes').isVisible(), false);
      assert.deepEqual(await drawnKeys(page, 'fresh'), []);
      assert.deepEqual(await drawnKeys(page, 'changed'), []);
      assert.equal((await data(page)).compared, undefined);

      // r: back to graphns's own graph (base.json, read again), said so
      await page.keyboard.press('r');
      await page.waitForFunction(() => document.documentElement.dataset.opened === undefined);
      await waitData(page, 'state', 'ready');
      assert.equal(await page.title(), title);
      assert.match(
        (await page.locator('#status').textContent()) ?? '',
        /back to base\.json \(graphns --open, read again\)/,
      );
      assert.equal(
        await page.locator('#changes').isVisible(),
        false,
        'no diff against the snapshot',
      );

      // a drop on "compare" with the newer file: it is drawn, what was shown is the baseline
      await dropFile(page, later, compareAt.x, compareAt.y);
      await page.waitForFunction(() => document.documentElement.dataset.compared !== undefined);
      await waitData(page, 'state', 'ready');
      assert.equal((await data(page)).opened, 'after.json');
      await checkComparison(page, before, after);
      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** The sockets of `uid`'s windows (handoff.ts): /tmp/graphns-UID/viewer-*.sock (a throwaway user has no /run/user). */
function socketsOf(uid: number): string[] {
  const dir = `/tmp/graphns-${uid}`;
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.sock'))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Run the built graphns with `args` as `as` (a user, else root); resolves with its exit code and stderr. */
function graphns(
  args: string[],
  env: NodeJS.ProcessEnv,
  as?: TestUser,
): Promise<{ code: number | null; stderr: string }> {
  const argv = [process.execPath, ...viewerCommand(), ...args];
  const [cmd, ...rest] = as
    ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--init-groups', ...argv]
    : argv;
  const child = spawn(cmd!, rest, { env, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/** The environment of a second graphns: no display variables (as the window's), handoffs on for headless windows. */
function secondEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // the display the window is on keys its socket: the same as the viewer's
    ...(process.env.DISPLAY !== undefined && { DISPLAY: process.env.DISPLAY }),
    ...(process.env.WAYLAND_DISPLAY !== undefined && {
      WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY,
    }),
    GRAPHNS_HANDOFF: '1',
    GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS,
    // should it open a window of its own after all, it ends at once (and says so)
    GRAPHNS_BROWSER: '/bin/true',
    ...extra,
  };
  return env;
}

test(
  'a second graphns --open shows its file in the window already open, as the user and under sudo',
  { skip: needRoot || viewerSkip() || noUseradd, timeout: 240_000 },
  async () => {
    let victim: TestUser | undefined;
    let viewer: Viewer | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'graphns-handoff-'));
    try {
      victim = makeUser();
      const v = victim;
      chmodSync(dir, 0o755);
      const before = engines(BEFORE);
      const after = deployed(before);
      const f = (name: string, text: string, mode = 0o644) => {
        const p = join(dir, name);
        writeFileSync(p, text, { mode });
        chmodSync(p, mode);
        return p;
      };
      const base = f('base.json', serializeModel(before));
      const later = f('after.json', serializeModel(after));
      // only root reads this one: `sudo graphns --open` may, the user alone may not
      const rootOnly = f(
        'root-only.json',
        serializeModel({ ...after, host: { ...after.host, hostname: 'root-only' } }),
        0o600,
      );
      const bad = f('bad.json', '[]');
      const sudo = { SUDO_UID: String(v.uid), SUDO_GID: String(v.gid), SUDO_USER: v.name };
      viewer = await launchViewer(['--open', base, '-d'], { ...sudo, GRAPHNS_HANDOFF: '1' });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // the window's side listens once its browser runs: a socket of the user's, theirs alone
      const deadline = Date.now() + 30_000;
      while (socketsOf(v.uid).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const [sock] = socketsOf(v.uid);
      assert.ok(sock, 'the window listens');
      const d = statSync(`/tmp/graphns-${v.uid}`);
      assert.equal(d.uid, v.uid);
      assert.equal(d.mode & 0o777, 0o700);
      const s = lstatSync(sock);
      assert.ok(s.isSocket(), 'a socket');
      assert.equal(s.uid, v.uid);
      assert.equal(s.mode & 0o777, 0o600);

      // as the user: read as them, handed over, shown; no window of its own
      const home = `/home/${v.name}`;
      const asUser = await graphns(
        ['--shell', 'browser', '--open', later],
        secondEnv({ HOME: home }),
        v,
      );
      assert.equal(asUser.code, 0, asUser.stderr);
      assert.match(
        asUser.stderr,
        /after\.json is shown in the viewer window already open \(graphns \d+\)/,
      );
      assert.doesNotMatch(asUser.stderr, /DevTools listening/, 'no browser of its own');
      await waitData(page, 'opens', '1');
      await waitData(page, 'state', 'ready');
      assert.equal(await page.title(), 'graphns — engines (snapshot after.json)');
      assert.ok((await drawnKeys(page)).includes('net:4026539001'), 'the new namespace drawn');

      // under sudo (root, SUDO_UID the user's): root reads the file, the user's window shows it
      const asRoot = await graphns(['--shell', 'browser', '--open', rootOnly], secondEnv(sudo));
      assert.equal(asRoot.code, 0, asRoot.stderr);
      await waitData(page, 'opens', '2');
      await waitData(page, 'state', 'ready');
      assert.equal(await page.title(), 'graphns — root-only (snapshot root-only.json)');

      // what the user cannot read, and a bad snapshot: the second graphns's error; the window stays
      const denied = await graphns(
        ['--shell', 'browser', '--open', rootOnly],
        secondEnv({ HOME: home }),
        v,
      );
      assert.equal(denied.code, 1, denied.stderr);
      assert.match(denied.stderr, /cannot read snapshot .*root-only\.json.*EACCES/);
      const refused = await graphns(
        ['--shell', 'browser', '--open', bad],
        secondEnv({ HOME: home }),
        v,
      );
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /bad\.json is not a usable graphns snapshot/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await data(page)).opens, '2', 'nothing more was shown');
      assert.deepEqual(errors, []);

      // the window gone, so is its socket
      void page.keyboard.press('q').catch(() => undefined);
      assert.equal(await viewer.exited, 0);
      assert.equal(existsSync(sock), false, 'the socket is removed');
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
      if (victim) rmSync(`/tmp/graphns-${victim.uid}`, { recursive: true, force: true });
      await removeUser(victim);
    }
  },
);

test(
  'live versus a snapshot: what came since is marked and listed, and stays true across refreshes',
  { skip: needRoot || viewerSkip(), timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-live-compare-'));
    const scene = new Scene();
    let viewer: Viewer | undefined;
    try {
      // a real snapshot of this host, then a namespace made after it
      const snap = join(dir, 'earlier.json');
      const json = execFileSync(process.execPath, [...viewerCommand(), '-J'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      writeFileSync(snap, json);
      const earlier = parseModel(json);
      // an inode of a namespace in the snapshot may be given again once that one is gone
      // (other tests come and go meanwhile): made again until its key is new
      const inSnapshot = new Set<string>(earlier.namespaces.map((n) => n.key));
      let p = await scene.start(['unshare', '-n', 'sleep', '1000']);
      for (let i = 0; i < 5 && inSnapshot.has(`net:${nsInode(p.pid, 'net')}`); i++) {
        const again = await scene.start(['unshare', '-n', 'sleep', '1000']);
        await scene.kill(p);
        p = again;
      }
      const key = `net:${nsInode(p.pid, 'net')}`;
      assert.ok(!inSnapshot.has(key), 'made after the snapshot');

      viewer = await launchViewer(['-d'], {}, 60_000);
      const { page } = viewer;
      const choose = await chooserFeeder(page);
      await choose('k', snap);
      await page.waitForFunction(() => document.documentElement.dataset.compared !== undefined);
      assert.equal((await data(page)).opened, undefined, 'the live scan stays drawn');
      const l = await listed(page);
      assert.ok(l['ns-added']?.includes(key), `the new namespace is listed as added`);
      const drawn = await drawnKeys(page);
      assert.deepEqual(
        await drawnKeys(page, 'fresh'),
        drawn.filter((k) => l['ns-added']!.includes(k)),
        'the added ones drawn are marked, nothing else',
      );
      assert.ok((await drawnKeys(page, 'fresh')).includes(key), 'and marked');
      // against the snapshot's own contents: added are not in it (or are another namespace
      // under an inode it had, NS_GET_ID says: that one is removed), removed and changed are
      const removed = new Set(l['ns-removed'] ?? []);
      for (const k of l['ns-added'] ?? []) {
        assert.ok(!inSnapshot.has(k) || removed.has(k), `${k} added`);
      }
      for (const k of [...(l['ns-removed'] ?? []), ...(l['ns-changed'] ?? [])]) {
        assert.ok(inSnapshot.has(k), `${k} was in the snapshot`);
      }
      assert.match(
        (await page.locator('#changes-summary').textContent()) ?? '',
        /^From earlier\.json \(.+\) to the live scan \(.+\): namespaces \d+ added/,
      );

      // live refresh keeps the comparison true: once the process is gone, so is its namespace
      await page.locator('#f-live').selectOption({ label: '2 s' });
      await scene.kill(p);
      await page.waitForFunction(
        (id) => !document.querySelector(`#changes-list li[data-key="${id}"]`),
        key,
        { polling: 100, timeout: 60_000 },
      );
      assert.ok((await data(page)).compared, 'still comparing');
      assert.ok(!(await drawnKeys(page, 'fresh')).includes(key), 'no longer marked');
    } finally {
      await viewer?.close();
      await scene.teardown();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
