/**
 * The benchmarks' scene: N extra `unshare -Urn sleep infinity` processes
 * (a user and a network namespace each), ready when every child runs
 * sleep, and ended (SIGKILL, reaped) afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Start `n` processes with a user and a net namespace each; resolves when all run sleep. */
export async function buildScene(n: number): Promise<ChildProcess[]> {
  const kids: ChildProcess[] = [];
  for (let i = 0; i < n; i++)
    kids.push(spawn('unshare', ['-Urn', 'sleep', 'infinity'], { stdio: 'ignore' }));
  // ready when every child runs sleep (unshare exec()s it in place)
  for (const k of kids) {
    for (;;) {
      let comm = '';
      try {
        comm = readFileSync(`/proc/${k.pid}/comm`, 'utf8').trim();
      } catch {
        /* not yet */
      }
      if (comm === 'sleep') break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  return kids;
}

/** Kill the scene and wait until every child is reaped. */
export async function teardown(kids: ChildProcess[]): Promise<void> {
  await Promise.all(
    kids.map(
      (k) =>
        new Promise((r) =>
          k.exitCode !== null ? r(null) : (k.once('exit', r), k.kill('SIGKILL')),
        ),
    ),
  );
}
