/**
 * Named network namespaces for real: `ip netns add` bind-mounts a network
 * namespace at /run/netns/NAME. lsuserns -d and graphns must show that
 * name on that namespace, whether only the mount holds it or a process
 * runs in it too, escaped like any name from the system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { runBin } from '../helpers/bins';
import { needRoot, nsInode, Scene, unmetNeed } from '../helpers/scene';

const skip =
  needRoot ||
  unmetNeed(
    existsSync('/usr/bin/ip') || existsSync('/sbin/ip')
      ? false
      : 'no ip (apt-get install iproute2)',
  );

test(
  'ip netns names show on their namespace, with and without a process in it',
  { skip },
  async () => {
    const tag = randomBytes(3).toString('hex');
    const quiet = `gns-${tag}-quiet`;
    const busy = `gns-${tag}-"busy"`; // a quote: escaped in the tree, not a broken line
    const scene = new Scene();
    try {
      execFileSync('ip', ['netns', 'add', quiet]);
      execFileSync('ip', ['netns', 'add', busy]);
      const p = await scene.start(['ip', 'netns', 'exec', busy, 'sleep', '1000']);
      const ino = (name: string) => statSync(`/run/netns/${name}`).ino;
      assert.equal(nsInode(p.pid, 'net'), ino(busy), 'the process runs in the named namespace');

      const tree = runBin('lsuserns', ['-d']);
      assert.equal(tree.status, 0, tree.stderr);
      const lineOf = (i: number) => tree.stdout.split('\n').find((l) => l.includes(`net:[${i}]`));
      assert.match(lineOf(ino(quiet)) ?? '', new RegExp(`netns "${quiet}"`), 'mount only');
      const busyLine = lineOf(ino(busy)) ?? '';
      assert.match(busyLine, /process "sleep \(\d+\)"/, 'the process is named too');
      assert.ok(busyLine.includes(`netns "gns-${tag}-\\"busy\\""`), busyLine);

      const dot = runBin('graphns', ['-d', '--dot']);
      assert.equal(dot.status, 0, dot.stderr);
      assert.ok(dot.stdout.includes(quiet), 'graphns -d names the mount-only namespace');
    } finally {
      await scene.teardown();
      for (const name of [quiet, busy]) {
        try {
          execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
        } catch {
          /* never made */
        }
      }
    }
  },
);
