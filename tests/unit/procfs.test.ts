import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNsLink, parseNsMounts, parseStat, processName } from '../../main/discover/procfs';

test('process names follow ps: argv[0] basename, login shells, [comm]', () => {
  const name = (cmd: string | Buffer, comm = 'comm') =>
    processName(typeof cmd === 'string' ? Buffer.from(cmd) : cmd, comm);
  assert.equal(name('/usr/sbin/nginx\0-g\0daemon off;\0'), 'nginx');
  assert.equal(name('-bash\0'), 'bash');
  assert.equal(name('/bin/-weird\0'), 'weird');
  assert.equal(name('', 'kthreadd'), '[kthreadd]');
  assert.equal(name('\0', 'x'), '[x]');
  assert.equal(name('sshd: root@pts/0'), 'sshd: root@pts/0'); // a title, not a path
  assert.equal(name('/usr/bin/python3 /srv/app.py --flag'), 'python3 /srv/app.py --flag');
  assert.equal(name('/usr/bin/'), '[comm]');
  assert.equal(name(Buffer.from([0x2f, 0x61, 0x2f, 0xff, 0x0a, 0])), '\udcff\n');
});

test('stat is parsed from the last parenthesis: comm may hold ") ("', () => {
  const stat = Buffer.from(
    '42 (evil) S 1 (x) R 7 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0',
  );
  // fields after the last ')': state R, ppid 7, ..., starttime at field 22
  const s = parseStat(stat);
  assert.equal(s.comm, 'evil) S 1 (x');
  assert.equal(s.state, 'R');
  assert.equal(s.ppid, 7);
  assert.equal(s.start, 987654);
  assert.equal(s.threads, 1);
  assert.throws(() => parseStat(Buffer.from('garbage')));
});

test('ns links parse only in the kernel form', () => {
  assert.deepEqual(parseNsLink('net:[4026531840]'), {
    type: 'net',
    ino: 4026531840,
    key: 'net:4026531840',
  });
  assert.equal(parseNsLink('socket:[1234]'), undefined);
  assert.equal(parseNsLink('/dev/null'), undefined);
  assert.equal(parseNsLink('net:[12] '), undefined);
  assert.equal(parseNsLink('pid_for_children:[1]'), undefined);
});

test('nsfs mounts are read from mountinfo, octal escapes decoded', () => {
  const info = [
    '22 1 0:21 / /proc rw,nosuid - proc proc rw',
    '612 26 0:4 net:[4026532289] /run/netns/blue rw shared:5 - nsfs nsfs rw',
    '613 26 0:4 user:[4026532300] /tmp/with\\040space\\012nl rw - nsfs nsfs rw',
    '614 26 0:4 net:[4026532289] /tmp/tricky rw - ext4 /dev/sda1 rw', // not nsfs
    '',
  ].join('\n');
  assert.deepEqual(parseNsMounts(info), [
    { key: 'net:4026532289', mountPoint: '/run/netns/blue' },
    { key: 'user:4026532300', mountPoint: '/tmp/with space\nnl' },
  ]);
});
