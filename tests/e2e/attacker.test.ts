/**
 * Another local user against the browser shell, for real: a victim runs
 * the viewer as `sudo graphns` would (root discovers; the window runs as
 * the victim, SUDO_UID/SUDO_GID of a throwaway user), while a second
 * throwaway user runs tests/helpers/attacker.mjs: it polls every
 * process's command line and environment for the launch secret, looks
 * into the browser's profile, and sends every request the viewer's
 * server knows to every loopback port the victim listens on. Several
 * runs; in each the attacker must get nothing but refused connections,
 * find no secret, and the victim's window must still work (graph drawn,
 * rediscovery from the root side, a save).
 *
 * One port is left out of the verdict on purpose: the DevTools port the
 * test itself asks the browser for (GRAPHNS_BROWSER_ARGS) so that
 * Playwright can drive the window. graphns never opens it.
 *
 * Snapshots handed to an open window (main/shell/handoff.ts): the attacker
 * runs graphns --open with a file of theirs (it finds no window of theirs,
 * never the victim's), and goes straight at the victim's socket knowing
 * its path (the kernel refuses: EACCES); the victim's own second graphns
 * still gets through. And the attacker makes the victim's rendezvous
 * directory first, with a socket named as the victim's window's would be:
 * the victim's window refuses to listen there (and says so), the victim's
 * second graphns refuses to send there, and the trap gets not a byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import { displayKey } from '../../main/shell/handoff';
import { syntheticModel } from '../bench/synthetic';
import { needRoot } from '../helpers/scene';
import { descendantsOf, makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import { HEADLESS_ARGS, launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import type { PageDocument } from '../helpers/page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;

const RUNS = 3;

interface Report {
  scans: number;
  tokens: { token: string; pid?: string; uid?: number; where: string }[];
  environRead: string[];
  fdRead: string[];
  profilesSeen: string[];
  profileRead: string[];
  answers: Record<string, Record<string, Record<string, number>>>;
}

/** Processes of the viewer (graphns and all it started) whose argv or environment names a secret. */
function secretBearers(root: number): string[] {
  const found: string[] = [];
  for (const pid of [root, ...descendantsOf(root)]) {
    for (const f of ['cmdline', 'environ']) {
      try {
        if (/launch\/|graphns_session/.test(readFileSync(`/proc/${pid}/${f}`, 'latin1'))) {
          found.push(`${pid}/${f}`);
        }
      } catch {
        /* gone */
      }
    }
  }
  return found;
}

const skip = needRoot || viewerSkip() || noUseradd;

