/**
 * What an unprivileged local user can plant, against root's scans: a
 * throwaway user (made here, removed after) stacks a fifo or a device on a
 * namespace bind mount in a mount namespace of their own, flips an fd
 * between a namespace and a fifo, and links an engine state file to
 * /proc/kmsg. Root's lsuserns, lspidns and graphns --json must finish,
 * never send a namespace ioctl to (or even open) what is not a namespace,
 * and say what they skipped. Each scene is killed by the PID it started.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin } from '../helpers/bins';
import { HANG_MS, Scene, needRoot, unmetNeed, type SceneProcess } from '../helpers/scene';
import { makeUser, noUseradd, removeUser, type TestUser } from '../helpers/users';

const DISCOVER_MODULE = fileURLToPath(new URL('../../main/discover/index.ts', import.meta.url));
const PYTHON = '/usr/bin/python3';
const skip =
  needRoot ||
  noUseradd ||
  unmetNeed(
    spawnSync(PYTHON, ['-c', '0']).status !== 0 && `no ${PYTHON} (apt-get install python3)`,
  );

/**
 * Run root's command to its end, or kill it after `ms` (at least HANG_MS): a
 * hang is a failure, not a stuck suite; a slow machine is neither.
 */
function rootRun(argv: string[], ms = HANG_MS) {
  const [cmd, ...rest] = argv;
  return spawnSync(cmd!, rest, {
    encoding: 'utf8',
    timeout: Math.max(ms, HANG_MS),
    maxBuffer: 256 << 20,
  });
}

const COMMANDS = [
  ['lsuserns', '--json'],
  ['lspidns', '--json'],
  ['graphns', '--json'],
] as const;

