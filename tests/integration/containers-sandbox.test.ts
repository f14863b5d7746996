/**
 * Real bubblewrap, systemd-nspawn (--register=no) and LXC sandboxes, started
 * here the way /work/shared/CONTAINERS.md found to work, found by discover()
 * and held against what the kernel and the engines report: bwrap's
 * --info-fd (its child's PID), the sandbox's hostname read from inside its
 * UTS namespace, the payload cgroup's cgroup.procs, `lxc-info`. Each test
 * removes what it started (by PID, lxc-stop/lxc-destroy, the cgroups it
 * made) in finally, and skips with the reason when a tool cannot run here
 * (under CI=true, where .ci/run installs them, fails instead).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { discover } from '../../main/discover';
import type { Model } from '../../main/model/types';
import { HANG_MS, needRoot, unmetNeed } from '../helpers/scene';

const which = (tool: string): string | undefined =>
  ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin']
    .map((d) => join(d, tool))
    .find((p) => existsSync(p));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `f` returns a value (the kernel's state decides, not a fixed sleep); `ms` only ends a hang. */
async function until<T>(what: string, f: () => T | undefined, ms = HANG_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The kernel's list of a process's children (all threads), recursively. */
function kernelDescendants(pid: number): number[] {
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next: number[] = [];
    for (const q of queue) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${q}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        let text: string;
        try {
          text = readFileSync(`/proc/${q}/task/${tid}/children`, 'utf8');
        } catch {
          continue;
        }
        for (const c of text.split(' ').filter(Boolean).map(Number)) {
          out.push(c);
          next.push(c);
        }
      }
    }
    queue = next;
  }
  return out.sort((a, b) => a - b);
}

const procsOfCgroup = (dir: string): number[] =>
  readFileSync(join(dir, 'cgroup.procs'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);

const containerOf = (m: Model, pid: number) => m.processes.find((p) => p.pid === pid)?.container;

/** Stop a child we spawned: TERM, then KILL if it hangs (after `ms`); resolves once reaped. */
async function stop(child: ChildProcess, ms = HANG_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(timer);
}

/** A busybox tree nspawn and bwrap accept (nspawn wants /usr and os-release). */
function busyboxRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-sbx-root-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'usr'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/os-release'), 'ID=busybox\n');
  copyFileSync('/usr/bin/busybox', join(dir, 'bin/busybox'));
  for (const l of ['sh', 'sleep', 'cat']) symlinkSync('busybox', join(dir, 'bin', l));
  return dir;
}

const tag = () => randomBytes(3).toString('hex');

