/**
 * The /proc files a rescan series keeps open (main/discover/held.ts), seen
 * from the kernel's side: our own /proc/self/fd links. A series holds a
 * process's stat, schedstat and cgroup file; the next scan after the
 * process ends holds none of them; a child we start inherits none; once
 * the series' models are garbage, every one is closed; and a series
 * object (main/discover/series.ts) reuses what did not change and lets go
 * of them at once when closed, with no garbage collection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { discover, discoverySeries } from '../../main/discover';
import { rescanStats } from '../../main/discover/memo';
import type { Model } from '../../main/model';
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
  'a rescan series holds each process’s stat, schedstat and cgroup, and lets go of them',
  { skip: needRoot },
  async () => {
    assert.deepEqual(heldFor(), [], 'nothing held before a series');
    discover(); // a plain scan holds nothing
    assert.deepEqual(heldFor(), []);

    const child = spawn('sleep', ['infinity'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    while (readlinkSync(`/proc/${child.pid}/exe`).endsWith('/node')) await sleep(5);
    // held in an object, so dropping it below is a write the linter sees read
    const series: { model: Model | undefined } = { model: discover({ rescan: true }) };
    assert.deepEqual(heldFor(child.pid), ['cgroup', 'schedstat', 'stat']);

    // close-on-exec: a child of ours sees none of them
    const r = spawnSync('sh', ['-c', 'ls -l /proc/$$/fd'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stdout, /\/proc\/\d+\/(stat|schedstat|cgroup)$/m);

    child.kill('SIGKILL');
    await exited;
    await sleep(30);
    series.model = discover({ previous: series.model });
    assert.ok(!series.model.processes.some((p) => p.pid === child.pid));
    assert.deepEqual(heldFor(child.pid), [], 'an ended process’s files are closed');
    assert.ok(heldFor().length > 0, 'the others are still held');

    // the series ends when its models are garbage
    series.model = undefined;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 50 && heldFor().length > 0; i++) {
      gc();
      await sleep(20);
    }
    assert.deepEqual(heldFor(), []);
  },
);

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
