/**
 * Which part of a cgroup path root made (main/discover/containers/delegation.ts):
 * paths are cut after the first directory root does not own, so that a
 * user's own delegated cgroups can never name a rootful engine's container;
 * systemd's `user@UID.service` delegation still names that user's rootless
 * podman containers, and nothing else. Directory owners are given here as a
 * table; tests/integration/container-forgery.test.ts plants the real ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../main/discover/containers/cgroup';
import { CgroupTrust } from '../../main/discover/containers/delegation';
import type { CgroupLine, ProcInfo } from '../../main/discover/containers/source';
import { parseCgroupMounts } from '../../main/discover/procfs';

const ID = 'c0ffee' + 'a'.repeat(58);
const MOUNTINFO = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  // a hierarchy mounted a second time, below its root: never the one to check against
  '41 30 0:36 /user /mnt/sd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
].join('\n');

/** A trust over MOUNTINFO whose directories are owned as `owners` says (root otherwise; null: gone). */
function trustWith(owners: Record<string, number | null>): CgroupTrust {
  return new CgroupTrust(parseCgroupMounts(MOUNTINFO), (dir) => {
    const o = owners[dir];
    return o === null ? undefined : (o ?? 0);
  });
}

const line = (path: string, controllers = 'name=systemd', hierarchy = 9): CgroupLine => ({
  hierarchy,
  controllers,
  path,
});

test('mountinfo gives each hierarchy its mount, cgroup2 apart', () => {
  const mounts = parseCgroupMounts(MOUNTINFO);
  assert.deepEqual(
    mounts.map((m) => [m.mountPoint, m.v2, m.root, [...m.options].sort().join(',')]),
    [
      ['/sys/fs/cgroup/cpu,cpuacct', false, '/', 'cpu,cpuacct,rw'],
      ['/sys/fs/cgroup/systemd', false, '/', 'name=systemd,rw,xattr'],
      ['/sys/fs/cgroup/unified', true, '/', ''],
      ['/mnt/sd', false, '/user', 'name=systemd,rw,xattr'],
    ],
  );
});

test("root's own paths are kept whole, and the very same array comes back", () => {
  const lines = [line(`/docker/${ID}`), line(`/docker/${ID}`, 'cpu,cpuacct', 2), line('/', '', 0)];
  const trust = trustWith({});
  assert.equal(trust.lines(lines), lines);
});

test("a user's delegated cgroup ends the path: docker/<id> below it names nothing", () => {
  const lines = [line(`/user/alice/0/docker/${ID}`), line(`/user/alice/0/docker/${ID}`, '', 0)];
  const trust = trustWith({
    '/sys/fs/cgroup/systemd/user/alice/0': 1000,
    '/sys/fs/cgroup/systemd/user/alice/0/docker': 1000,
    '/sys/fs/cgroup/unified/user/alice/0': 1000,
  });
  const got = trust.lines(lines);
  assert.deepEqual(
    got.map((l) => l.path),
    ['/user/alice/0', '/user/alice/0'],
  );
  const p: ProcInfo = { pid: 1, ppid: 0, name: 'sleep', cgroups: got };
  assert.equal(classify(p), undefined, 'no container');
  // and without the trust (the code before), the same file named root's Docker container
  assert.deepEqual(classify({ ...p, cgroups: lines }), { kind: 'docker', id: ID });
});

test("a container's own cgroup handed to its user namespace's root keeps its name", () => {
  // runc chowns a user-namespaced container's cgroup to the container's root
  const trust = trustWith({ [`/sys/fs/cgroup/systemd/docker/${ID}`]: 100000 });
  const got = trust.lines([line(`/docker/${ID}/init.scope`)]);
  assert.deepEqual(
    got.map((l) => l.path),
    [`/docker/${ID}`],
  );
  assert.deepEqual(classify({ pid: 1, ppid: 0, name: 'sh', cgroups: got }), {
    kind: 'docker',
    id: ID,
  });
});

test("systemd's user@UID.service: a rootless podman container of that uid, and nothing else", () => {
  const base = '/user.slice/user-1000.slice/user@1000.service';
  const trust = trustWith({ [`/sys/fs/cgroup/systemd${base}`]: 1000 });
  const podman = trust.lines([line(`${base}/user.slice/libpod-${ID}.scope`)]);
  assert.deepEqual(podman[0], {
    ...line(base),
    delegated: { uid: 1000, path: `${base}/user.slice/libpod-${ID}.scope` },
  });
  assert.deepEqual(classify({ pid: 1, ppid: 0, name: 'sleep', cgroups: podman }), {
    kind: 'podman',
    id: ID,
    rootlessUid: 1000,
  });
  // the same delegation naming a rootful engine's container
  for (const path of [
    `${base}/docker/${ID}`,
    `${base}/kubepods/besteffort/pod5f3e2a1b-0c4d-4e8f-9a7b-6c5d4e3f2a1b/${ID}`,
  ]) {
    const cut = trust.lines([line(path)]);
    assert.equal(classify({ pid: 2, ppid: 0, name: 'sleep', cgroups: cut }), undefined, path);
  }
  // or another user's: it stays this user's own container
  const other = trust.lines([line(`${base}/user@1001.service/libpod-${ID}.scope`)]);
  assert.equal(
    (classify({ pid: 3, ppid: 0, name: 'sleep', cgroups: other }) as { rootlessUid?: number })
      .rootlessUid,
    1000,
  );
});

test('a directory gone meanwhile ends the path before it; a hierarchy not mounted here is taken as read', () => {
  const trust = trustWith({ [`/sys/fs/cgroup/systemd/docker/${ID}`]: null });
  assert.deepEqual(
    trust.lines([line(`/docker/${ID}`)]).map((l) => l.path),
    ['/docker'],
  );
  const unmounted = [line(`/docker/${ID}`, 'pids', 8)];
  assert.equal(trust.lines(unmounted), unmounted);
});
