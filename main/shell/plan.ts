/**
 * Child-process plans: what the viewer starts, written down as plain data
 * (program, argv, environment, what each file descriptor of the child is)
 * before anything is spawned, so that tests can check every decision with
 * real values and the code that spawns is a one-liner over the plan.
 *
 * The rules the plans exist to keep:
 * - no secret in any argv or environment (other local users read
 *   /proc/PID/cmdline; environ is readable by the same uid only, but a
 *   secret there would still reach every descendant);
 * - the privileged pipe (the shell host's fd 3) reaches only the process
 *   that talks to the privileged side, never Chromium or its helpers: a
 *   child's fd 3 is either that pipe, on purpose, or /dev/null;
 * - variables that would change what a program is (ELECTRON_RUN_AS_NODE,
 *   NODE_OPTIONS, LD_PRELOAD) never reach a window.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

/** What one fd of the child is: inherited from us, /dev/null, a new pipe, or our fd N. */
export type FdPlan = 'inherit' | 'ignore' | 'pipe' | 'null' | number;

/** Everything about a child process that graphns decides. */
export interface ChildPlan {
  program: string;
  args: string[];
  /** The child's whole environment (never merged with ours). */
  env: NodeJS.ProcessEnv;
  /** fds 0, 1, 2, 3, ... of the child; fds not listed are closed by Node (O_CLOEXEC) unless inherited from our own parent. */
  fds: FdPlan[];
  cwd?: string;
  /** Its own process group (so all of it can be ended at once). */
  detached?: boolean;
  /**
   * The kernel sends it SIGTERM when the process that spawned it dies,
   * however that dies (SIGKILL, a crash, the OOM killer): a window must not
   * outlive the process that serves or feeds it. See commandOf.
   */
  endsWithParent?: boolean;
}

/** util-linux's setpriv (Debian's util-linux is essential: always there). */
export const SETPRIV = '/usr/bin/setpriv';

/**
 * The program and argv that run `plan`. A plan that ends with its parent
 * runs through `setpriv --pdeathsig TERM`, which sets PR_SET_PDEATHSIG and
 * execs the program: same PID, same process group, same argv in /proc.
 * Node cannot run code in a child between fork and exec, and libuv forks
 * from the main thread, whose end is the one the kernel watches. Where
 * setpriv is missing the plan runs as it is and a parent killed outright
 * leaves the window behind (the host still ends it on every other way out).
 */
export function commandOf(plan: ChildPlan, setpriv = SETPRIV): [program: string, args: string[]] {
  if (!plan.endsWithParent || !existsSync(setpriv)) return [plan.program, plan.args];
  return [setpriv, ['--pdeathsig', 'TERM', '--', plan.program, ...plan.args]];
}

/** Variables that turn a program into something else, dropped from every window's environment. */
export const NEVER_TO_A_WINDOW = ['ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS', 'LD_PRELOAD'] as const;

/** `env` without NEVER_TO_A_WINDOW. */
export function windowEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of NEVER_TO_A_WINDOW) delete out[k];
  return out;
}

/**
 * Node's stdio array for a plan. `'null'` maps to `'ignore'` for fds 0-2
 * (libuv opens /dev/null there) and to an opened /dev/null for fd 3 and
 * up, where libuv's `'ignore'` would leave whatever we inherited in place.
 */
export function stdioOf(fds: readonly FdPlan[], devNull: () => number): StdioOptions {
  return fds.map((f, i) => (f === 'null' ? (i < 3 ? 'ignore' : devNull()) : f));
}

/** Spawn a plan. */
export function spawnPlan(plan: ChildPlan): ChildProcess {
  let devNull = -1;
  const open = () => (devNull >= 0 ? devNull : (devNull = openSync('/dev/null', 'r+')));
  try {
    const [program, args] = commandOf(plan);
    return spawn(program, args, {
      env: plan.env,
      stdio: stdioOf(plan.fds, open),
      cwd: plan.cwd,
      detached: plan.detached ?? false,
    });
  } finally {
    if (devNull >= 0) closeSync(devNull); // the child has its own copy now
  }
}
