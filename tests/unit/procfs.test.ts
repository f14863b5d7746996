import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseNsLink,
  parseNsMounts,
  parseStat,
  processName,
  readNsLink,
  readProcFile,
} from '../../main/discover/procfs';

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
  assert.throws(() => parseStat(Buffer.from('42 (x) S 1 2')), 'too few fields');
  assert.throws(() => parseStat(Buffer.from(stat.toString().replace('987654', '98x654'))));
  // a non-UTF-8 comm keeps its bytes as escapes, like every name
  const rest = stat.subarray(stat.lastIndexOf(0x29)); // ") R 7 ..."
  const odd = Buffer.concat([Buffer.from('1 (a'), Buffer.from([0xff]), rest]);
  assert.equal(parseStat(odd).comm, 'a\udcff');
});

test('stat of every process here parses as splitting the kernel text gives', () => {
  let seen = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let buf: Buffer;
    try {
      buf = readFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // gone
    }
    const close = buf.lastIndexOf(0x29);
    const f = buf
      .toString('latin1', close + 2)
      .trim()
      .split(' ');
    assert.deepEqual(parseStat(buf), {
      comm: buf.toString('latin1', buf.indexOf(0x28) + 1, close),
      state: f[0],
      ppid: Number(f[1]),
      start: Number(f[19]),
      threads: Number(f[17]),
    });
    seen++;
  }
  assert.ok(seen > 1);
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

test('readProcFile reads whole files however it may stop: short read, NUL, end of file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-procfs-'));
  // bash waits in `read` with a 100 kB $0
  const child = spawn('bash', ['-c', 'read', 'x'.repeat(100_000)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  try {
    // a file filling the 64 KiB scratch buffer exactly, and one that makes it grow
    for (const size of [64 * 1024, 200_001]) {
      const file = join(dir, String(size));
      const bytes = Buffer.alloc(size, 0x61);
      bytes[size - 1] = 0x62;
      writeFileSync(file, bytes);
      for (const stop of ['eof', 'whole'] as const)
        assert.deepEqual(readProcFile(file, stop), bytes, `${size} ${stop}`);
    }
    // the kernel's own files, against readFileSync
    for (const f of ['/proc/self/cgroup', '/proc/self/mountinfo'])
      assert.deepEqual(readProcFile(f, f.endsWith('mountinfo') ? 'eof' : 'whole'), readFileSync(f));
    // a command line longer than the scratch buffer: whole, or up to argv[0]'s NUL
    const cmdline = `/proc/${child.pid}/cmdline`;
    for (let i = 0; readFileSync(cmdline).length < 100_000 && i < 500; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(readProcFile(cmdline, 'whole'), readFileSync(cmdline));
    assert.equal(readProcFile(cmdline, 'whole').length, 'bash -c read '.length + 100_000 + 1);
    assert.equal(readProcFile(cmdline, 'nul').subarray(0, 5).toString(), 'bash\0');
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readNsLink with a cache gives what the kernel link says, one object per distinct link', () => {
  const cache = new Map<string, ReturnType<typeof readNsLink>>();
  for (const name of ['net', 'user', 'pid', 'pid_for_children', 'mnt']) {
    const path = `/proc/self/ns/${name}`;
    const text = readlinkSync(path); // the kernel's `type:[inode]`
    const got = readNsLink(path, cache);
    assert.equal(`${got.type}:[${got.ino}]`, text);
    assert.equal(got.key, `${got.type}:${got.ino}`);
    assert.equal(readNsLink(path, cache), got, 'the same link text: the cached object');
    assert.deepEqual(readNsLink(path), got, 'as without a cache');
  }
  // pid and pid_for_children of a process that did not unshare are one namespace
  assert.equal(
    readNsLink('/proc/self/ns/pid', cache),
    readNsLink('/proc/self/ns/pid_for_children', cache),
  );
  assert.equal(cache.size, 4);
});
