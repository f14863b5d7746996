/**
 * The viewer end to end: graphns's browser shell in Debian's Chromium
 * (headless), on a live namespace scene built with unshare. Every key and
 * mouse action of the issue, the save policy, the secret, a hostile process
 * name, and that `q` ends graphns. A screenshot lands in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, viewTransform, type Viewer } from '../helpers/viewer';
import type { PageDocument, PageDomParser } from '../helpers/page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
declare const DOMParser: PageDomParser;

/** A name with markup, quotes and a newline (no '/': names are argv[0]'s basename). */
const HOSTILE = `evil"'<b>x<i>y<img src=x onerror=alert(1)>\nz`;

const skip = needRoot || viewerSkip();

test(
  'the viewer shows the live graph and every key and mouse action works',
  { skip, timeout: 120_000 },
  async (t) => {
    const scene = new Scene();
    const home = mkdtempSync(join(tmpdir(), 'graphns-e2e-home-'));
    let viewer: Viewer | undefined;
    try {
      // bash -c 'exec -a "$0" sleep': the name arrives as an argument, unquoted
      const p = await scene.start([
        'unshare',
        '--user',
        '--map-root-user',
        '--pid',
        '--net',
        '--fork',
        'bash',
        '-c',
        'exec -a "$0" sleep 1000',
        HOSTILE,
      ]);
      const ids = { user: nsInode(p.pid, 'user'), pid: nsInode(p.pid, 'pid') };
      viewer = await launchViewer([], { HOME: home, XDG_CONFIG_HOME: join(home, 'config') });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      await t.test("the graph appears with the scene's namespaces", async () => {
        assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
        for (const [type, ino] of Object.entries(ids)) {
          const text = await page.evaluate(
            (id) => document.getElementById(id)?.textContent ?? '',
            `${type}-${ino}`,
          );
          assert.ok(text.includes(`${type}:[${ino}]`), `${type}:[${ino}] drawn: ${text}`);
        }
        assert.match(viewer!.stderr(), /browser shell/);
        mkdirSync(join(ROOT, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-e2e.png') });
      });

      await t.test('a hostile process name shows as text', async () => {
        const r = await page.evaluate((pidNode) => {
          const node = document.getElementById(pidNode);
          return {
            text: node?.textContent ?? '',
            elements: document.querySelectorAll('#graph :is(b, i, img, script, foreignObject)')
              .length,
            alerted: document.title,
          };
        }, `pid-${ids.pid}`);
        assert.ok(r.text.includes(`evil"'<b>x<i>y<img src=x`), r.text);
        assert.equal(r.elements, 0, 'no element made from the name');
      });

      await t.test('drag moves the graph', async () => {
        const before = await viewTransform(page);
        await page.mouse.move(600, 400);
        await page.mouse.down();
        await page.mouse.move(700, 450, { steps: 5 });
        await page.mouse.up();
        const after = await viewTransform(page);
        assert.ok(Math.abs(after.x - before.x - 100) < 2, `moved x ${after.x - before.x}`);
        assert.ok(Math.abs(after.y - before.y - 50) < 2, `moved y ${after.y - before.y}`);
        assert.equal(after.scale, before.scale);
      });

      await t.test('wheel and + - 1 change and reset the zoom, within bounds', async () => {
        const s0 = (await viewTransform(page)).scale;
        await page.mouse.move(600, 400);
        await page.mouse.wheel(0, -200);
        await page.waitForFunction((s) => Number(document.documentElement.dataset.zoom) > s, s0);
        const s1 = (await viewTransform(page)).scale;
        assert.ok(s1 > s0, `wheel up zooms in: ${s0} -> ${s1}`);
        await page.keyboard.press('+');
        const s2 = (await viewTransform(page)).scale;
        assert.ok(s2 > s1, `+ zooms in: ${s1} -> ${s2}`);
        await page.keyboard.press('-');
        await page.keyboard.press('-');
        const s3 = (await viewTransform(page)).scale;
        assert.ok(s3 < s2, `- zooms out: ${s2} -> ${s3}`);
        await page.keyboard.press('1');
        const s4 = (await viewTransform(page)).scale;
        assert.ok(Math.abs(s4 - 1) < 1e-6, `1 resets to 1x: ${s4}`);
        for (let i = 0; i < 40; i++) await page.keyboard.press('+');
        assert.ok((await viewTransform(page)).scale <= 10 + 1e-6, 'zoom in is bounded');
        for (let i = 0; i < 80; i++) await page.keyboard.press('-');
        assert.ok((await viewTransform(page)).scale > 0.01, 'zoom out is bounded');
        await page.keyboard.press('1');
      });

      await t.test('h shows the help, Escape hides it; ? shows it too', async () => {
        const hidden = () => page.evaluate(() => document.getElementById('help')!.hidden);
        assert.equal(await hidden(), true);
        await page.keyboard.press('h');
        assert.equal(await hidden(), false);
        const help = await page.evaluate(() => document.getElementById('help')!.textContent ?? '');
        for (const word of ['zoom in', 'zoom out', 'save', 'drag', 'wheel', 'Esc']) {
          assert.ok(help.includes(word), `help mentions ${word}`);
        }
        await page.keyboard.press('Escape');
        assert.equal(await hidden(), true);
        await page.keyboard.press('?');
        assert.equal(await hidden(), false);
        await page.keyboard.press('Escape');
      });

      await t.test("s saves an SVG with the graph into the user's directory", async () => {
        await page.keyboard.press('s');
        await page.waitForFunction(() =>
          /saved to |not saved/.test(document.getElementById('status')!.textContent ?? ''),
        );
        const status = await page.evaluate(
          () => document.getElementById('status')!.textContent ?? '',
        );
        const path = /saved to (\S+\.svg)/.exec(status)?.[1];
        assert.ok(path, status);
        assert.equal(dirname(path), home);
        const svg = readFileSync(path, 'utf8');
        const parsed = await page.evaluate((text) => {
          const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
          return {
            error: doc.getElementsByTagName('parsererror').length,
            root: doc.documentElement.localName,
          };
        }, svg);
        assert.deepEqual(parsed, { error: 0, root: 'svg' });
        assert.ok(svg.includes(`user:[${ids.user}]`) && svg.includes(`pid:[${ids.pid}]`));
      });

      await t.test('r rediscovers and keeps the zoom', async () => {
        await page.keyboard.press('+');
        const before = await viewTransform(page);
        await page.keyboard.press('r');
        await page.waitForFunction(() =>
          /rediscovered/.test(document.getElementById('status')!.textContent ?? ''),
        );
        assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
        const after = await viewTransform(page);
        assert.ok(Math.abs(after.scale - before.scale) < 1e-6, `${before.scale} -> ${after.scale}`);
      });

      await t.test('the server refuses requests without the secret', async () => {
        for (const [path, method] of [
          ['/', 'GET'],
          ['/main.js', 'GET'],
          ['/api/getGraph', 'POST'],
        ] as const) {
          const res = await fetch(viewer!.origin + path, {
            method,
            headers: { 'Content-Type': 'application/json' },
            body: method === 'POST' ? '{}' : undefined,
          });
          assert.equal(res.status, 403, path);
        }
        // the page itself may
        const ok = await page.evaluate(
          async () =>
            (
              await fetch('api/getGraph', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: '{}',
              })
            ).status,
        );
        assert.equal(ok, 200);
      });

      await t.test('q ends graphns and the browser, remembering the window', async () => {
        const disconnected = new Promise((r) => viewer!.browser.once('disconnected', r));
        void page.keyboard.press('q').catch(() => undefined);
        assert.equal(await viewer!.exited, 0);
        await disconnected;
        assert.deepEqual(errors, []);
        // the window's size (--window-size=1200,800 in the tests' browser flags) is kept for next time
        const saved = JSON.parse(
          readFileSync(join(home, 'config', 'graphns', 'window.json'), 'utf8'),
        );
        assert.equal(saved.width, 1200);
        assert.equal(saved.height, 800);
      });
    } finally {
      await viewer?.close();
      await scene.teardown();
      rmSync(home, { recursive: true, force: true });
    }
  },
);

test(
  'headed under Xvfb: closing the window ends graphns',
  {
    skip: needRoot || viewerSkip() || (existsSync('/usr/bin/xvfb-run') ? false : 'no xvfb-run'),
    timeout: 60_000,
  },
  async () => {
    const viewer = await launchViewer(
      [],
      { GRAPHNS_BROWSER_ARGS: '--remote-debugging-port=0 --window-size=1000,700' },
      30_000,
      ['xvfb-run', '--auto-servernum'],
    );
    try {
      assert.equal(
        await viewer.page.evaluate(() => document.documentElement.dataset.state),
        'ready',
      );
      await viewer.page.screenshot({ path: join(ROOT, 'test-results', 'viewer-headed.png') });
      await viewer.page.close(); // the app window, the browser's only one
      assert.equal(await viewer.exited, 0);
    } finally {
      await viewer.close();
    }
  },
);
