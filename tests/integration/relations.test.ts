/**
 * The relations API against real namespaces made with unshare; every
 * answer is checked against what the kernel's /proc/PID/ns links say.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  NamespaceFile,
  getNsId,
  getNsType,
  getOwnerUid,
  getParentNs,
  getUserNs,
} from '../../main/relations';
import { HANG_MS, Scene, needRoot, nsInode, openFdCount } from '../helpers/scene';

const RELATIONS_MODULE = fileURLToPath(new URL('../../main/relations/index.ts', import.meta.url));

const LINK_TYPES: Record<string, number> = {
  mnt: CLONE_NEWNS,
  cgroup: CLONE_NEWCGROUP,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  user: CLONE_NEWUSER,
  pid: CLONE_NEWPID,
  pid_for_children: CLONE_NEWPID,
  net: CLONE_NEWNET,
  time: CLONE_NEWTIME,
  time_for_children: CLONE_NEWTIME,
};

function rejectsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, code);
    assert.equal(typeof err.errno, 'number');
    assert.equal(typeof err.syscall, 'string');
    return true;
  });
}

describe('relations on this process', () => {
  test('getNsType reads every /proc/self/ns link type', () => {
    const links = readdirSync('/proc/self/ns');
    assert.ok(links.length >= 8);
    for (const link of links) {
      const want = LINK_TYPES[link];
      assert.notEqual(want, undefined, `unknown link ${link}`);
      assert.equal(getNsType(`/proc/self/ns/${link}`), want, link);
    }
  });

  test('getNsType accepts an fd and a NamespaceFile', () => {
    const fd = openSync('/proc/self/ns/net', 'r');
    try {
      assert.equal(getNsType(fd), CLONE_NEWNET);
    } finally {
      closeSync(fd);
    }
    using owner = getUserNs('/proc/self/ns/net');
    assert.equal(getNsType(owner), CLONE_NEWUSER);
  });

  test('getUserNs of a namespace is the user ns its link names', () => {
    for (const type of ['net', 'uts', 'ipc', 'mnt', 'pid', 'cgroup', 'time']) {
      using owner = getUserNs(`/proc/self/ns/${type}`);
      assert.equal(owner.type, CLONE_NEWUSER);
      assert.equal(owner.typeName, 'user');
      assert.equal(owner.id, nsInode('self', 'user'), type);
      assert.equal(String(owner), `user:[${nsInode('self', 'user')}]`);
    }
  });

  test('bad references give TypeError, missing paths ENOENT, non-namespaces ENOTTY', () => {
    for (const bad of [undefined, null, {}, [], -1, 1.5, NaN, 2 ** 53, true, Buffer.from('x')]) {
      assert.throws(() => getNsType(bad as never), TypeError, String(bad));
      assert.throws(() => getUserNs(bad as never), TypeError);
      assert.throws(() => getParentNs(bad as never), TypeError);
      assert.throws(() => getOwnerUid(bad as never), TypeError);
      assert.throws(() => getNsId(bad as never), TypeError);
    }
    rejectsWith(() => getNsType('/nonexistent/ns/net'), 'ENOENT');
    rejectsWith(() => getNsType('/etc/hostname'), 'ENOTTY');
    rejectsWith(() => getNsId('/etc/hostname'), 'ENOTTY');
    rejectsWith(() => getNsType(987654), 'EBADF');
  });

  test('a fifo, a device or a regular file is refused before any ioctl, and a fifo never blocks', () => {
    const d = mkdtempSync(join(tmpdir(), 'graphns-rel-'));
    try {
      const fifo = join(d, 'fifo');
      execFileSync('mkfifo', [fifo]);
      // in a child: a plain open() of a fifo with no writer would hang this test runner
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('${RELATIONS_MODULE}').then((m) => { for (const f of ['getNsType', 'getUserNs', 'getParentNs', 'getOwnerUid', 'getNsId']) {` +
            ` try { m[f](${JSON.stringify(fifo)}); console.log(f, 'answered'); } catch (e) { console.log(f, e.code, e.syscall, e.message); } } })`,
        ],
        { encoding: 'utf8', timeout: HANG_MS }, // only a hang ends it
      );
      assert.equal(r.signal, null, `the child hung on the fifo: ${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 5, r.stdout + r.stderr);
      for (const line of lines)
        assert.match(line, /^\w+ ENOTTY open not a namespace: .*fifo is a fifo$/);
      // a device and a regular file: ENOTTY from our check (syscall open), not from an ioctl sent to them
      for (const [path, kind] of [
        ['/dev/null', 'a character device'],
        ['/etc/hostname', 'a regular file'],
        [d, 'a directory'],
      ]) {
        assert.throws(
          () => getNsType(path!),
          (err: NodeJS.ErrnoException) =>
            err.code === 'ENOTTY' &&
            err.syscall === 'open' &&
            err.message === `not a namespace: ${path} is ${kind}`,
          path,
        );
      }
      // the caller's own fds are checked too: no ioctl reaches the fifo or /dev/null
      const fifoFd = openSync(fifo, 'r+'); // O_RDWR: a fifo opens without a writer
      const nullFd = openSync('/dev/null', 'r');
      try {
        for (const fd of [fifoFd, nullFd]) {
          assert.throws(
            () => getUserNs(fd),
            (err: NodeJS.ErrnoException) => err.code === 'ENOTTY' && err.syscall === 'fstat',
          );
        }
        // and a NamespaceFile cannot be made of one
        const dup = openSync('/dev/null', 'r');
        assert.throws(() => new NamespaceFile(dup, CLONE_NEWNET), /not a namespace/);
      } finally {
        closeSync(fifoFd);
        closeSync(nullFd);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('a NamespaceFile closes once, and its fd is unusable after', () => {
    const ns = getUserNs('/proc/self/ns/net');
    const fd = ns.fd;
    assert.equal(ns.closed, false);
    ns.close();
    ns.close();
    assert.equal(ns.closed, true);
    assert.throws(() => ns.fd, /closed/);
    assert.throws(() => getNsType(ns), /closed/);
    rejectsWith(() => getNsType(fd), 'EBADF');
  });

  test('getNsId gives one distinct 64-bit id per namespace', (t) => {
    const types = ['mnt', 'cgroup', 'uts', 'ipc', 'user', 'pid', 'net', 'time'];
    if (getNsId('/proc/self/ns/net') === null) {
      // A kernel before 6.18: the documented answer, the same for every type.
      for (const type of types) assert.equal(getNsId(`/proc/self/ns/${type}`), null, type);
      t.skip('this kernel has no NS_GET_ID (before 6.18): getNsId gives null, no ids to compare');
      return;
    }
    const ids = new Map<bigint, string>();
    for (const type of types) {
      const id = getNsId(`/proc/self/ns/${type}`);
      assert.ok(typeof id === 'bigint', `${type}: ${id}`);
      assert.ok(!ids.has(id), `${type} shares id ${id} with ${ids.get(id)}`);
      ids.set(id, type);
      if (type !== 'user') {
        // the same namespace reached another way has the same id
        using owner = getUserNs(`/proc/self/ns/${type}`);
        assert.equal(getNsId(owner), getNsId('/proc/self/ns/user'));
      }
    }
  });
});

describe('relations across real namespaces', { skip: needRoot }, () => {
  const scene = new Scene();
  let userChild: number; // unshare -Urn: new user + net ns
  let pidChild: number; // unshare -pf: new pid ns, same user ns
  let nested: number; // four nested user namespaces, a process only in the deepest
  let unprivileged: number; // user ns created by uid 12345

  before(async () => {
    userChild = (await scene.start(['unshare', '-Urn', 'sleep', 'infinity'])).pid;
    pidChild = (await scene.start(['unshare', '-pf', '--mount-proc', 'sleep', 'infinity'])).pid;
    nested = (
      await scene.start([
        'unshare',
        '-Ur',
        'unshare',
        '-Ur',
        'unshare',
        '-Ur',
        'unshare',
        '-Ur',
        'sleep',
        'infinity',
      ])
    ).pid;
    unprivileged = (
      await scene.start([
        'setpriv',
        '--reuid=12345',
        '--regid=12345',
        '--clear-groups',
        'unshare',
        '-U',
        'sleep',
        'infinity',
      ])
    ).pid;
  });
  after(() => scene.teardown());

  test('the owner of a child net ns is the child user ns', () => {
    assert.notEqual(nsInode(userChild, 'user'), nsInode('self', 'user'));
    using owner = getUserNs(`/proc/${userChild}/ns/net`);
    assert.equal(owner.id, nsInode(userChild, 'user'));
  });

  test('the parent of a child user ns is ours', () => {
    using parent = getParentNs(`/proc/${userChild}/ns/user`);
    assert.equal(parent.type, CLONE_NEWUSER);
    assert.equal(parent.id, nsInode('self', 'user'));
  });

  test('the parent of a child pid ns is ours', () => {
    assert.notEqual(nsInode(pidChild, 'pid'), nsInode('self', 'pid'));
    using parent = getParentNs(`/proc/${pidChild}/ns/pid`);
    assert.equal(parent.type, CLONE_NEWPID);
    assert.equal(parent.id, nsInode('self', 'pid'));
    using owner = getUserNs(`/proc/${pidChild}/ns/pid`);
    assert.equal(owner.id, nsInode('self', 'user'));
  });

  test('walking parents from four nested user namespaces reaches ours in four steps', () => {
    const seen: number[] = [];
    let ns: NamespaceFile = getParentNs(`/proc/${nested}/ns/user`);
    try {
      while (ns.id !== nsInode('self', 'user')) {
        seen.push(ns.id);
        const up = getParentNs(ns);
        ns.close();
        ns = up;
      }
    } finally {
      ns.close();
    }
    // three namespaces in between, none of them with a process of its own
    assert.equal(seen.length, 3);
    assert.ok(!seen.includes(nsInode(nested, 'user')));
  });

  test('getOwnerUid reports the creating uid', () => {
    assert.equal(getOwnerUid(`/proc/${userChild}/ns/user`), 0);
    assert.equal(getOwnerUid(`/proc/${unprivileged}/ns/user`), 12345);
  });

  test('distinct namespaces have distinct NS_GET_ID ids', (t) => {
    const a = getNsId(`/proc/${userChild}/ns/net`);
    const b = getNsId('/proc/self/ns/net');
    if (a === null) {
      t.skip('this kernel has no NS_GET_ID (before 6.18): getNsId gives null');
      return;
    }
    assert.notEqual(a, b);
    assert.equal(getNsId(`/proc/${userChild}/ns/net`), a);
  });

  test('the parent of a namespace outside our reach is EPERM (seen from inside a child)', () => {
    // Run the library inside a new user ns: its own parent is out of reach.
    const code = `
      const { getParentNs, getUserNs } = require(${JSON.stringify(RELATIONS_MODULE)});
      for (const f of [() => getParentNs('/proc/self/ns/user'), () => getUserNs('/proc/self/ns/user')]) {
        try { f(); console.log('no error'); } catch (e) { console.log(e.code); }
      }`;
    const out = execFileSync('unshare', ['-U', process.execPath, '--import', 'tsx', '-e', code], {
      encoding: 'utf8',
    });
    assert.deepEqual(out.trim().split('\n'), ['EPERM', 'EPERM']);
  });
});

describe('seed error semantics', () => {
  test('parent and owner of the initial user ns are EPERM', () => {
    rejectsWith(() => getParentNs('/proc/self/ns/user'), 'EPERM');
    rejectsWith(() => getUserNs('/proc/self/ns/user'), 'EPERM');
  });

  test('parent of a flat namespace is EINVAL', () => {
    for (const t of ['net', 'uts', 'ipc', 'mnt', 'cgroup', 'time']) {
      rejectsWith(() => getParentNs(`/proc/self/ns/${t}`), 'EINVAL');
    }
  });

  test('owner uid of a non-user namespace is EINVAL', () => {
    for (const t of ['net', 'uts', 'ipc', 'mnt', 'cgroup', 'pid', 'time']) {
      rejectsWith(() => getOwnerUid(`/proc/self/ns/${t}`), 'EINVAL');
    }
  });

  // PROC_USER_INIT_INO: only the initial user namespace has it
  const initialUser = nsInode('self', 'user') === 0xeffffffd;
  test(
    'the initial user namespace was created by root',
    {
      skip:
        !initialUser &&
        `this process is in user namespace ${nsInode('self', 'user')}, not the initial one (inode 0xeffffffd)`,
    },
    () => assert.equal(getOwnerUid('/proc/self/ns/user'), 0),
  );
});

describe('no fd leaks', () => {
  test('thousands of calls, errors included, leave the fd count unchanged', () => {
    const before = openFdCount();
    for (let i = 0; i < 500; i++) {
      getNsType('/proc/self/ns/net');
      getOwnerUid('/proc/self/ns/user');
      getNsId('/proc/self/ns/ipc');
      getUserNs('/proc/self/ns/uts').close();
      {
        using u = getUserNs('/proc/self/ns/pid');
        getNsType(u);
      }
      for (const f of [
        () => getParentNs('/proc/self/ns/net'), // EINVAL
        () => getParentNs('/proc/self/ns/user'), // EPERM as root in the initial ns
        () => getOwnerUid('/proc/self/ns/net'), // EINVAL
        () => getNsType('/etc/hostname'), // ENOTTY
        () => getNsId('/etc/hostname'), // ENOTTY
        () => getNsType('/nonexistent'), // ENOENT
      ]) {
        try {
          f();
        } catch {
          /* counted below */
        }
      }
    }
    assert.equal(openFdCount(), before);
  });
});
