/**
 * The shape every container source has. A source knows one engine (or a
 * family: the OCI engines share runc's state), looks at every process once
 * per scan, reads its engine's state once per scan (not once per process),
 * and claims the processes that belong to its containers.
 *
 * Sources run in the order of sources.ts; the first to claim a process
 * wins. Sources that read the cgroup path (which says for certain which
 * engine runs a process) come before those that infer from argv or
 * ancestry (nspawn without machined, bubblewrap).
 *
 * Nothing here may throw for one container's trouble: an unreadable,
 * missing, huge or hostile state file costs that container its name (and
 * a warning through ctx.warn when the file exists but cannot be used),
 * never the scan.
 */
import type { Container } from '../../model/types';

/** What the sources see of one process. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Process name as in the model (escape before showing). */
  name: string;
  /**
   * Its cgroup paths: the v2 path (`0::/path`) and each v1 hierarchy's, each
   * cut to the part root made (delegation.ts).
   */
  cgroups: readonly CgroupLine[];
  /** Its effective uid, when read. */
  uid?: number;
}

/** One line of /proc/PID/cgroup: `N:controllers:/path`. */
export interface CgroupLine {
  hierarchy: number;
  /** Controllers of a v1 hierarchy (`cpu,cpuacct`, `name=systemd`); empty for v2. */
  controllers: string;
  path: string;
  /**
   * Below systemd's delegation of a user's own cgroups (`user@UID.service`),
   * the whole path, which `path` stops at: good only for a rootless
   * container of that uid (delegation.ts).
   */
  delegated?: { uid: number; path: string };
}

/** What a source may use besides the processes. */
export interface ScanContext {
  /** Where engine state lives: `/` on a live host; tests pass a directory shaped like one. */
  root: string;
  /**
   * A small state file under `root` (`path` is absolute, as on the host),
   * as text; undefined when missing or unusable (unusable ones: a warning
   * is recorded). Never follows into fifos or devices, never reads more
   * than `maxBytes` (default 4 MiB). With `owner`, a file another uid owns
   * is not read (a warning): state under a user's directory counts only as
   * that user's word.
   */
  readText(path: string, maxBytes?: number, owner?: number): string | undefined;
  /** The names in a directory under `root`, or [] when it cannot be listed. */
  list(path: string): string[];
  /** A process's argv (split on NUL), read once per scan and cached; undefined when gone. */
  argv(pid: number): readonly string[] | undefined;
  /** Record a warning (grouped with discovery's own). */
  warn(message: string): void;
}

/**
 * A container a source found, without its key (engine:id) and before pids
 * are sorted. `ownerUid`: a rootless engine's container, its user's: it is
 * never merged with a container of root's or of another user of the same key.
 */
export type FoundContainer = Omit<Container, 'key' | 'pids'> & {
  pids: number[];
  ownerUid?: number;
};

/** One engine's (or family's) way of finding containers. */
export interface ContainerSource {
  /** For warnings and tests: `docker`, `oci`, `lxc`, ... */
  name: string;
  /**
   * Find containers among `procs` (every process of the scan, sorted by
   * PID; those claimed by an earlier source are left out).
   */
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[];
}
