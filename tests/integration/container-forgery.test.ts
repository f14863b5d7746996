/**
 * Container names only from whom can know them: a throwaway unprivileged
 * user, given the delegated cgroups every su/ssh login here gets from
 * pam_cgfs (`/user/<name>/0`, owned by the user, in every hierarchy), tries
 * each forgery against real containers of root's (Docker, LXC, podman,
 * bubblewrap) and root's scan must see nothing of it:
 * - a cgroup `docker/<id of root's container>` or `lxc.payload.<root's LXC
 *   name>` of their own, with their process in it: the process stays the
 *   user's, outside root's container;
 * - a process calling itself `conmon -c <root's podman id> -n EVIL` in a
 *   cgroup named after that container: root's container keeps its name;
 * - a flatpak instance directory in their own /run/user/UID naming root's
 *   bwrap: root's sandbox stays bubblewrap's;
 * - 17 000 flatpak instance directories: read up to the budget, said once;
 * - 24 processes calling themselves conmon, each naming a storage root of
 *   the user's with a containers.json as large as the user's byte budget,
 *   nested 4 million deep, and a 64 MiB libpod database: read up to the
 *   budget, said once; the nesting refused before parsing.
 * Everything made here is removed by what it is: the user's processes by
 * uid, the cgroups by path, the containers by Engines.down().
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { discover } from '../../main/discover';
import { USER_BYTES_PER_SCAN } from '../../main/discover/containers';
import type { Model } from '../../main/model';
import { Engines, type EngineGroup } from '../helpers/engines';
import { commOf } from '../helpers/proc';
import { HANG_MS, Scene, needRoot, type SceneProcess } from '../helpers/scene';
import { makeUser, noUseradd, removeSessionUser, type TestUser } from '../helpers/users';

/** The parent of `pid` (0 when gone). */
function ppidOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

const GROUPS: readonly EngineGroup[] = ['docker', 'lxc', 'podman', 'bubblewrap'];
const PYTHON = '/usr/bin/python3';

/** The v1 hierarchies and the v2 one, as mounted here (a pure v2 host: /sys/fs/cgroup). */
function hierarchies(): string[] {
  const hs = readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join('/sys/fs/cgroup', e.name));
  return hs.length > 0 ? hs : ['/sys/fs/cgroup'];
}

/** rmdir a cgroup tree bottom-up (its processes must be gone). */
function rmCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) rmCgroup(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    /* still busy: reported by the assertion that made it */
  }
}

