/**
 * Cgroup paths: parsing /proc/PID/cgroup and telling which engine's
 * container a path names. The shapes, per engine and cgroup driver
 * (cgroupfs / systemd), as the engines create them:
 *
 *   docker       /docker/<64hex>                 system.slice/docker-<64hex>.scope
 *                (moby daemon/oci_linux.go; runc libcontainer/cgroups/systemd)
 *   podman       /libpod_parent/libpod-<64hex>   machine.slice/libpod-<64hex>.scope
 *   podman pod   /libpod_parent/<podid>/libpod-<id>   machine.slice/machine-libpod_pod_<podid>.slice/libpod-<id>.scope
 *   rootless     …/user@<uid>.service/…/libpod-<id>.scope
 *   conmon       …/libpod-conmon-<id>(.scope)    (the monitor, not the container)
 *                (podman libpod/runtime_pod_linux.go, libpod/oci_conmon_linux.go)
 *   kubepods     /kubepods[/burstable|/besteffort]/pod<uid>/<64hex | crio-<64hex>>
 *                kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid with _>.slice/
 *                  cri-containerd-<64hex>.scope | crio-<64hex>.scope | docker-<64hex>.scope
 *                (kubernetes pkg/kubelet/cm/cgroup_manager_linux.go;
 *                 containerd pkg/cri/server/helpers_linux.go; cri-o internal/config/cgmgr)
 *
 * containerd's own shape (`/<namespace>/<id>`, or `<namespace>-<id>.scope`
 * under systemd) is a plain two-level path that the host's own services use
 * too (this machine has `/process_api/<32hex>`), so it is never trusted
 * from the path alone: containerd.ts confirms it against containerd's task
 * directories.
 */
import { decodeBytes } from '../../model/names';
import type { CgroupLine, ProcInfo } from './source';

/**
 * Parse /proc/PID/cgroup. A cgroup's name may hold any byte but '/', a
 * newline included, and the kernel prints it raw: a delegated user (rootless
 * podman's subtree) could name a cgroup `x\n0::/docker/<64hex>` and forge a
 * line. A file with a line that does not parse, a hierarchy number twice, or
 * a controller set twice is therefore refused whole (undefined): one process
 * loses its container rather than gaining a false one.
 */
export function parseCgroupFile(buf: Buffer): CgroupLine[] | undefined {
  // ':' '/' and '\n' are ASCII, so splitting the decoded text splits the bytes
  let text = decodeBytes(buf);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  const lines: CgroupLine[] = [];
  if (text === '') return lines;
  const ids = new Set<number>();
  const controllers = new Set<string>();
  for (const line of text.split('\n')) {
    const c1 = line.indexOf(':');
    const c2 = c1 < 0 ? -1 : line.indexOf(':', c1 + 1);
    if (c2 < 0 || line.charCodeAt(c2 + 1) !== 0x2f) return undefined; // path must start with '/'
    const num = line.slice(0, c1);
    if (!/^\d{1,9}$/.test(num)) return undefined;
    const hierarchy = Number(num);
    const ctl = line.slice(c1 + 1, c2);
    if (ids.has(hierarchy) || (ctl !== '' && controllers.has(ctl))) return undefined;
    ids.add(hierarchy);
    if (ctl !== '') controllers.add(ctl);
    lines.push({ hierarchy, controllers: ctl, path: line.slice(c2 + 1) });
  }
  return lines;
}

/**
 * The paths worth classifying, best first: the v2 line, then the v1
 * hierarchies every engine places processes in (`name=systemd`, `pids`,
 * `memory`), then the rest. On this host's hybrid layout the engines write
 * the v1 hierarchies and the v2 line stays `/`; on a pure v2 host only the
 * v2 line exists.
 */
export function candidatePaths(lines: readonly CgroupLine[]): string[] {
  let out = pathMemo.get(lines);
  if (out) return out;
  out = [];
  // the common case on any host: every path is the root
  if (lines.some((l) => l.path !== '/')) {
    const ranked: [number, string][] = [];
    for (const l of lines) {
      if (l.path === '/') continue;
      const ctl = `,${l.controllers},`;
      const rank =
        l.hierarchy === 0 && l.controllers === ''
          ? 0
          : l.controllers === 'name=systemd'
            ? 1
            : ctl.includes(',pids,')
              ? 2
              : ctl.includes(',memory,')
                ? 3
                : 4;
      ranked.push([rank, l.path.endsWith(' (deleted)') ? l.path.slice(0, -10) : l.path]);
    }
    ranked.sort((a, b) => a[0] - b[0]);
    for (const [, path] of ranked) if (path !== '/' && !out.includes(path)) out.push(path);
  }
  pathMemo.set(lines, out);
  return out;
}

/** candidatePaths per cgroup file (each source asks for every process). */
const pathMemo = new WeakMap<readonly CgroupLine[], string[]>();

/** What a cgroup path says for certain. */
export type CgroupMatch =
  | { kind: 'docker'; id: string }
  | { kind: 'podman'; id: string; podId?: string; rootlessUid?: number }
  /** conmon, podman's per-container monitor: runs on the host, not in the container. */
  | { kind: 'podman-conmon'; id: string }
  | {
      kind: 'kubepods';
      /** From the scope's prefix; undefined for the cgroupfs form's bare id. */
      runtime?: 'containerd' | 'cri-o' | 'docker';
      id: string;
      /** The pod's uid, dashes restored. */
      podUid: string;
      qos?: 'burstable' | 'besteffort';
    };

