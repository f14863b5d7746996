/**
 * Privilege separation for real: graphns runs as root with SUDO_UID and
 * SUDO_GID of a throwaway user (made here with useradd, removed after), as
 * `sudo graphns` would. Discovery must stay root; the shell host and the
 * browser must run as that user (read from /proc), the graph must still
 * arrive over the pipe, rediscovery must go back to root, and a saved file
 * must belong to the user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { needRoot, unmetNeed } from '../helpers/scene';
import {
  childrenOf,
  descendantsOf,
  makeUser,
  noUseradd,
  removeUser,
  type TestUser,
} from '../helpers/users';
import { launchViewer, viewerSkip, type Viewer } from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

function status(pid: number): { uid: number; gid: number; name: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (k: string) => /^(\S+)\s/.exec(s.split(`\n${k}:\t`)[1] ?? '')?.[1] ?? '';
    return {
      uid: Number(field('Uid')),
      gid: Number(field('Gid')),
      name: /^Name:\t(.*)$/m.exec(s)?.[1] ?? '',
    };
  } catch {
    return undefined;
  }
}

/** The open fds of `pid` and what each points at (root reads them all). */
function fdsOf(pid: number): [fd: string, target: string][] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return [fd, readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [fd, ''];
      }
    });
  } catch {
    return []; // gone
  }
}

const skip = needRoot || unmetNeed(viewerSkip()) || noUseradd;

/**
 * The waits for the window (its DevTools address, its page, its states)
 * have no budget of their own: under the whole suite's load Chromium
 * started as another user took more than the 30 s launchViewer allows by
 * default (alone: 6.5 s). Each wait ends on a state, or on graphns
 * exiting; the test's timeout is only a guard against a hang.
 */
const NO_BUDGET = 2 ** 31 - 1; // the longest timer Node keeps; Playwright takes it as is

test(
  'under sudo, discovery stays root and the window runs as the invoking user',
  { skip, timeout: 600_000 },
  async () => {
    let user: TestUser | undefined;
    let viewer: Viewer | undefined;
    try {
      user = makeUser();
      const { name, uid, gid } = user;
      viewer = await launchViewer(
        [],
        { SUDO_UID: String(uid), SUDO_GID: String(gid), SUDO_USER: name },
        NO_BUDGET,
      );
      const { page, child } = viewer;
      page.setDefaultTimeout(0); // the rescan and the save below: their states, however long
      assert.match(viewer.stderr(), new RegExp(`window runs as uid ${uid}`));

      assert.equal(status(child.pid!)?.uid, 0, 'graphns (discovery) stays root');
      const hosts = childrenOf(child.pid!);
      assert.equal(hosts.length, 1, 'one shell host');
      const host = status(hosts[0]!)!;
      assert.deepEqual([host.uid, host.gid], [uid, gid], 'the shell host runs as the user');
      const browsers = childrenOf(hosts[0]!).map(status);
      assert.ok(browsers.length > 0, 'the host started the browser');
      for (const b of browsers) assert.equal(b?.uid, uid, `${b?.name} runs as the user`);

      // the privileged pipe (the host's fd 3) is the host's alone: no browser process,
      // helpers included, holds it (the browser's plan maps its fd 3 to /dev/null)
      const pipe = readlinkSync(`/proc/${hosts[0]}/fd/3`);
      assert.match(pipe, /^socket:\[\d+\]$/);
      const everyBrowser = descendantsOf(hosts[0]!);
      assert.ok(everyBrowser.length >= 3, `browser processes found: ${everyBrowser.length}`);
      for (const pid of everyBrowser) {
        const held = fdsOf(pid).filter(([, target]) => target === pipe);
        assert.deepEqual(held, [], `pid ${pid} (${status(pid)?.name}) holds the privileged pipe`);
      }

      // the graph came over the pipe from the root side, which scanned as uid 0
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      const header = () =>
        page.evaluate(() => document.querySelector('#graph svg')?.textContent ?? '');
      assert.match(await header(), /scanned as uid 0/);
      await page.keyboard.press('r');
      await page.waitForFunction(() =>
        /rediscovered/.test(document.getElementById('status')!.textContent ?? ''),
      );
      assert.match(await header(), /scanned as uid 0/, 'rediscovery ran on the root side');

      await page.keyboard.press('s');
      await page.waitForFunction(() =>
        /saved to |not saved/.test(document.getElementById('status')!.textContent ?? ''),
      );
      const text = await page.evaluate(() => document.getElementById('status')!.textContent ?? '');
      const path = /saved to (\S+\.svg)/.exec(text)?.[1];
      assert.ok(path, text);
      assert.equal(dirname(path), `/home/${name}`);
      assert.equal(statSync(path).uid, uid, 'the saved file belongs to the user');

      void page.keyboard.press('q').catch(() => undefined);
      assert.equal(await viewer.exited, 0);
    } finally {
      await viewer?.close();
      await removeUser(user);
    }
  },
);
