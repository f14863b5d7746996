/**
 * Each process's user in the model is its effective uid as the kernel
 * states it in /proc/PID/status, including a process that dropped
 * privileges without exec (not dumpable: its /proc files belong to root,
 * so the owner lsns reads says root). Names come from NSS (getent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { discover } from '../../main/discover';
import { HANG_MS, needRoot, Scene } from '../helpers/scene';

/** The effective uid the kernel reports for a process, or undefined when it is gone. */
function kernelEuid(pid: number): number | undefined {
  try {
    const m = /^Uid:\t\d+\t(\d+)\t/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

test(
  'process uids are the kernel effective uids, a non-dumpable one too',
  { skip: needRoot, timeout: HANG_MS },
  async () => {
    const scene = new Scene();
    try {
      const dropped = await scene.start(
        // drops to 65534 and says it is not dumpable (as a daemon after a
        // credential change would be): its /proc files then belong to root
        [
          '/usr/bin/python3',
          '-c',
          'import ctypes, os, time\nos.setgid(65534)\nos.setuid(65534)\nctypes.CDLL(None).prctl(4, 0)\ntime.sleep(1000)',
        ],
        'python3',
        HANG_MS,
        true,
      );
      // wait until it has dropped and is not dumpable (its status says 65534, its
      // /proc files are root's), or is gone; the test's timeout only ends a hang
      const owner = () => {
        try {
          return statSync(`/proc/${dropped.pid}/stat`).uid;
        } catch {
          return undefined;
        }
      };
      for (;;) {
        const euid = kernelEuid(dropped.pid);
        if (euid === undefined || (euid === 65534 && owner() === 0)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(kernelEuid(dropped.pid), 65534, 'the scene process dropped to 65534');
      assert.equal(
        statSync(`/proc/${dropped.pid}/stat`).uid,
        0,
        "not dumpable: its /proc files are root's",
      );

      const model = discover();
      const p = model.processes.find((x) => x.pid === dropped.pid);
      assert.ok(p, 'the scene process is in the model');
      assert.equal(p.uid, 65534);
      const nobody = execFileSync('getent', ['passwd', '65534'], { encoding: 'utf8' }).split(
        ':',
      )[0];
      assert.equal(p.user, nobody);

      let compared = 0;
      for (const q of model.processes) {
        const k = kernelEuid(q.pid);
        if (k === undefined) continue; // exited since the scan
        assert.equal(q.uid, k, `pid ${q.pid} (${q.name})`);
        compared++;
      }
      assert.ok(compared > 10, `compared ${compared} processes`);
    } finally {
      await scene.teardown();
    }
  },
);
