// The snap source from inputs shaped like snapd's own (snapd is not
// installed here): the unit names of sandbox/cgroup/process.go,
// securityTagFromCgroupPath (`snap.<snap>.<app>.service`,
// `snap.<snap>.<app>-<uuid>.scope`, the older `snap.<snap>.<app>.<uuid>.scope`,
// `snap.<snap>.hook.<hook>-<uuid>.scope`), under the slices systemd puts
// them in (services in system.slice, app runs in the user's app.slice), on
// a v2 host and on this machine's hybrid layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSnapUnit, snapCommand, snapSource } from '../../main/discover/containers/snap';
import { cgroupLines, fakeHost, proc } from '../helpers/sandbox-root';

const UUID = '3a4b5c6d-1e2f-4a5b-8c9d-0e1f2a3b4c5d';
const USER = '/user.slice/user-1000.slice/user@1000.service/app.slice';

test('snap: services, app runs (both scope forms) and hooks; runs of one app are one container', () => {
  const h = fakeHost();
  try {
    const procs = [
      proc(100, 1, 'lxd', cgroupLines('/system.slice/snap.lxd.daemon.service', true)),
      proc(101, 100, 'dnsmasq', cgroupLines('/system.slice/snap.lxd.daemon.service/sub', true)),
      proc(200, 1, 'firefox', cgroupLines(`${USER}/snap.firefox.firefox-${UUID}.scope`, true)),
      proc(201, 1, 'firefox', cgroupLines(`${USER}/snap.firefox.firefox.${UUID}.scope`)),
      proc(300, 1, 'lxc', cgroupLines(`${USER}/snap.lxd.lxc-${UUID}.scope`, true)),
      proc(400, 1, 'sh', cgroupLines(`/system.slice/snap.core.hook.configure-${UUID}.scope`)),
      proc(500, 1, 'x', cgroupLines(`/system.slice/snap.hello_beta.hello.service`, true)),
      proc(600, 1, 'snapd', cgroupLines('/system.slice/snapd.service', true)), // snapd itself
      proc(601, 1, 'x', cgroupLines('/system.slice/snap.Bad_Name!.app.service', true)),
      proc(602, 1, 'x', cgroupLines(`/snap.a.b-${UUID}.slice`, true)),
    ];
    assert.deepEqual(
      snapSource.scan(procs, h.ctx).map((c) => [c.engine, c.id, c.name, c.pids, c.sources]),
      [
        ['snap', 'lxd.daemon', 'lxd.daemon', [100, 101], ['cgroup']],
        ['snap', 'firefox.firefox', 'firefox', [200, 201], ['cgroup']],
        ['snap', 'lxd.lxc', 'lxd.lxc', [300], ['cgroup']],
        ['snap', 'core.hook.configure', 'core.hook.configure', [400], ['cgroup']],
        ['snap', 'hello_beta.hello', 'hello_beta', [500], ['cgroup']],
      ],
    );
  } finally {
    h.done();
  }
});

test('snap unit names', () => {
  assert.deepEqual(parseSnapUnit('snap.lxd.daemon.service'), { snap: 'lxd', app: 'daemon' });
  assert.deepEqual(parseSnapUnit(`snap.a-b.hook.post-refresh-${UUID}.scope`), {
    snap: 'a-b',
    hook: 'post-refresh',
  });
  assert.deepEqual(parseSnapUnit('snap.x.hook.service'), { snap: 'x', app: 'hook' });
  assert.equal(parseSnapUnit('snap.x.y.scope'), undefined); // a scope has its uuid
  assert.equal(parseSnapUnit('snap.x.service'), undefined);
  assert.equal(parseSnapUnit('snap.x.y\n.service'), undefined);
  assert.equal(snapCommand('firefox', 'firefox'), 'firefox');
  assert.equal(snapCommand('firefox_esr', 'firefox'), 'firefox_esr');
  assert.equal(snapCommand('lxd', 'lxc'), 'lxd.lxc');
});
