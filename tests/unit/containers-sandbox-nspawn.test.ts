// The systemd-nspawn sources from inputs shaped like nspawn's own.
// Unregistered: as seen on this machine with systemd-nspawn 252
// (`systemd-nspawn -D DIR -M nspawn1 --register=no --keep-unit --console=pipe
// --as-pid2 /bin/sleep 100300`: the supervisor in `/supervisor` on
// name=systemd and the v2 line, `(sd-stubinit)` and the payload in
// `/payload`, the other v1 hierarchies untouched). Registered: as read from
// systemd src/machine/machine.c (machine_start_scope: `machine-` +
// unit_name_escape(name) + `.scope`; machine_save: the state file
// /run/systemd/machines/<name> with NAME, SCOPE, SERVICE, CLASS, LEADER) and
// src/nspawn/nspawn.c (getopt "+hD:u:abL:M:jS:Z:qi:xp:nUE:P", determine_names,
// create_subcgroup's payload/supervisor split).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  machineName,
  nspawnRegisteredSource,
  nspawnUnregisteredSource,
  parseNspawnArgs,
} from '../../main/discover/containers/nspawn';
import type { CgroupLine } from '../../main/discover/containers/source';
import { cgroupLines, fakeHost, proc } from '../helpers/sandbox-root';

const FIXTURES = new URL('../fixtures/containers-sandbox', import.meta.url).pathname;

/** The lines seen here: name=systemd and v2 at `path`, memory in this sandbox's own cgroup. */
function seen(path: string): CgroupLine[] {
  return cgroupLines('/').map((l) =>
    l.controllers === 'name=systemd' || l.hierarchy === 0
      ? { ...l, path }
      : l.controllers === 'memory'
        ? { ...l, path: '/process_api/c5a668c00d0eaf47b70fdfcc379b53dd' }
        : l,
  );
}

const SEEN_ARGV = [
  'systemd-nspawn',
  '-D',
  '/tmp/e2root',
  '-M',
  'nspawn1',
  '--register=no',
  '--keep-unit',
  '--console=pipe',
  '--as-pid2',
  '/bin/sleep',
  '100300',
];

test('unregistered nspawn: the payload cgroup under the supervisor, named from its argv', () => {
  const h = fakeHost();
  try {
    h.argv(21634, SEEN_ARGV);
    h.argv(9000, ['systemd-nspawn', '-D', '/srv/machines/db', '--register=no', '/bin/sh']);
    const procs = [
      proc(100, 1, 'bash'),
      proc(21634, 100, 'systemd-nspawn', seen('/supervisor')),
      proc(21637, 21634, '(sd-stubinit)', seen('/payload')),
      proc(21638, 21637, 'sleep', seen('/payload')),
      // a second one started from a session's cgroup
      proc(9000, 100, 'systemd-nspawn', seen('/user.slice/session-3.scope/supervisor')),
      proc(9001, 9000, 'sh', seen('/user.slice/session-3.scope/payload')),
      proc(9002, 9001, 'sleep', seen('/user.slice/session-3.scope/payload/init.scope')),
      proc(9003, 9000, 'helper', seen('/user.slice/session-3.scope/supervisor')), // nspawn's own
    ].sort((a, b) => a.pid - b.pid); // as sources are given them
    const found = nspawnUnregisteredSource.scan(procs, h.ctx);
    assert.deepEqual(found, [
      {
        engine: 'nspawn',
        id: 'db',
        name: 'db',
        pids: [9001, 9002],
        sources: ['cgroup', 'systemd-nspawn argv'],
      },
      {
        engine: 'nspawn',
        id: 'nspawn1',
        name: 'nspawn1',
        pids: [21637, 21638],
        sources: ['cgroup', 'systemd-nspawn argv'],
      },
    ]);
  } finally {
    h.done();
  }
});

