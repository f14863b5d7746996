/**
 * The viewer when things go wrong: a graph that cannot be had shows as an
 * error in the page (not a blank window), and with neither Electron nor a
 * browser graphns says so, naming both and --output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import type { PageDocument } from '../helpers/page-dom';
import { launchViewer, ROOT, viewerCommand, viewerSkip } from '../helpers/viewer';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

test(
  'a snapshot broken before r shows the error in the page',
  { skip: viewerSkip(), timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-e2e-errors-'));
    const snapshot = join(dir, 'snap.json');
    writeFileSync(snapshot, serializeModel(syntheticModel(20)));
    const viewer = await launchViewer(['--open', snapshot]);
    try {
      const { page } = viewer;
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      writeFileSync(snapshot, '{ this is not a snapshot');
      await page.keyboard.press('r');
      await page.waitForFunction(() => document.documentElement.dataset.state === 'error');
      const shown = await page.evaluate(() => ({
        hidden: document.getElementById('error')!.hidden,
        text: document.getElementById('error')!.textContent ?? '',
      }));
      assert.equal(shown.hidden, false);
      assert.match(shown.text, /JSON|snapshot/);
      void page.keyboard.press('q').catch(() => undefined);
      assert.equal(await viewer.exited, 0);
    } finally {
      await viewer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'with neither Electron nor a browser, graphns names both and --output',
  { skip: viewerSkip() },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-e2e-errors-'));
    const snapshot = join(dir, 'snap.json');
    writeFileSync(snapshot, serializeModel(syntheticModel(20)));
    const r = spawnSync(process.execPath, [...viewerCommand(), '--open', snapshot], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: '/nonexistent',
        GRAPHNS_BROWSER: '',
        ELECTRON_OVERRIDE_DIST_PATH: join(ROOT, 'nonexistent'),
      },
    });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no Electron/);
    assert.match(r.stderr, /Chromium/);
    assert.match(r.stderr, /--output/);
  },
);
