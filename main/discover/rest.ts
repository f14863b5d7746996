/**
 * When a process provably did not run between two scans (memo.ts says why
 * that lets a rescan reuse what it read of it): the same start time, the
 * same /proc/PID/schedstat line, not running when either was read, and
 * scans far enough apart on a machine whose every CPU ticks.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ProcMemo } from './memo';
import type { ReadStop } from './procfs';

/** States in which a process may be on a CPU right now: never proof of rest. */
export const RUNNING_STATES = new Set(['R']);

/** Two timer ticks at HZ=100, the slowest periodic tick Linux has. */
export const MIN_RESCAN_GAP_MS = 25;

/**
 * Whether a process cannot have run since it was last read: same start
 * time (so the same process, not a new one on a reused PID) and the same
 * schedstat line (ns on a CPU, ns waiting for one, times put on one). The
 * caller also requires that neither stat line, each read just after its
 * schedstat, said R (running or about to run).
 *
 * Why that is proof: the kernel adds to the run time whenever the process
 * leaves a CPU and at every timer tick while it is on one, and counts every
 * time it is put on one. To run in between without changing the line, a
 * process would have to be on a CPU from before the first read until after
 * the second with no tick in between; restProvable refuses rescans less
 * than MIN_RESCAN_GAP_MS (more than two ticks at the slowest HZ, 100)
 * after their scan, and tickless (nohz_full) machines altogether. What the
 * process did before the first read is in what that scan read next (its
 * links come after).
 *
 * What the process itself did not do is not covered, which is why its
 * cgroup, parent, fds and mounts are reread. One thing is not reread: its
 * command line, which someone else could rewrite in its memory (ptrace,
 * /proc/PID/mem, process_vm_writev, or asynchronous I/O it started landing
 * in its argv); a rescan shows the old name until the process next runs.
 */
export function unchangedSince(prev: ProcMemo, sched: string, start: number): boolean {
  return prev.start === start && prev.sched === sched;
}

/** Where the CPUs are described; nohz_full is there on kernels built with NO_HZ_FULL. */
const CPU_DIR = '/sys/devices/system/cpu';

/** Whether a CPU runs without the periodic tick, by the sysfs directory read (a boot parameter: it never changes). */
const tickless = new Map<string, boolean>();

/**
 * Whether an unchanged schedstat line can prove a process did not run
 * since a scan that ended at `lastAt` (performance.now()): the kernel must
 * update it at least every 10 ms while a process runs, so the scans must
 * be further apart than that, and no CPU may be tickless (nohz_full, where
 * a running process is looked at once a second).
 */
export function restProvable(lastAt: number, cpuDir = CPU_DIR): boolean {
  if (performance.now() - lastAt < MIN_RESCAN_GAP_MS) return false;
  let nohz = tickless.get(cpuDir);
  if (nohz === undefined) tickless.set(cpuDir, (nohz = isTickless(cpuDir)));
  return !nohz;
}

function isTickless(cpu: string): boolean {
  try {
    // the file exists only on kernels built with NO_HZ_FULL; "(null)" or empty: none
    if (!existsSync(`${cpu}/nohz_full`)) return !existsSync(cpu); // no sysfs: cannot tell
    const list = readFileSync(`${cpu}/nohz_full`, 'latin1').trim();
    return list !== '' && list !== '(null)';
  } catch {
    return true;
  }
}

/**
 * /proc/PID/schedstat (`run_ns wait_ns timeslices`) through `read`, or
 * undefined when it cannot prove anything: unreadable, or all zero
 * (scheduler statistics off).
 */
export function readSched(dir: string, read: (path: string, stop: ReadStop) => Buffer) {
  let text: string;
  try {
    text = read(`${dir}/schedstat`, 'whole').toString('latin1');
  } catch {
    return undefined;
  }
  return /^\d+ \d+ [1-9]\d*\n$/.test(text) ? text : undefined;
}
