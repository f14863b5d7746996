/**
 * The namespace model: plain data, everything one discovery saw.
 *
 * It knows nothing of how it was discovered, so a snapshot saved on another
 * host is as good as a live scan. Namespaces are keyed by `type:inode`
 * (`net:4026531840`), the form the kernel's /proc/PID/ns links use, and
 * reference each other by key. Arrays are sorted (namespaces by type then
 * inode, processes by PID) so the same system gives the same JSON.
 */
import type { NetInterface } from './interfaces';
import type { NsTypeName } from '../relations/constants';

export type { NsTypeName };

/** A namespace key: `type:inode`, e.g. `user:4026531837`. */
export type NsKey = `${NsTypeName}:${number}`;

/**
 * How a namespace was first found, in discovery order: a process's own
 * /proc/PID/ns link, a thread's (task's) link, an open fd, a bind mount, or
 * the hierarchy walk (a user or PID namespace nothing else holds).
 */
export type Origin = 'process' | 'task' | 'fd' | 'bindmount' | 'hidden';

/** A thread whose namespace differs from its process's. */
export interface TaskRef {
  pid: number;
  tid: number;
}

/** An open fd that refers to a namespace (`/proc/PID/fd/N -> net:[ino]`). */
export interface FdRef {
  pid: number;
  fd: number;
}

/** A bind mount of a namespace file (nsfs entry in /proc/PID/mountinfo). */
export interface BindMountRef {
  /** Mount point as seen inside `mntns` (octal escapes of mountinfo decoded). */
  path: string;
  /** Key of the mount namespace the mount lives in. */
  mntns: NsKey;
}

/** A process that labels a namespace: its most senior member. */
export interface LabelRef {
  pid: number;
  /** Process name, see Process.name. */
  name: string;
}

/** One namespace. */
export interface Namespace {
  key: NsKey;
  type: NsTypeName;
  /** Inode number, the id in `net:[4026531840]`. */
  ino: number;
  /** The kernel's 64-bit namespace id (NS_GET_ID, Linux 6.18+) in decimal; absent on older kernels. */
  nsid?: string;
  /** How it was first found. */
  origin: Origin;
  /** Key of the owning user namespace; absent where out of reach (or for the initial user ns). */
  owner?: NsKey;
  /** Key of the parent (user and pid namespaces only); absent at the top or where out of reach. */
  parent?: NsKey;
  /** user namespaces: uid of the creator, as seen from the scanner's user namespace. */
  ownerUid?: number;
  /** user namespaces: the creator's user name through NSS; absent when the uid has no entry. */
  ownerName?: string;
  /** PIDs of the processes in it (sorted). */
  pids: number[];
  /** Threads in it whose process is elsewhere. */
  tasks: TaskRef[];
  /** Open fds referring to it. */
  fds: FdRef[];
  /** Bind mounts of it. */
  mounts: BindMountRef[];
  /** The most senior process in it (walk up the parents while they are inside). */
  label?: LabelRef;
  /**
   * A network namespace's interfaces, when the scan read them (`net`
   * option: lsnetns); absent when not asked or out of reach.
   */
  interfaces?: NetInterface[];
  /**
   * User namespaces: the uid map, one range per line of /proc/PID/uid_map
   * of a process (or thread) inside, in the kernel's order. `outside` is as
   * the kernel shows it to the scanner: in the scanner's own user namespace
   * (the parent's ids when the scanner sits in this very namespace), and
   * 4294967295 where the id has no mapping there. Empty: no map written yet.
   * Absent where no process or thread of it was in reach (a namespace only
   * an fd or a bind mount holds, or a hidden one: the kernel shows a map
   * only through a task inside it), and in snapshots before version 7.
   */
  uidMap?: IdRange[];
  /** User namespaces: the gid map, as `uidMap`. */
  gidMap?: IdRange[];
}

/**
 * One range of a user namespace's uid or gid map: ids `inside` to
 * `inside + count - 1` in the namespace are `outside` to
 * `outside + count - 1` outside it (a line `inside outside count` of
 * /proc/PID/uid_map).
 */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/**
 * Container engines and sandboxes graphns names. `kubernetes` is a pod's
 * container run through a CRI runtime (containerd's CRI plugin); `cri-o`
 * the same through CRI-O.
 */
export type Engine =
  | 'docker'
  | 'podman'
  | 'containerd'
  | 'kubernetes'
  | 'cri-o'
  | 'lxc'
  | 'lxd'
  | 'incus'
  | 'nspawn'
  | 'bubblewrap'
  | 'flatpak'
  | 'snap';

/** Every engine, in the order presentations list them. */
export const ENGINES: readonly Engine[] = [
  'docker',
  'podman',
  'containerd',
  'kubernetes',
  'cri-o',
  'lxc',
  'lxd',
  'incus',
  'nspawn',
  'bubblewrap',
  'flatpak',
  'snap',
];

/** A container key: `engine:id`, e.g. `docker:4f3c…`. */
export type ContainerKey = `${Engine}:${string}`;

