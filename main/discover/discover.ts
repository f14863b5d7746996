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
 *   6. owners     user names for owner uids (and processes' uids), through NSS
 *   7. labels     the most senior process of each namespace
 *   8. containers /proc/PID/cgroup (read in step 1) and the engines' own state files
 *
 * A live system races the scan: processes exit, zombies have no links,
 * some entries are closed even to root. No single process's trouble throws;
 * the model carries warnings instead.
 *
 * A rescan (`previous`) skips what cannot have changed since; memo.ts says
 * what that is and why.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { userName } from '../../native-shim';
import { NS_TYPES } from '../relations/constants';
import { orderKey } from '../model/order';
import type { Container, Model, Namespace, NsKey, NsTypeName, Process } from '../model/types';
import { parseCgroupFile } from './containers/cgroup';
import { liveContext, resolveContainers, type ProcInfo } from './containers';
import type { CgroupLine } from './containers/source';
import { CgroupTrust } from './containers/delegation';
import { assignLabels } from './labels';
import { resolveHierarchy, type HierarchyTally } from './hierarchy';
import {
  memoOf,
  remember,
  RUNNING_STATES,
  unchangedSince,
  type NsFacts,
  type ProcMemo,
  type ScanMemo,
} from './memo';
import {
  listIds,
  parseCgroupMounts,
  parseNsMounts,
  type CgroupMount,
  parseStat,
  parseStatusEuid,
  processName,
  readNsLink,
  readProcFile,
  readProcView,
  type NsLink,
  type ReadStop,
} from './procfs';
import { HeldFiles } from './held';
import { MAX_REFS, Registry, type Entry } from './registry';
import { isVanished, Warnings, who } from './warnings';
import { scanFds, type FdMemo } from './fds';

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
  /**
   * The model an earlier discover() of this system returned: what cannot
   * have changed since is reused, and the result is what a fresh scan
   * finds. Reuse needs that scan to have been made with `rescan` (or
   * `previous`); any other model (parsed from JSON, say) is simply ignored.
   */
  previous?: Model;
  /**
   * Record what a later `discover({ previous })` needs to skip unchanged
   * processes: one more small /proc file per process. Implied by `previous`.
   */
  rescan?: boolean;
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

  const record = options.rescan === true || options.previous !== undefined;
  const last = memoOf(options.previous);
  const reuse: Reuse | undefined = record
    ? {
        last: last && last.proc === proc && restProvable(last) ? last : undefined,
        held: (last?.proc === proc ? last.held : undefined) ?? new HeldFiles(),
        procs: new Map(),
        pinned: new Set(),
        reused: new Set(),
      }
    : undefined;

  const multiThreaded = new Set<number>();
  const cgroups = options.containers !== false ? new Map<number, CgroupLine[]>() : undefined;
  scanProcesses(proc, registry, processes, multiThreaded, warnings, cgroups, reuse);
  if (options.tasks !== false) {
    scanTasks(
      proc,
      registry,
      processes.filter((p) => multiThreaded.has(p.pid)),
      warnings,
    );
  }
  const fdReuse = reuse
    ? { last: last?.proc === proc ? last.fds : undefined, next: new Map<number, FdMemo>() }
    : undefined;
  if (options.fds !== false) scanFds(proc, registry, processes, warnings, fdReuse);
  if (options.mounts !== false) scanMounts(proc, registry, processes, warnings);
  const learnt = reuse ? new Map<NsKey, NsFacts>() : undefined;
  const tally: HierarchyTally = { same: 0, verified: 0, asked: 0 };
  const nsidSupported = resolveHierarchy(
    registry,
    warnings,
    last && last.proc === proc
      ? { facts: last.facts, pinned: reuse!.pinned, nsidSupported: last.nsidSupported }
      : undefined,
    learnt,
    tally,
  );
  resolveOwnerNames(registry, processes, warnings);

  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const root = options.root ?? '/';
  const texts = reuse
    ? {
        previous: last?.proc === proc && last.root === root ? last.texts : undefined,
        next: new Map(),
      }
    : undefined;
  const trust = cgroups ? cgroupTrust(proc) : undefined;
  const containers = cgroups
    ? resolveContainers(
        processes.map((p): ProcInfo => ({
          pid: p.pid,
          ppid: p.ppid,
          name: p.name,
          cgroups: trust!.lines(cgroups.get(p.pid) ?? []),
          ...(p.uid !== undefined ? { uid: p.uid } : {}),
        })),
        liveContext({
          root: options.root,
          proc,
          warn: (message) => warnings.add('container state unusable', message),
          ...(texts ? { texts } : {}),
        }),
      )
    : [];
  for (const c of containers) for (const pid of c.pids) byPid.get(pid)!.container = c.key;
  nameContainerOwners(containers, processes);
  const namespaces = [...registry.entries.values()].map((e) => e.ns);
  assignLabels(namespaces, byPid);
  // by type, then inode: one number each, computed once, not per comparison
  const sorted = namespaces
    .map((n): [number, Namespace] => [orderKey(n), n])
    .sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < sorted.length; i++) namespaces[i] = sorted[i]![1];
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
  const model: Model = {
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
  if (reuse) {
    reuse.held.endScan();
    remember(model, {
      held: reuse.held,
      proc,
      fds: fdReuse!.next,
      root,
      texts: texts!.next,
      procs: reuse.procs,
      facts: learnt!,
      nsidSupported,
      at: performance.now(),
      stats: {
        processes: [...reuse.reused],
        sameNs: tally.same,
        verifiedNs: tally.verified,
        askedNs: tally.asked,
      },
    });
  }
  return model;
}

