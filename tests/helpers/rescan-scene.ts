/**
 * The rescan scene of tests/integration/discover-rescan.test.ts, run as
 * PID 1 of a PID namespace of its own with its own /proc
 * (`unshare -pf --mount-proc`), so that everything discovery sees is what
 * this script started: the whole model can be compared, not just a part of
 * it, and no other process on the machine can make two scans differ.
 * Kernel threads are not in it; the host-wide test covers them.
 *
 * It builds namespaces, scans with `rescan`, changes the scene in every way
 * a rescan could miss, and checks that discover({ previous }) gives the
 * model a fresh discover() gives, with host.time (when the scan ran) the
 * only field left out. Fails with an assertion message and exit code 1.
 */
import { HANG_MS } from './need';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { discover } from '../../main/discover';
import { rescanStats } from '../../main/discover/memo';
import { parseModel, serializeModel, type Model } from '../../main/model';

if (process.pid !== 1) throw new Error('run me as PID 1 of a new PID namespace');

// A single-threaded process that changes itself on request, never by exec
// unless asked: what a rescan must notice although the PID and start time stay.
const PUPPET = String.raw`
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fds = {}
while True:
    line = sys.stdin.readline()
    if not line:
        break
    cmd, *args = line.split()
    ok = True
    if cmd == 'unshare':
        ok = libc.unshare(int(args[0], 0)) == 0
    elif cmd == 'setns':
        fd = os.open(args[0], os.O_RDONLY)
        ok = libc.setns(fd, 0) == 0
        os.close(fd)
    elif cmd == 'open':
        fds[args[0]] = os.open(args[1], os.O_RDONLY)
    elif cmd == 'close':
        os.close(fds.pop(args[0]))
    elif cmd == 'exec':
        print('ok', flush=True)
        os.execvp(args[0], args)
    print('ok' if ok else 'err %d' % ctypes.get_errno(), flush=True)
`;

const CLONE_NEWNET = 0x40000000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return undefined;
  }
};
const kids: ChildProcess[] = [];

/** Start argv; resolves with the PID that ends up running `want` (unshare exec()s in place). */
async function start(argv: string[], want = 'sleep'): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  kids.push(child);
  // until it runs `want` (a state); HANG_MS only against a hang
  for (const t0 = Date.now(); Date.now() - t0 < HANG_MS;) {
    const pid = child.pid!;
    if (comm(pid) === want) return pid;
    // nested unshares fork: look one level down
    const kids2 = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    for (const k of kids2.split(' ').filter(Boolean)) {
      const grand = readFileSync(`/proc/${k}/task/${k}/children`, 'latin1').trim();
      for (const g of [k, ...grand.split(' ').filter(Boolean)])
        if (comm(Number(g)) === want) return Number(g);
    }
    await sleep(5);
  }
  throw new Error(`${argv.join(' ')} did not start ${want}`);
}

interface Puppet {
  pid: number;
  /** Send a command, resolve when the puppet has done it. */
  say(cmd: string): Promise<void>;
}

async function puppet(): Promise<Puppet> {
  const child = spawn('python3', ['-c', PUPPET], { stdio: ['pipe', 'pipe', 'inherit'] });
  kids.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const p: Puppet = {
    pid: child.pid!,
    async say(cmd) {
      child.stdin!.write(`${cmd}\n`);
      const { value } = await lines.next();
      assert.equal(value, 'ok', `puppet ${child.pid}: ${cmd}`);
    },
  };
  await p.say('open probe /dev/null'); // python is up and reading
  await p.say('close probe');
  return p;
}

const norm = (m: Model) => serializeModel({ ...m, host: { ...m.host, time: '' } });

/** The first place two models differ, for the failure message. */
function diff(a: string, b: string, names = ['rescan', 'fresh']): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const at = (s: string) => `…${s.slice(Math.max(0, i - 150), i + 150)}…`;
  return `${names[0]}: ${at(a)}\n${names[1]}: ${at(b)}`;
}

/**
 * The rescan of `previous` equals a fresh scan. Fresh, rescan, fresh: the
 * two fresh scans must agree (else something here changed on its own and
 * the comparison would prove nothing), and the rescan must agree with them.
 */
