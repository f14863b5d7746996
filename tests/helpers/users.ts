/**
 * Throwaway users and process trees for the tests that act as someone
 * else (privilege drop, a second local user attacking): make a user,
 * remove it with whatever of theirs still runs, and read who runs what
 * from /proc.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';

/** Skip reason when no throwaway user can be made here, or false. */
export const noUseradd = existsSync('/usr/sbin/useradd')
  ? false
  : 'no useradd to make throwaway users (apt-get install passwd)';

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

/**
 * Remove `user` and their home. Whatever of theirs still runs (a browser's
 * helpers outlive it by a moment) goes first: userdel refuses while they
 * run. A failure is reported, not thrown, so it cannot hide the test's own.
 */
export async function removeUser(user: TestUser | undefined): Promise<void> {
  if (!user) return;
  for (let i = 0; i < 100 && processesOf(user.uid).length > 0; i++) {
    if (i === 40) {
      for (const pid of processesOf(user.uid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
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
