/**
 * lsnetns without root: the host's network namespace, which the user is
 * in, is read without entering it and matches `ip`; the user's own (made
 * with `unshare -Urn`, a veth pair in it) and root's `ip netns add` one are
 * listed with their interfaces unread and a warning naming them: setns
 * into a network namespace needs CAP_SYS_ADMIN in the caller's own user
 * namespace too, which no unprivileged process has, and a multithreaded
 * process (Node) cannot join the user's namespace first. The run still
 * answers (exit 0). The oracle is `ip -j` run by root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync, statSync } from 'node:fs';
import type { Model } from '../../main/model';
import { runBin } from '../helpers/bins';
import { HANG_MS } from '../helpers/need';
import { needRoot } from '../helpers/scene';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';

const skip = needRoot || noUseradd;
const ROOTS = `gu${randomBytes(2).toString('hex')}r`;
let user: TestUser | undefined;
let own: ChildProcess | undefined;

/** `ip -j link` in a namespace, as root: names by index. */
function ipLinks(argv: string[]): Map<number, string> {
  const out = execFileSync(argv[0]!, [...argv.slice(1), 'ip', '-j', 'link'], { encoding: 'utf8' });
  return new Map(
    (JSON.parse(out) as { ifindex: number; ifname: string }[]).map((l) => [l.ifindex, l.ifname]),
  );
}

before(async () => {
  if (skip) return;
  user = makeUser();
  execFileSync('ip', ['netns', 'add', ROOTS]);
  // the user's own namespace: a veth pair and an address, then it waits
  own = spawn(
    'setpriv',
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--init-groups',
      'unshare',
      '-Urn',
      'sh',
      '-c',
      'ip link add ua type veth peer name ub && ip addr add 10.91.0.1/24 dev ua && exec sleep 3600',
    ],
    { stdio: 'ignore' },
  );
  // ready when its namespace has the veth (waiting for the state, not for time)
  const ours = readlinkSync('/proc/self/ns/net');
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    try {
      // setpriv, unshare (no --fork) and sh each exec the next: one process throughout
      const at = String(own.pid!);
      if (
        readlinkSync(`/proc/${at}/ns/net`) !== ours &&
        [...ipLinks(['nsenter', '-t', at, '-n']).values()].includes('ua')
      )
        break;
    } catch {
      /* not yet */
    }
    if (own.exitCode !== null) throw new Error('the user could not make a network namespace');
    if (Date.now() > deadline) throw new Error('the user namespace scene did not come up');
    await new Promise((r) => setTimeout(r, 20));
  }
});

after(async () => {
  own?.kill('SIGKILL');
  try {
    execFileSync('ip', ['netns', 'del', ROOTS]);
  } catch {
    /* not made */
  }
  await removeUser(user);
});

test(
  "without root: the host read in place; its own and root's listed unread, with a warning",
  { skip },
  () => {
    const u = user!;
    const r = runBin(
      'lsnetns',
      ['-J'],
      ['setpriv', `--reuid=${u.uid}`, `--regid=${u.gid}`, '--init-groups'],
    );
    assert.equal(r.status, 0, r.stderr);
    const model = JSON.parse(r.stdout) as Model;
    const byKey = new Map(model.namespaces.map((n) => [n.key, n]));
    // the user's own and root's mounted one: found, not entered, said so
    const ownKey = `net:${/\[(\d+)\]/.exec(readlinkSync(`/proc/${own!.pid}/ns/net`))![1]}`;
    const rootsKey = `net:${statSync(`/run/netns/${ROOTS}`).ino}`;
    const unread = model.warnings.find((w) =>
      w.startsWith('interfaces not read, entering needs root: EPERM: '),
    );
    assert.ok(unread, `one warning says why: ${model.warnings.join(' | ')}`);
    // it names the first few and counts the rest (a host has hundreds): as many as are unread
    const named = /: EPERM: (.*?)(?: and (\d+) more)?$/.exec(unread)!;
    const said = named[1]!.split(', ').length + Number(named[2] ?? 0);
    const notRead = model.namespaces.filter((n) => n.type === 'net' && !n.interfaces);
    assert.ok(said >= 2 && said <= notRead.length, `${said} said, ${notRead.length} not read`);
    for (const key of [ownKey, rootsKey]) {
      const ns = byKey.get(key as never);
      assert.ok(ns, `${key} found`);
      assert.equal(ns.interfaces, undefined, `${key} not read`);
    }
    // the host's, which the user is in: read without entering it
    const hostKey = `net:${/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))![1]}`;
    const host = byKey.get(hostKey as never);
    assert.ok(host?.interfaces, 'the host namespace read');
    assert.deepEqual(new Map(host.interfaces.map((i) => [i.index, i.name])), ipLinks(['env']));
    // and the tree says which were not read
    const tree = runBin(
      'lsnetns',
      [],
      ['setpriv', `--reuid=${u.uid}`, `--regid=${u.gid}`, '--init-groups'],
    );
    assert.equal(tree.status, 0, tree.stderr);
    for (const key of [ownKey, rootsKey])
      assert.match(tree.stdout, new RegExp(`net:\\[${key.slice(4)}\\].*\\(interfaces not read\\)`));
  },
);