async function sameAsFresh(previous: Model, what: string): Promise<Model> {
  // The scene shares the host's mounts as they were when it began: a mount
  // another test removes meanwhile (Docker's /run/docker/netns) may change
  // what two fresh scans see. Such a round proves nothing and is tried again,
  // from the same `previous`: the caller asks what a rescan of that scan
  // reuses (a process that ran since then must not be), and a rescan of the
  // failed round's rescan would rightly reuse what ran before that one.
  let before = '';
  let after = '';
  for (let round = 0; round < 5; round++) {
    await sleep(30); // memo.ts: a rescan within 25 ms of its scan reuses no process
    before = norm(discover());
    const warm = discover({ previous });
    after = norm(discover());
    if (before !== after) continue;
    const got = norm(warm);
    assert.ok(got === after, `${what}: rescan differs from a fresh scan\n${diff(got, after)}`);
    return warm;
  }
  assert.fail(
    `${what}: the scene changed by itself between two fresh scans, 5 times\n${diff(before, after, ['first', 'second'])}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'graphns-rescan-'));
try {
  const ns = (pid: number, t = 'net') => `/proc/${pid}/ns/${t}`;
  const stable = [];
  for (let i = 0; i < 4; i++) stable.push(await start(['unshare', '-Urn', 'sleep', 'infinity']));
  const doomed = [];
  for (let i = 0; i < 4; i++) doomed.push(await start(['unshare', '-Urn', 'sleep', 'infinity']));
  const lonelyTarget = await start(['unshare', '-n', 'sleep', 'infinity']);
  const unsharer = await puppet();
  const setnser = await puppet();
  const opener = await puppet();
  const closer = await puppet();
  const execer = await puppet();
  await closer.say(`open lonely ${ns(lonelyTarget)}`);
  process.kill(lonelyTarget, 'SIGKILL'); // now only the closer's fd holds that net ns
  // same comm after exec (bash), another argv[0]: only the rest proof catches it
  const renamer = spawn('bash', ['-c', 'read x; exec -a renamed bash -c "read y"'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  kids.push(renamer);
  while (comm(renamer.pid!) !== 'bash') await sleep(5);
  const bindOld = join(dir, 'old');
  const bindNew = join(dir, 'new');
  const bindOnly = join(dir, 'only');
  for (const f of [bindOld, bindNew, bindOnly]) writeFileSync(f, '');
  execFileSync('mount', ['--bind', ns(stable[0]!), bindOld]);
  execFileSync('unshare', [`--net=${bindOnly}`, 'true']); // a net ns only a mount holds

  const base = discover({ rescan: true });
  const first = await sameAsFresh(base, 'nothing changed');
  const stats = rescanStats(first)!;
  for (const pid of [...stable, ...doomed, unsharer.pid, opener.pid, execer.pid])
    assert.ok(stats.processes.includes(pid), `pid ${pid} at rest was not reused`);
  assert.ok(
    stats.sameNs >= 2 * stable.length,
    `namespaces proven by their processes: ${stats.sameNs}`,
  );
  assert.ok(
    stats.verifiedNs >= 2,
    `fd- and mount-held namespaces proven by NS_GET_ID: ${stats.verifiedNs}`,
  );
  // a model without a memo (from JSON) is a fresh scan, no worse
  const foreign = await sameAsFresh(parseModel(serializeModel(base)), 'previous from JSON');
  assert.deepEqual(rescanStats(foreign)!.processes, []);

  // change everything a rescan could miss
  for (const pid of doomed) process.kill(pid, 'SIGKILL');
  while (doomed.some((pid) => comm(pid) !== undefined)) await sleep(5);
  // new namespaces, likely on the freed inode numbers, with other parents and owners
  const fresh = [];
  for (let i = 0; i < 2; i++)
    fresh.push(await start(['unshare', '-Ur', 'unshare', '-Urn', 'sleep', 'infinity']));
  for (let i = 0; i < 2; i++) fresh.push(await start(['unshare', '-n', 'sleep', 'infinity']));
  await unsharer.say(`unshare ${CLONE_NEWNET}`);
  await setnser.say(`setns ${ns(stable[1]!)}`);
  await opener.say(`open held ${ns(stable[2]!, 'user')}`);
  await closer.say('close lonely'); // the lonely net ns dies with it
  await execer.say('exec sleep infinity');
  while (comm(execer.pid) !== 'sleep') await sleep(5);
  renamer.stdin!.write('go\n');
  while (!readFileSync(`/proc/${renamer.pid}/cmdline`, 'latin1').startsWith('renamed'))
    await sleep(5);
  execFileSync('umount', [bindOld]);
  execFileSync('umount', [bindOnly]); // its net ns dies
  execFileSync('mount', ['--bind', ns(stable[3]!), bindNew]);

  const changed = await sameAsFresh(base, 'after the changes');
  const again = rescanStats(changed)!;
  for (const pid of [unsharer.pid, setnser.pid, opener.pid, closer.pid, execer.pid, renamer.pid!])
    assert.ok(!again.processes.includes(pid), `pid ${pid} ran but was reused`);
  assert.ok(again.processes.includes(stable[0]!), 'the processes at rest were reused');

  // a rescan of a rescan, after one more change
  await opener.say('close held');
  await sameAsFresh(changed, 'rescan of a rescan');
  console.log('rescan scene: ok');
} finally {
  for (const k of kids) k.kill('SIGKILL');
  for (const f of ['old', 'new', 'only']) {
    try {
      execFileSync('umount', [join(dir, f)], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
  }
  execFileSync('rm', ['-rf', dir]);
}
