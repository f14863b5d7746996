/**
 * Export from the real viewer (browser shell, headless Chromium): `p` saves
 * what the window shows as a PNG, `P` the whole graph at 1x, `y` copies the
 * DOT of what is drawn to the clipboard. The graph is a snapshot of a live
 * scan holding a scene built with unshare, so the DOT the page drew can be
 * compared with what `graphns --dot` makes of the same snapshot, and native
 * Graphviz must parse the copy. PNGs are checked as files (signature, IHDR
 * size), and by their pixels: the view against a screenshot of the window,
 * the whole graph by the scene's node fills where the live SVG has them. A
 * page cannot pick where a file goes. Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { needRoot } from '../helpers/scene';
import { decodePng, inked, meanDifference, pixel } from '../helpers/png';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import { echoed, linkInode, scanWorld } from '../helpers/world';

// page.evaluate() callbacks run in the browser: the few DOM types they use
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DomMatrix {
  a: number;
  d: number;
  e: number;
  f: number;
  inverse(): DomMatrix;
  multiply(m: DomMatrix): DomMatrix;
}
interface DomEl {
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box & { left: number; top: number };
  getBBox(): Box;
  getCTM(): DomMatrix;
  querySelector(selector: string): DomEl | null;
}
declare const document: {
  documentElement: { dataset: Record<string, string | undefined> };
  getElementById(id: string): DomEl | null;
  querySelector(selector: string): DomEl | null;
  querySelectorAll(selector: string): ArrayLike<DomEl>;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function fetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
): Promise<{ status: number }>;

/** Width and height from a PNG's IHDR (read here, not by the code under test). */
function ihdr(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Press `key` and wait for the export's outcome; the status line's text. */
async function exportWith(page: Page, key: string, timeout = 60_000): Promise<string> {
  await page.evaluate(() => delete document.documentElement.dataset.export);
  await page.keyboard.press(key);
  await page.waitForFunction(
    () => ['png', 'dot', 'failed'].includes(document.documentElement.dataset.export ?? ''),
    null,
    { timeout, polling: 50 },
  );
  return page.evaluate(() => document.getElementById('status')!.textContent ?? '');
}

const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 3);

/** The node ids native `dot` draws for `dot` text (it must parse it). */
function nativeNodes(dot: string): string[] {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/<g id="([^"]+)" class="node[ "]/g)]
    .map((m) => m[1]!.replace(/&#45;/g, '-'))
    .sort();
}

/** The node ids of the drawing on screen. */
function shownNodes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('#graph svg g.node'))
      .map((g) => g.id)
      .sort(),
  );
}

const skip = needRoot || viewerSkip();
const GRAPHNS = join(ROOT, 'dist', 'app', 'graphns.js');

