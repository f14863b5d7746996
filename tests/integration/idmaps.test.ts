/**
 * Who is root where, on real user namespaces and processes: each user
 * namespace's uid and gid maps and each process's capability sets in the
 * model, checked against what the test itself reads from the kernel
 * (/proc/PID/uid_map, gid_map, status), and the capability names against
 * libcap's own decoder (capsh --decode). Never against graphns's output.
 *
 * Scenes (as root; each killed or removed exactly, by PID or container id):
 * - a user namespace root maps by hand (`0 200000 65536`), one with the
 *   most ranges a map may have (340, more than a page as the kernel prints
 *   them), and one with no map written yet;
 * - a nested one, whose parent no process holds (hidden: its maps unknown),
 *   the child's map as the host sees it (`0 200000 1`: kernel ids, where the
 *   parent itself would read `0 0 1`);
 * - a throwaway user's namespaces: mapped by `unshare --map-users` and by
 *   `newuidmap`/`newgidmap` from the user's subordinate ids (two ranges);
 * - a podman container with `--uidmap 0:300000:65536`, when podman runs here;
 * - capabilities: host root, root with two capabilities dropped from its
 *   bounding set (capsh --drop), root with an empty bounding set (setpriv),
 *   a non-root process, a non-root one with one ambient capability, and
 *   root of its own user namespace (all of them there, none in the host's).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../main/discover';
import { nsDetails } from '../../main/emit/details';
import { graphOf, type IdRange, type Model } from '../../main/model';
import { capNames, INITIAL_USER_NS } from '../../main/model/capabilities';
import { HANG_MS, needRoot, nsInode, Scene, unmetNeed, type SceneProcess } from '../helpers/scene';
import { makeUser, removeUser, type TestUser } from '../helpers/users';

/** A map as the kernel shows it to this (root, initial namespace) process. */
function kernelMap(pid: number, which: 'uid_map' | 'gid_map'): IdRange[] {
  return readFileSync(`/proc/${pid}/${which}`, 'latin1')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [inside, outside, count] = l.trim().split(/\s+/).map(Number);
      return { inside: inside!, outside: outside!, count: count! };
    });
}

/** CapEff, CapPrm, CapBnd as the kernel states them in /proc/PID/status. */
function kernelCaps(pid: number): { eff: string; prm: string; bnd: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const get = (label: string) => new RegExp(`^${label}:\\t([0-9a-f]+)$`, 'm').exec(status)![1]!;
  return { eff: get('CapEff'), prm: get('CapPrm'), bnd: get('CapBnd') };
}

/** libcap's names for a mask (`capsh --decode=HEX` prints `0x…=cap_a,cap_b`). */
function capshNames(mask: string): string[] {
  const out = execFileSync('capsh', [`--decode=${mask}`], { encoding: 'utf8' }).trim();
  const names = out.slice(out.indexOf('=') + 1);
  return names === '' ? [] : names.split(',');
}

const userKey = (pid: number) => `user:${nsInode(pid, 'user')}`;

/** What the kernel says of one process: its capability sets, its user namespace and that one's maps. */
interface KernelView {
  caps: { eff: string; prm: string; bnd: string };
  userns: string;
  uidMap: IdRange[];
  gidMap: IdRange[];
}

/**
 * The kernel's view of every process, read around the scan. Other work
 * runs on this machine (a process may exec a setuid program, a fresh
 * namespace may get its map written): only what reads the same before and
 * after the scan is compared with it.
 */
function kernelViews(): Map<number, KernelView> {
  const views = new Map<number, KernelView>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    try {
      views.set(pid, {
        caps: kernelCaps(pid),
        userns: userKey(pid),
        uidMap: kernelMap(pid, 'uid_map'),
        gidMap: kernelMap(pid, 'gid_map'),
      });
    } catch {
      // gone, or its links closed to us (the first process of this sandbox)
    }
  }
  return views;
}

/** The views that read the same in both. */
function stableViews(
  a: Map<number, KernelView>,
  b: Map<number, KernelView>,
): Map<number, KernelView> {
  const same = new Map<number, KernelView>();
  for (const [pid, v] of a) if (JSON.stringify(v) === JSON.stringify(b.get(pid))) same.set(pid, v);
  return same;
}

