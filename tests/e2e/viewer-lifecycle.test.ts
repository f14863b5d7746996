/**
 * The browser window never outlives graphns, however graphns ends. The
 * orderly ways out (q, closing the window, SIGINT/SIGTERM/SIGHUP) are
 * tested in viewer.test.ts; these are the ones where no code of the dying
 * process runs: the shell host killed with SIGKILL (the kernel's
 * parent-death signal, main/shell/plan.ts commandOf, ends the browser;
 * without a privilege drop graphns is the host), and under sudo graphns
 * killed with SIGKILL (the host sees the privileged pipe close and ends
 * the browser). Found for real: a Chromium app window was left running for
 * an hour by a test run that died.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel } from '../../main/model';
import { needRoot } from '../helpers/scene';
import { childrenOf, descendantsOf, isRunning } from '../helpers/proc';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import { launchViewer, viewerSkip, type Viewer } from '../helpers/viewer';
import { seedModel } from '../unit/fixtures/dot-models';

/** Wait until none of `pids` runs; the ones still running after `ms`. */
async function goneWithin(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(isRunning);
}

const describe = (pid: number) => {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 120)}`;
  } catch {
    return `${pid}`;
  }
};

/**
 * Start a viewer (with `env`), check that `hostOf(graphns)` ran the
 * browser, SIGKILL `victim`, and assert that nothing of the viewer runs
 * within 10 s.
 */
async function killAndCheck(
  env: NodeJS.ProcessEnv,
  hostOf: (graphns: number) => number,
  victim: (graphns: number, host: number) => number,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-lifecycle-'));
  let viewer: Viewer | undefined;
  let left: number[] = [];
  let profile: string;
  try {
    const snapshot = join(dir, 'seed.json');
    writeFileSync(snapshot, serializeModel(seedModel()));
    viewer = await launchViewer(['--open', snapshot], env);
    const graphns = viewer.child.pid!;
    const host = hostOf(graphns);
    const browser = descendantsOf(host);
    assert.ok(browser.length >= 2, `browser processes: ${browser.length}`);
    assert.match(
      readFileSync(`/proc/${browser[0]}/cmdline`, 'latin1'),
      /--app=/,
      'the host’s child is the browser itself (setpriv execs it in place)',
    );
    profile = /--user-data-dir=(\S+)/.exec(
      readFileSync(`/proc/${browser[0]}/cmdline`, 'latin1').replace(/\0/g, ' '),
    )![1]!;
    process.kill(victim(graphns, host), 'SIGKILL');
    left = await goneWithin([host, ...browser], 10_000);
    assert.deepEqual(left.map(describe), [], 'nothing of the viewer left running');
  } finally {
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await viewer?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return profile;
}

test(
  'without a privilege drop graphns is the shell host: killed with SIGKILL, it takes the browser along',
  { skip: viewerSkip(), timeout: 120_000 },
  async () => {
    const profile = await killAndCheck(
      {},
      (graphns) => graphns,
      (graphns) => graphns,
    );
    // no code of the killed host ran to remove its profile; the next viewer does (profile.ts)
    assert.ok(existsSync(profile), `the killed host's profile ${profile} is still there`);
    const dir = mkdtempSync(join(tmpdir(), 'graphns-lifecycle-'));
    const snapshot = join(dir, 'seed.json');
    writeFileSync(snapshot, serializeModel(seedModel()));
    const next = await launchViewer(['--open', snapshot]);
    try {
      assert.equal(existsSync(profile), false, 'the next viewer removed it');
    } finally {
      await next.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'under sudo, the shell host or graphns killed with SIGKILL takes the browser along',
  { skip: needRoot || viewerSkip() || noUseradd, timeout: 180_000 },
  async (t) => {
    let user: TestUser | undefined;
    try {
      user = makeUser();
      const env = { SUDO_UID: String(user.uid), SUDO_GID: String(user.gid), SUDO_USER: user.name };
      const hostOf = (graphns: number) => {
        const hosts = childrenOf(graphns);
        assert.equal(hosts.length, 1, 'one shell host');
        return hosts[0]!;
      };
      // the kernel's parent-death signal ends the browser
      await t.test('the shell host', async () => {
        await killAndCheck(env, hostOf, (_, host) => host);
      });
      // the host sees the privileged pipe close and ends the browser
      await t.test('graphns', async () => {
        await killAndCheck(env, hostOf, (graphns) => graphns);
      });
    } finally {
      await removeUser(user);
    }
  },
);
