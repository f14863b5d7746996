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

/** Spawn `p` from a middle process, SIGKILL the middle, and say whether `p` outlives it (2 s). */
async function outlivesKilledParent(p: ChildPlan): Promise<{ pid: number; outlived: boolean }> {
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
  // the child has exec'd its program (setpriv execs in place)
  for (
    let i = 0;
    i < 200 && !readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(p.program);
    i++
  )
    await new Promise((r) => setTimeout(r, 10));
  middle.kill('SIGKILL');
  await new Promise((r) => middle.once('exit', r));
  const deadline = Date.now() + 2000;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return { pid, outlived: isRunning(pid) };
}

test('a child that ends with its parent goes when the parent is SIGKILLed; one that does not, stays', async () => {
  const ends = await outlivesKilledParent({ ...plan, endsWithParent: true });
  assert.equal(ends.outlived, false, `pid ${ends.pid} outlived its killed parent`);
  // the control: the same child without it is left behind (so the check above can fail)
  const stays = await outlivesKilledParent(plan);
  try {
    assert.equal(stays.outlived, true, 'a plain child outlives its parent');
  } finally {
    if (isRunning(stays.pid)) process.kill(stays.pid, 'SIGKILL');
  }
});
