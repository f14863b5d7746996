/**
 * A discovery series (main/discover/series.ts): its scans reuse what the
 * one before proved unchanged, and it lets go of the /proc files it holds
 * when closed, at once, with no garbage collection (seen from the
 * kernel's side: our own /proc/self/fd links).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { discover, discoverySeries } from '../../main/discover';
import { rescanStats } from '../../main/discover/memo';
import { needRoot } from '../helpers/scene';

/** Our fds whose link names a file under /proc/PID/ (of any PID when pid is omitted). */
function heldFor(pid?: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^\/proc\/(\d+)\/(stat|schedstat|cgroup)$/.exec(link);
    if (m && (pid === undefined || Number(m[1]) === pid)) out.push(m[2]!);
  }
  return out.sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'a series reuses what did not change, and close() lets go of its files at once',
  { skip: needRoot },
  async () => {
    assert.deepEqual(heldFor(), [], 'nothing held before a series');
    const child = spawn('sleep', ['infinity'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      while (readlinkSync(`/proc/${child.pid}/exe`).endsWith('/node')) await sleep(5);
      const series = discoverySeries();
      const first = series.scan();
      assert.ok(first.processes.some((p) => p.pid === child.pid));
      assert.deepEqual(rescanStats(first)!.processes, [], 'the first scan is a fresh one');
      assert.deepEqual(heldFor(child.pid), ['cgroup', 'schedstat', 'stat']);

      await sleep(30); // rest.ts: a rescan within 25 ms of its scan reuses no process
      const second = series.scan();
      assert.ok(
        rescanStats(second)!.processes.includes(child.pid!),
        'the sleeping child is reused',
      );
      const fresh = discover();
      const sleeper = (m: typeof fresh) => m.processes.find((p) => p.pid === child.pid);
      assert.deepEqual(sleeper(second), sleeper(fresh));

      assert.equal(series.closed, false);
      series.close();
      assert.equal(series.closed, true);
      assert.deepEqual(heldFor(), [], 'closed: nothing held, no garbage collection needed');
      assert.throws(() => series.scan(), /closed/);

      // a model of a closed series still serves as `previous`, holding nothing
      const after = discover({ previous: second });
      assert.ok(after.processes.some((p) => p.pid === child.pid));
      assert.deepEqual(heldFor(), []);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  },
);

test(
  'Symbol.dispose closes a series (`using series = discoverySeries()`)',
  { skip: needRoot },
  () => {
    const series = discoverySeries({ containers: false });
    series.scan();
    assert.ok(heldFor().length > 0);
    series[Symbol.dispose]();
    assert.deepEqual(heldFor(), []);
  },
);