test('bubblewrap: a real sandbox is named by its --hostname, with the processes bwrap made', async (t) => {
  const bwrap = which('bwrap');
  if (needRoot) return t.skip(needRoot);
  if (!bwrap) return t.skip(unmetNeed('bwrap not installed (apt-get install bubblewrap)'));
  // a hostile hostname: the kernel takes any bytes; the model must keep them exact
  const hostname = `bw-${tag()}\n"<x>"`;
  const child = spawn(
    bwrap,
    [
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
      hostname,
      '--info-fd',
      '3',
      'sleep',
      '100400',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  try {
    let info = '';
    child.stdio[3]?.on('data', (b: Buffer) => (info += b.toString()));
    const childPid = await until('bwrap --info-fd', () => {
      const m = /"child-pid":\s*(\d+)/.exec(info);
      return m ? Number(m[1]) : undefined;
    });
    // the sandbox is ready once its command runs
    const pids = await until('the sandbox command', () => {
      const all = [childPid, ...kernelDescendants(childPid)].sort((a, b) => a - b);
      return all.some((p) => readFileSync(`/proc/${p}/cmdline`, 'latin1').startsWith('sleep'))
        ? all
        : undefined;
    });
    // the hostname as the sandbox's own UTS namespace has it
    const real = execFileSync('nsenter', [
      '-t',
      String(childPid),
      '-u',
      'cat',
      '/proc/sys/kernel/hostname',
    ])
      .toString()
      .replace(/\n$/, '');
    assert.equal(real, hostname);

    const m = discover({ tasks: false, fds: false, mounts: false });
    const key = `bubblewrap:${child.pid}`;
    const c = m.containers.find((x) => x.key === key);
    assert.ok(c, `${key} not found; have ${m.containers.map((x) => x.key).join(', ')}`);
    assert.equal(c.engine, 'bubblewrap');
    assert.equal(c.name, real);
    assert.deepEqual(c.pids, pids);
    for (const pid of pids) assert.equal(containerOf(m, pid), key);
    assert.equal(containerOf(m, child.pid!), undefined, 'the outer bwrap runs on the host');
  } finally {
    await stop(child);
  }
});

/** Move processes started by `sh -c` into a fresh cgroup on both hierarchies nspawn uses. */
function freshCgroups(name: string): string[] {
  const dirs = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']
    .filter((d) => existsSync(join(d, 'cgroup.procs')))
    .map((d) => join(d, name));
  for (const d of dirs) mkdirSync(d);
  return dirs;
}

function removeCgroups(dirs: readonly string[]): void {
  for (const d of dirs) {
    for (const sub of ['payload', 'supervisor', '']) {
      const p = join(d, sub);
      try {
        rmdirSync(p);
      } catch {
        // gone already, or a process still in it: a warning would not help here
      }
    }
  }
}

for (const withName of [true, false]) {
  const how = withName ? 'named by -M' : 'without -M, named after its directory';
  test(`systemd-nspawn --register=no: the payload cgroup, ${how}`, async (t) => {
    const nspawn = which('systemd-nspawn');
    if (needRoot) return t.skip(needRoot);
    if (!nspawn)
      return t.skip(unmetNeed('systemd-nspawn not installed (apt-get install systemd-container)'));
    if (!existsSync('/usr/bin/busybox'))
      return t.skip(unmetNeed('busybox not installed (apt-get install busybox-static)'));
    const root = busyboxRoot();
    // nspawn's own rule (determine_names): -M, else the directory's basename
    const machine = withName ? `gns${tag()}` : basename(root);
    const nameArg = withName ? `-M ${machine}` : '';
    const group = `graphns-test-${tag()}`;
    const dirs = freshCgroups(group);
    // sh joins the fresh cgroups, then becomes nspawn: payload/supervisor land under them
    const join_ = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join(' && ');
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `${join_} && exec ${nspawn} -D "$0" ${nameArg} --register=no --keep-unit --console=pipe --as-pid2 /bin/sleep 100300`,
        root,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      const exited = new Promise<string>((r) => child.once('exit', () => r(stderr)));
      const payloadDir =
        dirs.map((d) => join(d, 'payload')).find((d) => d.includes('unified')) ??
        join(dirs[0] ?? '/sys/fs/cgroup', 'payload');
      const ready = await Promise.race([
        until('the nspawn payload', () => {
          try {
            const pids = procsOfCgroup(payloadDir);
            // the payload's sleep itself, not nspawn's fork before its exec
            const argv0 = (p: number) =>
              readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0')[0];
            return pids.some((p) => argv0(p) === '/bin/sleep') ? pids : undefined;
          } catch {
            return undefined;
          }
        }),
        exited.then((err) => ({ exited: err })),
      ]);
      if (!Array.isArray(ready))
        return t.skip(unmetNeed(`systemd-nspawn cannot start here: ${ready.exited.trim()}`));

      const m = discover({ tasks: false, fds: false, mounts: false });
      const key = `nspawn:${machine}`;
      const c = m.containers.find((x) => x.key === key);
      assert.ok(c, `${key} not found; have ${m.containers.map((x) => x.key).join(', ')}`);
      assert.equal(c.name, machine);
      // nspawn's own idea of the name: it sets the container's hostname to it
      const inside = execFileSync('nsenter', [
        '-t',
        String(ready[0]),
        '-u',
        'cat',
        '/proc/sys/kernel/hostname',
      ])
        .toString()
        .trim();
      assert.equal(c.name, inside);
      assert.deepEqual(c.pids, procsOfCgroup(payloadDir));
      assert.deepEqual(c.pids, ready);
      assert.equal(containerOf(m, child.pid!), undefined, 'the supervisor runs on the host');
      const supervisorCg = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
      assert.match(supervisorCg, new RegExp(`/${group}/supervisor$`, 'm'));
    } finally {
      await stop(child);
      removeCgroups(dirs);
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('LXC: a real busybox container, named as lxc-info names it, its monitor on the host', async (t) => {
  const create = which('lxc-create');
  if (needRoot) return t.skip(needRoot);
  if (!create) return t.skip(unmetNeed('lxc not installed (apt-get install lxc)'));
  const name = `gns${tag()}`;
  const conf = join(mkdtempSync(join(tmpdir(), 'graphns-lxc-')), 'lxc.conf');
  writeFileSync(conf, 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n');
  let created = false;
  try {
    const made = spawnSync('lxc-create', ['-t', 'busybox', '-n', name, '-f', conf], {
      encoding: 'utf8',
    });
    if (made.status !== 0)
      return t.skip(unmetNeed(`lxc-create cannot run here: ${made.stderr.trim()}`));
    created = true;
    const started = spawnSync('lxc-start', ['-n', name, '-d'], { encoding: 'utf8' });
    if (started.status !== 0)
      return t.skip(unmetNeed(`lxc-start cannot run here: ${started.stderr.trim()}`));
    const init = await until('lxc-info RUNNING', () => {
      // one field per call: with two, -H still prints the labels
      const info = (f: string) =>
        spawnSync('lxc-info', ['-n', name, f, '-H'], { encoding: 'utf8' }).stdout.trim();
      const pid = info('-p');
      return info('-s') === 'RUNNING' && /^\d+$/.test(pid) ? Number(pid) : undefined;
    });
    const payload = readFileSync(`/proc/${init}/cgroup`, 'utf8');
    const pidsDir = `/sys/fs/cgroup/pids/lxc.payload.${name}`;
    const kernelPidsNow = () =>
      existsSync(pidsDir)
        ? procsOfCgroup(pidsDir)
        : procsOfCgroup(`/sys/fs/cgroup/lxc.payload.${name}`);
    // the container's boot scripts come and go while it starts: what the kernel
    // lists before and after the scan bounds what the scan may have seen
    const kernelBefore = kernelPidsNow();
    const monitor = Number(
      readFileSync(`/proc/${init}/stat`, 'utf8').split(') ')[1]?.split(' ')[1],
    );

    const m = discover({ tasks: false, fds: false, mounts: false });
    const key = `lxc:${name}`;
    const c = m.containers.find((x) => x.key === key);
    assert.ok(c, `${key} not found; have ${m.containers.map((x) => x.key).join(', ')}`);
    assert.equal(c.engine, 'lxc');
    assert.equal(c.name, name);
    assert.ok(c.pids.includes(init), `lxc-info's init ${init} in ${c.pids.join(',')}`);
    const kernelAfter = kernelPidsNow();
    const always = kernelBefore.filter((p) => kernelAfter.includes(p));
    const ever = [...new Set([...kernelBefore, ...kernelAfter])];
    for (const p of always) assert.ok(c.pids.includes(p), `${p} ran throughout: ${payload}`);
    for (const p of c.pids) assert.ok(ever.includes(p), `${p} is no process of the payload cgroup`);
    assert.ok(c.sources.includes('lxc monitor argv'), c.sources.join(', '));
    assert.match(readFileSync(`/proc/${monitor}/cgroup`, 'utf8'), /lxc\.monitor\./);
    assert.equal(containerOf(m, monitor), undefined, 'the monitor runs on the host');
  } finally {
    if (created) {
      spawnSync('lxc-stop', ['-n', name, '-k'], { encoding: 'utf8' });
      spawnSync('lxc-destroy', ['-n', name], { encoding: 'utf8' });
    }
    rmSync(join(conf, '..'), { recursive: true, force: true });
  }
});
