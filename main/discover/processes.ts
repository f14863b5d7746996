/**
 * Step 1 of discovery: every process, its name, parent, start time, user,
 * capabilities and namespaces (`/proc/PID/ns/*` and the two
 * `*_for_children` links), and its cgroup lines for the containers step.
 *
 * In a series (memo.ts), a process proven at rest since the last scan
 * (rest.ts) keeps its links and name from that scan, and the files read
 * for every process are read through the series' held fds (held.ts).
 */
import { NS_TYPES } from '../relations/constants';
import type { NsKey, NsTypeName, Process } from '../model/types';
import { parseCgroupFile } from './containers/cgroup';
import type { CgroupLine } from './containers/source';
import type { HeldFiles } from './held';
import type { ProcMemo, ScanMemo } from './memo';
import {
  listIds,
  parseStat,
  parseStatusFacts,
  processName,
  readNsLink,
  readProcView,
  type NsLink,
  type ReadStop,
  type Stat,
  type StatusFacts,
} from './procfs';
import { MAX_REFS, type Entry, type Registry } from './registry';
import { readSched, RUNNING_STATES, unchangedSince } from './rest';
import { isVanished, who, type Warnings } from './warnings';

/** Links read per process: the eight types plus the "for children" links. */
const LINKS: readonly [link: string, type: NsTypeName, own: boolean][] = [
  ...NS_TYPES.map((t) => [t, t, true] as [string, NsTypeName, boolean]),
  ['pid_for_children', 'pid', false],
  ['time_for_children', 'time', false],
];

/** How step 1 reads the files it reads for every process: a view, valid until the next read. */
type Reader = (path: string, stop: ReadStop, owner?: { uid?: number }) => Buffer;

/** A rescan's state while step 1 runs. */
export interface ProcessReuse {
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

/** What step 1 found. */
export interface ProcessesFound {
  /** By PID. */
  processes: Process[];
  /** PIDs of processes with more than one thread (step 2 looks at their threads). */
  multiThreaded: Set<number>;
  /** Each process's cgroup lines, when asked for. */
  cgroups: Map<number, CgroupLine[]> | undefined;
}

/** A process's stat line and what follows from it, read before its links. */
interface Head {
  stat: Stat;
  name: string;
  /** Its effective uid and capability sets (/proc/PID/status). */
  status: StatusFacts;
  /** The last scan's memo of it, when it provably did not run since. */
  prev: ProcMemo | undefined;
  /** Its schedstat line, when it can prove rest next time. */
  sched: string | undefined;
}

/**
 * Step 1 over `proc`: adds each process's namespaces to `registry`.
 * `cgroups`: also read each process's cgroup file (the containers step).
 */
export function scanProcesses(
  proc: string,
  registry: Registry,
  warnings: Warnings,
  cgroups: boolean,
  reuse: ProcessReuse | undefined,
): ProcessesFound {
  const scan = new ProcessScan(proc, registry, warnings, cgroups, reuse);
  let pids: number[];
  try {
    pids = listIds(proc);
  } catch (err) {
    warnings.addError('cannot list processes', proc, err);
    return scan.found;
  }
  for (const pid of pids) scan.add(pid);
  return scan.found;
}

/** Step 1's state: what it found so far, and what it parsed once for many processes. */
class ProcessScan {
  readonly found: ProcessesFound;
  /** Link texts parsed this scan: most processes share most namespaces. */
  readonly #links = new Map<string, NsLink>();
  /** cgroup file texts parsed this scan (null: refused as malformed). */
  readonly #cgroupTexts = new Map<string, CgroupLine[] | null>();
  readonly #read: Reader;

  constructor(
    readonly proc: string,
    readonly registry: Registry,
    readonly warnings: Warnings,
    cgroups: boolean,
    readonly reuse: ProcessReuse | undefined,
  ) {
    this.found = {
      processes: [],
      multiThreaded: new Set(),
      cgroups: cgroups ? new Map() : undefined,
    };
    // a series of scans keeps the files read for every process open (held.ts)
    const held = reuse?.held;
    this.#read = held ? (path, stop, owner) => held.read(path, stop, owner) : readProcView;
  }

  /** The process `pid`, unless it is gone or unreadable (a warning then). */
  add(pid: number): void {
    const dir = `${this.proc}/${pid}`;
    const head = this.#head(pid, dir);
    if (!head) return;
    const { stat, name, status, prev } = head;
    const p: Process = { pid, ppid: stat.ppid, name, start: stat.start, ns: {} };
    if (status.uid !== undefined) p.uid = status.uid;
    if (status.capEff !== undefined) p.capEff = status.capEff;
    if (status.capPrm !== undefined) p.capPrm = status.capPrm;
    if (status.capBnd !== undefined) p.capBnd = status.capBnd;
    if (stat.threads > 1) this.found.multiThreaded.add(pid);
    if (this.found.cgroups) this.#cgroups(dir, p);
    if (prev) this.#restLinks(p, dir, prev);
    else this.#readLinks(p, dir, head);
    this.found.processes.push(p);
  }