test(
  'export: p and P save PNGs, y copies the DOT, the page picks no path',
  { skip, timeout: 180_000 },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'graphns-export-home-'));
    const snap = join(home, 'snap.json');
    const evil = join(tmpdir(), `gns-evil-${randomBytes(4).toString('hex')}.png`);
    let viewer: Viewer | undefined;
    try {
      // a scene scanned in a PID namespace of its own: the graph is small and known
      const links = echoed(
        scanWorld(
          String.raw`
unshare -Urpn --fork sleep 1000 & A=$(find_sleep $!)
for t in user pid net; do echo "$t $(readlink /proc/$A/ns/$t)"; done
`,
          snap,
        ),
      );
      const ids = {
        user: `user-${linkInode(links.get('user'))}`,
        pid: `pid-${linkInode(links.get('pid'))}`,
        net: `net-${linkInode(links.get('net'))}`,
      };
      viewer = await launchViewer(['--open', snap, '-d'], {
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
      });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.emulateMedia({ colorScheme: 'light' });

      await t.test('the help lists p, P and y, and says files are the light drawing', async () => {
        await page.keyboard.press('h');
        const help = await page.evaluate(() => document.getElementById('help')!.textContent ?? '');
        for (const words of ['PNG', 'whole graph', 'DOT', 'clipboard', 'light drawing']) {
          assert.ok(help.includes(words), `help mentions ${words}`);
        }
        const keys = await page.evaluate(() =>
          Array.from(document.querySelectorAll('#help-keys th')).map((th) => th.textContent ?? ''),
        );
        for (const k of ['p', 'P', 'y'])
          assert.ok(keys.includes(k), `a row for ${k}: ${keys.join(' | ')}`);
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-export-help.png') });
        await page.keyboard.press('Escape');
      });

      await t.test('p saves what the window shows, as the window shows it', async () => {
        await page.keyboard.press('+'); // not the fitted view: a zoomed, cropped one
        // and dragged: a pan moves the SVG element within the host (view.ts)
        const host = await page.evaluate(() => {
          const r = document.getElementById('graph')!.getBoundingClientRect();
          return { x: r.left, y: r.top, width: r.width, height: r.height };
        });
        await page.mouse.move(host.x + host.width / 2, host.y + host.height / 2);
        await page.mouse.down();
        await page.mouse.move(host.x + host.width / 2 + 90, host.y + host.height / 2 - 30, {
          steps: 4,
        });
        await page.mouse.up();
        await page.evaluate(
          'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
        );
        assert.match(
          await page.evaluate<string>("document.querySelector('#graph svg').style.transform"),
          /translate/,
          'the drag moved the SVG element',
        );
        const rect = host;
        const shot = await page.screenshot({ clip: rect });
        const status = await exportWith(page, 'p');
        const path = /PNG saved .*?to (\S+\.png)/.exec(status)?.[1];
        assert.ok(path, status);
        assert.equal(dirname(path), home, 'into the home (no Downloads there)');
        assert.match(basename(path), /^graphns-[A-Za-z0-9._-]+-\d{8}-\d{6}(-\d+)?\.png$/);
        const png = readFileSync(path);
        assert.deepEqual(ihdr(png), {
          width: Math.round(rect.width),
          height: Math.round(rect.height),
        });
        const mine = decodePng(png);
        const screen = decodePng(shot);
        const same = meanDifference(mine, screen);
        // the same view shifted by 40 pixels is far off: the comparison can tell
        const moved = meanDifference(mine, screen, 40);
        const ink = inked(mine);
        assert.ok(ink > 0.02, `not blank: ${(ink * 100).toFixed(1)}% inked`);
        assert.ok(same < 1.5, `like the screenshot: mean difference ${same.toFixed(2)}`);
        assert.ok(moved > same * 3, `a shifted view differs more: ${moved.toFixed(2)}`);
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-export-note.png') });
        copyFileSync(path, join(ROOT, 'test-results', 'viewer-export-view.png'));
        await page.keyboard.press('1');
      });

      await t.test('P saves the whole graph at 1x: the scene is where the SVG has it', async () => {
        // the SVG as laid out, as `s` saves it: its size is the PNG's at 1x
        await page.keyboard.press('s');
        await page.waitForFunction(() =>
          /saved to \S+\.svg|not saved/.test(document.getElementById('status')!.textContent ?? ''),
        );
        const saved = /saved to (\S+\.svg)/.exec(
          await page.evaluate(() => document.getElementById('status')!.textContent ?? ''),
        )?.[1];
        assert.ok(saved, 'the SVG saved');
        const vb = /viewBox="([^"]+)"/
          .exec(readFileSync(saved, 'utf8'))?.[1]
          ?.split(' ')
          .map(Number);
        assert.ok(vb?.length === 4, 'a viewBox');
        const status = await exportWith(page, 'P');
        const path = /PNG saved .*?to (\S+\.png)/.exec(status)?.[1];
        assert.ok(path, status);
        assert.doesNotMatch(status, /canvas limit/, 'a small graph is not scaled');
        const png = readFileSync(path);
        assert.deepEqual(ihdr(png), { width: Math.ceil(vb[2]!), height: Math.ceil(vb[3]!) });
        // where the scene's nodes are in the SVG's own units (inside svg-pan-zoom's
        // viewport group the coordinates are the laid-out SVG's): a point inside
        // each box, 3 units right of its left border, half-way down, is fill, not text
        const geo = await page.evaluate((nodeIds) => {
          const vp = document.querySelector('#graph svg .svg-pan-zoom_viewport')!.getCTM();
          return [document.querySelector('#graph svg g.graph > polygon')!]
            .concat(
              nodeIds.map((id) => document.getElementById(id)!.querySelector('path, polygon')!),
            )
            .map((shape) => {
              const m = vp.inverse().multiply(shape.getCTM());
              const b = shape.getBBox();
              return {
                m: [m.a, m.d, m.e, m.f],
                box: { x: b.x, y: b.y, width: b.width, height: b.height },
                fill: shape.getAttribute('fill') ?? '',
              };
            });
        }, Object.values(ids));
        const toRoot = (g: (typeof geo)[number], x: number, y: number) => [
          g.m[0]! * x + g.m[2]!,
          g.m[1]! * y + g.m[3]!,
        ];
        // the mapping is right: the background polygon spans the viewBox
        const [bg, ...nodes] = geo;
        assert.deepEqual(
          [
            ...toRoot(bg!, bg!.box.x, bg!.box.y),
            ...toRoot(bg!, bg!.box.x + bg!.box.width, bg!.box.y + bg!.box.height),
          ].map((v) => Math.round(v) + 0), // + 0: no -0
          [0, 0, Math.round(vb[2]!), Math.round(vb[3]!)],
        );
        const image = decodePng(png);
        Object.values(ids).forEach((id, i) => {
          const n = nodes[i]!;
          const [x, y] = toRoot(n, n.box.x + 3, n.box.y + n.box.height / 2).map(Math.round);
          const got = pixel(image, x!, y!);
          assert.ok(
            near(got, hex(n.fill)),
            `${id} at ${x},${y}: ${got.join(',')}, its fill ${n.fill}`,
          );
        });
        const ink = inked(image);
        assert.ok(ink > 0.02, `not blank: ${(ink * 100).toFixed(1)}% inked`);
        copyFileSync(path, join(ROOT, 'test-results', 'viewer-export-whole.png'));
      });

      await t.test('y copies the DOT the page laid out, which native dot parses', async () => {
        const origin = viewer!.origin;
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
        const status = await exportWith(page, 'y');
        assert.match(status, /copied the DOT/);
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        // the same snapshot through the command line gives the same DOT
        const expected = execFileSync(process.execPath, [GRAPHNS, '--open', snap, '-d', '--dot'], {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        });
        assert.equal(copied, expected);
        for (const id of Object.values(ids)) assert.ok(copied.includes(`id="${id}"`), id);
        // native Graphviz lays it out, and draws exactly the nodes the page shows
        assert.deepEqual(nativeNodes(copied), await shownNodes(page));
        // filtered, the page lays out a DOT of its own: y copies that one
        const before = await page.evaluate(() => document.documentElement.dataset.layouts);
        await page.keyboard.press('d'); // flat namespaces off
        await page.waitForFunction(
          (n) =>
            document.documentElement.dataset.layouts !== n &&
            document.documentElement.dataset.state === 'ready',
          before,
        );
        assert.match(await exportWith(page, 'y'), /copied the DOT/);
        const filtered = await page.evaluate(() => navigator.clipboard.readText());
        assert.notEqual(filtered, copied);
        assert.ok(!filtered.includes(`id="${ids.net}"`), 'the net namespace filtered out');
        assert.deepEqual(nativeNodes(filtered), await shownNodes(page));
        await page.keyboard.press('d');
        await page.waitForFunction(
          () =>
            document.documentElement.dataset.state === 'ready' &&
            document.getElementById('graph')!.querySelector('g.t-net') !== null,
        );
      });

      await t.test('the page cannot choose where a PNG goes', async () => {
        const icon = readFileSync(join(ROOT, 'build', 'icons', '16x16.png')).toString('base64');
        const statuses = await page.evaluate(
          async ([target, b64]) => {
            const answers: number[] = [];
            for (const arg of [
              { path: target, png: b64 },
              target,
              `../../..${target}`,
              [target, b64],
              b64,
            ]) {
              const res = await fetch('api/savePng', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ arg }),
              });
              answers.push(res.status);
            }
            return answers;
          },
          [evil, icon] as [string, string],
        );
        assert.deepEqual(statuses, [400, 400, 400, 400, 200]);
        assert.equal(existsSync(evil), false, 'nothing written where the page asked');
        // every file is the viewer's own, named by the Node side, in the save directory
        // (dot files are the browser's own: it runs with this HOME)
        const files = readdirSync(home).filter(
          (f) => f !== 'snap.json' && f !== 'config' && !f.startsWith('.'),
        );
        assert.ok(files.length >= 4, files.join(' '));
        for (const f of files)
          assert.match(f, /^graphns-[A-Za-z0-9._-]+-\d{8}-\d{6}(-\d+)?\.(png|svg)$/);
        assert.deepEqual(errors, []);
      });
    } finally {
      await viewer?.close();
      assert.equal(existsSync(evil), false);
      rmSync(home, { recursive: true, force: true });
    }
  },
);

