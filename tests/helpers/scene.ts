/**
 * Real namespace scenes for tests: processes started with unshare(1),
 * tracked by PID and killed (only those) when the scene is torn down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { HANG_MS, inCI, isRoot, unmetNeed } from './need';
import { commOf, descendantNamed } from './proc';

export { HANG_MS, inCI, isRoot, unmetNeed };

/** Skip reason for tests needing root, or false when we are root (under CI=true: a failure). */
export const needRoot: string | false = unmetNeed(
  isRoot ? false : 'needs root to create namespaces with unshare (run the suite with sudo)',
);

/** The inode in a /proc/PID/ns/TYPE link, read from the kernel's link text. */
export function nsInode(pid: number | 'self', type: string): number {
  const link = readlinkSync(`/proc/${pid}/ns/${type}`);
  const m = /^[a-z_]+:\[(\d+)\]$/.exec(link);
  if (!m) throw new Error(`unexpected ns link ${link}`);
  return Number(m[1]);
}

/** The inode of a path by stat(), for bind-mounted namespace files. */
export function inodeOf(path: string): number {
  return statSync(path).ino;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running process started by a scene. */
export interface SceneProcess {
  /** PID of the process that ends up running `comm` (after unshare exec()s or forks). */
  pid: number;
  /** The spawned child (unshare itself when it forks). */
  child: ChildProcess;
}

/** A set of processes a test started, torn down together. */
export class Scene {
  readonly procs: SceneProcess[] = [];

  /**
   * Start `argv` and wait until a process named `waitComm` runs as the
   * spawned process or one of its descendants (unshare --fork, nested
   * unshares). Returns that process; throws when the spawned process ends
   * first. The wait is for those states, not for a time: `hangMs` (at
   * least HANG_MS, whatever a caller passes) only ends a start that hangs,
   * neither running `waitComm` nor ending.
   */
  async start(
    argv: string[],
    waitComm = 'sleep',
    hangMs = HANG_MS,
    /** Look for `waitComm` only in the spawned process itself, not its descendants. */
    selfOnly = false,
  ): Promise<SceneProcess> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty argv');
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const proc: SceneProcess = { pid: -1, child };
    this.procs.push(proc);
    const deadline = Date.now() + Math.max(hangMs, HANG_MS);
    while (Date.now() < deadline) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) break;
      const found = selfOnly
        ? commOf(child.pid) === waitComm
          ? child.pid
          : undefined
        : this.#find(child.pid, waitComm);
      if (found !== undefined) {
        proc.pid = found;
        return proc;
      }
      await sleep(5);
    }
    const how =
      child.pid === undefined
        ? 'it could not be spawned'
        : child.exitCode !== null || child.signalCode !== null
          ? `it ended (${child.exitCode ?? child.signalCode})`
          : `still starting after ${Math.max(hangMs, HANG_MS)} ms`;
    throw new Error(`${argv.join(' ')} did not start ${waitComm}, ${how}: ${stderr.trim()}`);
  }

  #find(root: number, name: string): number | undefined {
    return commOf(root) === name ? root : descendantNamed(root, name);
  }

  /** Kill one process this scene started, and wait until the kernel reaped it. */
  async kill(p: SceneProcess): Promise<void> {
    const running = p.child.exitCode === null && p.child.signalCode === null;
    const exited = running ? new Promise((r) => p.child.once('exit', r)) : Promise.resolve();
    if (p.pid > 0 && p.pid !== p.child.pid) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (running) p.child.kill('SIGKILL');
    await exited;
    this.procs.splice(this.procs.indexOf(p), 1);
  }

  /** Kill exactly the processes this scene started (and the ones they forked). */
  async teardown(): Promise<void> {
    for (const p of this.procs) {
      if (p.pid > 0 && p.pid !== p.child.pid) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      if (p.child.exitCode === null && p.child.signalCode === null) {
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.kill('SIGKILL');
        await exited;
      }
    }
    this.procs.length = 0;
  }
}

/** Number of open fds of this process, from /proc/self/fd. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}
