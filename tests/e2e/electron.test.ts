/**
 * The Electron shell end to end, with Playwright's Electron driver: the same
 * page and contract as the browser shell, in the real BrowserWindow with
 * the real preload. Runs where an Electron binary is installed (the electron
 * package's path.txt, or ELECTRON_OVERRIDE_DIST_PATH); elsewhere it is
 * skipped and says why. Playwright starts tests/helpers/electron-with-pipe.mjs
 * as the "Electron executable"; it starts the real binary with a pipe on
 * fd 3 that it serves as graphns's privileged side does (a GraphResult made
 * here from a live discovery of a scene), so the window gets its graph
 * through the same fd and code as in use. Nothing in the shipped code
 * exists for this test.
 *
 * .github/workflows/electron-e2e.yml runs it where Electron can be downloaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { CHANNEL_NAMES, type GraphResult } from '../../main/contract';
import { discover } from '../../main/discover';
import { modelToDot } from '../../main/emit';
import { serializeModel } from '../../main/model';
import { electronPackageDir, findElectron } from '../../main/shell/electron-binary';
import type { PageDocument } from '../helpers/page-dom';
import { isRoot, needRoot, nsInode, Scene, unmetNeed } from '../helpers/scene';
import { ROOT, viewerSkip, viewTransform } from '../helpers/viewer';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
declare const window: Record<string, unknown>;

const electron = findElectron(process.env, electronPackageDir());
const skip =
  'missing' in electron
    ? `no Electron binary here (${electron.missing}); the Electron wiring is type-checked ` +
      'and run under a recording stand-in (tests/integration/electron-main.test.ts); this test runs where Electron is installed'
    : needRoot || unmetNeed(viewerSkip());

test(
  'the Electron shell shows the graph; keys, preload and save work',
  // Playwright's waits below have no budget (timeout 0): each ends on a state; this
  // timeout only guards against a hang
  { skip, timeout: 600_000 },
  async () => {
    const executablePath = (electron as { path: string }).path;
    const scene = new Scene();
    const dir = mkdtempSync(join(tmpdir(), 'graphns-electron-'));
    try {
      const p = await scene.start([
        'unshare',
        '--user',
        '--map-root-user',
        '--pid',
        '--fork',
        'sleep',
        '1000',
      ]);
      const ids = { user: nsInode(p.pid, 'user'), pid: nsInode(p.pid, 'pid') };
      const model = discover();
      const graph: GraphResult = {
        ok: true,
        dot: modelToDot(model, { details: false }),
        modelJson: serializeModel(model),
        title: 'graphns — electron test',
        namespaces: model.namespaces.length,
        warnings: model.warnings,
      };
      const graphFile = join(dir, 'graph.json');
      writeFileSync(graphFile, JSON.stringify(graph));
      const app = await _electron.launch({
        executablePath: join(ROOT, 'tests', 'helpers', 'electron-with-pipe.mjs'),
        args: [
          join(ROOT, 'dist', 'shell', 'electron', 'main.cjs'),
          ...(isRoot ? ['--no-sandbox'] : []),
        ],
        env: {
          ...process.env,
          GRAPHNS_TEST_ELECTRON: executablePath,
          GRAPHNS_TEST_GRAPH: graphFile,
          HOME: dir,
          XDG_CONFIG_HOME: join(dir, 'config'),
        },
        timeout: 0,
      });
      const page = await app.firstWindow({ timeout: 0 });
      page.setDefaultTimeout(0);
      await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');
      for (const [type, ino] of Object.entries(ids)) {
        const text = await page.evaluate(
          (id) => document.getElementById(id)?.textContent ?? '',
          `${type}-${ino}`,
        );
        assert.ok(text.includes(`${type}:[${ino}]`), `${type}:[${ino}] drawn`);
      }
      // the privileged pipe: fd 3 of Electron's main process (the launcher's
      // child), and of none of Chromium's helpers (zygote, renderer, GPU)
      const tree = descendants(app.process().pid!);
      const electronMain = tree.find((p) => parentOf(p) === app.process().pid)!;
      const pipe = readlinkSync(`/proc/${electronMain}/fd/3`);
      assert.match(pipe, /^(pipe|socket):/);
      const helpers = tree.filter((p) => p !== electronMain);
      assert.ok(helpers.length > 0, 'Chromium helpers seen');
      for (const pid of helpers) {
        assert.ok(!fdLinks(pid).includes(pipe), `helper ${pid} holds the privileged pipe`);
      }

      // the preload gives the contract and nothing else; the page has no Node
      const surface = await page.evaluate(() => ({
        api: Object.keys((window.graphns as object) ?? {}).sort(),
        require: typeof window.require,
        process: typeof window.process,
      }));
      assert.deepEqual(surface, {
        // the contract's channels, each once (it lacked savePng, then nextSnapshot, when listed by hand)
        api: [...CHANNEL_NAMES].sort(),
        require: 'undefined',
        process: 'undefined',
      });

      // served from graphns://app (the bug this guards against: every asset 404)
      assert.equal(page.url(), 'graphns://app/index.html');
      // r asks the privileged side (here the launcher) for a new graph over the pipe
      await page.keyboard.press('r');
      await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');

      const s0 = (await viewTransform(page)).scale;
      await page.keyboard.press('+');
      assert.ok((await viewTransform(page)).scale > s0);
      await page.keyboard.press('1');
      assert.ok(Math.abs((await viewTransform(page)).scale - 1) < 1e-6);
      await page.keyboard.press('h');
      assert.equal(await page.evaluate(() => document.getElementById('help')!.hidden), false);
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.getElementById('help')!.hidden), true);

      // s: the native dialog, answered here; the file goes exactly where it says
      const target = join(dir, 'chosen.svg');
      await app.evaluate(({ dialog }, path) => {
        dialog.showSaveDialog = (async () => ({
          canceled: false,
          filePath: path,
        })) as typeof dialog.showSaveDialog;
      }, target);
      await page.keyboard.press('s');
      await page.waitForFunction(() =>
        /saved to /.test(document.getElementById('status')!.textContent ?? ''),
      );
      assert.ok(readFileSync(target, 'utf8').includes(`user:[${ids.user}]`));

      const closed = new Promise<void>((r) => app.once('close', () => r()));
      void page.keyboard.press('q').catch(() => undefined);
      await closed;
      // the window's bounds were remembered
      assert.ok(
        JSON.parse(readFileSync(join(dir, 'config', 'graphns', 'window.json'), 'utf8')).width > 0,
      );
    } finally {
      await scene.teardown();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1; // gone
  }
}

/** Every live descendant of `root`, from /proc. */
function descendants(root: number): number[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const out: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    frontier = all.filter((p) => frontier.includes(parentOf(p)));
    out.push(...frontier);
  }
  return out;
}

/** What each fd of `pid` points at (empty when it is gone). */
function fdLinks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}
