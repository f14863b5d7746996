/**
 * podman: the cgroup path gives the id, the pod id and (rootless) the
 * user; names come from the container's conmon (podman
 * libpod/oci_conmon_common.go starts it with `-c <id> … -n <name>` and
 * `-b <bundle>`) and from containers/storage's `containers.json`
 * (`[{"id", "names": [...]}]`, containers/storage containers.go), read
 * once per scan per storage root: the rootful one, or a rootless user's,
 * found from conmon's bundle path.
 *
 * A pod's name lives only in libpod's database (bolt_state.db, or db.sql
 * from podman 5), which holds each pod's config as JSON text
 * (`{"id":"<podid>","name":"<name>",…`, libpod/pod.go PodConfig: Go writes
 * fields in struct order): it is searched for that text, read once per scan
 * and only when a pod member runs. Where it is not found, the pod is named
 * by its id. The infra container is the one named `<podid[:12]>-infra`
 * (podman's default, libpod/runtime_pod_common.go).
 */
import { classify } from './cgroup';
import { command, field, groupBy, option, readJson, str, supervisors } from './oci';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

export const PODMAN_STORAGE = '/var/lib/containers/storage';
const DB_MAX = 64 << 20;

/**
 * The storage root conmon's `-b <graphroot>/<driver>-containers/<id>/userdata`
 * names (overlay, vfs, btrfs, zfs: containers/storage names the directory
 * after its driver), or undefined.
 */
export function graphRootOf(argv: readonly string[], id: string): string | undefined {
  const bundle = option(argv, '-b', '--bundle') ?? '';
  const m = /^(\/.*)\/(?:overlay|vfs|btrfs|zfs)-containers\/([0-9a-f]{64})\/userdata$/.exec(bundle);
  return m && m[2] === id && !m[1]!.split('/').includes('..') ? m[1] : undefined;
}

/** id -> first name, from a containers.json of any storage driver (owned by `owner`, when given). */
export function storageNames(
  ctx: ScanContext,
  graphRoot: string,
  owner?: number,
): Map<string, string> {
  const out = new Map<string, string>();
  let list: unknown;
  for (const driver of ['overlay', 'vfs', 'btrfs', 'zfs']) {
    list = readJson(ctx, `${graphRoot}/${driver}-containers/containers.json`, 16 << 20, owner);
    if (list !== undefined) break;
  }
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    const id = str(field(e, 'id'));
    const names = field(e, 'names');
    const name = Array.isArray(names) ? str(names[0]) : undefined;
    if (id !== undefined && name !== undefined) out.set(id, name);
  }
  return out;
}

/** libpod's database text under a storage root (read once per scan; a user's only when theirs). */
function dbTexts(ctx: ScanContext, graphRoot: string, owner?: number): string[] {
  const out: string[] = [];
  for (const db of [`${graphRoot}/libpod/bolt_state.db`, `${graphRoot}/db.sql`]) {
    const text = ctx.readText(db, DB_MAX, owner);
    if (text !== undefined) out.push(text);
  }
  return out;
}

/** The JSON string whose opening quote is at `from`, decoded, and where it ends; or undefined. */
function jsonStringAt(text: string, from: number): { value: string; end: number } | undefined {
  if (text[from] !== '"') return undefined;
  let end = from + 1;
  while (end < text.length && end - from < 8192 && text[end] !== '"')
    end += text[end] === '\\' ? 2 : 1;
  if (text[end] !== '"') return undefined;
  try {
    const value = JSON.parse(text.slice(from, end + 1)) as unknown;
    return typeof value === 'string' ? { value, end: end + 1 } : undefined;
  } catch {
    return undefined; // not a JSON string after all
  }
}

/** The pod's name from libpod's database text, or undefined. */
function podName(ctx: ScanContext, graphRoot: string, podId: string, owner?: number) {
  for (const text of dbTexts(ctx, graphRoot, owner)) {
    const marker = `{"id":"${podId}","name":`;
    const at = text.indexOf(marker);
    const name = at < 0 ? undefined : jsonStringAt(text, at + marker.length)?.value;
    if (name) return name;
  }
  return undefined;
}

/**
 * The pod a container belongs to, from its config in libpod's database
 * (`"id":"<id>","name":"<name>","pod":"<podid>"`, libpod/container_config.go
 * ContainerConfig in struct order; seen here in bolt_state.db, rootless),
 * named from the pod's own config. For containers whose cgroup does not
 * name their pod: any started without systemd (cgroupfs keeps them in
 * their user's cgroup).
 */
export function podOf(
  ctx: ScanContext,
  graphRoot: string,
  id: string,
  owner?: number,
): { id: string; name: string } | undefined {
  for (const text of dbTexts(ctx, graphRoot, owner)) {
    const marker = `"id":"${id}","name":`;
    const at = text.indexOf(marker);
    const name = at < 0 ? undefined : jsonStringAt(text, at + marker.length);
    if (!name) continue;
    const pod = /^,"pod":"([0-9a-f]{64})"/.exec(text.slice(name.end, name.end + 80));
    if (!pod) return undefined; // a container of no pod
    return { id: pod[1]!, name: podName(ctx, graphRoot, pod[1]!, owner) ?? pod[1]! };
  }
  return undefined;
}

