/**
 * The discovery engine on a live scene built with unshare. Every answer is
 * checked against the kernel: the /proc/PID/ns links, stat() of bind
 * mounts, and util-linux lsns.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../main/discover';
import { graphOf, parseModel, serializeModel, type Model, type Namespace } from '../../main/model';
import {
  Scene,
  needRoot,
  nsInode,
  inodeOf,
  openFdCount,
  type SceneProcess,
} from '../helpers/scene';

const key = (pid: number | 'self', type: string) => `${type}:${nsInode(pid, type)}`;
const nsOf = (m: Model, k: string): Namespace => {
  const ns = m.namespaces.find((n) => n.key === k);
  assert.ok(ns, `${k} not in the model`);
  return ns;
};

/** Poll until `f` returns a value (no fixed sleeps: the kernel state decides). */
async function until<T>(f: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const THREAD_PY = `
import ctypes, threading, time, sys
libc = ctypes.CDLL(None, use_errno=True)
def t():
    if libc.unshare(0x04000000) != 0:
        sys.exit(1)
    time.sleep(1e9)
threading.Thread(target=t, daemon=True).start()
time.sleep(1e9)
`;

// Process names with every kind of hostility, as bash $'...' strings and the bytes they make.
const HOSTILE: { bash: string; bytes: Buffer }[] = [
  {
    bash: `$'two words "quoted" \\\\N back\\\\slash'`,
    bytes: Buffer.from('two words "quoted" \\N back\\slash'),
  },
  { bash: `$'line1\\nline2\\r\\t\\x1b[31mred'`, bytes: Buffer.from('line1\nline2\r\t\x1b[31mred') },
  {
    bash: `$'<img src=x onerror="alert(1)">&amp;<b>'`,
    bytes: Buffer.from('<img src=x onerror="alert(1)">&amp;<b>'),
  },
  {
    bash: `$'bad\\xff\\xfeutf8\\xc3'`,
    bytes: Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x75, 0x74, 0x66, 0x38, 0xc3]),
  },
  { bash: `$'\\u202eevil'`, bytes: Buffer.from('\u202eevil') },
];

