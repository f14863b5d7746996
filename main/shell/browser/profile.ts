/**
 * The browser window's private profile: one directory under $TMPDIR
 * (0700), holding everything Chromium writes (run.ts browserEnv), removed
 * when the viewer ends. A host killed outright (SIGKILL, the OOM killer)
 * runs no code to remove it, so each profile names the process that made it
 * (`owner`: PID and start time, which no later process on that PID shares),
 * and every new viewer removes the profiles of its own uid whose maker is
 * gone. Only directories this uid owns are touched, never followed through
 * a link: another user can plant names in /tmp, not directories of ours.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'graphns-browser-';
const OWNER = 'owner';

/** `<pid> <start time>` of a process, or undefined when it is gone. */
function identity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

/** Make a profile under `dir` naming this process as its maker. */
export function makeProfile(dir: string): string {
  const profile = mkdtempSync(join(dir, PREFIX)); // 0700, ours alone
  mkdirSync(join(profile, 'tmp'), { mode: 0o700 }); // the browser's TMPDIR (run.ts browserEnv)
  writeFileSync(join(profile, OWNER), `${identity(process.pid) ?? process.pid}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return profile;
}

/**
 * Remove the profiles under `dir` that this uid owns and whose maker no
 * longer runs; returns their paths. A profile without a readable owner
 * file (being made this instant) is left alone.
 */
export function sweepProfiles(dir: string, uid = process.getuid?.() ?? -1): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || st.uid !== uid) continue;
      const owner = lstatSync(join(path, OWNER));
      if (!owner.isFile() || owner.uid !== uid) continue;
      const made = readFileSync(join(path, OWNER), 'latin1').trim();
      const pid = Number(made.split(' ')[0]);
      if (!Number.isSafeInteger(pid) || pid <= 0 || identity(pid) === made) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to read: left alone
    }
  }
  return removed;
}
