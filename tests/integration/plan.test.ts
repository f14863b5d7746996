/**
 * Child plans that end with their parent (main/shell/plan.ts commandOf):
 * the argv they run by, and, for real, a child left behind or not when the
 * process that spawned it is killed with SIGKILL (no handler of ours runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandOf, SETPRIV, type ChildPlan } from '../../main/shell/plan';
import { HANG_MS } from '../helpers/need';
import { isRunning } from '../helpers/proc';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const plan: ChildPlan = { program: '/usr/bin/sleep', args: ['60'], env: {}, fds: ['null'] };

test('commandOf: a plan that ends with its parent runs through setpriv --pdeathsig, others as they are', () => {
  assert.deepEqual(commandOf(plan), ['/usr/bin/sleep', ['60']]);
  assert.deepEqual(commandOf({ ...plan, endsWithParent: true }), [
    SETPRIV,
    ['--pdeathsig', 'TERM', '--', '/usr/bin/sleep', '60'],
  ]);
  // a system without setpriv: the plan as it is (it still runs)
  assert.deepEqual(commandOf({ ...plan, endsWithParent: true }, '/nonexistent/setpriv'), [
    '/usr/bin/sleep',
    ['60'],
  ]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The command line of `pid`, or undefined when it is gone. */
function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * Whether a SIGTERM is queued for `pid` (its shared or its own pending set
 * in /proc/PID/status); false when it is gone. A fatal signal stays in the
 * shared set while the process dies (the kernel turns it into a group exit
 * when it is sent), until the process is reaped.
 */
function termPending(pid: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return false;
  }
  const bit = 1n << 14n; // SIGTERM is 15: bit 14 of the masks
  return ['SigPnd', 'ShdPnd'].some((f) => {
    const hex = new RegExp(`^${f}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & bit) !== 0n;
  });
}

/**
 * Spawn `p` from a middle process, SIGKILL the middle, and once the middle
 * is reaped say what became of `p`: `ended` when it is gone or its end is
 * on the way (a SIGTERM queued: the kernel sends the parent-death signal
 * as the parent exits, before it can be reaped), else it stays (running,
 * nothing queued that would end it). No time decides it.
 */
async function afterKilledParent(p: ChildPlan): Promise<{ pid: number; ended: boolean }> {
  const script = `
    const { spawnPlan } = await import(${JSON.stringify(`${ROOT}main/shell/plan.ts`)});
    const c = spawnPlan(${JSON.stringify(p)});
    c.once('spawn', () => console.log(c.pid));
    setInterval(() => {}, 1000);`;
  const middle = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    middle.stdout!.setEncoding('utf8');
    middle.stdout!.once('data', (d: string) => resolve(Number(d.trim())));
    middle.once('exit', (code) => reject(new Error(`middle exited (${code})`)));
  });
  // the child has exec'd its program (setpriv execs in place): a state, however long it takes
  for (;;) {
    const cmdline = cmdlineOf(pid);
    if (cmdline === undefined) throw new Error(`the child ${pid} ended before it ran ${p.program}`);
    if (cmdline.startsWith(p.program)) break;
    await sleep(10);
  }
  middle.kill('SIGKILL');
  await new Promise((r) => middle.once('exit', r));
  return { pid, ended: !isRunning(pid) || termPending(pid) };
}

test(
  'a child that ends with its parent goes when the parent is SIGKILLed; one that does not, stays',
  { timeout: HANG_MS },
  async () => {
    const ends = await afterKilledParent({ ...plan, endsWithParent: true });
    assert.equal(ends.ended, true, `pid ${ends.pid} outlived its killed parent`);
    // and it does go (the test's timeout is the guard against a hang here)
    while (isRunning(ends.pid)) await sleep(10);
    // the control: the same child without it is left behind (so the check above can fail)
    const stays = await afterKilledParent(plan);
    try {
      assert.equal(stays.ended, false, 'a plain child outlives its parent');
    } finally {
      if (isRunning(stays.pid)) process.kill(stays.pid, 'SIGKILL');
    }
  },
);
