/**
 * The help overlay in a window smaller than its list of keys: the browser
 * shell in headless Chromium at 1280x800 on a snapshot (the engines
 * fixture; no root needed). The overlay stays inside the window and
 * scrolls, by keys (arrows, Page Up/Down, Home, End) and by the wheel,
 * without moving the drawing behind it; the last row can be brought into
 * view. Boxes are Chromium's own (getBoundingClientRect).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { launchViewer, viewerSkip, type Viewer } from '../helpers/viewer';
import { dataset, waitData } from '../helpers/viewer-ui';
import { enginesModel } from '../unit/fixtures/dot-models';

const WIDTH = 1280;
const HEIGHT = 800;

interface HelpState {
  hidden: boolean;
  focused: boolean;
  top: number;
  bottom: number;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  /** The last row's box. */
  lastTop: number;
  lastBottom: number;
  /** The element at the last row's middle is in that row (nothing covers it). */
  lastHit: boolean;
}

function helpState(page: Page): Promise<HelpState> {
  return page.evaluate(`(() => {
    const help = document.getElementById('help');
    const r = help.getBoundingClientRect();
    const rows = help.querySelectorAll('#help-keys tr');
    const last = rows[rows.length - 1];
    const l = last.getBoundingClientRect();
    const y = (l.top + l.bottom) / 2;
    const hit = y >= 0 && y < innerHeight ? document.elementFromPoint(l.left + 4, y) : null;
    return {
      hidden: help.hidden, focused: document.activeElement === help,
      top: r.top, bottom: r.bottom,
      scrollTop: help.scrollTop, scrollHeight: help.scrollHeight, clientHeight: help.clientHeight,
      lastTop: l.top, lastBottom: l.bottom, lastHit: !!hit && last.contains(hit),
    };
  })()`);
}

/** Wait until the help's scrollTop is other than `from` (a key's scroll may be animated). */
async function scrolledFrom(page: Page, from: number): Promise<void> {
  await page.waitForFunction(
    (f) =>
      (
        globalThis as unknown as { document: { getElementById(id: string): { scrollTop: number } } }
      ).document.getElementById('help').scrollTop !== f,
    from,
    { timeout: 10_000 },
  );
}

/** Wait until the help's scroll has come to rest (two frames in a row at the same place). */
async function scrollRests(page: Page): Promise<void> {
  await page.evaluate(`(async () => {
    const help = document.getElementById('help');
    let last = -1;
    for (let i = 0; i < 300 && help.scrollTop !== last; i++) {
      last = help.scrollTop;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
  })()`);
}

test(
  'the help scrolls in an 800 px window: keys and wheel, the last row reachable',
  { skip: viewerSkip(), timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-help-'));
    let viewer: Viewer | undefined;
    try {
      const snap = join(dir, 'engines.json');
      writeFileSync(snap, serializeModel(enginesModel()));
      viewer = await launchViewer(['--open', snap, '-d'], { HOME: dir });
      const page = viewer.page;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: WIDTH, height: HEIGHT });
      await waitData(page, 'state', 'ready');
      const view = async () => {
        const d = await dataset(page);
        return `${d.zoom}`;
      };
      const zoomBefore = await view();

      await t.test('open, it fits the window and takes the focus; its end is below', async () => {
        await page.keyboard.press('h');
        const s = await helpState(page);
        assert.equal(s.hidden, false);
        assert.ok(s.focused, 'the help has the focus');
        assert.ok(s.top >= 0 && s.bottom <= HEIGHT, `inside the window: ${s.top}..${s.bottom}`);
        assert.ok(
          s.scrollHeight > s.clientHeight,
          `the list is taller than the window here (${s.scrollHeight} > ${s.clientHeight})`,
        );
        assert.ok(
          s.lastBottom > s.bottom,
          `the last row (${s.lastBottom}) is out of view at first`,
        );
        assert.equal(s.scrollTop, 0);
      });

      await t.test('ArrowDown and Page Down scroll it until the last row shows', async () => {
        let s = await helpState(page);
        await page.keyboard.press('ArrowDown');
        await scrolledFrom(page, s.scrollTop);
        await scrollRests(page);
        for (let i = 0; i < 20; i++) {
          s = await helpState(page);
          if (s.lastBottom <= s.bottom) break;
          await page.keyboard.press('PageDown');
          await scrolledFrom(page, s.scrollTop);
          await scrollRests(page);
        }
        s = await helpState(page);
        assert.ok(
          s.lastTop >= s.top && s.lastBottom <= s.bottom + 0.5,
          `the last row ${s.lastTop}..${s.lastBottom} inside the help ${s.top}..${s.bottom}`,
        );
        assert.ok(s.lastHit, 'the last row is what shows there');
        assert.ok(s.bottom <= HEIGHT);
      });

      await t.test('Home goes back to the top; the wheel scrolls it too', async () => {
        let s = await helpState(page);
        await page.keyboard.press('Home');
        await scrolledFrom(page, s.scrollTop);
        await scrollRests(page);
        assert.equal((await helpState(page)).scrollTop, 0);
        s = await helpState(page);
        await page.mouse.move(WIDTH / 2, (s.top + s.bottom) / 2);
        await page.mouse.wheel(0, 2000);
        await scrolledFrom(page, 0);
        await scrollRests(page);
        s = await helpState(page);
        assert.ok(s.lastBottom <= s.bottom + 0.5, 'the wheel brought the last row into view');
        assert.equal(await view(), zoomBefore, 'the drawing behind it did not zoom');
      });

      await t.test('Esc closes it and gives the focus back', async () => {
        await page.keyboard.press('Escape');
        const s = await helpState(page);
        assert.equal(s.hidden, true);
        assert.equal(s.focused, false);
        assert.equal(
          await page.evaluate('document.activeElement === document.body'),
          true,
          'the focus is where it was',
        );
        // h again: open at the top
        await page.keyboard.press('h');
        assert.equal((await helpState(page)).scrollTop, 0);
        await page.keyboard.press('h');
        assert.equal((await helpState(page)).hidden, true);
      });
      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