/** How step 1 reads the files it reads for every process: a view, valid until the next read. */
type Reader = (path: string, stop: ReadStop, owner?: { uid?: number }) => Buffer;

/** A rescan's state while step 1 runs. */
interface Reuse {
  /** The /proc files this series keeps open. */
  held: HeldFiles;
  /** The last scan's memo, when its processes may be reused. */
  last: ScanMemo | undefined;
  /** What the next scan may reuse (filled here). */
  procs: Map<number, ProcMemo>;
  /** Namespaces reused processes held all along (filled here). */
  pinned: Set<NsKey>;
  /** PIDs taken from the last scan (filled here). */
  reused: Set<number>;
}

/**
 * Whether an unchanged schedstat line can prove a process did not run
 * since the last scan (memo.ts): the kernel must update it at least every
 * 10 ms while a process runs, so the scans must be further apart than
 * that, and no CPU may be tickless (nohz_full, where a running process is
 * looked at once a second).
 */
function restProvable(last: ScanMemo): boolean {
  if (performance.now() - last.at < MIN_RESCAN_GAP_MS) return false;
  tickless ??= isTickless();
  return !tickless;
}

/** Two timer ticks at HZ=100, the slowest periodic tick Linux has. */
const MIN_RESCAN_GAP_MS = 25;
let tickless: boolean | undefined;

function isTickless(): boolean {
  const cpu = '/sys/devices/system/cpu';
  try {
    // the file exists only on kernels built with NO_HZ_FULL; "(null)" or empty: none
    if (!existsSync(`${cpu}/nohz_full`)) return !existsSync(cpu); // no sysfs: cannot tell
    const list = readFileSync(`${cpu}/nohz_full`, 'latin1').trim();
    return list !== '' && list !== '(null)';
  } catch {
    return true;
  }
}

/**
 * /proc/PID/schedstat (`run_ns wait_ns timeslices`), or undefined when it
 * cannot prove anything: unreadable, or all zero (scheduler statistics off).
 */
function readSched(dir: string, read: Reader): string | undefined {
  let text: string;
  try {
    text = read(`${dir}/schedstat`, 'whole').toString('latin1');
  } catch {
    return undefined;
  }
  return /^\d+ \d+ [1-9]\d*\n$/.test(text) ? text : undefined;
}

