/**
 * The discovery engine: one call, one model of every namespace visible
 * from here. An ordered list of steps fills one registry, each adding what
 * the earlier ones missed:
 *
 *   1. processes  /proc/PID/ns/* (and the *_for_children links)   processes.ts
 *   2. tasks      /proc/PID/task/TID/ns/* where a thread sits elsewhere   tasks.ts
 *   3. fds        /proc/PID/fd/* links of the form `type:[inode]`   fds.ts
 *   4. mounts     nsfs bind mounts in the mountinfo of every mount namespace   mounts.ts
 *   5. hierarchy  owners and parents by ioctl, adding hidden user/PID namespaces   hierarchy.ts
 *   6. owners     user names for owner uids (and processes' uids), through NSS   users.ts
 *   7. labels     the most senior process of each namespace   labels.ts
 *      id maps    each user namespace's uid and gid map, through its label process   idmaps.ts
 *   8. containers /proc/PID/cgroup (read in step 1) and the engines' own state files   containers/
 *
 * A live system races the scan: processes exit, zombies have no links,
 * some entries are closed even to root. No single process's trouble throws;
 * the model carries warnings instead.
 *
 * A scan of a series (series.ts, or `discover({ rescan })` and its
 * `previous`) skips what cannot have changed since the series' last scan;
 * memo.ts says what that is and why.
 */
import { statSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { orderKey } from '../model/order';
import type { Container, Model, Namespace, NsKey, NsTypeName, Process } from '../model/types';
import { liveContext, resolveContainers, type ProcInfo, type TextCache } from './containers';
import { CgroupTrust } from './containers/delegation';
import { scanFds, type FdMemo } from './fds';
import { HeldFiles } from './held';
import { resolveHierarchy, type HierarchyTally } from './hierarchy';
import { readIdMaps, type MapsMemo } from './idmaps';
import { readInterfaces } from './interfaces';
import { assignLabels } from './labels';
import { memoOf, remember, type NsFacts, type ScanMemo } from './memo';
import { scanMounts } from './mounts';
import { scanProcesses, type ProcessesFound, type ProcessReuse } from './processes';
import { parseCgroupMounts, readNsLink, readProcFile, type CgroupMount } from './procfs';
import { Registry } from './registry';
import { restProvable } from './rest';
import { scanTasks } from './tasks';
import { nameContainerOwners, resolveOwnerNames } from './users';
import { Warnings } from './warnings';

/** What one scan looks at; every source is on by default. */
export interface ScanOptions {
  /** Threads whose namespaces differ from their process's (step 2). */
  tasks?: boolean;
  /** Namespaces held by open fds (step 3). */
  fds?: boolean;
  /** Namespaces held by bind mounts (step 4). */
  mounts?: boolean;
  /** Which container, pod or sandbox each process runs in (step 8). */
  containers?: boolean;
  /** Each network namespace's interfaces and the wires between them (step 9; lsnetns). */
  net?: boolean;
  /** Where procfs is mounted; `/proc` unless testing. */
  proc?: string;
  /** Where engine state files live (step 8); `/` unless testing. */
  root?: string;
}

/** What to scan; every source is on by default. */
export interface DiscoverOptions extends ScanOptions {
  /**
   * The model an earlier discover() of this system returned: what cannot
   * have changed since is reused, and the result is what a fresh scan
   * finds. Reuse needs that scan to have been made with `rescan` (or
   * `previous`); any other model (parsed from JSON, say) is simply ignored.
   */
  previous?: Model;
  /**
   * Record what a later `discover({ previous })` needs to skip unchanged
   * processes: one more small /proc file per process, kept open until the
   * last model of the series is garbage-collected (discoverySeries() closes
   * them when asked). Implied by `previous`.
   */
  rescan?: boolean;
}

/** Scan the system and return the model. Never throws for one process's trouble. */
export function discover(options: DiscoverOptions = {}): Model {
  const { previous, rescan, ...what } = options;
  if (previous === undefined && rescan !== true) return scanOnce(what);
  // a series nobody owns: its files are closed when its last model is garbage (held.ts)
  const last = memoOf(previous);
  const proc = what.proc ?? '/proc';
  const held = (last?.proc === proc ? last.held : undefined) ?? new HeldFiles();
  return scanOnce(what, { held, last });
}

/** What a scan of a series is given: the series' open files and its last scan. */
export interface SeriesState {
  held: HeldFiles;
  last: ScanMemo | undefined;
}

/** One scan's shared state. */
interface Scan {
  proc: string;
  root: string;
  registry: Registry;
  warnings: Warnings;
  /** The series' open files, when the scan is one of a series. */
  held: HeldFiles | undefined;
  /** The series' last scan, when it scanned this procfs. */
  last: ScanMemo | undefined;
}

/**
 * One scan: a fresh one, or with `series` one that reuses what cannot
 * have changed since the series' last scan and leaves its memo with the
 * model (memo.ts) for the next.
 */
export function scanOnce(options: ScanOptions, series?: SeriesState): Model {
  const proc = options.proc ?? '/proc';
  const scan: Scan = {
    proc,
    root: options.root ?? '/',
    registry: new Registry(),
    warnings: new Warnings(),
    held: series?.held,
    last: series?.last?.proc === proc ? series.last : undefined,
  };
  const reuse = scan.held ? processReuse(scan.held, scan.last) : undefined;
  const fdMemo = scan.held ? new Map<number, FdMemo>() : undefined;
  const found = findNamespaces(scan, options, reuse, fdMemo);
  const learnt = scan.held ? new Map<NsKey, NsFacts>() : undefined;
  const tally: HierarchyTally = { same: 0, verified: 0, asked: 0 };
  const nsidSupported = resolveHierarchy(
    scan.registry,
    scan.warnings,
    scan.last && {
      facts: scan.last.facts,
      pinned: reuse!.pinned,
      nsidSupported: scan.last.nsidSupported,
    },
    learnt,
    tally,
  );
  resolveOwnerNames(scan.registry, found.processes, scan.warnings);
  const texts = scan.held
    ? { previous: scan.last?.root === scan.root ? scan.last.texts : undefined, next: new Map() }
    : undefined;
  const containers = found.cgroups ? findContainers(scan, found, texts) : [];
  if (options.net) readInterfaces(scan.registry.entries.values(), scan.warnings);
  const maps = scan.held ? new Map<NsKey, MapsMemo>() : undefined;
  const model = modelOf(scan, found.processes, containers, nsidSupported, maps);
  if (scan.held) {
    scan.held.endScan();
    remember(model, {
      held: scan.held,
      proc,
      fds: fdMemo!,
      root: scan.root,
      texts: texts!.next,
      procs: reuse!.procs,
      facts: learnt!,
      maps: maps!,
      nsidSupported,
      at: performance.now(),
      stats: {
        processes: [...reuse!.reused],
        sameNs: tally.same,
        verifiedNs: tally.verified,
        askedNs: tally.asked,
      },
    });
  }
  return model;
}

/** Step 1's reuse: the last scan's processes only when an unchanged one proves rest (rest.ts). */
function processReuse(held: HeldFiles, last: ScanMemo | undefined): ProcessReuse {
  return {
    held,
    last: last && restProvable(last.at) ? last : undefined,
    procs: new Map(),
    pinned: new Set(),
    reused: new Set(),
  };
}

/** Steps 1 to 4: every namespace a process, thread, fd or bind mount holds. */
function findNamespaces(
  scan: Scan,
  options: ScanOptions,
  reuse: ProcessReuse | undefined,
  fdMemo: Map<number, FdMemo> | undefined,
): ProcessesFound {
  const { proc, registry, warnings } = scan;
  const found = scanProcesses(proc, registry, warnings, options.containers !== false, reuse);
  const { processes, multiThreaded } = found;
  if (options.tasks !== false) {
    const threaded = processes.filter((p) => multiThreaded.has(p.pid));
    scanTasks(proc, registry, threaded, warnings);
  }
  if (options.fds !== false) {
    const fdReuse = fdMemo ? { last: scan.last?.fds, next: fdMemo } : undefined;
    scanFds(proc, registry, processes, warnings, fdReuse);
  }
  if (options.mounts !== false) scanMounts(proc, registry, processes, warnings);
  return found;
}

/** Step 8: which container, pod or sandbox each process runs in (containers/), and whose. */
function findContainers(
  scan: Scan,
  found: ProcessesFound,
  texts: { previous?: TextCache; next: TextCache } | undefined,
): Container[] {
  const trust = cgroupTrust(scan.proc);
  const procs = found.processes.map((p): ProcInfo => ({
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    cgroups: trust.lines(found.cgroups!.get(p.pid) ?? []),
    ...(p.uid !== undefined ? { uid: p.uid } : {}),
  }));
  const containers = resolveContainers(
    procs,
    liveContext({
      root: scan.root,
      proc: scan.proc,
      warn: (message) => scan.warnings.add('container state unusable', message),
      ...(texts ? { texts } : {}),
    }),
  );
  const byPid = new Map(found.processes.map((p) => [p.pid, p]));
  for (const c of containers) for (const pid of c.pids) byPid.get(pid)!.container = c.key;
  nameContainerOwners(containers, found.processes);
  return containers;
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

/**
 * Step 7 and the model: labels, the user namespaces' id maps (through the
 * labels), everything in the model's order, the host and the vantage point.
 * `maps` receives what the next scan of a series may reuse.
 */
function modelOf(
  scan: Scan,
  processes: Process[],
  containers: Container[],
  nsidSupported: boolean,
  maps: Map<NsKey, MapsMemo> | undefined,
): Model {
  const namespaces = sortedEntries(scan.registry);
  assignLabels(namespaces, new Map(processes.map((p) => [p.pid, p])));
  readIdMaps(namespaces, scan.proc, scan.warnings, scan.last?.maps, maps);
  const capLastCap = readCapLastCap(scan.proc);
  const self = (t: NsTypeName): NsKey | undefined => {
    try {
      const key = readNsLink(`${scan.proc}/self/ns/${t}`).key;
      return scan.registry.get(key) ? key : undefined;
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
      ...(userns ? { userns } : {}),
      ...(pidns ? { pidns } : {}),
      nsidSupported,
      ...(capLastCap !== undefined ? { capLastCap } : {}),
    },
    namespaces,
    processes,
    containers,
    warnings: scan.warnings.lines(),
  };
}

/**
 * The highest capability number the kernel knows (a full set is bits 0 to
 * it), or undefined where unreadable or not a capability number.
 */
function readCapLastCap(proc: string): number | undefined {
  try {
    const text = readProcFile(`${proc}/sys/kernel/cap_last_cap`, 'whole').toString('latin1');
    const n = /^(\d{1,2})\n?$/.exec(text);
    return n && Number(n[1]) <= 63 ? Number(n[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The registry's namespaces in the model's order (model/order.ts), their lists sorted too. */
function sortedEntries(registry: Registry): Namespace[] {
  // one number each, computed once, not per comparison
  const namespaces = [...registry.entries.values()]
    .map(({ ns }): [number, Namespace] => [orderKey(ns), ns])
    .sort((a, b) => a[0] - b[0])
    .map(([, ns]) => ns);
  for (const ns of namespaces) {
    ns.pids.sort((a, b) => a - b);
    ns.tasks.sort((a, b) => a.pid - b.pid || a.tid - b.tid);
    ns.fds.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
    ns.mounts.sort((a, b) =>
      a.mntns < b.mntns ? -1 : a.mntns > b.mntns ? 1 : a.path < b.path ? -1 : 1,
    );
  }
  return namespaces;
}