test(
  'P on a graph beyond the canvas limits: drawn smaller, and the status says so',
  { skip: viewerSkip(), timeout: 600_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'graphns-export-big-'));
    let viewer: Viewer | undefined;
    try {
      // 1300 synthetic namespaces lay out about 68900 units wide: over 65535 pixels at 1x
      const snap = join(home, 'big.json');
      writeFileSync(snap, serializeModel(syntheticModel(1300)));
      viewer = await launchViewer(['--open', snap, '-d'], { HOME: home }, 200_000);
      const { page } = viewer;
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      const width = await page.evaluate(
        () => document.querySelector('#graph svg')!.getAttribute('viewBox') ?? '',
      );
      const status = await exportWith(page, 'P', 240_000);
      const path = /PNG saved .*?to (\S+\.png)/.exec(status)?.[1];
      assert.ok(path, status);
      assert.match(
        status,
        /PNG saved at \d+% of 1x \(at 1x the whole graph is over the browser's canvas limit/,
      );
      const { width: w, height: h } = ihdr(readFileSync(path));
      assert.ok(w <= 65535 && w * h <= 2 ** 28, `${w}x${h} within the limits`);
      assert.ok(w >= 60_000, `as large as allowed, not a thumbnail: ${w}x${h} (${width})`);
      assert.ok(inked(decodePng(readFileSync(path))) > 0.01, 'not blank');
      await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-export-scaled.png') });
    } finally {
      await viewer?.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
);
