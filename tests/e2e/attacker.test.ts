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
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../helpers/scene';
import { descendantsOf, makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
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