test('unregistered nspawn without the cgroup split: descendants in other namespaces', () => {
  const h = fakeHost();
  try {
    h.argv(50, ['systemd-nspawn', '--machine=m1', '--register=no', '/bin/sh']);
    h.ns(50, { mnt: 4026531832, pid: 4026531836 });
    h.ns(51, { mnt: 4026531832, pid: 4026531836 }); // a helper nspawn forked on the host side
    h.ns(52, { mnt: 4026532200, pid: 4026532201 });
    h.ns(53, { mnt: 4026532200, pid: 4026532201 });
    const procs = [
      proc(50, 1, 'systemd-nspawn'),
      proc(51, 50, 'systemd-nspawn'),
      proc(52, 50, 'sh'),
      proc(53, 52, 'sleep'),
    ];
    const found = nspawnUnregisteredSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.id, c.pids, c.sources]),
      [['m1', [52, 53], ['namespaces', 'systemd-nspawn argv']]],
    );
  } finally {
    h.done();
  }
});

test('unregistered nspawn: two of one name get distinct ids; a nested nspawn is the outer one', () => {
  const h = fakeHost();
  try {
    for (const pid of [10, 20, 12]) h.argv(pid, ['systemd-nspawn', '-M', 'same', '/bin/sh']);
    const procs = [
      proc(10, 1, 'systemd-nspawn', seen('/supervisor')),
      proc(11, 10, 'sh', seen('/payload')),
      proc(12, 11, 'systemd-nspawn', seen('/payload/supervisor')), // inside the container
      proc(13, 12, 'sh', seen('/payload/payload')),
      proc(20, 1, 'systemd-nspawn', seen('/a/supervisor')),
      proc(21, 20, 'sh', seen('/a/payload')),
    ];
    const found = nspawnUnregisteredSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.id, c.name, c.pids]),
      [
        ['same', 'same', [11, 12, 13]],
        ['same@20', 'same', [21]],
      ],
    );
  } finally {
    h.done();
  }
});

test('nspawn argv: getopt rules, the payload’s own options are never nspawn’s', () => {
  const p = (...a: string[]) => parseNspawnArgs(['systemd-nspawn', ...a]);
  assert.deepEqual(p('-M', 'a'), { machine: 'a' });
  assert.deepEqual(p('-Ma'), { machine: 'a' });
  assert.deepEqual(p('-bM', 'a'), { machine: 'a' }); // a cluster: -b then -M a
  assert.deepEqual(p('--machine=a', '-M', 'b'), { machine: 'b' }); // the last wins
  assert.deepEqual(p('--machine', 'a'), { machine: 'a' });
  assert.deepEqual(p('-D', '/srv/x', '/bin/sh', '-M', 'evil'), { directory: '/srv/x' });
  assert.deepEqual(p('--', '-M', 'evil'), {});
  assert.deepEqual(p('--bind', '/a:/b', '-M', 'x'), { machine: 'x' }); // --bind takes a value
  assert.deepEqual(p('--volatile', '-M', 'x'), { machine: 'x' }); // optional argument: only `=`
  assert.deepEqual(p('-i', '/var/lib/machines/img.raw'), { image: '/var/lib/machines/img.raw' });
  assert.deepEqual(p('-M'), {}); // cut short

  const host = () => 'thehost';
  const cwd = () => '/srv/from-cwd';
  assert.equal(machineName({ machine: 'm' }, host, cwd), 'm');
  assert.equal(machineName({ image: '/x/img.raw' }, host, cwd), 'img');
  assert.equal(machineName({ directory: '/srv/box/' }, host, cwd), 'box');
  assert.equal(machineName({ directory: '/' }, host, cwd), 'thehost');
  assert.equal(machineName({}, host, cwd), 'from-cwd');
  assert.equal(
    machineName({}, host, () => undefined),
    undefined,
  );
});