/** A podman cgroup's group key: a rootless container is its user's, keyed apart. */
function groupKey(p: ProcInfo): string | undefined {
  const m = classify(p);
  if (m?.kind !== 'podman') return undefined;
  return m.rootlessUid === undefined ? m.id : `${m.id}@${m.rootlessUid}`;
}

type PodmanCgroup = Extract<ReturnType<typeof classify>, { kind: 'podman' }>;

/** One scan's podman state: the process tree, and what was read once per storage root. */
class PodmanScan {
  /** ppids and uids of every process, supervisors included (they are no container's). */
  readonly #ppid: Map<number, number>;
  readonly #uid: Map<number, number | undefined>;
  /** containers.json names, by owner and storage root. */
  readonly #storages = new Map<string, Map<string, string>>();
  /** Pod names from libpod's database, by storage root and pod id. */
  readonly #pods = new Map<string, string | undefined>();

  constructor(
    readonly ctx: ScanContext,
    procs: readonly ProcInfo[],
  ) {
    this.#ppid = new Map(procs.map((p) => [p.pid, p.ppid]));
    this.#uid = new Map(procs.map((p) => [p.pid, p.uid]));
  }

  /** The container of one cgroup group. */
  container(m: PodmanCgroup, members: readonly ProcInfo[]): FoundContainer {
    const c: FoundContainer = {
      engine: 'podman',
      id: m.id,
      pids: members.map((p) => p.pid),
      sources: ['cgroup'],
      ...(m.rootlessUid !== undefined ? { ownerUid: m.rootlessUid } : {}),
    };
    const graphRoot =
      this.#fromConmon(c, members) ?? (m.rootlessUid === undefined ? PODMAN_STORAGE : undefined);
    // a rootful podman with its own --root is an instance of its own
    if (m.rootlessUid === undefined && graphRoot !== PODMAN_STORAGE) c.instance = graphRoot;
    if (c.name === undefined && graphRoot !== undefined) {
      const name = this.#namesIn(graphRoot, m.rootlessUid).get(m.id);
      if (name !== undefined) {
        c.name = name;
        c.sources.push('containers.json');
      }
    }
    if (m.podId !== undefined) this.#pod(c, m.podId, graphRoot, m.rootlessUid);
    return c;
  }

  /**
   * The name conmon was started with (`-n`), set on `c`, and the storage
   * root its bundle path names. conmon is believed as root's, or as the uid
   * its container runs as.
   */
  #fromConmon(c: FoundContainer, members: readonly ProcInfo[]): string | undefined {
    const memberUids = new Set(members.map((p) => p.uid));
    for (const sup of supervisors(c.pids, (pid) => this.#ppid.get(pid) ?? 0)) {
      const supUid = this.#uid.get(sup);
      if (supUid !== 0 && (supUid === undefined || !memberUids.has(supUid))) continue;
      const argv = this.ctx.argv(sup);
      if (!argv || command(argv) !== 'conmon' || option(argv, '-c', '--cid') !== c.id) continue;
      const name = option(argv, '-n', '--name');
      if (name !== undefined && name !== '') {
        c.name = name;
        c.sources.push('conmon argv');
      }
      return graphRootOf(argv, c.id);
    }
    return undefined;
  }

  /** id -> first name in a storage root's containers.json, read once per scan. */
  #namesIn(root: string, owner: number | undefined): Map<string, string> {
    const key = `${owner ?? ''}\0${root}`;
    let m = this.#storages.get(key);
    if (!m) this.#storages.set(key, (m = storageNames(this.ctx, root, owner)));
    return m;
  }

  /** `c`'s pod, named from libpod's database where found (else by its id); its infra container a sandbox. */
  #pod(c: FoundContainer, podId: string, graphRoot: string | undefined, owner: number | undefined) {
    const key = `${graphRoot ?? ''}\0${podId}`;
    if (!this.#pods.has(key))
      this.#pods.set(
        key,
        graphRoot !== undefined ? podName(this.ctx, graphRoot, podId, owner) : undefined,
      );
    const name = this.#pods.get(key);
    if (name !== undefined) c.sources.push('libpod db');
    c.pod = { kind: 'podman', name: name ?? podId, id: podId };
    if (c.name === `${podId.slice(0, 12)}-infra`) c.sandbox = true;
  }
}

export const podman: ContainerSource = {
  name: 'podman',
  scan(procs, ctx) {
    // a rootless container is its user's: keyed apart, so that no cgroup of a
    // user's can join (or rename) root's container of the same id
    const groups = groupBy(procs, groupKey);
    if (groups.size === 0) return [];
    const claims = new Map<string, number>(); // container id -> how many groups claim it
    for (const members of groups.values()) {
      const id = (classify(members[0]!) as PodmanCgroup).id;
      claims.set(id, (claims.get(id) ?? 0) + 1);
    }
    const scan = new PodmanScan(ctx, procs);
    const out: FoundContainer[] = [];
    for (const members of groups.values()) {
      const m = classify(members[0]!) as PodmanCgroup;
      if (claims.get(m.id)! > 1 && m.rootlessUid !== undefined) {
        // root's container, or two users', by the same id: a user's claim is a forgery or a clash
        ctx.warn(`uid ${m.rootlessUid} has a podman cgroup named after container ${m.id}: ignored`);
        continue;
      }
      out.push(scan.container(m, members));
    }
    return out;
  },
};