test(
  'another local user gets nothing from a victim’s viewer: no secret, every connection refused',
  { skip, timeout: 300_000 },
  async () => {
    let victim: TestUser | undefined;
    let attacker: TestUser | undefined;
    try {
      victim = makeUser();
      attacker = makeUser();
      const victimUid = victim.uid;
      for (let run = 1; run <= RUNS; run++) {
        const mallory = spawn(
          'setpriv',
          [
            `--reuid=${attacker.uid}`,
            `--regid=${attacker.gid}`,
            '--init-groups',
            '--reset-env',
            process.execPath,
            join(ROOT, 'tests', 'helpers', 'attacker.mjs'),
            String(victim.uid),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'], cwd: '/' },
        );
        let out = '';
        mallory.stdout.setEncoding('utf8');
        mallory.stdout.on('data', (d: string) => (out += d));
        const reported = new Promise<Report>((resolve, reject) =>
          mallory.once('exit', () => {
            try {
              resolve(JSON.parse(out) as Report);
            } catch {
              reject(new Error(`attacker printed no report: ${out}`));
            }
          }),
        );
        let viewer: Viewer | undefined;
        let devtoolsPort = '';
        let serverPort = '';
        let bearers: string[] = [];
        let viewerProcesses = 0;
        try {
          viewer = await launchViewer([], {
            SUDO_UID: String(victim.uid),
            SUDO_GID: String(victim.gid),
            SUDO_USER: victim.name,
          });
          const { page } = viewer;
          devtoolsPort = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(
            viewer.stderr(),
          )![1]!;
          serverPort = new URL(viewer.origin).port;
          assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
          // the victim's window works: rediscovery from the root side, and a save
          await page.keyboard.press('r');
          await page.waitForFunction(() =>
            /rediscovered/.test(document.getElementById('status')!.textContent ?? ''),
          );
          await page.keyboard.press('s');
          await page.waitForFunction(() =>
            /saved to |not saved/.test(document.getElementById('status')!.textContent ?? ''),
          );
          const status = await page.evaluate(
            () => document.getElementById('status')!.textContent ?? '',
          );
          assert.match(status, /saved to \/home\//, status);
          bearers = secretBearers(viewer.child.pid!);
          viewerProcesses = descendantsOf(viewer.child.pid!).length;
          // let the attacker work on the running session for a moment too
          await new Promise((r) => setTimeout(r, 1000));
          void page.keyboard.press('q').catch(() => undefined);
          assert.equal(await viewer.exited, 0, 'the viewer ends normally');
        } finally {
          mallory.kill('SIGTERM');
          await viewer?.close();
        }
        const report = await reported;

        assert.ok(
          viewerProcesses > 3,
          `run ${run}: graphns, the host and the browser were looked at`,
        );
        assert.deepEqual(bearers, [], `run ${run}: a secret in argv or environment`);
        // proof that the attacker ran while the window did; on a loaded machine a
        // fast start leaves time for only a few passes over /proc
        assert.ok(
          report.scans >= 5,
          `run ${run}: the attacker watched /proc (${report.scans} scans)`,
        );
        // the victim's processes are this viewer's alone (a user made for it); root's are in bearers
        assert.deepEqual(
          report.tokens.filter((t) => t.uid === victimUid),
          [],
          `run ${run}: the attacker found the launch secret`,
        );
        assert.deepEqual(report.environRead, [], `run ${run}: environments readable`);
        assert.deepEqual(report.fdRead, [], `run ${run}: fd tables readable`);
        assert.ok(report.profilesSeen.length > 0, `run ${run}: the attacker saw the profile dir`);
        assert.deepEqual(report.profileRead, [], `run ${run}: profile files readable`);
        const onServer = report.answers[serverPort];
        assert.ok(onServer, `run ${run}: the attacker found the server port ${serverPort}`);
        for (const [port, byRequest] of Object.entries(report.answers)) {
          if (port === devtoolsPort) continue; // the test's own instrumentation, see above
          for (const [request, answers] of Object.entries(byRequest)) {
            assert.deepEqual(
              Object.keys(answers),
              ['closed'],
              `run ${run}: port ${port} ${request}: ${JSON.stringify(answers)}`,
            );
          }
        }
        assert.ok(
          Object.values(onServer).reduce((n, a) => n + (a.closed ?? 0), 0) >= 6,
          `run ${run}: every kind of request was tried on the server`,
        );
      }
    } finally {
      await removeUser(victim);
      await removeUser(attacker);
    }
  },
);

/** The display variables the viewer and every graphns here run with (they key a window's socket). */
const DISPLAY_ENV = {
  ...(process.env.DISPLAY !== undefined && { DISPLAY: process.env.DISPLAY }),
  ...(process.env.WAYLAND_DISPLAY !== undefined && {
    WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY,
  }),
};

/** Run `argv` as `as` (setpriv), with `env`; resolves with its exit code, stdout and stderr. */
function runAs(
  as: TestUser,
  argv: string[],
  env: NodeJS.ProcessEnv,
): { done: Promise<{ code: number | null; out: string; err: string }>; child: ChildProcess } {
  const child = spawn(
    'setpriv',
    [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--init-groups', ...argv],
    { env: { PATH: process.env.PATH, ...env }, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  child.stderr!.on('data', (d: string) => (err += d));
  return { child, done: new Promise((r) => child.once('exit', (code) => r({ code, out, err }))) };
}

/** A second graphns --open FILE as `as`: handoffs on for headless windows; a window of its own would end at once. */
function secondGraphns(as: TestUser, file: string) {
  return runAs(
    as,
    [
      process.execPath,
      join(ROOT, 'dist', 'app', 'graphns.js'),
      '--shell',
      'browser',
      '--open',
      file,
    ],
    {
      ...DISPLAY_ENV,
      HOME: `/home/${as.name}`,
      GRAPHNS_HANDOFF: '1',
      GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS,
      GRAPHNS_BROWSER: '/bin/true',
    },
  ).done;
}

/** A directory of snapshot files every user can read: `name` -> path. */
function snapshots(dir: string, names: string[]): Record<string, string> {
  chmodSync(dir, 0o755);
  const out: Record<string, string> = {};
  for (const name of names) {
    const m = syntheticModel(30);
    m.host.hostname = name;
    out[name] = join(dir, `${name}.json`);
    writeFileSync(out[name], serializeModel(m), { mode: 0o644 });
  }
  return out;
}

const openedCount = async (page: Page) =>
  Number(await page.evaluate(() => document.documentElement.dataset.opens ?? 0));

test(
  'another local user cannot push a snapshot into a victim’s window',
  { skip, timeout: 240_000 },
  async () => {
    let victim: TestUser | undefined;
    let attacker: TestUser | undefined;
    let viewer: Viewer | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'graphns-push-'));
    try {
      victim = makeUser();
      attacker = makeUser();
      const files = snapshots(dir, ['base', 'evil', 'mine']);
      viewer = await launchViewer(['--open', files.base!], {
        ...DISPLAY_ENV,
        SUDO_UID: String(victim.uid),
        SUDO_GID: String(victim.gid),
        SUDO_USER: victim.name,
        GRAPHNS_HANDOFF: '1',
      });
      const { page } = viewer;
      const rendezvous = `/tmp/graphns-${victim.uid}`;
      const deadline = Date.now() + 30_000;
      let sockets: string[] = [];
      while (sockets.length === 0 && Date.now() < deadline) {
        sockets = existsSync(rendezvous)
          ? readdirSync(rendezvous).filter((n) => n.endsWith('.sock'))
          : [];
        if (sockets.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(sockets.length, 1, 'the victim’s window listens');
      const sock = join(rendezvous, sockets[0]!);

      // 1. the attacker's own graphns --open: it finds no window of theirs, never the victim's
      const own = await secondGraphns(attacker, files.evil!);
      assert.notEqual(own.code, 0, own.err);
      assert.doesNotMatch(own.err, /is shown in the viewer window/);
      // 2. straight at the victim's socket, knowing its path: the kernel refuses
      const attempt = `
        const fs = require('fs'), net = require('net');
        const out = {};
        try { fs.readdirSync(${JSON.stringify(rendezvous)}); out.list = 'read'; } catch (e) { out.list = e.code; }
        try { fs.writeFileSync(${JSON.stringify(join(rendezvous, 'x'))}, ''); out.write = 'written'; } catch (e) { out.write = e.code; }
        const s = net.connect(${JSON.stringify(sock)}, () => {
          out.connect = 'connected';
          s.end('{"t":"snapshot","name":"evil.json","bytes":2}\\n{}');
        });
        s.on('data', (d) => (out.answer = String(d)));
        s.on('error', (e) => (out.connect = e.code));
        s.on('close', () => process.stdout.write(JSON.stringify(out)));`;
      const direct = await runAs(attacker, [process.execPath, '-e', attempt], {}).done;
      assert.deepEqual(JSON.parse(direct.out), {
        list: 'EACCES',
        write: 'EACCES',
        connect: 'EACCES',
      });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await openedCount(page), 0, 'nothing was shown in the victim’s window');

      // the victim's own second graphns still gets through
      const mine = await secondGraphns(victim, files.mine!);
      assert.equal(mine.code, 0, mine.err);
      await page.waitForFunction(() => document.documentElement.dataset.opens === '1');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.opened), 'mine.json');
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
      if (victim) rmSync(`/tmp/graphns-${victim.uid}`, { recursive: true, force: true });
      await removeUser(victim);
      await removeUser(attacker);
    }
  },
);

test(
  'a rendezvous another user made first gets nothing: neither the window nor the sender uses it',
  { skip, timeout: 240_000 },
  async () => {
    let victim: TestUser | undefined;
    let attacker: TestUser | undefined;
    let viewer: Viewer | undefined;
    let trap: ChildProcess | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'graphns-squat-'));
    try {
      victim = makeUser();
      attacker = makeUser();
      const files = snapshots(dir, ['base', 'secret']);
      // the attacker makes the victim's directory first, open to all, with a socket named as the
      // victim's window's would be, and records whatever comes
      const rendezvous = `/tmp/graphns-${victim.uid}`;
      const bait = join(rendezvous, `viewer-${displayKey(DISPLAY_ENV)}-1.sock`);
      const trapScript = `
        const fs = require('fs'), net = require('net');
        fs.mkdirSync(${JSON.stringify(rendezvous)}, { mode: 0o755 });
        fs.chmodSync(${JSON.stringify(rendezvous)}, 0o755);
        let connections = 0, bytes = 0;
        const s = net.createServer((c) => { connections++; c.on('data', (d) => (bytes += d.length)); });
        s.listen(${JSON.stringify(bait)}, () => { fs.chmodSync(${JSON.stringify(bait)}, 0o777); process.stderr.write('listening\\n'); });
        process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ connections, bytes })); process.exit(0); });`;
      const t = runAs(attacker, [process.execPath, '-e', trapScript], {});
      trap = t.child;
      await new Promise<void>((resolve) =>
        t.child.stderr!.on('data', (d: string) => d.includes('listening') && resolve()),
      );
      assert.equal(statSync(rendezvous).uid, attacker.uid);

      viewer = await launchViewer(['--open', files.base!], {
        ...DISPLAY_ENV,
        SUDO_UID: String(victim.uid),
        SUDO_GID: String(victim.gid),
        SUDO_USER: victim.name,
        GRAPHNS_HANDOFF: '1',
      });
      const { page } = viewer;
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      const said = () => viewer!.stderr();
      const deadline = Date.now() + 30_000;
      while (!/snapshots cannot be handed to this window/.test(said()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(
        said(),
        new RegExp(
          `snapshots cannot be handed to this window: ${rendezvous} belongs to uid ${attacker.uid}, not ${victim.uid}`,
        ),
      );
      // the victim's second graphns will not send its snapshot there
      const second = await secondGraphns(victim, files.secret!);
      assert.match(
        second.err,
        new RegExp(
          `not handing the snapshot to an open window: ${rendezvous} belongs to uid ${attacker.uid}`,
        ),
      );
      assert.doesNotMatch(second.err, /is shown in the viewer window/);
      trap.kill('SIGTERM');
      const caught = await t.done;
      assert.deepEqual(
        JSON.parse(caught.out),
        { connections: 0, bytes: 0 },
        'not a byte to the trap',
      );
      assert.equal(await openedCount(page), 0);
    } finally {
      trap?.kill('SIGTERM');
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
      if (victim) rmSync(`/tmp/graphns-${victim.uid}`, { recursive: true, force: true });
      await removeUser(victim);
      await removeUser(attacker);
    }
  },
);