describe('root scans and what an unprivileged user plants', { skip }, () => {
  const scene = new Scene();
  let user: TestUser;
  let dir: string;
  /** setpriv to the throwaway user: their uid, gid and groups, nothing of root's. */
  let asUser: string[];

  before(() => {
    user = makeUser();
    asUser = [
      'setpriv',
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--init-groups',
      '--reset-env',
    ];
    dir = mkdtempSync(join(tmpdir(), 'graphns-hostile-'));
    spawnSync('chmod', ['755', dir]);
  });
  after(async () => {
    await scene.teardown();
    await removeUser(user);
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The user's own mount namespace with a network namespace that only a
   * bind mount at /mnt/netns holds, and `cover` (a fifo, or a bind of
   * /dev/null) mounted on top of it: mountinfo still lists the nsfs mount.
   */
  async function stacked(cover: 'fifo' | 'device'): Promise<SceneProcess> {
    const script = join(dir, `stack-${cover}.sh`);
    writeFileSync(
      script,
      [
        'set -e',
        'mount -t tmpfs none /mnt',
        'touch /mnt/netns',
        "unshare -n sh -c 'mount --bind /proc/self/ns/net /mnt/netns'",
        cover === 'fifo' ? 'mkfifo /mnt/cover' : 'ln -s /dev/null /mnt/cover',
        'mount --bind /mnt/cover /mnt/netns',
        'exec sleep infinity',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const p = await scene.start(
      [...asUser, 'unshare', '-Urm', 'sh', script],
      'sleep',
      HANG_MS,
      true,
    );
    const mounts = readFileSync(`/proc/${p.pid}/mountinfo`, 'latin1');
    assert.match(mounts, / \/mnt\/netns rw[^\n]* - nsfs /, 'the nsfs mount is listed');
    return p;
  }

  test('a fifo stacked on a namespace bind mount: every root command finishes and names it', async () => {
    const p = await stacked('fifo');
    try {
      for (const [name, ...args] of COMMANDS) {
        const r = rootRun([process.execPath, bin(name), ...args]);
        assert.equal(r.signal, null, `${name} hung on the user's fifo (killed)`);
        assert.equal(r.status, 0, `${name}: ${r.stderr}`);
        assert.ok(
          r.stderr.includes(`skipped, not a namespace: /proc/${p.pid}/root/mnt/netns`),
          `${name} says what it skipped: ${r.stderr}`,
        );
      }
    } finally {
      await scene.kill(p);
    }
  });

  test('a device stacked on a namespace bind mount is never opened, nor sent an ioctl', async () => {
    const p = await stacked('device');
    const log = join(dir, 'strace.log');
    try {
      const r = rootRun([
        'strace',
        '-f',
        '-qq',
        '-e',
        'trace=openat,ioctl',
        '-o',
        log,
        process.execPath,
        bin('lsuserns'),
        '--json',
      ]);
      assert.equal(r.status, 0, r.stderr);
      const target = `/proc/${p.pid}/root/mnt/netns`;
      const opens = readFileSync(log, 'latin1')
        .split('\n')
        .filter((l) => l.includes(`"${target}"`));
      assert.ok(opens.length > 0, `lsuserns looked at ${target}`);
      for (const line of opens) {
        // O_PATH resolves the name without opening the device: no driver runs
        assert.match(line, /O_PATH/, `opened for real: ${line}`);
      }
      // and no reopen of it through /proc/self/fd followed: nothing but namespaces get ioctls
      assert.ok(r.stderr.includes(`skipped, not a namespace: ${target}`), r.stderr);
    } finally {
      await scene.kill(p);
    }
  });

  test('an fd flipping between a namespace and a fifo never hangs a scan', async () => {
    // a network namespace only this fd holds, so the scan has no other way to open it
    const script = join(dir, 'flip.py');
    writeFileSync(
      script,
      [
        'import os, subprocess, time',
        "p = subprocess.Popen(['unshare', '-Urn', 'sleep', 'infinity'])",
        "own = os.readlink('/proc/self/ns/net')",
        'while True:',
        '    try:',
        "        if os.readlink(f'/proc/{p.pid}/ns/net') != own: break",
        '    except OSError: pass',
        '    time.sleep(0.005)',
        "ns = os.open(f'/proc/{p.pid}/ns/net', os.O_RDONLY)",
        'p.kill(); p.wait()',
        "fifo = os.path.join(os.environ['FLIPDIR'], 'fifo')",
        'os.mkfifo(fifo)',
        'rd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)',
        "open('/proc/self/comm', 'w').write('flipper')",
        'while True:',
        '    os.dup2(ns, 100); time.sleep(0.002)',
        '    os.dup2(rd, 100); time.sleep(0.002)',
        '',
      ].join('\n'),
    );
    const flipDir = join(dir, 'flip');
    mkdirSync(flipDir);
    spawnSync('chown', [`${user.uid}:${user.gid}`, flipDir]);
    const p = await scene.start(
      [...asUser.filter((a) => a !== '--reset-env'), 'env', `FLIPDIR=${flipDir}`, PYTHON, script],
      'flipper',
      HANG_MS,
      true,
    );
    try {
      // 30 fresh scans in one process; each opens /proc/PID/fd/100 about when it flips
      const r = rootRun(
        [
          process.execPath,
          '--import',
          'tsx',
          '-e',
          `import('${DISCOVER_MODULE}').then(({ discover }) => {` +
            ` let held = 0; for (let i = 0; i < 30; i++) { const m = discover();` +
            ` if (m.namespaces.some((n) => n.fds.some((f) => f.pid === ${p.pid} && f.fd === 100))) held++; }` +
            ` console.log('held', held); })`,
        ],
        2 * HANG_MS, // 30 scans (about 4 s unloaded): ended only when hung
      );
      assert.equal(r.signal, null, `a scan hung on the flipping fd (killed): ${r.stdout}`);
      assert.equal(r.status, 0, r.stderr);
      // the fd was seen as a namespace in some scans: the race was really run
      const held = Number(/held (\d+)/.exec(r.stdout)?.[1]);
      assert.ok(held > 0, `the fd was a namespace in ${held} of 30 scans`);
    } finally {
      await scene.kill(p);
    }
  });

  test('a flatpak state file linked to /proc/kmsg is not read: the kernel log keeps what it had', async () => {
    // the user's own runtime dir, as pam_systemd or pam_cgfs would make it
    const run = `/run/user/${user.uid}`;
    const made = spawnSync('install', ['-d', '-o', String(user.uid), '-m', '700', run]);
    assert.equal(made.status, 0);
    const inst = join(run, '.flatpak', '4242');
    try {
      const plant = spawnSync(asUser[0]!, [
        ...asUser.slice(1),
        'sh',
        '-c',
        `mkdir -p ${inst} && ln -s /proc/kmsg ${inst}/pid`,
      ]);
      assert.equal(plant.status, 0, String(plant.stderr));
      // flatpak's instances are looked at when a bwrap runs: one of the user's (by its argv[0])
      const bwrap = await scene.start(
        [...asUser, 'bash', '-c', 'exec -a bwrap sleep infinity'],
        'sleep',
        HANG_MS,
        true,
      );
      const mark = `graphns-kmsg-${process.pid}-${Date.now()}`;
      writeFileSync('/dev/kmsg', `${mark}\n`);
      const r = rootRun([process.execPath, bin('lsuserns'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(
        r.stderr.includes(`cannot read ${inst}/pid: a file of the kernel's procfs, not data`),
        r.stderr,
      );
      // the record is still unread in /proc/kmsg (a read consumes it)
      const left = spawnSync(
        'sh',
        ['-c', `dd if=/proc/kmsg bs=64k count=64 iflag=nonblock 2>/dev/null | grep -c ${mark}`],
        { encoding: 'utf8', timeout: HANG_MS },
      );
      assert.equal(left.stdout.trim(), '1', 'the mark is still in the unread log');
      await scene.kill(bwrap);
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
