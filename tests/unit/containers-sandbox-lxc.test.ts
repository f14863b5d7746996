// The LXC-family source from inputs shaped like each engine's own: LXC 5.0's
// cgroups and monitor title as seen on this machine (lxc-start -n box1:
// every hierarchy `/lxc.payload.box1`, the monitor `/lxc.monitor.box1` with
// the single argv string `[lxc monitor] /var/lib/lxc box1`); LXD's and
// Incus's as read from their sources (lxd/project/project.go Instance():
// `<project>_<name>` outside the default project; the lxcpath is
// shared.VarPath("containers"), /var/snap/lxd/common/lxd under the snap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineOfLxcPath, lxcPathOfTitle, lxcSource } from '../../main/discover/containers/lxc';
import { cgroupLines, fakeHost, proc } from '../helpers/sandbox-root';

test('LXC: payload processes are the container, the monitor is not; the name is the cgroup name', () => {
  const h = fakeHost();
  try {
    h.argv(500, ['[lxc monitor] /var/lib/lxc box1']);
    const procs = [
      proc(1, 0, 'init'),
      proc(500, 1, '[lxc monitor] /var/lib/lxc box1', cgroupLines('/lxc.monitor.box1')),
      proc(501, 500, 'init', cgroupLines('/lxc.payload.box1')),
      proc(502, 501, 'sh', cgroupLines('/lxc.payload.box1')),
      // a process deeper in the container's tree (its own sub-cgroup, or a nested container)
      proc(503, 502, 'sleep', cgroupLines('/lxc.payload.box1/lxc.payload.inner')),
      proc(504, 1, 'sleep', cgroupLines('/lxc.payload.other', true)), // pure v2 host, no monitor seen
    ];
    const found = lxcSource.scan(procs, h.ctx);
    assert.deepEqual(found, [
      {
        engine: 'lxc',
        id: 'box1',
        name: 'box1',
        pids: [501, 502, 503],
        sources: ['cgroup', 'lxc monitor argv'],
      },
      { engine: 'lxc', id: 'other', name: 'other', pids: [504], sources: ['cgroup'] },
    ]);
    assert.deepEqual(h.warnings, []);
  } finally {
    h.done();
  }
});

test('LXD and Incus are told by the monitor lxcpath, else by their containers directory', () => {
  const h = fakeHost();
  try {
    h.argv(600, ['[lxc monitor] /var/snap/lxd/common/lxd/containers prod_web']);
    h.argv(700, ['[lxc monitor] /var/lib/lxd/containers db']);
    h.file('/var/lib/incus/containers/c1/config', 'lxc.uts.name = c1\n');
    const procs = [
      proc(600, 1, 'lxc monitor', cgroupLines('/lxc.monitor.prod_web')),
      proc(601, 600, 'systemd', cgroupLines('/lxc.payload.prod_web/init.scope')),
      proc(700, 1, 'lxc monitor', cgroupLines('/lxc.monitor.db')),
      proc(701, 700, 'init', cgroupLines('/lxc.payload.db')),
      proc(801, 1, 'init', cgroupLines('/lxc.payload.c1', true)),
    ];
    const found = lxcSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.engine, c.id, c.name, c.engineNamespace, c.sources]),
      [
        ['lxd', 'prod_web', 'web', 'prod', ['cgroup', 'lxc monitor argv']],
        ['lxd', 'db', 'db', undefined, ['cgroup', 'lxc monitor argv']],
        ['incus', 'c1', 'c1', undefined, ['cgroup', '/var/lib/incus/containers']],
      ],
    );
  } finally {
    h.done();
  }
});

test('LXC: a plain LXC name with `_` keeps it whole (only LXD and Incus have projects)', () => {
  const h = fakeHost();
  try {
    h.argv(10, ['[lxc monitor] /var/lib/lxc my_box']);
    const found = lxcSource.scan(
      [
        proc(10, 1, 'm', cgroupLines('/lxc.monitor.my_box')),
        proc(11, 10, 'init', cgroupLines('/lxc.payload.my_box')),
      ],
      h.ctx,
    );
    assert.equal(found[0]?.name, 'my_box');
    assert.equal(found[0]?.engineNamespace, undefined);
  } finally {
    h.done();
  }
});

test('LXC: hostile names stay exact; forged or huge monitor titles decide nothing', () => {
  const h = fakeHost();
  try {
    const evil = 'a b\u202e"<x>\\n\udcff';
    // the name may hold spaces: the lxcpath is cut from the end, not split
    h.argv(20, [`[lxc monitor] /var/lib/incus/containers ${evil}`]);
    // a title that does not end with its cgroup's name: ignored
    h.argv(30, ['[lxc monitor] /var/lib/incus/containers somebody-else']);
    // a huge title
    h.argv(40, ['[lxc monitor] /var/lib/lxc ' + 'x'.repeat(1 << 20)]);
    const procs = [
      proc(20, 1, 'm', cgroupLines(`/lxc.monitor.${evil}`)),
      proc(21, 20, 'init', cgroupLines(`/lxc.payload.${evil}`)),
      proc(30, 1, 'm', cgroupLines('/lxc.monitor.box2')),
      proc(31, 30, 'init', cgroupLines('/lxc.payload.box2')),
      proc(40, 1, 'm', cgroupLines('/lxc.monitor.box3')),
      proc(41, 40, 'init', cgroupLines('/lxc.payload.box3')),
      proc(50, 1, 'x', cgroupLines('/lxc.payload.')), // no name: not a container
      proc(51, 1, 'x', cgroupLines('/user.slice/notlxc.payload.y')),
    ];
    const found = lxcSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.engine, c.id, c.name, c.pids]),
      [
        ['incus', evil, evil, [21]],
        ['lxc', 'box2', 'box2', [31]],
        ['lxc', 'box3', 'box3', [41]],
      ],
    );
  } finally {
    h.done();
  }
});

test('lxcpath parsing: exact paths only, trailing slashes allowed', () => {
  assert.equal(engineOfLxcPath('/var/lib/lxc'), 'lxc');
  assert.equal(engineOfLxcPath('/var/snap/lxd/common/lxd/containers/'), 'lxd');
  assert.equal(engineOfLxcPath('/var/lib/incus/containers'), 'incus');
  assert.equal(engineOfLxcPath('/home/u/var/lib/incus/containers'), 'lxc');
  assert.equal(lxcPathOfTitle(['[lxc monitor] /var/lib/lxc box1'], 'box1'), '/var/lib/lxc');
  assert.equal(lxcPathOfTitle(['[lxc monitor]', '/var/lib/lxc', 'box1'], 'box1'), '/var/lib/lxc');
  assert.equal(lxcPathOfTitle(['lxc-start -n box1'], 'box1'), undefined);
  assert.equal(lxcPathOfTitle(['[lxc monitor] relative box1'], 'box1'), undefined);
});
