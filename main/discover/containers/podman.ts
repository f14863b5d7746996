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
import type { ContainerSource, FoundContainer, ScanContext } from './source';

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

export const podman: ContainerSource = {
  name: 'podman',
  scan(procs, ctx) {
    // a rootless container is its user's: keyed apart, so that no cgroup of a
    // user's can join (or rename) root's container of the same id
    const groups = groupBy(procs, (p) => {
      const m = classify(p);
      if (m?.kind !== 'podman') return undefined;
      return m.rootlessUid === undefined ? m.id : `${m.id}@${m.rootlessUid}`;
    });
    if (groups.size === 0) return [];
    // ppids and uids of every process, supervisors included (they are no container's)
    const ppid = new Map(procs.map((p) => [p.pid, p.ppid]));
    const uidOf = new Map(procs.map((p) => [p.pid, p.uid]));
    const claims = new Map<string, number>(); // container id -> how many groups claim it
    const storages = new Map<string, Map<string, string>>();
    const namesIn = (root: string, owner: number | undefined) => {
      const key = `${owner ?? ''}\0${root}`;
      let m = storages.get(key);
      if (!m) storages.set(key, (m = storageNames(ctx, root, owner)));
      return m;
    };
    const pods = new Map<string, string | undefined>();
    const out: FoundContainer[] = [];
    for (const members of groups.values()) {
      const m = classify(members[0]!)!;
      if (m.kind === 'podman') claims.set(m.id, (claims.get(m.id) ?? 0) + 1);
    }
    for (const members of groups.values()) {
      const m = classify(members[0]!)!;
      if (m.kind !== 'podman') continue;
      const id = m.id;
      if (claims.get(id)! > 1 && m.rootlessUid !== undefined) {
        // root's container, or two users', by the same id: a user's claim is a forgery or a clash
        ctx.warn(`uid ${m.rootlessUid} has a podman cgroup named after container ${id}: ignored`);
        continue;
      }
      const memberUids = new Set(members.map((p) => p.uid));
      const c: FoundContainer = {
        engine: 'podman',
        id,
        pids: members.map((p) => p.pid),
        sources: ['cgroup'],
        ...(m.rootlessUid !== undefined ? { ownerUid: m.rootlessUid } : {}),
      };
      let graphRoot = m.rootlessUid === undefined ? PODMAN_STORAGE : undefined;
      for (const sup of supervisors(c.pids, (pid) => ppid.get(pid) ?? 0)) {
        // conmon is believed as root's, or as the uid its container runs as
        const supUid = uidOf.get(sup);
        if (supUid !== 0 && (supUid === undefined || !memberUids.has(supUid))) continue;
        const argv = ctx.argv(sup);
        if (!argv || command(argv) !== 'conmon' || option(argv, '-c', '--cid') !== id) continue;
        const name = option(argv, '-n', '--name');
        if (name !== undefined && name !== '') {
          c.name = name;
          c.sources.push('conmon argv');
        }
        graphRoot = graphRootOf(argv, id) ?? graphRoot;
        break;
      }
      // a rootful podman with its own --root is an instance of its own
      if (m.rootlessUid === undefined && graphRoot !== undefined && graphRoot !== PODMAN_STORAGE)
        c.instance = graphRoot;
      if (c.name === undefined && graphRoot !== undefined) {
        const name = namesIn(graphRoot, m.rootlessUid).get(id);
        if (name !== undefined) {
          c.name = name;
          c.sources.push('containers.json');
        }
      }
      if (m.podId !== undefined) {
        const key = `${graphRoot ?? ''}\0${m.podId}`;
        if (!pods.has(key))
          pods.set(
            key,
            graphRoot !== undefined ? podName(ctx, graphRoot, m.podId, m.rootlessUid) : undefined,
          );
        const name = pods.get(key);
        if (name !== undefined) c.sources.push('libpod db');
        c.pod = { kind: 'podman', name: name ?? m.podId, id: m.podId };
        if (c.name === `${m.podId.slice(0, 12)}-infra`) c.sandbox = true;
      }
      out.push(c);
    }
    return out;
  },
};