/**
 * A process's effective uid. The owner of its /proc files, read with the
 * stat line at the cost of one fstat, is that uid, except for a process
 * that is not dumpable (a daemon that dropped privileges, anything after a
 * credential change), whose files belong to root; lsns shows such a
 * process as root. So an owner of 0 is confirmed from /proc/PID/status,
 * unless the last scan read it for this very process, still at rest.
 */
function effectiveUid(dir: string, owner: number | undefined, prev: ProcMemo | undefined) {
  if (owner === undefined) return undefined;
  if (owner !== 0) return owner;
  if (prev?.uid !== undefined) return prev.uid;
  try {
    // printed whole at the first read (single_open); only its Uid line is decoded
    const status = readProcView(`${dir}/status`, 'whole');
    const at = status.indexOf('\nUid:\t');
    if (at < 0) return undefined;
    const eol = status.indexOf(0x0a, at + 1);
    return parseStatusEuid(status.toString('latin1', at + 1, eol < 0 ? status.length : eol + 1));
  } catch {
    return undefined; // gone since its stat line: kept as read, without a uid
  }
}

/** Step 1: every process, its name, parent, start time and namespaces. */
function scanProcesses(
  proc: string,
  registry: Registry,
  out: Process[],
  multiThreaded: Set<number>,
  warnings: Warnings,
  cgroups: Map<number, CgroupLine[]> | undefined,
  reuse: Reuse | undefined,
): void {
  let pids: number[];
  try {
    pids = listIds(proc);
  } catch (err) {
    warnings.addError('cannot list processes', proc, err);
    return;
  }
  const parsedCgroups = new Map<string, CgroupLine[] | null>();
  const parsedLinks = new Map<string, NsLink>();
  // a series of scans keeps the files read for every process open (held.ts)
  const read: Reader = reuse
    ? (path, stop, owner) => reuse.held.read(path, stop, owner)
    : readProcView;
  for (const pid of pids) {
    const dir = `${proc}/${pid}`;
    // before the stat line: whatever the process does after this read shows next time
    const sched = reuse ? readSched(dir, read) : undefined;
    let stat;
    let name;
    let prev: ProcMemo | undefined;
    const owner: { uid?: number } = {};
    try {
      stat = parseStat(read(`${dir}/stat`, 'whole', owner));
      prev = sched !== undefined ? reuse!.last?.procs.get(pid) : undefined;
      if (
        prev &&
        stat.threads === 1 &&
        !RUNNING_STATES.has(stat.state) &&
        unchangedSince(prev, sched!, stat.start) &&
        prev.comm === stat.comm
      ) {
        name = prev.name; // it has not run: no exec, no new title
      } else {
        prev = undefined;
        name = processName(readProcView(`${dir}/cmdline`, 'nul'), stat.comm);
      }
    } catch (err) {
      if (!isVanished(err)) warnings.addError('cannot read process', `pid ${pid}`, err);
      continue;
    }
    const p: Process = { pid, ppid: stat.ppid, name, start: stat.start, ns: {} };
    const uid = effectiveUid(dir, owner.uid, prev);
    if (uid !== undefined) p.uid = uid;
    if (stat.threads > 1) multiThreaded.add(pid);
    if (cgroups) readCgroups(dir, p, cgroups, parsedCgroups, warnings, read);
    if (prev) {
      // it cannot have left the namespaces it was in, so it held them all along
      for (const [index, key, ino] of prev.links) {
        noteLink(registry, p, dir, index, key, ino);
        reuse!.pinned.add(key);
      }
      reuse!.procs.set(pid, prev);
      reuse!.reused.add(pid);
      out.push(p);
      continue;
    }
    let failed: unknown;
    const links: [number, NsKey, number][] = [];
    for (let index = 0; index < LINKS.length; index++) {
      const [link, , own] = LINKS[index]!;
      let ns;
      try {
        ns = readNsLink(`${dir}/ns/${link}`, parsedLinks);
      } catch (err) {
        if (own && !isVanished(err)) failed ??= err;
        continue;
      }
      links.push([index, ns.key, ns.ino]);
      noteLink(registry, p, dir, index, ns.key, ns.ino);
    }
    // zombies keep no namespace links: not a fault, they are on their way out
    if (failed !== undefined && stat.state !== 'Z')
      warnings.addError('cannot read namespaces', who(p), failed);
    // reusable next time: a process that was at rest when read, and read without trouble
    if (
      sched !== undefined &&
      failed === undefined &&
      stat.threads === 1 &&
      !RUNNING_STATES.has(stat.state)
    ) {
      reuse!.procs.set(pid, { start: stat.start, comm: stat.comm, name, uid, sched, links });
    }
    out.push(p);
  }
}

