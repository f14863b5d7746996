/**
 * The viewer's details and find, against the kernel: real namespaces held
 * by a process, by an open fd only, and by a bind mount only (at a hostile
 * path); what the details say is checked against /proc, and every nsenter
 * line is run through bash as root and must land in exactly that namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { discover } from '../../main/discover';
import { findIndex, nsDetails } from '../../main/emit';
import { graphOf, type NsKey } from '../../main/model';
import { HANG_MS, needRoot, nsInode, Scene } from '../helpers/scene';

/** PIDs whose own /proc/PID/ns/TYPE link is `link`, by the kernel. */
function pidsIn(type: string, link: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/${type}`) === link) out.push(Number(e));
    } catch {
      /* gone, or a kernel thread's closed links */
    }
  }
  return out.sort((a, b) => a - b);
}

/** Run an nsenter line as bash would from a paste, reading where it landed. */
function landsIn(line: string, type: string): string {
  const r = spawnSync('bash', ['-c', `${line} readlink /proc/self/ns/${type}`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${line}: ${r.stderr}`);
  return r.stdout.trim();
}

test(
  'details and nsenter lines for namespaces held by a process, an fd and a bind mount',
  { skip: needRoot },
  async () => {
    const tag = randomBytes(3).toString('hex');
    // quote, dollar, space, newline and a byte that is not UTF-8 in one mount point
    const mountPoint = `/tmp/gns-${tag}-'a $HOME\n\xff`;
    const bashPath = `$'/tmp/gns-${tag}-\\'a $HOME\\n\\xff'`;
    const scene = new Scene();
    try {
      const held = await scene.start(['unshare', '-Urn', 'sleep', '1000']);
      const byFd = await scene.start(['unshare', '-n', 'sleep', '1001']);
      const byMount = await scene.start(['unshare', '-n', 'sleep', '1002']);
      const fdIno = nsInode(byFd.pid, 'net');
      const mountIno = nsInode(byMount.pid, 'net');
      // a holder that keeps only an fd of byFd's net namespace
      const holder = await scene.start(
        [
          '/usr/bin/python3',
          '-c',
          `import os, time\nfd = os.open('/proc/${byFd.pid}/ns/net', os.O_RDONLY)\nos.set_inheritable(fd, True)\nos.execvp('sleep', ['sleep', '1003'])`,
        ],
        'sleep',
        HANG_MS,
      );
      execFileSync('bash', [
        '-c',
        `touch ${bashPath} && mount --bind /proc/${byMount.pid}/ns/net ${bashPath}`,
      ]);
      await scene.kill(byFd);
      await scene.kill(byMount);

      const g = graphOf(discover());
      const key = (ino: number): NsKey => `net:${ino}`;

      // a process's namespace: its processes are the kernel's
      const netLink = readlinkSync(`/proc/${held.pid}/ns/net`);
      const d = nsDetails(g, key(nsInode(held.pid, 'net')))!;
      assert.ok(d, 'the process net namespace is in the model');
      assert.deepEqual(
        d.processes.map((p) => p.pid),
        pidsIn('net', netLink),
      );
      assert.equal(d.found, 'processes are in it');
      const userKey = `user:${nsInode(held.pid, 'user')}` as NsKey;
      assert.equal(d.owner?.key, userKey, 'owned by the process user namespace');
      assert.ok(d.owner?.uid === 0, 'created by root (uid 0)');
      assert.ok('text' in d.nsenter);
      assert.equal(landsIn(d.nsenter.text, 'net'), netLink);
      const u = nsDetails(g, userKey)!;
      assert.ok(u.owned.includes(d.ns.key), 'the user namespace lists what it owns');
      assert.ok('text' in u.nsenter);
      assert.equal(landsIn(u.nsenter.text, 'user'), readlinkSync(`/proc/${held.pid}/ns/user`));

      // an fd only
      const f = nsDetails(g, key(fdIno))!;
      assert.ok(f, 'the fd-held namespace is in the model');
      assert.deepEqual(f.processes, []);
      assert.ok(
        f.fds.some((x) => x.pid === holder.pid),
        'the holder fd is listed',
      );
      assert.ok('text' in f.nsenter);
      assert.equal(landsIn(f.nsenter.text, 'net'), `net:[${fdIno}]`);

      // a bind mount only, at a hostile path: the quoted line names exactly its bytes
      const m = nsDetails(g, key(mountIno))!;
      assert.ok(m, 'the mount-held namespace is in the model');
      assert.equal(m.found, 'only bind mounts hold it');
      assert.ok('text' in m.nsenter);
      assert.doesNotMatch(m.nsenter.text, /\n/, 'one line to paste');
      assert.equal(landsIn(m.nsenter.text, 'net'), `net:[${mountIno}]`);

      // find, against the kernel's links
      const idx = findIndex(g);
      const own = readdirSync(`/proc/${held.pid}/ns`)
        .filter((t) => !t.endsWith('_for_children'))
        .map((t) => `${t}:${nsInode(held.pid, t)}`);
      const byPid = idx.find(String(held.pid));
      for (const k of own) assert.ok(byPid.includes(k as NsKey), `PID ${held.pid} finds ${k}`);
      assert.deepEqual(idx.find(`net:[${mountIno}]`), [key(mountIno)]);
      assert.deepEqual(idx.find(`[${fdIno}]`), [key(fdIno)]);
      assert.ok(idx.find(`gns-${tag}`).includes(key(mountIno)), 'a mount path finds its namespace');
    } finally {
      spawnSync('bash', ['-c', `umount ${bashPath}`]);
      rmSync(mountPoint, { force: true });
      await scene.teardown();
    }
  },
);
