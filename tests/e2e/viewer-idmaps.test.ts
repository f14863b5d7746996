/**
 * Who is root where in the viewer's details panel, end to end: the browser
 * shell in headless Chromium on a live scan (as root) of a user namespace
 * root maps by hand and a PID namespace whose one process is root of the
 * host. The maps shown are checked against /proc/PID/uid_map and gid_map,
 * the capabilities against /proc/PID/status (CapEff, in the words of
 * main/emit/idmaps.ts, whose decoding tests/integration/idmaps.test.ts
 * checks against libcap), and the host mark against the process's user
 * namespace link. Screenshot in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { capsText, rangeText } from '../../main/emit/idmaps';
import { INITIAL_USER_NS } from '../../main/model/capabilities';
import { HANG_MS, needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import { clickElement, dataset, svgIdOf, waitData } from '../helpers/viewer-ui';

const skip = needRoot || viewerSkip();
const shots = join(ROOT, 'test-results');

/** A map's lines as the kernel shows them to this (root, initial namespace) process. */
function kernelMapLines(pid: number, which: 'uid_map' | 'gid_map'): string[] {
  return readFileSync(`/proc/${pid}/${which}`, 'latin1')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [inside, outside, count] = l.trim().split(/\s+/).map(Number);
      return rangeText({ inside: inside!, outside: outside!, count: count! });
    });
}

const kernelCapEff = (pid: number) =>
  /^CapEff:\t([0-9a-f]{16})$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]!;
const lastCap = () => Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));

/** Click the namespace `key` in the drawing and wait for its panel. */
async function open(page: Page, key: string): Promise<void> {
  await clickElement(page, svgIdOf(key));
  await waitData(page, 'details', key);
}

/** The panel's process rows: PID, the capabilities cell and whether it marks the host. */
function capsRows(page: Page): Promise<{ pid: number; caps: string; host: boolean }[]> {
  return page.evaluate(`[...document.querySelectorAll('#details tr[data-pid]')].map((tr) => ({
    pid: Number(tr.dataset.pid),
    caps: tr.querySelector('td.caps').dataset.caps,
    host: tr.querySelector('td.caps').dataset.hostCaps === 'yes',
  }))`);
}

test(
  'the details panel: a user namespace’s maps, capabilities, the host mark',
  { skip, timeout: 300_000 },
  async () => {
    const scene = new Scene();
    const home = mkdtempSync(join(tmpdir(), 'graphns-idmaps-home-'));
    let viewer: Viewer | undefined;
    try {
      // root maps a fresh user namespace: 0-65535 -> 200000-265535, gids to 300000
      const mapped = await scene.start(
        [
          'unshare',
          '--user',
          'sh',
          '-c',
          'until grep -q . /proc/self/gid_map; do sleep 0.02; done; exec sleep 1000040',
        ],
        'sh',
        HANG_MS,
        true,
      );
      writeFileSync(`/proc/${mapped.pid}/uid_map`, '0 200000 65536\n');
      writeFileSync(`/proc/${mapped.pid}/gid_map`, '0 300000 65536\n');
      for (;;) {
        if (readFileSync(`/proc/${mapped.pid}/comm`, 'utf8') === 'sleep\n') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      // root of the host alone in a PID namespace
      const unshare = await scene.start(
        ['unshare', '--pid', '--fork', '--kill-child', 'sleep', '1000041'],
        'sleep',
      );
      const hostRoot = unshare.pid;
      const userKey = `user:${nsInode(mapped.pid, 'user')}`;
      const pidKey = `pid:${nsInode(hostRoot, 'pid')}`;
      assert.equal(`user:${nsInode(hostRoot, 'user')}`, INITIAL_USER_NS);

      viewer = await launchViewer([], { HOME: home, XDG_CONFIG_HOME: join(home, 'config') });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal((await dataset(page)).state, 'ready');

      await open(page, userKey);
      const shown = async (map: string) =>
        (await page.locator(`#details [data-map="${map}"]`).innerText()).split('\n');
      assert.deepEqual(await shown('uid'), kernelMapLines(mapped.pid, 'uid_map'));
      assert.deepEqual(await shown('gid'), kernelMapLines(mapped.pid, 'gid_map'));
      assert.deepEqual(await shown('uid'), ['0-65535 -> 200000-265535']);
      // its process: what it holds in its own namespace, and no host mark
      const rows = await capsRows(page);
      assert.deepEqual(rows, [
        { pid: mapped.pid, caps: capsText(kernelCapEff(mapped.pid), lastCap()), host: false },
      ]);
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'viewer-idmaps-user.png') });

      await open(page, pidKey);
      const root = (await capsRows(page)).find((r) => r.pid === hostRoot);
      assert.ok(root, 'the host root process is listed');
      const words = capsText(kernelCapEff(hostRoot), lastCap());
      assert.equal(root.caps, words);
      assert.equal(
        await page.locator(`#details tr[data-pid="${hostRoot}"] td.caps strong`).innerText(),
        "in the host's",
      );
      assert.equal(root.host, true);
      await page.screenshot({ path: join(shots, 'viewer-idmaps-host.png') });
      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      await scene.teardown();
      rmSync(home, { recursive: true, force: true });
    }
  },
);