/** One namespace link of `p` (LINKS[index]): its own namespace, or a "for children" one that differs. */
function noteLink(
  registry: Registry,
  p: Process,
  dir: string,
  index: number,
  key: NsKey,
  ino: number,
): void {
  const [link, type, own] = LINKS[index]!;
  let entry: Entry;
  if (own) {
    p.ns[type] = key;
    entry = registry.note(key, type, ino, 'process');
    entry.ns.pids.push(p.pid);
  } else if (key !== p.ns[type]) {
    // pid_for_children after unshare(CLONE_NEWPID) without a child yet
    entry = registry.note(key, type, ino, 'process');
  } else return;
  // the path only while it is kept: the host's namespaces have every process in them
  if (entry.refs.length < MAX_REFS) entry.refs.push(`${dir}/ns/${link}`);
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
  read: Reader,
): void {
  let buf: Buffer;
  try {
    buf = read(`${dir}/cgroup`, 'whole');
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

/**
 * What root made of the cgroup hierarchies mounted here (delegation.ts):
 * the mounts as this process sees them, each directory's owner by stat().
 */
function cgroupTrust(proc: string): CgroupTrust {
  let mounts: CgroupMount[] = [];
  try {
    mounts = parseCgroupMounts(readProcFile(`${proc}/self/mountinfo`).toString('latin1'));
  } catch {
    // no mountinfo: nothing to check against, paths are taken as they read
  }
  return new CgroupTrust(mounts, (dir) => {
    try {
      return statSync(dir).uid;
    } catch {
      return undefined;
    }
  });
}

/** A rootless container's user name: as its processes' (step 6 asked NSS), else NSS now. */
function nameContainerOwners(
  containers: readonly Container[],
  processes: readonly Process[],
): void {
  for (const c of containers) {
    if (!c.owner) continue;
    const uid = c.owner.uid;
    let user = processes.find((p) => p.uid === uid && p.user !== undefined)?.user;
    if (user === undefined) {
      try {
        user = userName(uid);
      } catch {
        // no name: the uid says it
      }
    }
    if (user !== undefined) c.owner.user = user;
  }
}

/** Step 6: user names for the owner uids of user namespaces and the uids of processes. */
function resolveOwnerNames(registry: Registry, processes: Process[], warnings: Warnings): void {
  const names = new Map<number, string | undefined>();
  const nameOf = (uid: number) => {
    if (!names.has(uid)) {
      try {
        names.set(uid, userName(uid));
      } catch (err) {
        warnings.addError('user name lookup failed', `uid ${uid}`, err);
        names.set(uid, undefined);
      }
    }
    return names.get(uid);
  };
  for (const { ns } of registry.entries.values()) {
    if (ns.ownerUid === undefined) continue;
    const name = nameOf(ns.ownerUid);
    if (name !== undefined) ns.ownerName = name;
  }
  for (const p of processes) {
    if (p.uid === undefined) continue;
    const name = nameOf(p.uid);
    if (name !== undefined) p.user = name;
  }
}
