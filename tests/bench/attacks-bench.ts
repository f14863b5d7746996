/**
 * What a user's planted state costs root's scan (issue 17: with any of the
 * attacks in place, a scan stays within 2x its usual time and +200 MB). A
 * throwaway user plants, in their own places:
 * - 17 000 flatpak instance directories in /run/user/UID;
 * - 24 processes calling themselves conmon, each naming a storage root of
 *   theirs with a containers.json just under the user's byte budget (valid
 *   JSON of some 47 000 entries: the dearest to decode and parse) and a libpod
 *   database just under its 64 MiB cap;
 * and root's built `lsuserns --json` is timed (wall, peak RSS) before the
 * attacks, with them, and after they are removed (the two bare series
 * bracket the attacked one). Medians of R runs each. Run as root:
 *
 *   npm run build && node --import tsx tests/bench/attacks-bench.ts [--runs R]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USER_BYTES_PER_SCAN } from '../../main/discover/containers';
import { makeUser, removeSessionUser, type TestUser } from '../helpers/users';
import { compare, type Result } from './measure';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
const root = fileURLToPath(new URL('../../', import.meta.url));
const lsuserns = [process.execPath, join(root, 'dist/app/lsuserns.js'), '--json'];
const PYTHON = '/usr/bin/python3';

/** Run python `code` as `user`; throws on failure. */
function asUser(user: TestUser, code: string): void {
  const r = spawnSync(
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', PYTHON, '-c', code],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`planting failed: ${r.stderr}`);
}

/** Plant every attack; returns the user's long-running processes. */
function plant(user: TestUser, home: string): ChildProcess[] {
  const run = `/run/user/${user.uid}`;
  mkdirSync(run, { recursive: true, mode: 0o700 });
  chownSync(run, user.uid, user.gid);
  asUser(
    user,
    `import os\nfor i in range(17000):\n    d = '${run}/.flatpak/%d' % (100000 + i)\n` +
      `    os.makedirs(d, exist_ok=True)\n    open(d + '/pid', 'w').write('1')\n` +
      `    open(d + '/info', 'w').write('[Application]\\nname=x\\n')\n`,
  );
  const ids = Array.from({ length: 24 }, (_, i) => (i + 1).toString(16).padStart(64, 'e'));
  asUser(
    user,
    `import os\nids = ${JSON.stringify(ids)}\nfor i, id in enumerate(ids):\n` +
      `    g = '${home}/g%d' % i\n` +
      `    os.makedirs(g + '/vfs-containers/' + id + '/userdata')\n` +
      `    os.makedirs(g + '/libpod')\n` +
      `    e = '{"id":"%s","names":["n"]}' % ('f' * 64)\n` +
      `    n = (${USER_BYTES_PER_SCAN} - 16) // (len(e) + 1)\n` +
      `    open(g + '/vfs-containers/containers.json', 'w').write('[' + ','.join([e] * n) + ']')\n` +
      `    with open(g + '/libpod/bolt_state.db', 'wb') as f: f.truncate((64 << 20) - 16)\n`,
  );
  const py = join(home, 'mon.py');
  writeFileSync(
    py,
    "import os, time\nif os.fork() == 0: os.execv('/bin/sleep', ['sleep', '3600'])\ntime.sleep(3600)\n",
    { mode: 0o644 },
  );
  return ids.map((id, i) =>
    spawn(
      'setpriv',
      [
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        '--init-groups',
        'bash',
        '-c',
        `exec -a conmon ${PYTHON} ${py} -c ${id} -b ${home}/g${i}/vfs-containers/${id}/userdata`,
      ],
      { stdio: 'ignore' },
    ),
  );
}

const row = (what: string, r: Result, base: Result) =>
  `| ${what} | ${r.medianMs.toFixed(0)} | ${(r.medianMs / base.medianMs).toFixed(2)}x | ` +
  `${r.medianRssMiB.toFixed(0)} | ${(r.medianRssMiB - base.medianRssMiB).toFixed(0)} |`;

if (process.geteuid?.() !== 0) {
  console.error('attacks-bench: run as root');
  process.exitCode = 1;
} else {
  const user = makeUser();
  const home = `/tmp/graphns-attacks-${process.pid}`;
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, user.uid, user.gid);
  let mons: ChildProcess[] = [];
  let removed = false;
  try {
    if (args.includes('--hold')) {
      // plant, then wait for a line on stdin: to profile a scan by hand
      mons = plant(user, home);
      console.log(`planted for ${user.name}; press Enter to remove`);
      await new Promise((r) => process.stdin.once('data', r));
      throw new Error('held');
    }
    const [before] = compare([{ label: 'bare', argv: lsuserns }], runs);
    mons = plant(user, home);
    await new Promise((r) => setTimeout(r, 1000)); // a bench, not a test: the conmons settle
    const [attacked] = compare([{ label: 'attacked', argv: lsuserns }], runs);
    for (const m of mons) m.kill('SIGKILL');
    await removeSessionUser(user);
    removed = true;
    const [after] = compare([{ label: 'bare', argv: lsuserns }], runs);
    const base = before!.medianMs <= after!.medianMs ? before! : after!;
    console.log(`lsuserns --json, ${runs} runs each, medians`);
    console.log('| host | wall (ms) | against bare | peak RSS (MiB) | +MiB |');
    console.log('|---|---|---|---|---|');
    console.log(row('bare, before', before!, base));
    console.log(row('17 000 flatpak dirs + 24 conmons at the caps', attacked!, base));
    console.log(row('bare, after', after!, base));
  } finally {
    for (const m of mons) m.kill('SIGKILL');
    if (!removed) await removeSessionUser(user);
    rmSync(home, { recursive: true, force: true });
  }
}
