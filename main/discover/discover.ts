/**
 * The discovery engine: one call, one model of every namespace visible
 * from here. An ordered list of steps fills one registry, each adding what
 * the earlier ones missed:
 *
 *   1. processes  /proc/PID/ns/* (and the *_for_children links)
 *   2. tasks      /proc/PID/task/TID/ns/* where a thread sits elsewhere
 *   3. fds        /proc/PID/fd/* links of the form `type:[inode]`
 *   4. mounts     nsfs bind mounts in the mountinfo of every mount namespace
 *   5. hierarchy  owners and parents by ioctl, adding hidden user/PID namespaces
 *   6. owners     user names for owner uids, through NSS
 *   7. labels     the most senior process of each namespace
 *   8. containers /proc/PID/cgroup (read in step 1) and the engines' own state files
 *
 * A live system races the scan: processes exit, zombies have no links,
 * some entries are closed even to root. No single process's trouble throws;
 * the model carries warnings instead.
 */
import { readlinkSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { userName } from '../../native-shim';
import { NS_TYPES } from '../relations/constants';
import type { Model, NsKey, NsTypeName, Process } from '../model/types';
import { parseCgroupFile } from './containers/cgroup';
import { liveContext, resolveContainers, type ProcInfo } from './containers';
import type { CgroupLine } from './containers/source';
import { assignLabels } from './labels';
import { resolveHierarchy } from './hierarchy';
import {
  listIds,
  parseNsLink,
  parseNsMounts,
  parseStat,
  processName,
  readNsLink,
  readProcFile,
} from './procfs';
import { Registry } from './registry';
import { isVanished, Warnings } from './warnings';

/** What to scan; every source is on by default. */
export interface DiscoverOptions {
  /** Threads whose namespaces differ from their process's (step 2). */
  tasks?: boolean;
  /** Namespaces held by open fds (step 3). */
  fds?: boolean;
  /** Namespaces held by bind mounts (step 4). */
  mounts?: boolean;
  /** Which container, pod or sandbox each process runs in (step 8). */
  containers?: boolean;
  /** Where procfs is mounted; `/proc` unless testing. */
  proc?: string;
  /** Where engine state files live (step 8); `/` unless testing. */
  root?: string;
}

/** Links read per process: the eight types plus the "for children" links. */
const LINKS: readonly [link: string, type: NsTypeName, own: boolean][] = [
  ...NS_TYPES.map((t) => [t, t, true] as [string, NsTypeName, boolean]),
  ['pid_for_children', 'pid', false],
  ['time_for_children', 'time', false],
];

/** Scan the system and return the model. Never throws for one process's trouble. */
export function discover(options: DiscoverOptions = {}): Model {
  const proc = options.proc ?? '/proc';
  const warnings = new Warnings();
  const registry = new Registry();
  const processes: Process[] = [];

  const multiThreaded = new Set<number>();
  const cgroups = options.containers !== false ? new Map<number, CgroupLine[]>() : undefined;
  scanProcesses(proc, registry, processes, multiThreaded, warnings, cgroups);
  if (options.tasks !== false) {
    scanTasks(
      proc,
      registry,
      processes.filter((p) => multiThreaded.has(p.pid)),
      warnings,
    );
  }
  if (options.fds !== false) scanFds(proc, registry, processes, warnings);
  if (options.mounts !== false) scanMounts(proc, registry, processes, warnings);
  const nsidSupported = resolveHierarchy(registry, warnings);
  resolveOwnerNames(registry, warnings);

  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const containers = cgroups
    ? resolveContainers(
        processes.map((p): ProcInfo => ({
          pid: p.pid,
          ppid: p.ppid,
          name: p.name,
          cgroups: cgroups.get(p.pid) ?? [],
        })),
        liveContext({
          root: options.root,
          proc,
          warn: (message) => warnings.add('container state unusable', message),
        }),
      )
    : [];
  for (const c of containers) for (const pid of c.pids) byPid.get(pid)!.container = c.key;
  const namespaces = [...registry.entries.values()].map((e) => e.ns);
  assignLabels(namespaces, byPid);
  const typeOrder = new Map(NS_TYPES.map((t, i) => [t, i]));
  namespaces.sort((a, b) => typeOrder.get(a.type)! - typeOrder.get(b.type)! || a.ino - b.ino);
  for (const ns of namespaces) {
    ns.pids.sort((a, b) => a - b);
    ns.tasks.sort((a, b) => a.pid - b.pid || a.tid - b.tid);
    ns.fds.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
    ns.mounts.sort((a, b) =>
      a.mntns < b.mntns ? -1 : a.mntns > b.mntns ? 1 : a.path < b.path ? -1 : 1,
    );
  }

  const self = (t: NsTypeName): NsKey | undefined => {
    try {
      return readNsLink(`${proc}/self/ns/${t}`).key;
    } catch {
      return undefined;
    }
  };
  const userns = self('user');
  const pidns = self('pid');
  return {
    host: {
      hostname: hostname(),
      kernel: release(),
      time: new Date().toISOString(),
      uid: process.geteuid?.() ?? -1,
      ...(userns && registry.get(userns) ? { userns } : {}),
      ...(pidns && registry.get(pidns) ? { pidns } : {}),
      nsidSupported,
    },
    namespaces,
    processes,
    containers,
    warnings: warnings.lines(),
  };
}

/** A short, escaped-later name for warnings: `pid 42 (name)`. */
const who = (p: { pid: number; name?: string }) =>
  p.name ? `pid ${p.pid} (${p.name})` : `pid ${p.pid}`;

/** Step 1: every process, its name, parent, start time and namespaces. */
function scanProcesses(
  proc: string,
  registry: Registry,
  out: Process[],
  multiThreaded: Set<number>,
  warnings: Warnings,
  cgroups: Map<number, CgroupLine[]> | undefined,
): void {
  let pids: number[];
  try {
    pids = listIds(proc);
  } catch (err) {
    warnings.addError('cannot list processes', proc, err);
    return;
  }
  const parsedCgroups = new Map<string, CgroupLine[] | null>();
  for (const pid of pids) {
    const dir = `${proc}/${pid}`;
    let stat;
    let name;
    try {
      stat = parseStat(readProcFile(`${dir}/stat`, 'whole'));
      name = processName(readProcFile(`${dir}/cmdline`, 'nul'), stat.comm);
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot read process', `pid ${pid}`, err);
      continue;
    }
    const p: Process = { pid, ppid: stat.ppid, name, start: stat.start, ns: {} };
    if (stat.threads > 1) multiThreaded.add(pid);
    if (cgroups) readCgroups(dir, p, cgroups, parsedCgroups, warnings);
    let failed: unknown;
    for (const [link, type, own] of LINKS) {
      const path = `${dir}/ns/${link}`;
      let ns;
      try {
        ns = readNsLink(path);
      } catch (err) {
        if (own && !isVanished(err)) failed ??= err;
        continue;
      }
      if (own) {
        p.ns[type] = ns.key;
        registry.note(ns.key, type, ns.ino, 'process', path).ns.pids.push(pid);
      } else if (ns.key !== p.ns[type]) {
        // pid_for_children after unshare(CLONE_NEWPID) without a child yet
        registry.note(ns.key, type, ns.ino, 'process', path);
      }
    }
    // zombies keep no namespace links: not a fault, they are on their way out
    if (failed !== undefined && stat.state !== 'Z')
      warnings.addError('cannot read namespaces', who(p), failed);
    out.push(p);
  }
}

/**
 * The process's cgroup lines, for step 8: the one extra file read per
 * process. A file refused as forged (see parseCgroupFile) is a warning.
 */
function readCgroups(
  dir: string,
  p: Process,
  out: Map<number, CgroupLine[]>,
  parsed: Map<string, CgroupLine[] | null>,
  warnings: Warnings,
): void {
  let buf: Buffer;
  try {
    buf = readProcFile(`${dir}/cgroup`, 'whole');
  } catch (err) {
    if (!isVanished(err)) warnings.addError('cannot read cgroup', who(p), err);
    return;
  }
  // most processes share their cgroup file with others (a service, a session, a
  // container): parse each distinct text once and share the (read-only) lines
  const key = buf.toString('latin1');
  let lines = parsed.get(key);
  if (lines === undefined) {
    lines = parseCgroupFile(buf) ?? null;
    parsed.set(key, lines);
  }
  if (lines) out.set(p.pid, lines);
  else warnings.add('cgroup file malformed (a cgroup name with a newline?)', who(p));
}

/**
 * Step 2: threads whose namespaces differ from their thread group leader's.
 * Only processes with more than one thread (stat's num_threads) are looked at.
 */
function scanTasks(
  proc: string,
  registry: Registry,
  processes: Process[],
  warnings: Warnings,
): void {
  for (const p of processes) {
    // a process whose own links were unreadable (warned in step 1) hides its threads too
    if (Object.keys(p.ns).length === 0) continue;
    let tids: number[];
    try {
      tids = listIds(`${proc}/${p.pid}/task`);
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot list threads', who(p), err);
      continue;
    }
    if (tids.length < 2) continue; // only the leader, whose links step 1 read
    for (const tid of tids) {
      if (tid === p.pid) continue;
      for (const type of NS_TYPES) {
        const path = `${proc}/${p.pid}/task/${tid}/ns/${type}`;
        let ns;
        try {
          ns = readNsLink(path);
        } catch (err) {
          if (!isVanished(err))
            warnings.addError('cannot read thread namespaces', `${who(p)} tid ${tid}`, err);
          break;
        }
        if (ns.key === p.ns[type]) continue;
        registry.note(ns.key, type, ns.ino, 'task', path).ns.tasks.push({ pid: p.pid, tid });
      }
    }
  }
}

/** Step 3: open fds that refer to namespaces. */
function scanFds(proc: string, registry: Registry, processes: Process[], warnings: Warnings): void {
  for (const p of processes) {
    const dir = `${proc}/${p.pid}/fd`;
    let fds: number[];
    try {
      fds = listIds(dir);
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot list fds', who(p), err);
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${dir}/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      // cheap pre-check: nsfs links end in ']' and contain ':['
      if (link.charCodeAt(link.length - 1) !== 93) continue;
      const ns = parseNsLink(link);
      if (!ns) continue;
      registry.note(ns.key, ns.type, ns.ino, 'fd', `${dir}/${fd}`).ns.fds.push({ pid: p.pid, fd });
    }
  }
}

/**
 * Step 4: nsfs bind mounts (e.g. `ip netns add` under /run/netns), read
 * from the mountinfo of one process per mount namespace, so mounts visible
 * only inside other mount namespaces are found too. They are opened through
 * /proc/PID/root, which resolves the path inside that mount namespace.
 */
function scanMounts(
  proc: string,
  registry: Registry,
  processes: Process[],
  warnings: Warnings,
): void {
  const seen = new Set<NsKey>();
  for (const p of processes) {
    const mntns = p.ns.mnt;
    if (mntns === undefined || seen.has(mntns)) continue;
    let text: string;
    try {
      text = readProcFile(`${proc}/${p.pid}/mountinfo`).toString('latin1');
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot read mounts', who(p), err);
      continue; // another process of this mount namespace may still answer
    }
    seen.add(mntns);
    for (const m of parseNsMounts(text)) {
      const type = m.key.slice(0, m.key.indexOf(':')) as NsTypeName;
      const ino = Number(m.key.slice(type.length + 1));
      const ref = `${proc}/${p.pid}/root${m.mountPoint}`;
      const entry = registry.note(m.key, type, ino, 'bindmount', ref);
      if (!entry.ns.mounts.some((x) => x.path === m.mountPoint && x.mntns === mntns)) {
        entry.ns.mounts.push({ path: m.mountPoint, mntns });
      }
    }
  }
}

/** Step 6: user names for the owner uids of user namespaces. */
function resolveOwnerNames(registry: Registry, warnings: Warnings): void {
  const names = new Map<number, string | undefined>();
  for (const { ns } of registry.entries.values()) {
    if (ns.ownerUid === undefined) continue;
    if (!names.has(ns.ownerUid)) {
      try {
        names.set(ns.ownerUid, userName(ns.ownerUid));
      } catch (err) {
        warnings.addError('user name lookup failed', `uid ${ns.ownerUid}`, err);
        names.set(ns.ownerUid, undefined);
      }
    }
    const name = names.get(ns.ownerUid);
    if (name !== undefined) ns.ownerName = name;
  }
}