  /**
   * Its stat line, name, uid and capabilities: name, uid and capabilities
   * from the last scan when it provably did not run since (no exec, no new
   * title, no credential change), else read now.
   */
  #head(pid: number, dir: string): Head | undefined {
    // before the stat line: whatever the process does after this read shows next time
    const sched = this.reuse ? readSched(dir, this.#read) : undefined;
    try {
      const stat = parseStat(this.#read(`${dir}/stat`, 'whole'));
      let prev = sched !== undefined ? this.reuse!.last?.procs.get(pid) : undefined;
      if (
        prev &&
        !(atRest(stat) && unchangedSince(prev, sched!, stat.start) && prev.comm === stat.comm)
      )
        prev = undefined;
      const name = prev?.name ?? processName(readProcView(`${dir}/cmdline`, 'nul'), stat.comm);
      return { stat, name, status: prev?.status ?? this.#status(dir), prev, sched };
    } catch (err) {
      if (!isVanished(err)) this.warnings.addError('cannot read process', `pid ${pid}`, err);
      return undefined;
    }
  }

  /** A process at rest since the last scan cannot have left its namespaces: it held them all along. */
  #restLinks(p: Process, dir: string, prev: ProcMemo): void {
    const reuse = this.reuse!;
    for (const [index, key, ino] of prev.links) {
      noteLink(this.registry, p, dir, index, key, ino);
      reuse.pinned.add(key);
    }
    reuse.procs.set(p.pid, prev);
    reuse.reused.add(p.pid);
  }

  /**
   * Its effective uid and capability sets, from /proc/PID/status: the one
   * file read per process for them. The uid is not taken from the owner
   * of its /proc files, which is root for a process that is not dumpable
   * (a daemon that dropped privileges, anything after a credential change:
   * lsns shows those as root).
   */
  #status(dir: string): StatusFacts {
    try {
      // printed whole at the first read (single_open)
      return parseStatusFacts(this.#read(`${dir}/status`, 'whole'));
    } catch {
      return {}; // gone since its stat line: kept as read, without a uid or capabilities
    }
  }

  /** Its links as they read now; remembered for the next scan when it was at rest and read cleanly. */
  #readLinks(p: Process, dir: string, { stat, name, status, sched }: Head): void {
    let failed: unknown;
    const links: [number, NsKey, number][] = [];
    for (let index = 0; index < LINKS.length; index++) {
      const [link, , own] = LINKS[index]!;
      let ns;
      try {
        ns = readNsLink(`${dir}/ns/${link}`, this.#links);
      } catch (err) {
        if (own && !isVanished(err)) failed ??= err;
        continue;
      }
      links.push([index, ns.key, ns.ino]);
      noteLink(this.registry, p, dir, index, ns.key, ns.ino);
    }
    // zombies keep no namespace links: not a fault, they are on their way out
    if (failed !== undefined && stat.state !== 'Z')
      this.warnings.addError('cannot read namespaces', who(p), failed);
    if (sched !== undefined && failed === undefined && atRest(stat)) {
      this.reuse!.procs.set(p.pid, {
        start: stat.start,
        comm: stat.comm,
        name,
        status,
        sched,
        links,
      });
    }
  }

  /**
   * The process's cgroup lines, for the containers step: the one extra
   * file read per process. A file refused as forged (see parseCgroupFile)
   * is a warning.
   */
  #cgroups(dir: string, p: Process): void {
    let buf: Buffer;
    try {
      buf = this.#read(`${dir}/cgroup`, 'whole');
    } catch (err) {
      if (!isVanished(err)) this.warnings.addError('cannot read cgroup', who(p), err);
      return;
    }
    // most processes share their cgroup file with others (a service, a session, a
    // container): parse each distinct text once and share the (read-only) lines
    const key = buf.toString('latin1');
    let lines = this.#cgroupTexts.get(key);
    if (lines === undefined) {
      lines = parseCgroupFile(buf) ?? null;
      this.#cgroupTexts.set(key, lines);
    }
    if (lines) this.found.cgroups!.set(p.pid, lines);
    else this.warnings.add('cgroup file malformed (a cgroup name with a newline?)', who(p));
  }
}

/** Single-threaded and not running: what a process must be to prove rest (rest.ts). */
function atRest(stat: Stat): boolean {
  return stat.threads === 1 && !RUNNING_STATES.has(stat.state);
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