/** An OCI engine's container id: 64 hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;
const DOCKER_SCOPE = /^docker-([0-9a-f]{64})\.scope$/;
const LIBPOD = /^libpod-([0-9a-f]{64})(?:\.scope)?$/;
const LIBPOD_CONMON = /^libpod-conmon-([0-9a-f]{64})(?:\.scope)?$/;
const PODMAN_POD_SLICE = /^(?:machine|user)-libpod_pod_([0-9a-f]{64})\.slice$/;
const USER_SERVICE = /^user@(\d{1,10})\.service$/;
// the pod uid is a UUID; the systemd driver writes its dashes as underscores
const KUBE_POD =
  /^(?:kubepods-(?:(burstable|besteffort)-)?)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;
const KUBE_SCOPE = /^(cri-containerd|crio|docker)-([0-9a-f]{64})(?:\.scope)?$/;
const KUBE_RUNTIME = { 'cri-containerd': 'containerd', crio: 'cri-o', docker: 'docker' } as const;

/** Classify one cgroup path, or undefined when no engine's shape fits. */
export function classifyPath(path: string): CgroupMatch | undefined {
  // most paths are the host's own: rule them out before splitting
  if (!path.includes('docker') && !path.includes('libpod') && !path.includes('kubepods'))
    return undefined;
  const seg = path.split('/').filter((s) => s !== '');
  // kubepods first: a pod's containers also end in docker-<id>.scope under dockershim
  const kube = seg.findIndex((s) => s === 'kubepods' || s === 'kubepods.slice');
  if (kube >= 0) return classifyKube(seg.slice(kube + 1));
  for (let i = 0; i < seg.length; i++) {
    const s = seg[i]!;
    if (s === 'docker' && HEX64.test(seg[i + 1] ?? '')) return { kind: 'docker', id: seg[i + 1]! };
    let m = DOCKER_SCOPE.exec(s);
    if (m) return { kind: 'docker', id: m[1]! };
    m = LIBPOD_CONMON.exec(s);
    if (m) return { kind: 'podman-conmon', id: m[1]! };
    m = LIBPOD.exec(s);
    if (m) {
      const before = seg.slice(0, i);
      const parent = before[before.length - 1] ?? '';
      const pod =
        PODMAN_POD_SLICE.exec(parent)?.[1] ??
        (HEX64.test(parent) && before[before.length - 2] === 'libpod_parent' ? parent : undefined);
      const uid = before.map((b) => USER_SERVICE.exec(b)?.[1]).find((u) => u !== undefined);
      return {
        kind: 'podman',
        id: m[1]!,
        ...(pod ? { podId: pod } : {}),
        ...(uid !== undefined ? { rootlessUid: Number(uid) } : {}),
      };
    }
  }
  return undefined;
}

/** The part under kubepods: `[qos/]pod<uid>/<container>`. */
function classifyKube(seg: string[]): CgroupMatch | undefined {
  let i = 0;
  let qos: 'burstable' | 'besteffort' | undefined;
  const q = /^(?:kubepods-)?(burstable|besteffort)(?:\.slice)?$/.exec(seg[0] ?? '');
  if (q) {
    qos = q[1] as 'burstable' | 'besteffort';
    i = 1;
  }
  const pod = KUBE_POD.exec(seg[i] ?? '');
  if (!pod || (pod[1] !== undefined && pod[1] !== qos)) return undefined;
  const last = seg[i + 1] ?? '';
  const podUid = pod[2]!.replace(/_/g, '-');
  const base = { kind: 'kubepods' as const, podUid, ...(qos ? { qos } : {}) };
  const scope = KUBE_SCOPE.exec(last);
  if (scope)
    return { ...base, runtime: KUBE_RUNTIME[scope[1] as keyof typeof KUBE_RUNTIME], id: scope[2]! };
  if (HEX64.test(last)) return { ...base, id: last };
  return undefined; // the pod's own cgroup, or a runtime's monitor (crio-conmon-<id>)
}

// keyed by the lines, not the process: processes with the same cgroup file share one array
// (discover.ts), so the paths of a service's hundred processes are classified once
const memo = new WeakMap<readonly CgroupLine[], CgroupMatch | null>();

/**
 * A process's match over its candidate paths (best first), memoised per
 * cgroup file. Below a user's own systemd delegation (delegation.ts) only a
 * rootless podman container of that very user is believed.
 */
export function classify(p: ProcInfo): CgroupMatch | undefined {
  let m = memo.get(p.cgroups);
  if (m === undefined) {
    m = null;
    for (const path of candidatePaths(p.cgroups)) {
      const c = classifyPath(path);
      if (c) {
        m = c;
        break;
      }
    }
    for (const line of m ? [] : p.cgroups) {
      if (!line.delegated) continue;
      const c = classifyPath(line.delegated.path);
      if (c?.kind === 'podman' && c.rootlessUid === line.delegated.uid) {
        m = c;
        break;
      }
    }
    memo.set(p.cgroups, m);
  }
  return m ?? undefined;
}
