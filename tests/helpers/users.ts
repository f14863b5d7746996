/**
 * Throwaway users and process trees for the tests that act as someone
 * else (privilege drop, a second local user attacking): make a user,
 * remove it with whatever of theirs still runs, and read who runs what
 * from /proc.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { unmetNeed } from './scene';

/** Skip reason when no throwaway user can be made here, or false (under CI=true: a failure). */
export const noUseradd = unmetNeed(
  existsSync('/usr/sbin/useradd')
    ? false
    : 'no useradd to make throwaway users (apt-get install passwd)',
);

/** A user made for one test. */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

/** Make a user with a home directory. */
export function makeUser(): TestUser {
  const name = `gns${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
  return { name, uid, gid };
}

/** The pids of processes running as `uid`. */
export function processesOf(uid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return statSync(`/proc/${pid}`).uid === uid;
      } catch {
        return false;
      }
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether none of `uid`'s processes is left, waiting up to `ms` for it. */
async function noneLeft(uid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processesOf(uid).length > 0) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Remove `user` and their home. Whatever of theirs still runs (a browser's
 * helpers outlive it by a moment) goes first: userdel refuses while they
 * run. What has not ended by itself in 2 s is killed, and then awaited
 * until it is gone (a minute, only against a hang: a loaded machine may
 * take a while to reap). A failure is reported, not thrown, so it cannot
 * hide the test's own.
 */
export async function removeUser(user: TestUser | undefined): Promise<void> {
  if (!user) return;
  if (!(await noneLeft(user.uid, 2000))) {
    for (const pid of processesOf(user.uid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await noneLeft(user.uid, 60_000);
  }
  try {
    execFileSync('userdel', ['--remove', user.name], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`test: could not remove user ${user.name}\n`);
  }
}

/** A user as a login gives them: with their runtime directory /run/user/UID (0700, theirs). */
export function makeSessionUser(): TestUser {
  const user = makeUser();
  const run = `/run/user/${user.uid}`;
  mkdirSync(run, { recursive: true, mode: 0o700 });
  chownSync(run, user.uid, user.gid);
  return user;
}

/**
 * Remove a session user: their /run/user/UID first, while the uid is still
 * theirs (once userdel frees it, a test running beside may be given the
 * same uid and its own /run/user/UID), then whatever of theirs runs, then
 * the user.
 */
export async function removeSessionUser(user: TestUser | undefined): Promise<void> {
  if (!user) return;
  try {
    rmSync(`/run/user/${user.uid}`, { recursive: true, force: true, maxRetries: 5 });
  } finally {
    await removeUser(user);
  }
}

export { childrenOf, descendantsOf } from './proc';
