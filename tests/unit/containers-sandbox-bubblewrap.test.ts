// The bubblewrap source from inputs shaped like bwrap 0.8's own, as seen on
// this machine with `bwrap --unshare-all --die-with-parent --ro-bind / /
// --proc /proc --dev /dev --hostname bw1 sleep 100400`: the outer bwrap in
// the caller's namespaces, its child (an inner bwrap, the sandbox's init)
// and the command in new ones, every cgroup unchanged, all three with the
// same argv. The option table is read from bubblewrap.c (parse_args_recurse).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bubblewrapSource, bwrapHostname } from '../../main/discover/containers/bubblewrap';
import { fakeHost, proc } from '../helpers/sandbox-root';

// namespace inodes as seen here for the outer bwrap (the host's) and its sandbox
const HOST = {
  cgroup: 4026531835,
  ipc: 4026531839,
  mnt: 4026531832,
  net: 4026531833,
  pid: 4026531836,
  user: 4026531837,
  uts: 4026531838,
};
const SANDBOX = {
  cgroup: 4026532182,
  ipc: 4026532180,
  mnt: 4026532178,
  net: 4026532183,
  pid: 4026532181,
  user: 4026532177,
  uts: 4026532179,
};
const SEEN_ARGV = [
  'bwrap',
  '--unshare-all',
  '--die-with-parent',
  '--ro-bind',
  '/',
  '/',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--hostname',
  'bw1',
  'sleep',
  '100400',
];

test('bubblewrap: the outer bwrap names the sandbox; its descendants in other namespaces are in it', () => {
  const h = fakeHost();
  try {
    for (const pid of [21239, 21241, 21242]) h.argv(pid, SEEN_ARGV);
    h.ns(21239, HOST);
    h.ns(21241, SANDBOX);
    h.ns(21242, SANDBOX);
    h.ns(21250, HOST); // something the outer bwrap started on the host side
    const procs = [
      proc(21230, 1, 'bash'),
      proc(21239, 21230, 'bwrap'),
      proc(21241, 21239, 'bwrap'),
      proc(21242, 21241, 'sleep'),
      proc(21250, 21239, 'helper'),
    ];
    assert.deepEqual(bubblewrapSource.scan(procs, h.ctx), [
      {
        engine: 'bubblewrap',
        id: '21239',
        name: 'bw1',
        pids: [21241, 21242],
        sources: ['bwrap argv', 'namespaces'],
      },
    ]);
  } finally {
    h.done();
  }
});

test('bubblewrap: no --hostname, unreadable namespaces, nested bwrap, no child yet', () => {
  const h = fakeHost();
  try {
    h.argv(10, ['bwrap', '--ro-bind', '/', '/', 'sh']);
    h.argv(30, ['bwrap', '--version']);
    const procs = [
      proc(10, 1, 'bwrap'), // no ns links in this root: every descendant counts
      proc(11, 10, 'sh'),
      proc(12, 11, 'bwrap'), // a bwrap inside the sandbox: still the outer one's
      proc(13, 12, 'sleep'),
      proc(30, 1, 'bwrap'), // nothing below it
    ];
    assert.deepEqual(
      bubblewrapSource.scan(procs, h.ctx).map((c) => [c.id, c.name, c.pids]),
      [['10', 'bwrap 10', [11, 12, 13]]],
    );
  } finally {
    h.done();
  }
});

test('bwrap argv: only bwrap’s own --hostname counts, the last one wins', () => {
  const b = (...a: string[]) => bwrapHostname(['bwrap', ...a]);
  assert.equal(b('--unshare-uts', '--hostname', 'a'), 'a');
  assert.equal(b('--hostname', 'a', '--hostname', 'b', 'sh'), 'b');
  assert.equal(b('--ro-bind', '/', '/', 'sh', '--hostname', 'evil'), undefined); // the command's
  assert.equal(b('--', '--hostname', 'evil'), undefined);
  assert.equal(b('--setenv', '--hostname', 'x', '--hostname', 'real'), 'real'); // --setenv takes 2
  assert.equal(b('--overlay', 'a', 'b', 'c', '--hostname', 'o'), 'o'); // --overlay takes 3
  assert.equal(b('--no-such-option', '--hostname', 'x'), undefined); // bwrap would stop there too
  assert.equal(b('--hostname'), undefined); // cut short
});

test('bubblewrap: hostile and huge argv', () => {
  const h = fakeHost();
  try {
    const evil = 'x\n"y"\u202e\udcff<b>';
    h.argv(10, ['bwrap', '--hostname', evil, 'sh']);
    h.argv(20, [
      'bwrap',
      ...Array<string>(200000).fill('--unshare-pid'),
      '--hostname',
      'big',
      'sh',
    ]);
    h.argv(30, ['bwrap', '--hostname', '', 'sh']);
    const procs = [
      proc(10, 1, 'bwrap'),
      proc(11, 10, 'sh'),
      proc(20, 1, 'bwrap'),
      proc(21, 20, 'sh'),
      proc(30, 1, 'bwrap'),
      proc(31, 30, 'sh'),
    ];
    assert.deepEqual(
      bubblewrapSource.scan(procs, h.ctx).map((c) => [c.id, c.name]),
      [
        ['10', evil],
        ['20', 'big'],
        ['30', 'bwrap 30'],
      ],
    );
  } finally {
    h.done();
  }
});
