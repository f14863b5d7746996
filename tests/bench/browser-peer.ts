/**
 * The viewer benchmark's peer: the same Chromium the browser shell runs,
 * with the same flags (browserArgs() plus the benchmark's headless
 * GRAPHNS_BROWSER_ARGS, a fresh profile, the sandbox off as root), started
 * on a trivial page served by a trivial local server. It measures the time
 * from spawning the browser to its first request: what Chromium itself
 * costs before any page of ours could even be asked for.
 */
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserArgs, splitArgs } from '../../main/shell/browser/find';
import { windowEnv } from '../../main/shell/plan';

/** Wait until no process of group `pgid` is left (the browser's helpers outlive it briefly). */
async function groupGone(pgid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Milliseconds from spawning `browser` (with `extra` flags, as
 * GRAPHNS_BROWSER_ARGS gives them to the viewer) to its first request of
 * a trivial page; the browser and its profile are gone when it resolves.
 */
export async function browserFirstRequestMs(
  browser: string,
  extra: string,
  /** Run it as this user, as the viewer's window runs under sudo (the sandbox then on). */
  as?: { uid: number; gid: number; home: string },
): Promise<number> {
  let firstAt = 0;
  let hit: () => void = () => undefined;
  const first = new Promise<void>((r) => (hit = r));
  const server = createServer((_req, res) => {
    if (!firstAt) {
      firstAt = performance.now();
      hit();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>peer</title><link rel="icon" href="data:,">hello\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const profile = mkdtempSync(join(tmpdir(), 'graphns-bench-peer-'));
  if (as) chownSync(profile, as.uid, as.gid);
  try {
    const args = browserArgs({
      url: `http://127.0.0.1:${port}/`,
      userDataDir: profile,
      asRoot: !as && process.geteuid?.() === 0,
      extra: splitArgs(extra),
    });
    const t0 = performance.now();
    // as the browser shell spawns it (browserPlan): own process group, no stdin/stdout
    const child = spawn(browser, args, {
      env: windowEnv(as ? { ...process.env, HOME: as.home } : process.env),
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
      ...(as ? { uid: as.uid, gid: as.gid, cwd: as.home } : {}),
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`${browser} exited (${code}) before a request`)),
      );
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${browser}: no request in 60 s`)), 60_000).unref(),
    );
    try {
      await Promise.race([first, failed, timeout]);
    } finally {
      child.removeAllListeners('exit');
      failed.catch(() => undefined);
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
        await groupGone(child.pid);
      }
    }
    return firstAt - t0;
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
