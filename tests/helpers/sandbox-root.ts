/**
 * A directory shaped like a host for the LXC-family, nspawn, bubblewrap,
 * flatpak and snap sources' unit tests: engine state files, and a /proc
 * with argv (`cmdline`) and namespace links, read through the same live
 * ScanContext discovery uses (liveContext with root and proc pointed at
 * it). Processes are ProcInfo values with cgroup lines shaped as the
 * kernel prints them.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { liveContext } from '../../main/discover/containers';
import { encodeBytes } from '../../main/model/names';
import type { CgroupLine, ProcInfo, ScanContext } from '../../main/discover/containers/source';

/** The v1 hierarchies of this machine (/proc/self/cgroup here) and the v2 line. */
const HYBRID = [
  'name=systemd',
  'pids',
  'blkio',
  'freezer',
  'devices',
  'memory',
  'cpuset',
  'cpuacct',
  'cpu',
];

/**
 * Cgroup lines as a hybrid host prints them with every hierarchy at `path`
 * (LXC here: all ten lines say /lxc.payload.box1), or, with `v2only`, the
 * single `0::path` of a pure v2 host.
 */
export function cgroupLines(path: string, v2only = false): CgroupLine[] {
  const v2: CgroupLine = { hierarchy: 0, controllers: '', path };
  if (v2only) return [v2];
  return [...HYBRID.map((c, i) => ({ hierarchy: 9 - i, controllers: c, path })), v2];
}

export function proc(
  pid: number,
  ppid: number,
  name: string,
  cgroups: CgroupLine[] = cgroupLines('/'),
  /** Its uid: root's unless said (a user's sandbox passes the user's). */
  uid = 0,
): ProcInfo {
  return { pid, ppid, name, cgroups, uid };
}

export interface FakeHost {
  root: string;
  ctx: ScanContext;
  warnings: string[];
  /** Write a state file (absolute path as on the host). */
  file(path: string, content: string | Buffer): void;
  /** A process's argv, written NUL-separated to /proc/PID/cmdline. */
  argv(pid: number, argv: readonly (string | Buffer)[]): void;
  /** Namespace links of a process, e.g. { mnt: 4026531832 } -> ns/mnt = `mnt:[4026531832]`. */
  ns(pid: number, links: Record<string, number>): void;
  /** A fresh context over the same directory (nothing cached). */
  fresh(): ScanContext;
  done(): void;
}

export function fakeHost(): FakeHost {
  const root = mkdtempSync(join(tmpdir(), 'graphns-sandbox-'));
  const warnings: string[] = [];
  const make = () => liveContext({ root, proc: join(root, 'proc'), warn: (m) => warnings.push(m) });
  const at = (p: string) => join(root, p);
  const host: FakeHost = {
    root,
    ctx: make(),
    warnings,
    file(path, content) {
      mkdirSync(dirname(at(path)), { recursive: true });
      writeFileSync(at(path), content);
    },
    argv(pid, argv) {
      // strings through names.ts, so a lone surrogate is the byte it stands for
      const parts = argv.map((a) => (typeof a === 'string' ? Buffer.from(encodeBytes(a)) : a));
      host.file(`/proc/${pid}/cmdline`, Buffer.concat(parts.flatMap((b) => [b, Buffer.of(0)])));
    },
    ns(pid, links) {
      const dir = at(`/proc/${pid}/ns`);
      mkdirSync(dir, { recursive: true });
      for (const [type, ino] of Object.entries(links))
        symlinkSync(`${type}:[${ino}]`, join(dir, type));
    },
    fresh: make,
    done() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return host;
}