/** The group a container belongs to, where its engine has one. */
export interface PodRef {
  /** `kubernetes` (a CRI pod, with its Kubernetes namespace) or `podman` (a podman pod). */
  kind: 'kubernetes' | 'podman';
  /** The pod's name (podman: the pod's name, or its id when no name was found). */
  name: string;
  /** Kubernetes namespace of the pod. */
  namespace?: string;
  /** Pod uid (Kubernetes) or pod id (podman). */
  id?: string;
}

/**
 * One container, pod member or sandbox, as the engine's own files (and,
 * where one answered, its API) describe it. Every string in it comes from
 * the system and is as hostile as a process name: escape it where shown.
 */
export interface Container {
  key: ContainerKey;
  engine: Engine;
  /** The engine's id (64 hex digits for OCI engines; LXC: the container's name). */
  id: string;
  /** The name users know it by; absent when no source had one. */
  name?: string;
  /** Its pod, for Kubernetes and podman pod members. */
  pod?: PodRef;
  /** A pod's sandbox (infra) container rather than a workload. */
  sandbox?: boolean;
  /** Docker compose (or nerdctl compose) project and service. */
  compose?: { project: string; service?: string };
  /** The engine's own namespace: containerd's (`default`, `k8s.io`, `moby`, ...), or an LXD/Incus project. */
  engineNamespace?: string;
  /**
   * Which of several rootful instances of its engine runs it, where it is
   * not the engine's default one: a dockerd's data root (`/srv/docker2`),
   * containerd's socket address (k3s: `/run/k3s/containerd/containerd.sock`),
   * podman's storage root. Absent for the default instance, and for a
   * rootless engine's container (`owner` says whose engine it is).
   */
  instance?: string;
  /**
   * A rootless engine's container: the user whose engine runs it (their
   * uid, and its name through NSS when it has one). Absent for a rootful
   * engine's. Two containers of one key never have different owners.
   */
  owner?: { uid: number; user?: string };
  /**
   * The container the engine running this one runs in (kind, k3d, a
   * containerd in a privileged container): its key.
   */
  outer?: ContainerKey;
  /** Its processes' PIDs (sorted). */
  pids: number[];
  /** Where the facts came from, e.g. `cgroup`, `config.v2.json`, `conmon argv`. */
  sources: string[];
}

/** One process (thread group). */
export interface Process {
  pid: number;
  ppid: number;
  /**
   * Name: basename of argv[0] (a login shell's leading '-' dropped), or
   * `[comm]` like ps when the command line is empty (kernel threads,
   * zombies). Any bytes the kernel holds: bytes that are not UTF-8 are kept
   * as lone surrogates U+DC80..U+DCFF (see names.ts), so nothing is lost
   * and JSON round-trips. Escape it where it is shown, never here.
   */
  name: string;
  /** Start time in clock ticks since boot (field 22 of /proc/PID/stat), for seniority. */
  start: number;
  /** The process's namespaces by type (keys); absent types were unreadable. */
  ns: Partial<Record<NsTypeName, NsKey>>;
  /** The container, pod member or sandbox it runs in (Container.key); absent on the host. */
  container?: ContainerKey;
  /**
   * Effective uid (what ps shows as USER), from /proc/PID/status where the
   * owner of /proc/PID cannot be trusted (it is root for any process that is
   * not dumpable, such as a daemon that dropped privileges); absent when unread.
   */
  uid?: number;
  /** The uid's user name through NSS; absent when it has none. */
  user?: string;
  /**
   * Capability sets of its main thread, as /proc/PID/status states them
   * (CapEff, CapPrm, CapBnd): 16 lowercase hex digits, the 64-bit mask,
   * bit N capability N (capabilities.ts names them). They hold in the
   * process's own user namespace (`ns.user`) and the ones below it, never
   * above. Absent when unread, and in snapshots before version 7.
   */
  capEff?: string;
  capPrm?: string;
  capBnd?: string;
}

/** Facts about the host and the scan. */
export interface HostInfo {
  hostname: string;
  /** Kernel release (uname -r). */
  kernel: string;
  /** When the scan ran, ISO 8601. */
  time: string;
  /** Effective uid of the scanner; 0 sees everything. */
  uid: number;
  /** Key of the scanner's own user and PID namespaces: the view's vantage point. */
  userns?: NsKey;
  pidns?: NsKey;
  /** Whether the kernel answered NS_GET_ID. */
  nsidSupported: boolean;
  /**
   * The highest capability number the scanned kernel knows
   * (/proc/sys/kernel/cap_last_cap): a full set is bits 0 to it. Absent
   * when unread, and in snapshots before version 7.
   */
  capLastCap?: number;
}

/** Everything one discovery saw. */
export interface Model {
  host: HostInfo;
  /** Sorted by type (NS_TYPES order), then inode. */
  namespaces: Namespace[];
  /** Sorted by PID. */
  processes: Process[];
  /** Containers and sandboxes with at least one process here, sorted by key. */
  containers: Container[];
  /** What the scan could not see, in plain words (e.g. "pid 1: ns/user: EACCES"). */
  warnings: string[];
}

// a container's key lives with the other identities of containers and pods (containers.ts)
export { containerKeyOf } from './containers';