/** Wait until `f` holds: for states of the kernel, never a fixed time. */
async function until(f: () => boolean, what: string): Promise<void> {
  const end = Date.now() + HANG_MS;
  while (!f()) {
    if (Date.now() > end) throw new Error(`hung waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `sh` that waits until its gid map is written (the test or newgidmap writes it), then execs `then`. */
const waitForMaps = (then: string) =>
  `until grep -q . /proc/self/gid_map; do sleep 0.02; done; exec ${then}`;

/** A throwaway user's first subordinate uid and gid range (useradd gives one), if any. */
function subIds(user: TestUser): { uid: number; gid: number; count: number } | undefined {
  const first = (file: string) => {
    try {
      const line = readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${user.name}:`));
      return line ? line.split(':').slice(1).map(Number) : undefined;
    } catch {
      return undefined;
    }
  };
  const u = first('/etc/subuid');
  const g = first('/etc/subgid');
  if (!u || !g) return undefined;
  return { uid: u[0]!, gid: g[0]!, count: Math.min(u[1]!, g[1]!, 65536) };
}

/** unshare(CLONE_NEWUSER) in the process itself, then, once mapped, root there and a child namespace. */
const NESTED_PY = `
import ctypes, os, time
if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:
    raise OSError(ctypes.get_errno(), "unshare")
while not open("/proc/self/gid_map").read().strip():
    time.sleep(0.02)
os.setgroups([])
os.setresgid(0, 0, 0)
os.setresuid(0, 0, 0)
os.execvp("unshare", ["unshare", "--user", "--map-root-user", "sleep", "1000003"])
`;

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('who is root where, against the kernel', { skip: needRoot }, () => {
  const scene = new Scene();
  let user: TestUser | undefined;
  let userWhy: string | undefined;
  const p: Record<string, SceneProcess> = {};
  let podman: { id: string; pid: number } | undefined;
  let podmanWhy: string | undefined;
  let dir: string | undefined;
  let model: Model;
  /** The kernel's view of each process, where it read the same before and after the scan. */
  let stable: Map<number, KernelView>;

  before(async () => {
    // root maps a fresh namespace by hand; another stays unmapped
    p.byRoot = await scene.start(
      ['unshare', '--user', 'sh', '-c', waitForMaps('sleep 1000001')],
      'sh',
      HANG_MS,
      true,
    );
    writeFileSync(`/proc/${p.byRoot.pid}/uid_map`, '0 200000 65536\n');
    writeFileSync(`/proc/${p.byRoot.pid}/gid_map`, '0 200000 65536\n');
    await until(
      () => readFileSync(`/proc/${p.byRoot!.pid}/comm`, 'utf8') === 'sleep\n',
      'the mapped sleep',
    );
    // the most ranges a map may have (340): printed as 33-byte lines, 11220 bytes, so
    // the kernel hands it out in more than one read (a seq_file page at a time)
    p.many = await scene.start(
      ['unshare', '--user', 'sh', '-c', waitForMaps('sleep 1000004')],
      'sh',
      HANG_MS,
      true,
    );
    const ranges = Array.from({ length: 340 }, (_, i) => `${i} ${2 * i} 1\n`).join('');
    writeFileSync(`/proc/${p.many.pid}/uid_map`, ranges);
    writeFileSync(`/proc/${p.many.pid}/gid_map`, ranges);
    await until(
      () => readFileSync(`/proc/${p.many!.pid}/comm`, 'utf8') === 'sleep\n',
      'the sleep with 340 ranges',
    );
    p.unmapped = await scene.start(
      ['unshare', '--user', 'sleep', '1000002'],
      'sleep',
      HANG_MS,
      true,
    );
    // nested: a process makes a namespace itself (an exec would cost it its capabilities
    // there, as a non-root of it), waits for root to map it, becomes its uid 0 (kuid 200000)
    // and runs `unshare --map-root-user`, which maps the child's 0 to its own; the parent is
    // then left with no process (hidden)
    p.nested = await scene.start(['python3', '-c', NESTED_PY], 'python3', HANG_MS, true);
    await until(() => userKey(p.nested!.pid) !== userKey(process.pid), 'the nested unshare');
    writeFileSync(`/proc/${p.nested.pid}/uid_map`, '0 200000 65536\n');
    writeFileSync(`/proc/${p.nested.pid}/gid_map`, '0 200000 65536\n');
    await until(
      () =>
        readFileSync(`/proc/${p.nested!.pid}/comm`, 'utf8') === 'sleep\n' &&
        readFileSync(`/proc/${p.nested!.pid}/uid_map`, 'latin1').trim() !== '',
      'the nested sleep',
    );
    // capabilities
    p.hostRoot = await scene.start(['sleep', '1000010'], 'sleep', HANG_MS, true);
    p.dropped = await scene.start(
      ['capsh', '--drop=cap_net_raw,cap_sys_admin', '--', '-c', 'exec sleep 1000011'],
      'sleep',
      HANG_MS,
      true,
    );
    p.noBounding = await scene.start(
      ['setpriv', '--inh-caps=-all', '--bounding-set=-all', 'sleep', '1000012'],
      'sleep',
      HANG_MS,
      true,
    );
    p.nobody = await scene.start(
      ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '1000013'],
      'sleep',
      HANG_MS,
      true,
    );
    p.ambient = await scene.start(
      [
        'setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=+net_bind_service',
        '--ambient-caps=+net_bind_service',
        'sleep',
        '1000014',
      ],
      'sleep',
      HANG_MS,
      true,
    );
    p.ownRoot = await scene.start(
      ['unshare', '--user', '--map-root-user', 'sleep', '1000015'],
      'sleep',
      HANG_MS,
      true,
    );

    // a throwaway user's namespaces, mapped from their subordinate ids
    if (!have('useradd') || !have('newuidmap') || !have('newgidmap')) {
      userWhy = 'needs useradd and newuidmap/newgidmap (apt-get install passwd uidmap)';
    } else {
      user = makeUser();
      const sub = subIds(user);
      if (!sub) userWhy = `useradd gave ${user.name} no subordinate ids (/etc/subuid, /etc/subgid)`;
      else {
        const as = ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups'];
        p.mapUsers = await scene.start(
          [
            ...as,
            'unshare',
            '--user',
            `--map-users=${sub.uid},0,${sub.count}`,
            `--map-groups=${sub.gid},0,${sub.count}`,
            'sleep',
            '1000020',
          ],
          'sleep',
          HANG_MS,
          true,
        );
        p.newuidmap = await scene.start(
          [...as, 'unshare', '--user', 'sh', '-c', waitForMaps('sleep 1000021')],
          'sh',
          HANG_MS,
          true,
        );
        const pid = String(p.newuidmap.pid);
        execFileSync(as[0]!, [
          ...as.slice(1),
          'newuidmap',
          pid,
          '0',
          String(user.uid),
          '1',
          '1',
          String(sub.uid),
          String(sub.count - 1),
        ]);
        execFileSync(as[0]!, [
          ...as.slice(1),
          'newgidmap',
          pid,
          '0',
          String(user.gid),
          '1',
          '1',
          String(sub.gid),
          String(sub.count - 1),
        ]);
        await until(
          () => readFileSync(`/proc/${pid}/comm`, 'utf8') === 'sleep\n',
          'the newuidmap sleep',
        );
      }
    }

    // podman --uidmap (rootful, a busybox rootfs owned by the mapped root)
    if (!have('podman') || !have('busybox'))
      podmanWhy = 'needs podman and busybox (apt-get install podman busybox-static)';
    else {
      dir = mkdtempSync(join(tmpdir(), 'graphns-idmaps-'));
      chmodSync(dir, 0o755);
      const root = join(dir, 'rootfs');
      for (const d of ['bin', 'proc', 'dev', 'sys', 'etc', 'tmp', 'run'])
        mkdirSync(join(root, d), { recursive: true });
      cpSync('/bin/busybox', join(root, 'bin/busybox'));
      symlinkSync('busybox', join(root, 'bin/sleep'));
      execFileSync('chown', ['-R', '300000:300000', root]);
      const name = `gns-idmaps-${process.pid}`;
      const r = spawnSync(
        'podman',
        [
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'none',
          '--ulimit',
          'nofile=1024:20000',
          '--ulimit',
          'nproc=1024:1024',
          '--uidmap',
          '0:300000:65536',
          '--gidmap',
          '0:300000:65536',
          '--rootfs',
          root,
          '/bin/sleep',
          '1000030',
        ],
        { encoding: 'utf8', timeout: HANG_MS },
      );
      const id = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !/^[0-9a-f]{64}$/.test(id)) {
        podmanWhy = `podman could not run a container here: ${r.stderr.trim()}`;
        spawnSync('podman', ['rm', '-f', '-t', '0', name]); // what it may have made of it
      } else {
        const pid = Number(
          execFileSync('podman', ['inspect', '-f', '{{.State.Pid}}', id], {
            encoding: 'utf8',
          }).trim(),
        );
        podman = { id, pid };
      }
    }
    const first = kernelViews();
    model = discover();
    stable = stableViews(first, kernelViews());
  });

  after(async () => {
    await scene.teardown();
    if (podman) spawnSync('podman', ['rm', '-f', '-t', '0', podman.id]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeUser(user);
  });

  /** The model's user namespace `key`. */
  const userNs = (key: string) => {
    const ns = model.namespaces.find((n) => n.key === key);
    assert.ok(ns, `${key} is in the model`);
    return ns;
  };

  /** The namespace of `pid`'s maps in the model equal the kernel's, both of them. */
  const mapsMatch = (pid: number, what: string) => {
    const ns = userNs(userKey(pid));
    assert.deepEqual(ns.uidMap, kernelMap(pid, 'uid_map'), `${what}: uid map`);
    assert.deepEqual(ns.gidMap, kernelMap(pid, 'gid_map'), `${what}: gid map`);
    return ns;
  };

  test('every user namespace a process is in has the maps the kernel shows for it', () => {
    let compared = 0;
    for (const ns of model.namespaces.filter((n) => n.type === 'user' && n.label)) {
      const k = stable.get(ns.label!.pid);
      if (!k || k.userns !== ns.key) continue; // changed or gone around the scan
      assert.deepEqual([ns.uidMap, ns.gidMap], [k.uidMap, k.gidMap], ns.key);
      compared++;
    }
    assert.ok(compared >= 5, `compared ${compared} namespaces`);
    // the host's: the identity map
    assert.deepEqual(userNs(INITIAL_USER_NS).uidMap, [
      { inside: 0, outside: 0, count: 4294967295 },
    ]);
  });

  test('maps written by root, none written yet, and a nested namespace as the host sees it', () => {
    const byRoot = mapsMatch(p.byRoot!.pid, 'mapped by root');
    assert.deepEqual(byRoot.uidMap, [{ inside: 0, outside: 200000, count: 65536 }]);
    const many = mapsMatch(p.many!.pid, '340 ranges');
    assert.equal(many.uidMap!.length, 340);
    assert.deepEqual(many.gidMap![339], { inside: 339, outside: 678, count: 1 });
    const unmapped = mapsMatch(p.unmapped!.pid, 'unmapped');
    assert.deepEqual([unmapped.uidMap, unmapped.gidMap], [[], []]);
    // the child's 0 is the parent's 0, which is 200000 on the host: the kernel shows host ids
    const child = mapsMatch(p.nested!.pid, 'nested');
    assert.deepEqual(child.uidMap, [{ inside: 0, outside: 200000, count: 1 }]);
    const parent = userNs(child.parent!);
    assert.equal(parent.origin, 'hidden', 'no process holds the parent');
    assert.equal(parent.uidMap, undefined, 'a namespace no task is in has no map in the model');
    assert.deepEqual(nsDetails(graphOf(model), parent.key)!.idMaps, {
      unknown: 'unknown (no process inside)',
    });
    assert.deepEqual(nsDetails(graphOf(model), child.key)!.idMaps, {
      uid: ['0 -> 200000'],
      gid: ['0 -> 200000'],
      outsideIn: INITIAL_USER_NS,
    });
  });

  test('a throwaway user: unshare --map-users and newuidmap from their subordinate ids', (t) => {
    if (userWhy) return t.skip(unmetNeed(userWhy));
    const sub = subIds(user!)!;
    const a = mapsMatch(p.mapUsers!.pid, 'unshare --map-users');
    assert.deepEqual(a.uidMap, [{ inside: 0, outside: sub.uid, count: sub.count }]);
    assert.equal(a.ownerUid, user!.uid);
    const b = mapsMatch(p.newuidmap!.pid, 'newuidmap');
    assert.deepEqual(b.uidMap, [
      { inside: 0, outside: user!.uid, count: 1 },
      { inside: 1, outside: sub.uid, count: sub.count - 1 },
    ]);
  });

  test('podman --uidmap 0:300000:65536', (t) => {
    if (podmanWhy) return t.skip(unmetNeed(podmanWhy));
    const ns = mapsMatch(podman!.pid, 'podman');
    assert.deepEqual(ns.uidMap, [{ inside: 0, outside: 300000, count: 65536 }]);
    const proc = model.processes.find((x) => x.pid === podman!.pid)!;
    assert.ok(proc.container?.startsWith('podman:'), 'the container is named');
    assert.equal(proc.capEff, kernelCaps(podman!.pid).eff);
  });

  test('every process’s capability sets are the kernel’s, and their names libcap’s', () => {
    let compared = 0;
    const masks = new Set<string>();
    for (const q of model.processes) {
      const k = stable.get(q.pid)?.caps;
      if (!k) continue; // changed or gone around the scan
      assert.deepEqual(
        [q.capEff, q.capPrm, q.capBnd],
        [k.eff, k.prm, k.bnd],
        `pid ${q.pid} (${q.name})`,
      );
      masks.add(k.eff).add(k.prm).add(k.bnd);
      compared++;
    }
    assert.ok(compared > 10, `compared ${compared} processes`);
    for (const mask of masks) assert.deepEqual(capNames(mask), capshNames(mask), mask);
  });

  test('dropped, empty, non-root and ambient sets, and who holds capabilities in the host’s user namespace', () => {
    const g = graphOf(model);
    const row = (sp: SceneProcess) => {
      const pid = sp.pid;
      const proc = model.processes.find((x) => x.pid === pid)!;
      assert.equal(proc.capEff, kernelCaps(pid).eff, `pid ${pid}`);
      const d = nsDetails(g, `user:${nsInode(pid, 'user')}`)!;
      return { proc, row: d.processes.find((r) => r.pid === pid)! };
    };
    const root = row(p.hostRoot!);
    assert.equal(root.row.hostCaps, true);
    const dropped = row(p.dropped!);
    assert.ok(!capNames(dropped.proc.capEff!).includes('cap_net_raw'));
    assert.ok(!capNames(dropped.proc.capEff!).includes('cap_sys_admin'));
    assert.match(dropped.row.caps!, /^all but (.+, )?cap_net_raw, cap_sys_admin/);
    assert.equal(dropped.row.hostCaps, true);
    const empty = row(p.noBounding!);
    assert.equal(empty.proc.uid, 0, 'still root');
    assert.equal(empty.proc.capEff, '0000000000000000');
    assert.deepEqual([empty.row.caps, empty.row.hostCaps], ['none', false]);
    const nobody = row(p.nobody!);
    assert.deepEqual(
      [nobody.proc.uid, nobody.row.caps, nobody.row.hostCaps],
      [65534, 'none', false],
    );
    const ambient = row(p.ambient!);
    assert.deepEqual(
      [ambient.proc.uid, ambient.row.caps, ambient.row.hostCaps],
      [65534, 'cap_net_bind_service', true],
    );
    // root of its own user namespace: every capability there, none in the host's
    const own = row(p.ownRoot!);
    assert.equal(own.proc.capEff, kernelCaps(p.ownRoot!.pid).bnd);
    assert.equal(own.row.hostCaps, false);
    // every process marked is one the kernel says has capabilities and sits in the initial namespace
    let marked = 0;
    for (const q of model.processes) {
      const k = stable.get(q.pid);
      if (!k || q.ns.user === undefined) continue;
      const r = nsDetails(g, q.ns.user)!.processes.find((x) => x.pid === q.pid)!;
      const holds = k.userns === INITIAL_USER_NS && /[1-9a-f]/.test(k.caps.eff);
      assert.equal(r.hostCaps, holds, `pid ${q.pid} (${q.name})`);
      if (holds) marked++;
    }
    assert.ok(marked > 3, `${marked} processes hold capabilities in the host's user namespace`);
  });

  test('the built lsuserns -J and -d and graphns --dot say the same maps', () => {
    const run = (cmd: string, args: string[]) =>
      execFileSync(process.execPath, [join('dist', 'app', cmd), ...args], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    const pid = p.byRoot!.pid;
    const key = userKey(pid);
    const json = JSON.parse(run('lsuserns.js', ['--json']));
    assert.equal(json.version, 7);
    const ns = json.namespaces.find((n: { key: string }) => n.key === key);
    assert.deepEqual(ns.uidMap, kernelMap(pid, 'uid_map'));
    const line = run('lsuserns.js', ['-d'])
      .split('\n')
      .find((l) => l.includes(`user:[${nsInode(pid, 'user')}]`))!;
    assert.match(line, / maps uid\/gid 0-65535 -> 200000-265535$/);
    const unmapped = run('lsuserns.js', ['-d'])
      .split('\n')
      .find((l) => l.includes(`user:[${nsInode(p.unmapped!.pid, 'user')}]`))!;
    assert.match(unmapped, / maps uid\/gid none written yet$/);
    const dot = run('graphns.js', ['--dot']);
    const node = dot.split('\n').find((l) => l.trimStart().startsWith(`"${key}"`))!;
    assert.match(node, /uid map 0-65535 -&gt; 200000</);
    const host = dot.split('\n').find((l) => l.trimStart().startsWith(`"${INITIAL_USER_NS}"`))!;
    assert.doesNotMatch(host, /uid map/);
  });
});
