/**
 * The viewer tells the truth about its window, leaves nothing behind, and
 * never lets the page keep root scanning:
 * - no display: exit 1 before any browser starts, naming --output;
 * - a real Chromium that cannot reach its display dies at start: exit 1
 *   with its last lines; the same under sudo with an XAUTHORITY the user
 *   cannot read (caught before the browser starts);
 * - a headed run as a throwaway user (under sudo, in Xvfb) leaves nothing
 *   of theirs in /tmp and nothing in their home but window.json;
 * - a page asking for rescans in six parallel loops gets at most one scan
 *   a second (distinct scan times counted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { serializeModel } from '../../main/model';
import { needRoot } from '../helpers/scene';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import { CHROMIUM, ROOT, launchViewer, viewerCommand, viewerSkip } from '../helpers/viewer';
import { seedModel } from '../unit/fixtures/dot-models';
import type { PageDocument } from '../helpers/page-dom';

declare const document: PageDocument;

/** Run graphns to its end (killed after 60 s: a hang fails), with exactly `env`. */
function runGraphns(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [...viewerCommand(), '--shell', 'browser', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The environment without any display and with `extra`. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'GRAPHNS_BROWSER_ARGS']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

/** A snapshot to open, in a fresh directory; returns [dir, snapshot]. */
function snapshotDir(): [string, string] {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-window-'));
  chmodSync(dir, 0o755);
  const snap = join(dir, 'seed.json');
  writeFileSync(snap, serializeModel(seedModel()), { mode: 0o644 });
  return [dir, snap];
}

/** A stand-in browser that only records that it was started: it must not be. */
function recordingBrowser(dir: string): [program: string, marker: string] {
  const marker = join(dir, 'browser-started');
  const program = join(dir, 'browser.sh');
  writeFileSync(program, `#!/bin/sh\ntouch ${marker}\nexit 0\n`, { mode: 0o755 });
  return [program, marker];
}

test(
  'no display: exit 1 before any browser starts, with one line naming --output',
  { skip: viewerSkip() },
  () => {
    const [dir, snap] = snapshotDir();
    try {
      const [browser, marker] = recordingBrowser(dir);
      const r = runGraphns(['--open', snap], envWith({ GRAPHNS_BROWSER: browser }));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /no display to show the window on .*--output FILE\.svg.*ssh -X/);
      assert.equal(existsSync(marker), false, 'no browser was started');
      // headless needs no display (tests and benchmarks): the browser does start then
      const h = runGraphns(
        ['--open', snap],
        envWith({ GRAPHNS_BROWSER: browser, GRAPHNS_BROWSER_ARGS: '--headless' }),
      );
      assert.equal(existsSync(marker), true, `headless starts the browser: ${h.stderr}`);
      // that stand-in exits at once without showing the graph: that is a failure too
      assert.equal(h.status, 1, h.stderr);
      assert.match(h.stderr, /exited with code 0 before the window showed the graph/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a real Chromium that cannot reach its display: exit 1 with the reason it gave',
  { skip: viewerSkip(), timeout: 90_000 },
  () => {
    const [dir, snap] = snapshotDir();
    try {
      // a display nobody serves
      const r = runGraphns(
        ['--open', snap],
        envWith({ DISPLAY: ':97', GRAPHNS_BROWSER: CHROMIUM }),
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /chromium exited with code \d+ before the window showed the graph/);
      assert.match(r.stderr, /Missing X server or \$DISPLAY|platform failed to initialize/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'under sudo, an XAUTHORITY the user cannot read: exit 1 before the browser starts',
  { skip: needRoot || viewerSkip() || noUseradd, timeout: 90_000 },
  async () => {
    const [dir, snap] = snapshotDir();
    let user: TestUser | undefined;
    try {
      user = makeUser();
      const auth = join(dir, 'root.Xauthority');
      writeFileSync(auth, '', { mode: 0o600 }); // root's
      const [browser, marker] = recordingBrowser(dir);
      const r = runGraphns(
        ['--open', snap],
        envWith({
          DISPLAY: ':97',
          XAUTHORITY: auth,
          GRAPHNS_BROWSER: browser,
          SUDO_UID: String(user.uid),
          SUDO_GID: String(user.gid),
          SUDO_USER: user.name,
        }),
      );
      assert.equal(r.status, 1, r.stderr);
      assert.ok(
        r.stderr.includes(
          `cannot read the X authority file ${auth} (XAUTHORITY) as uid ${user.uid} (EACCES)`,
        ),
        r.stderr,
      );
      assert.equal(existsSync(marker), false, 'no browser was started');
    } finally {
      await removeUser(user);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Every path under `dir`, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** What in /tmp belongs to `uid`. */
function tmpOf(uid: number): string[] {
  return readdirSync('/tmp').filter((n) => {
    try {
      return statSync(join('/tmp', n)).uid === uid;
    } catch {
      return false;
    }
  });
}

test(
  'a headed run as a throwaway user leaves nothing in /tmp and nothing in the home but window.json',
  {
    skip:
      needRoot ||
      viewerSkip() ||
      noUseradd ||
      (spawnSync('xvfb-run', ['--help']).error && 'no xvfb-run (apt-get install xvfb)'),
    timeout: 120_000,
  },
  async () => {
    const [dir, snap] = snapshotDir();
    let user: TestUser | undefined;
    try {
      user = makeUser();
      const home = `/home/${user.name}`;
      const before = tree(home);
      // (a uid is reused after userdel: what an earlier run of another test left is not ours)
      const tmpBefore = tmpOf(user.uid);
      const viewer = await launchViewer(
        ['--open', snap],
        {
          SUDO_UID: String(user.uid),
          SUDO_GID: String(user.gid),
          SUDO_USER: user.name,
          // headed, in Xvfb: a real window, as a user gets it
          GRAPHNS_BROWSER_ARGS: '--remote-debugging-port=0 --window-size=1000,700',
        },
        60_000,
        // xvfb-run's authority file is root's alone; -ac lets the user's window in without it
        ['xvfb-run', '-a', '-s', '-ac', 'env', '-u', 'XAUTHORITY'],
      );
      try {
        assert.equal(
          await viewer.page.evaluate(() => document.documentElement.dataset.state),
          'ready',
        );
        // not awaited: q closes the page, which may come before the key's release (under load it did)
        void viewer.page.keyboard.press('q').catch(() => undefined);
        assert.equal(await viewer.exited, 0, viewer.stderr());
      } finally {
        await viewer.close();
      }
      const added = tree(home).filter((p) => !before.includes(p));
      assert.deepEqual(
        added.filter(
          (p) => !['.config', '.config/graphns', '.config/graphns/window.json'].includes(p),
        ),
        [],
        'the run added only window.json to the home',
      );
      assert.deepEqual(
        tmpOf(user.uid).filter((n) => !tmpBefore.includes(n)),
        [],
        'nothing of the user is left in /tmp',
      );
    } finally {
      await removeUser(user);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a page asking for rescans in six parallel loops gets at most one scan a second',
  { skip: needRoot || viewerSkip(), timeout: 120_000 },
  async () => {
    const viewer = await launchViewer([]); // a live scan: every answer is a new discovery
    try {
      const FLOOD_MS = 4000;
      const times: string[] = await viewer.page.evaluate(async (ms) => {
        const seen: string[] = [];
        const until = performance.now() + ms;
        // (inline, unnamed: a named function would need the bundler's __name helper in the page)
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            while (performance.now() < until) {
              const res = await fetch('api/rediscover', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: '{}',
              });
              const r = (await res.json()) as { ok: boolean; modelJson?: string };
              if (r.ok && r.modelJson) seen.push(JSON.parse(r.modelJson).host.time);
            }
          }),
        );
        return seen;
      }, FLOOD_MS);
      const scans = [...new Set(times)].sort();
      assert.ok(times.length >= 6, `answers: ${times.length}`);
      // four seconds of flooding: the first scan, at most one a second after, and one that waited
      assert.ok(scans.length <= 6, `${scans.length} scans in ${FLOOD_MS} ms, from ${scans[0]}`);
    } finally {
      await viewer.close();
    }
  },
);