test('unregistered nspawn: -D / takes the host name; hostile and huge argv', () => {
  const h = fakeHost();
  try {
    h.file('/proc/sys/kernel/hostname', 'debian-host\n');
    h.argv(30, ['systemd-nspawn', '-D', '/', '--register=no', '/bin/sh']);
    const evil = 'a\nb "c" \u202e\udcfe';
    h.argv(40, ['systemd-nspawn', '-M', evil, '/bin/sh']);
    h.argv(60, ['systemd-nspawn', ...Array<string>(100000).fill('--keep-unit'), '-M', 'big']);
    const procs = [
      proc(30, 1, 'systemd-nspawn', seen('/supervisor')),
      proc(31, 30, 'sh', seen('/payload')),
      proc(40, 1, 'systemd-nspawn', seen('/b/supervisor')),
      proc(41, 40, 'sh', seen('/b/payload')),
      proc(60, 1, 'systemd-nspawn', seen('/c/supervisor')),
      proc(61, 60, 'sh', seen('/c/payload')),
      proc(70, 1, 'systemd-nspawn', seen('/d/supervisor')), // its argv is gone
      proc(71, 70, 'sh', seen('/d/payload')),
    ];
    const found = nspawnUnregisteredSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.id, c.name]),
      [
        ['debian-host', 'debian-host'],
        [evil, evil],
        ['big', 'big'],
        ['70', undefined],
      ],
    );
  } finally {
    h.done();
  }
});

test('registered nspawn: machined scope or nspawn@ unit; VMs and strangers are not nspawn', () => {
  const h = fakeHost();
  try {
    for (const name of ['web', 'qemu-1-vm']) {
      h.file(`/run/systemd/machines/${name}`, readFileSync(join(FIXTURES, 'machined', name)));
    }
    const v2 = (path: string) => cgroupLines(path, true);
    const procs = [
      proc(4100, 1, 'systemd-nspawn', v2('/system.slice/ssh.service')),
      proc(4101, 4100, 'systemd', v2('/machine.slice/machine-web.scope/payload')),
      proc(4102, 4101, 'nginx', v2('/machine.slice/machine-web.scope/payload/system.slice/x')),
      proc(4201, 1, 'qemu-system-x86', v2('/machine.slice/machine-qemu\\x2d1\\x2dvm.scope')),
      // no state file (read-only /run in a snapshot): the parent decides
      proc(4300, 1, 'systemd-nspawn', v2('/user.slice')),
      proc(4301, 4300, 'sh', v2('/machine.slice/machine-my\\x2dbox.scope')),
      proc(4401, 1, 'sh', v2('/machine.slice/machine-stranger.scope')),
      // systemd-nspawn@.service with --keep-unit: payload only, not the supervisor
      proc(4500, 1, 'systemd-nspawn', v2('/machine.slice/systemd-nspawn@db.service/supervisor')),
      proc(4501, 4500, 'systemd', v2('/machine.slice/systemd-nspawn@db.service/payload')),
    ];
    const found = nspawnRegisteredSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.id, c.name, c.pids, c.sources]),
      [
        ['web', 'web', [4101, 4102], ['cgroup', 'machined state']],
        ['my-box', 'my-box', [4301], ['cgroup', 'systemd-nspawn parent']],
        ['db', 'db', [4501], ['cgroup']],
      ],
    );
    assert.deepEqual(h.warnings, []);
  } finally {
    h.done();
  }
});

test('registered nspawn: an unusable state file is a warning, not a failed scan', () => {
  const h = fakeHost();
  try {
    h.file('/run/systemd/machines/big', 'x'.repeat(100 * 1024)); // over the 64 KiB asked
    const procs = [
      proc(1, 0, 'systemd-nspawn'),
      proc(2, 1, 'sh', cgroupLines('/machine.slice/machine-big.scope', true)),
      proc(3, 0, 'sh', cgroupLines('/machine.slice/machine-..scope', true)),
    ];
    const found = nspawnRegisteredSource.scan(procs, h.ctx);
    assert.deepEqual(
      found.map((c) => [c.id, c.sources]),
      [['big', ['cgroup', 'systemd-nspawn parent']]],
    );
    assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
  } finally {
    h.done();
  }
});
