/**
 * What a test needs and this machine may lack, as a skip reason that under
 * CI=true is a failure instead. No other import: unit tests use it without
 * the scene builder (whose `needRoot` is decided as it loads).
 */

/**
 * How long a wait for a state (a process started, a daemon answering, a
 * child gone) may take before it counts as hung: a guard against a hang
 * only, never a budget for a slow machine (a loaded 2-core machine running
 * the suite two files at a time is slow). Waits end on the state they wait
 * for, or on a state that shows it will never come (the process ended).
 */
export const HANG_MS = 120_000;

/** True when running as root, which the namespace tests need. */
export const isRoot = process.geteuid?.() === 0;

/** Whether this is CI's run (CI=true, as .ci/run sets): every test there must run. */
export const inCI = process.env.CI === 'true';

/**
 * What a test needs and this machine lacks (root, a package, an engine
 * that would not start, a second user), as node:test's skip reason, or
 * false when nothing is missing. Under CI=true it throws instead: a green
 * CI must mean the test ran. In `{ skip: unmetNeed(why) }` the test file
 * then fails as it loads; in a test, `if (why) return t.skip(unmetNeed(why))`
 * fails that test (given a reason, a non-empty string, it returns that).
 */
export function unmetNeed(why: string): string;
export function unmetNeed(why: string | false | undefined): string | false;
export function unmetNeed(why: string | false | undefined): string | false {
  if (!why) return false;
  if (inCI) throw new Error(`under CI=true this test must run, not skip: ${why}`);
  return why;
}