describe('forged container names as an unprivileged user', { skip: needRoot || noUseradd }, () => {
  let engines: Engines;
  let user: TestUser;
  const scene = new Scene();
  const delegated: string[] = [];
  let asUser: string[];

  before(async () => {
    engines = await Engines.up(GROUPS);
    user = makeUser();
    asUser = ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups'];
    // what pam_cgfs gives every login: /user/<name>/0 in each hierarchy, the user's own
    for (const h of hierarchies()) {
      const dir = join(h, 'user', user.name);
      mkdirSync(join(dir, '0'), { recursive: true });
      chownSync(dir, user.uid, user.gid);
      chownSync(join(dir, '0'), user.uid, user.gid);
      for (const f of ['cgroup.procs', 'tasks']) {
        const p = join(dir, '0', f);
        if (existsSync(p)) chownSync(p, user.uid, user.gid);
      }
      delegated.push(dir);
    }
  });
  after(async () => {
    // each step whatever the one before did: the engines must go down in every case
    // (a daemon left running keeps this test file alive)
    try {
      await scene.teardown();
    } finally {
      try {
        await removeSessionUser(user); // its /run/user/UID too, while the uid is still theirs
        for (const d of delegated) rmCgroup(d);
      } finally {
        await engines?.down();
      }
    }
  });

  /** Skip when a victim could not start (under CI, Engines.skip fails the test instead). */
  function victim(g: EngineGroup, t: { skip(why: string): void }): boolean {
    const why = engines.skip(g);
    if (!why) return true;
    t.skip(why);
    return false;
  }

  /**
   * As the user: make `rel` below their delegated cgroup in every hierarchy,
   * move into it (v1 allows that; v2 asks the common ancestor, which is
   * root's, so the v2 line stays), then exec `argv`.
   */
  async function inForgedCgroup(rel: string, argv: string[], comm: string): Promise<SceneProcess> {
    const dirs = delegated.map((d) => join(d, '0', rel));
    const script = [
      'set -e',
      ...dirs.map((d) => `mkdir -p '${d}' && (echo $$ > '${d}/cgroup.procs') 2>/dev/null || true`),
      `exec ${argv.map((a) => `'${a}'`).join(' ')}`,
    ].join('\n');
    return scene.start([...asUser, 'sh', '-c', script], comm, HANG_MS, true);
  }

  const containerOf = (m: Model, pid: number) =>
    m.containers.find((c) => c.key === m.processes.find((p) => p.pid === pid)?.container);

  test("a cgroup docker/<root's id> of the user's own does not put them into root's container", async (t) => {
    if (!victim('docker', t)) return;
    const web = engines.of('docker')[0]!;
    const p = await inForgedCgroup(`docker/${web.id}`, ['sleep', 'infinity'], 'sleep');
    try {
      const cg = spawnSync('cat', [`/proc/${p.pid}/cgroup`], { encoding: 'utf8' }).stdout;
      assert.ok(cg.includes(`/user/${user.name}/0/docker/${web.id}`), `moved: ${cg}`);
      const m = discover();
      assert.equal(containerOf(m, p.pid), undefined, "the user's process is in no container");
      const c = containerOf(m, web.pid);
      assert.equal(c?.name, web.name, "root's container keeps its name");
      assert.ok(!c!.pids.includes(p.pid), "and none of the user's processes");
    } finally {
      await scene.kill(p);
    }
  });

  test("a cgroup lxc.payload.<root's LXC name> of the user's own does not join root's LXC", async (t) => {
    if (!victim('lxc', t)) return;
    const box = engines.of('lxc')[0]!;
    const p = await inForgedCgroup(`lxc.payload.${box.name}`, ['sleep', 'infinity'], 'sleep');
    try {
      const m = discover();
      assert.equal(containerOf(m, p.pid), undefined);
      assert.equal(containerOf(m, box.pid)?.name, box.name);
    } finally {
      await scene.kill(p);
    }
  });

  test("a process calling itself conmon for root's podman container renames nothing", async (t) => {
    if (!victim('podman', t)) return;
    const web = engines.of('podman').find((c) => !c.sandbox)!;
    // re-exec as `conmon -c <id> -n EVIL`, in a cgroup named after the container
    const py = `/tmp/graphns-fake-conmon-${process.pid}.py`; // the user must read it
    writeFileSync(
      py,
      "open('/proc/self/comm', 'w').write('fakemon')\nimport time\ntime.sleep(3600)\n",
      { mode: 0o644 },
    );
    const p = await inForgedCgroup(
      `libpod_parent/libpod-${web.id}`,
      ['bash', '-c', `exec -a conmon ${PYTHON} ${py} -c ${web.id} -n EVIL`],
      'fakemon',
    );
    rmSync(py, { force: true });
    try {
      assert.equal(commOf(p.pid), 'fakemon');
      const m = discover();
      assert.equal(containerOf(m, web.pid)?.name, web.name, "root's container keeps its name");
      assert.equal(containerOf(m, p.pid), undefined);
      assert.ok(!m.containers.some((c) => c.name === 'EVIL'), 'no container is named EVIL');
    } finally {
      await scene.kill(p);
    }
  });

  test("a flatpak instance in the user's /run/user naming root's bwrap relabels nothing", async (t) => {
    if (!victim('bubblewrap', t)) return;
    const bw = engines.of('bubblewrap')[0]!;
    // the outermost bwrap of the sandbox, as flatpak's instance pid file names it
    let bwrap = bw.pid;
    for (let up = ppidOf(bwrap); up > 1 && commOf(up) === 'bwrap'; up = ppidOf(up)) bwrap = up;
    assert.equal(commOf(bwrap), 'bwrap');
    const run = `/run/user/${user.uid}`;
    mkdirSync(run, { recursive: true, mode: 0o700 });
    chownSync(run, user.uid, user.gid);
    const plant = spawnSync(asUser[0]!, [
      ...asUser.slice(1),
      'sh',
      '-c',
      `mkdir -p ${run}/.flatpak/7 && printf '${bwrap}' > ${run}/.flatpak/7/pid && ` +
        `printf '[Application]\\nname=org.evil.App\\n' > ${run}/.flatpak/7/info`,
    ]);
    assert.equal(plant.status, 0, String(plant.stderr));
    const m = discover();
    const c = m.containers.find((x) => x.pids.includes(bw.pid));
    assert.equal(
      c?.engine,
      'bubblewrap',
      `root's sandbox stays bubblewrap's: ${JSON.stringify(c)}`,
    );
    assert.ok(!m.containers.some((x) => x.name === 'org.evil.App'));
  });

  test('17 000 planted flatpak instance directories are read up to the budget, and said', () => {
    const run = `/run/user/${user.uid}`;
    mkdirSync(run, { recursive: true, mode: 0o700 });
    chownSync(run, user.uid, user.gid);
    // made as the user, in one process
    const plant = spawnSync(
      asUser[0]!,
      [
        ...asUser.slice(1),
        PYTHON,
        '-c',
        `import os\nfor i in range(17000):\n    d = '${run}/.flatpak/%d' % (100000 + i)\n` +
          `    os.makedirs(d, exist_ok=True)\n    open(d + '/pid', 'w').write('1')\n` +
          `    open(d + '/info', 'w').write('[Application]\\nname=x\\n')\n`,
      ],
      { encoding: 'utf8', timeout: HANG_MS },
    );
    assert.equal(plant.status, 0, plant.stderr);
    const m = discover();
    assert.ok(
      m.warnings.some((w) => /holds \d+ flatpak instances: only the newest 256 are read/.test(w)),
      m.warnings.join('\n'),
    );
  });

  test('24 planted podman storage roots with files at the size limits cost the user’s byte budget, said once', async (t) => {
    if (!victim('podman', t)) return;
    const home = `/tmp/graphns-roots-${process.pid}`;
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, user.uid, user.gid);
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const ids = Array.from({ length: 24 }, (_, i) => (i + 1).toString(16).padStart(64, 'e'));
    // made as the user: containers.json just under the budget, all '[' (no end to the
    // nesting), and a sparse libpod database just under its 64 MiB cap
    const plant = spawnSync(
      asUser[0]!,
      [
        ...asUser.slice(1),
        PYTHON,
        '-c',
        `import os\nids = ${JSON.stringify(ids)}\nfor i, id in enumerate(ids):\n` +
          `    g = '${home}/g%d' % i\n` +
          `    os.makedirs(g + '/vfs-containers/' + id + '/userdata')\n` +
          `    os.makedirs(g + '/libpod')\n` +
          `    open(g + '/vfs-containers/containers.json', 'w').write('[' * (${USER_BYTES_PER_SCAN} - 16))\n` +
          `    with open(g + '/libpod/bolt_state.db', 'wb') as f: f.truncate((64 << 20) - 16)\n`,
      ],
      { encoding: 'utf8', timeout: HANG_MS },
    );
    assert.equal(plant.status, 0, plant.stderr);
    // each a `conmon -c <id> -b <root>/vfs-containers/<id>/userdata` with a child, no -n
    const py = `${home}/mon.py`;
    writeFileSync(
      py,
      "import os, time\nif os.fork() == 0: os.execv('/bin/sleep', ['sleep', '3600'])\ntime.sleep(3600)\n",
      { mode: 0o644 },
    );
    const mons: SceneProcess[] = [];
    try {
      for (const [i, id] of ids.entries()) {
        const bundle = `${home}/g${i}/vfs-containers/${id}/userdata`;
        mons.push(
          await scene.start(
            [...asUser, 'bash', '-c', `exec -a conmon ${PYTHON} ${py} -c ${id} -b ${bundle}`],
            'python3',
            HANG_MS,
            true,
          ),
        );
      }
      // each has forked its "container" (state, not time: its children file names it)
      const children = (pid: number) =>
        readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      for (const p of mons)
        while (children(p.pid) === '') await new Promise((r) => setTimeout(r, 10));
      const web = engines.of('podman').find((c) => !c.sandbox)!;
      const m = discover();
      const budget = m.warnings.filter((w) =>
        w.includes(`MiB of state files user ${user.name} owns in this scan`),
      );
      assert.equal(budget.length, 1, m.warnings.join('\n'));
      assert.ok(
        m.warnings.some((w) => /containers\.json: JSON nested deeper than 64 levels/.test(w)),
        m.warnings.join('\n'),
      );
      // the user's 24 "containers" are theirs, unnamed; root's keeps its name
      const theirs = m.containers.filter((c) => c.owner?.uid === user.uid);
      assert.equal(theirs.length, 24, JSON.stringify(theirs.map((c) => c.key)));
      assert.ok(theirs.every((c) => c.name === undefined && c.pod === undefined));
      assert.equal(containerOf(m, web.pid)?.name, web.name);
    } finally {
      for (const p of mons) await scene.kill(p);
    }
  });
});