describe('discovery on a live scene', { skip: needRoot }, () => {
  const scene = new Scene();
  const dir = mkdtempSync(join(tmpdir(), 'graphns-discover-'));
  let nested: SceneProcess; // 4 nested user namespaces; a process only in the deepest
  let nestedPid: SceneProcess; // 2 nested PID namespaces
  let userNet: SceneProcess; // net + uts owned by a child user ns
  let fdHolder: SceneProcess; // holds fd 7 on a net ns nobody is in
  let fdNetKey: string;
  let bindNetKey: string;
  const bindFile = join(dir, 'netns');
  let innerMount: SceneProcess; // a private mount ns with an nsfs bind mount inside
  let threaded: SceneProcess; // python with one thread in its own uts ns
  let zombieParent: SceneProcess;
  let unknownUid: SceneProcess; // user ns created by a uid with no passwd entry
  const hostile: SceneProcess[] = [];
  let model: Model;

  before(async () => {
    nested = await scene.start([
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
    ]);
    nestedPid = await scene.start([
      'unshare',
      '-pf',
      '--mount-proc',
      'unshare',
      '-pf',
      '--mount-proc',
      'sleep',
      'infinity',
    ]);
    userNet = await scene.start(['unshare', '-Urnu', 'sleep', 'infinity']);
    const target = await scene.start(['unshare', '-n', 'sleep', 'infinity']);
    fdNetKey = key(target.pid, 'net');
    fdHolder = await scene.start([
      'bash',
      '-c',
      `exec 7</proc/${target.pid}/ns/net; exec sleep infinity`,
    ]);
    await scene.kill(target); // now only the fd holds that net namespace
    writeFileSync(bindFile, '');
    execFileSync('unshare', [`--net=${bindFile}`, 'true']); // no process at all, just the bind mount
    bindNetKey = `net:${inodeOf(bindFile)}`;
    innerMount = await scene.start([
      'unshare',
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs none /mnt && touch /mnt/inner && unshare --net=/mnt/inner true && exec sleep infinity',
    ]);
    threaded = await scene.start(['/usr/bin/python3', '-c', THREAD_PY], 'python3');
    await until(
      () =>
        readdirSync(`/proc/${threaded.pid}/task`).find(
          (t) =>
            key(threaded.pid, 'uts') !==
            `uts:${nsInode(`${threaded.pid}/task/${t}` as never, 'uts')}`,
        ),
      'thread in its own uts ns',
    );
    // the parent itself must be found (once sh exec()ed), never its short-lived child
    zombieParent = await scene.start(
      ['sh', '-c', 'sleep 0 & exec sleep infinity'],
      'sleep',
      5000,
      true,
    );
    unknownUid = await scene.start([
      'setpriv',
      '--reuid=54321',
      '--regid=54321',
      '--clear-groups',
      'unshare',
      '-U',
      'sleep',
      'infinity',
    ]);
    for (const h of HOSTILE) {
      hostile.push(
        await scene.start(['unshare', '-Ur', 'bash', '-c', `exec -a ${h.bash} sleep infinity`]),
      );
    }
    // the zombie: sleep 0 exits and its parent never reaps it
    await until(() => zombieChild(zombieParent.pid), 'zombie');
    model = discover();
  });
  after(async () => {
    await scene.teardown();
    try {
      execFileSync('umount', [bindFile]);
    } catch {
      /* not mounted */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('every process namespace matches the /proc links', () => {
    for (const p of [
      nested,
      nestedPid,
      userNet,
      fdHolder,
      innerMount,
      threaded,
      unknownUid,
      ...hostile,
    ]) {
      const mp = model.processes.find((x) => x.pid === p.pid);
      assert.ok(mp, `pid ${p.pid} missing`);
      for (const t of ['mnt', 'cgroup', 'uts', 'ipc', 'user', 'pid', 'net', 'time']) {
        assert.equal(mp.ns[t as 'net'], key(p.pid, t), `pid ${p.pid} ${t}`);
        assert.ok(nsOf(model, key(p.pid, t)).pids.includes(p.pid));
      }
    }
  });

  test('every namespace lsns lists is in the model', () => {
    const lsns = JSON.parse(
      execFileSync('lsns', ['-J', '-o', 'NS,TYPE'], { encoding: 'utf8' }),
    ) as {
      namespaces: { ns: number | string; type: string }[];
    };
    const fresh = discover();
    const keys = new Set(fresh.namespaces.map((n) => n.key));
    const missing = lsns.namespaces
      .map((n) => `${n.type}:${n.ns}`)
      .filter((k) => !keys.has(k as never));
    // lsns and our scan race other processes; anything it saw that we did not must have vanished
    for (const k of missing) {
      const [type] = k.split(':');
      const alive = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .some((pid) => {
          try {
            return key(Number(pid), type!) === k;
          } catch {
            return false;
          }
        });
      assert.ok(!alive, `lsns lists ${k}, discovery missed it`);
    }
  });

  test('four nested user namespaces: three hidden ones in between', () => {
    let ns = nsOf(model, key(nested.pid, 'user'));
    assert.equal(ns.origin, 'process');
    assert.deepEqual(ns.pids, [nested.pid]);
    const chain: Namespace[] = [];
    while (ns.parent) {
      ns = nsOf(model, ns.parent);
      chain.push(ns);
    }
    assert.equal(chain.length, 4);
    assert.equal(chain[3]!.key, key('self', 'user')); // the walk ends in the initial user ns
    for (const hidden of chain.slice(0, 3)) {
      assert.equal(hidden.origin, 'hidden');
      assert.deepEqual(hidden.pids, []);
      assert.equal(hidden.ownerUid, 0);
      assert.equal(hidden.label, undefined);
    }
  });

  test('nested PID namespaces: parents and owners as the kernel says', () => {
    const inner = nsOf(model, key(nestedPid.pid, 'pid'));
    const outerPid = model.processes.find(
      (p) =>
        p.ns.pid === inner.parent &&
        p.ppid !== 0 &&
        model.processes.some((c) => c.pid === nestedPid.pid && c.ppid === p.pid),
    );
    assert.ok(outerPid, 'the unshare between the two PID namespaces');
    assert.equal(inner.parent, key(outerPid.pid, 'pid'));
    assert.equal(nsOf(model, inner.parent!).parent, key('self', 'pid'));
    assert.equal(inner.owner, key('self', 'user'));
    assert.equal(inner.label?.pid, nestedPid.pid);
  });

  test('net and uts namespaces owned by a child user namespace', () => {
    for (const t of ['net', 'uts']) {
      const ns = nsOf(model, key(userNet.pid, t));
      assert.equal(ns.owner, key(userNet.pid, 'user'));
      assert.equal(ns.parent, undefined);
      assert.equal(ns.label?.pid, userNet.pid);
    }
    const user = nsOf(model, key(userNet.pid, 'user'));
    assert.equal(user.parent, key('self', 'user'));
    assert.equal(user.ownerUid, 0);
    assert.equal(user.ownerName, 'root');
  });

  test('a namespace held only by an open fd', () => {
    const ns = nsOf(model, fdNetKey);
    assert.equal(ns.origin, 'fd');
    assert.deepEqual(ns.pids, []);
    assert.deepEqual(ns.fds, [{ pid: fdHolder.pid, fd: 7 }]);
    assert.equal(ns.owner, key('self', 'user'));
  });

  test('a namespace held only by a bind mount', () => {
    const ns = nsOf(model, bindNetKey);
    assert.equal(ns.origin, 'bindmount');
    assert.deepEqual(ns.pids, []);
    assert.ok(
      ns.mounts.some((m) => m.path === bindFile && m.mntns === key('self', 'mnt')),
      JSON.stringify(ns.mounts),
    );
  });

  test('a bind mount visible only inside another mount namespace', () => {
    const mntns = key(innerMount.pid, 'mnt');
    assert.notEqual(mntns, key('self', 'mnt'));
    const inner = inodeOf(`/proc/${innerMount.pid}/root/mnt/inner`);
    const ns = nsOf(model, `net:${inner}`);
    assert.equal(ns.origin, 'bindmount');
    assert.deepEqual(ns.mounts, [{ path: '/mnt/inner', mntns }]);
  });

  test('a thread in another namespace than its process', () => {
    const tids = readdirSync(`/proc/${threaded.pid}/task`).map(Number);
    const tid = tids.find(
      (t) => nsInode(`${threaded.pid}/task/${t}` as never, 'uts') !== nsInode(threaded.pid, 'uts'),
    );
    assert.ok(tid);
    const ns = nsOf(model, `uts:${nsInode(`${threaded.pid}/task/${tid}` as never, 'uts')}`);
    assert.equal(ns.origin, 'task');
    assert.deepEqual(ns.tasks, [{ pid: threaded.pid, tid }]);
    assert.deepEqual(ns.pids, []);
  });

  test('a zombie is listed without namespaces and without a warning', () => {
    const z = zombieChild(zombieParent.pid)!;
    const mp = model.processes.find((p) => p.pid === z);
    assert.ok(mp, 'zombie listed');
    assert.equal(mp.name, '[sleep]');
    // a zombie keeps only the links the kernel still answers (user, pid): the model has exactly those
    for (const t of ['mnt', 'cgroup', 'uts', 'ipc', 'user', 'pid', 'net', 'time'] as const) {
      let want: string | undefined;
      try {
        want = key(z, t);
      } catch {
        want = undefined;
      }
      assert.equal(mp.ns[t], want, t);
    }
    assert.ok(Object.keys(mp.ns).length < 8, 'a zombie has lost some links');
    assert.ok(!model.warnings.some((w) => w.includes(`pid ${z} `)), model.warnings.join('\n'));
  });

  test('a user namespace of a uid with no passwd entry shows the number', () => {
    const ns = nsOf(model, key(unknownUid.pid, 'user'));
    assert.equal(ns.ownerUid, 54321);
    assert.equal(ns.ownerName, undefined);
  });

  test('hostile process names are kept byte for byte and labels use them', () => {
    HOSTILE.forEach((h, i) => {
      const p = hostile[i]!;
      const raw = readFileSync(`/proc/${p.pid}/cmdline`);
      assert.deepEqual(
        raw.subarray(0, raw.indexOf(0)),
        h.bytes,
        'the kernel holds the bytes we meant',
      );
      const mp = model.processes.find((x) => x.pid === p.pid)!;
      const ns = nsOf(model, key(p.pid, 'user'));
      assert.equal(ns.label?.pid, p.pid);
      assert.equal(ns.label?.name, mp.name);
      // lossless: encodeBytes(name) gives the kernel's bytes back (after a JSON round trip too)
      const again = parseModel(serializeModel(model)).processes.find((x) => x.pid === p.pid)!;
      assert.equal(again.name, mp.name);
      assert.deepEqual(Buffer.from(encode(again.name)), h.bytes);
    });
  });

  test('the model is consistent: references resolve, JSON round-trips', () => {
    const again = parseModel(serializeModel(model));
    assert.deepEqual(again, model);
    const g = graphOf(model);
    for (const ns of model.namespaces) {
      if (ns.owner) assert.equal(g.byKey.get(ns.owner)?.type, 'user');
      if (ns.type !== 'user' || ns.key === key('self', 'user')) continue;
      assert.ok(ns.parent, `${ns.key} has a parent`);
    }
  });

  test('repeated scans while processes come and go: no throw, no fd leak, no vanish warnings', async () => {
    const churn = spawn('bash', ['-c', 'while :; do unshare -n true; sleep 0 & done'], {
      stdio: 'ignore',
    });
    try {
      const fds = openFdCount();
      for (let i = 0; i < 15; i++) {
        const m = discover();
        assert.ok(m.namespaces.length > 10);
        for (const w of m.warnings) assert.doesNotMatch(w, /ENOENT|ESRCH/);
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(openFdCount(), fds);
    } finally {
      const exited = new Promise((r) => churn.once('exit', r));
      churn.kill('SIGKILL');
      await exited;
    }
  });
});

function zombieChild(parent: number): number | undefined {
  const kids = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return kids.find((k) => {
    try {
      return / Z /.test(
        readFileSync(`/proc/${k}/stat`, 'latin1').slice(-400).replace(/^.*\)/s, ')'),
      );
    } catch {
      return false;
    }
  });
}

import { encodeBytes as encode } from '../../main/model';
