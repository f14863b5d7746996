/**
 * Live refresh end to end, in graphns's browser shell (headless Chromium):
 * on a live scan, a namespace created with unshare appears marked new and,
 * once its process is killed, is listed in the vanished notice; on a
 * snapshot rewritten between refreshes, a scan that differs only in its
 * time lays nothing out (the page's layout counter stays), one that
 * differs only where the drawing does not show lays nothing out either,
 * and a real change does, with a hostile name in the notice shown as text.
 *
 * Screenshots land in test-results/ (new namespace marked, the notice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel, type Model, type Namespace, type NsKey } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

const data = (page: Page) => page.evaluate(() => ({ ...document.documentElement.dataset }));

/** Wait until the page has checked `n` more times than `since`. */
async function checks(page: Page, since: number, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => Number(document.documentElement.dataset.checks ?? 0) >= want,
    since + n,
    { polling: 100, timeout: 60_000 },
  );
}

/** The namespace's element in the drawing has class `fresh` (a node, or a row of a group). */
function markedFresh(page: Page, key: string): Promise<boolean> {
  return page.evaluate(
    (id) => {
      const el = document.getElementById(id) ?? document.getElementById(`a_row-${id}`);
      return el?.classList.contains('fresh') ?? false;
    },
    key.replace(':', '-'),
  );
}

test(
  'live refresh on a live scan: a new namespace is marked, a killed one is listed',
  { skip: needRoot || viewerSkip(), timeout: 180_000 },
  async () => {
    const scene = new Scene();
    let viewer: Viewer | undefined;
    try {
      viewer = await launchViewer(['-d'], {}, 60_000);
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal((await data(page)).refreshMs, undefined, 'off by default');
      assert.equal(await page.locator('#f-live').inputValue(), '0');
      await page.locator('#f-live').selectOption({ label: '2 s' });
      assert.equal((await data(page)).refreshMs, '2000');

      const p = await scene.start(['unshare', '-n', 'sleep', '1000']);
      const key = `net:${nsInode(p.pid, 'net')}`;
      // the mark comes with the drawing, the notice's count once the check is done: wait for both
      await page.waitForFunction(
        (id) => {
          const el = document.getElementById(id) ?? document.getElementById(`a_row-${id}`);
          return (
            (el?.classList.contains('fresh') ?? false) &&
            Number(document.documentElement.dataset.fresh ?? 0) >= 1
          );
        },
        key.replace(':', '-'),
        { polling: 100, timeout: 60_000 },
      );
      assert.ok(Number((await data(page)).fresh) >= 1, 'the notice counts it');
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-refresh-new.png') });

      await scene.kill(p);
      const item = page.locator(`#changes-list li[data-key="${key}"]`);
      await item.waitFor({ timeout: 60_000 });
      const text = (await item.textContent()) ?? '';
      assert.ok(text.includes(`net:[${key.slice(4)}]`), `lists its id: ${text}`);
      assert.ok(text.includes(`sleep (${p.pid})`), `and what it was: ${text}`);
      assert.equal(await page.locator('#changes').isVisible(), true);
      assert.match(
        (await page.locator('#f-checked').textContent()) ?? '',
        /checked at \d\d:\d\d:\d\d/,
      );
      await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-refresh-vanished.png') });

      await page.keyboard.press('x');
      assert.equal(await page.locator('#changes').isVisible(), false, 'x dismisses the notice');
      assert.equal(await page.locator('#graph svg .fresh').count(), 0, 'and the marks');
      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      await scene.teardown();
    }
  },
);

/** Write `model` to `path` in one step (the viewer may be reading it). */
function writeSnapshot(path: string, model: Model): void {
  writeFileSync(`${path}.tmp`, serializeModel(model));
  renameSync(`${path}.tmp`, path);
}

const HOSTILE = 'evil\u202e<b>x\x07';

test(
  'refresh of a snapshot: only what changed is laid out again',
  { skip: viewerSkip(), timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-refresh-'));
    const path = join(dir, 'snap.json');
    const base = syntheticModel(60);
    // a sandbox's net namespace, labelled with a hostile name, to be removed later
    const victim = base.namespaces.find(
      (n) => n.type === 'net' && n.label?.name.startsWith('chromium'),
    )!;
    victim.label = { pid: victim.label!.pid, name: HOSTILE };
    writeSnapshot(path, base);
    let viewer: Viewer | undefined;
    try {
      viewer = await launchViewer(['--open', path, '-d']);
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal((await data(page)).layouts, '1');
      await page.keyboard.press('l'); // off -> 2 s
      assert.equal((await data(page)).refreshMs, '2000');

      await t.test('the same scan lays nothing out', async () => {
        await checks(page, 0, 2);
        assert.equal((await data(page)).layouts, '1');
      });

      await t.test('a scan differing only in its time lays nothing out', async () => {
        const before = Number((await data(page)).checks);
        writeSnapshot(path, { ...base, host: { ...base.host, time: '2026-02-02T12:34:56.000Z' } });
        await checks(page, before, 2);
        assert.equal((await data(page)).layouts, '1');
        assert.equal(
          await page.locator('#changes').isVisible(),
          false,
          'nothing new, nothing gone',
        );
      });

      await t.test('a change the drawing does not show lays nothing out either', async () => {
        const before = Number((await data(page)).checks);
        // one more process in the root user namespace: its label stays systemd (1)
        const more = structuredClone(base);
        more.processes.push({ pid: 77, ppid: 1, name: 'extra', start: 77, ns: {} });
        more.namespaces[0]!.pids.push(77);
        writeSnapshot(path, more);
        await checks(page, before, 2);
        assert.equal((await data(page)).layouts, '1');
      });

      await t.test('a real change is laid out: new marked, vanished listed as text', async () => {
        const changed = structuredClone(base);
        changed.namespaces = changed.namespaces.filter((n) => n.key !== victim.key);
        const added: Namespace = {
          key: 'net:4026539999' as NsKey,
          type: 'net',
          ino: 4026539999,
          origin: 'process',
          pids: [1],
          tasks: [],
          fds: [],
          mounts: [],
          owner: base.namespaces[0]!.key,
          label: { pid: 1, name: 'systemd' },
        };
        changed.namespaces.push(added);
        writeSnapshot(path, changed);
        await page.waitForFunction(() => document.documentElement.dataset.layouts === '2', null, {
          polling: 100,
          timeout: 60_000,
        });
        assert.equal(await markedFresh(page, added.key), true, 'the new one is marked');
        const item = page.locator(`#changes-list li[data-key="${victim.key}"]`);
        const text = (await item.textContent()) ?? '';
        assert.ok(text.startsWith(`net:[${victim.ino}]`), text);
        assert.ok(text.includes('evil\\u{202e}<b>x\\x07'), `escaped: ${JSON.stringify(text)}`);
        assert.ok(!text.includes('\u202e'), 'no raw bidi override');
        assert.equal(await item.locator('*').count(), 1, 'no element but the id made from it');
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-refresh-notice.png') });
        // once more with the same: nothing further laid out
        const before = Number((await data(page)).checks);
        await checks(page, before, 2);
        assert.equal((await data(page)).layouts, '2');
      });

      await t.test('l steps through the intervals and back to off', async () => {
        await page.keyboard.press('l');
        assert.equal((await data(page)).refreshMs, '5000');
        for (let i = 0; i < 5; i++) await page.keyboard.press('l');
        assert.equal((await data(page)).refreshMs, '0');
        assert.equal(await page.locator('#f-live').inputValue(), '0');
      });

      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
