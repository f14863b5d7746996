/**
 * Synthetic namespace models of a given size for the benchmarks.
 * `syntheticModel`: a host running containers (each a user, PID, net, mnt,
 * uts, ipc and cgroup namespace, some nested two deep) and browser-like
 * sandboxes (user and net namespaces only), without container records.
 * `shapeModel`: the shapes of large hosts (issue 21), with containers and
 * their names. Deterministic: the same arguments give the same model.
 */
import {
  containerKeyOf,
  type Container,
  type IdRange,
  type Model,
  type Namespace,
  type NsKey,
  type NsTypeName,
  type Process,
} from '../../main/model';
import { sortedNamespaces } from '../../main/model/order';
import { INITIAL_INOS, namespaceOf } from '../unit/fixtures/dot-models';

const FLAT: readonly NsTypeName[] = ['net', 'mnt', 'uts', 'ipc', 'cgroup'];

/** A model of exactly `size` namespaces (size >= 8). */
export function syntheticModel(size: number): Model {
  let ino = 4026532000;
  const namespaces: Namespace[] = [];
  const processes: Process[] = [];
  const add = (type: NsTypeName, extra: Partial<Namespace>): Namespace => {
    const n = namespaceOf({ key: `${type}:${extra.ino ?? ino++}`, ...extra });
    namespaces.push(n);
    return n;
  };
  const label = (pid: number, name: string) => ({ pids: [pid], label: { pid, name } });
  processes.push({ pid: 1, ppid: 0, name: 'systemd', start: 1, ns: {} });
  const uroot = add('user', {
    ino: 4026531837,
    ownerUid: 0,
    ownerName: 'root',
    ...label(1, 'systemd'),
  });
  const proot = add('pid', { ino: 4026531836, owner: uroot.key, ...label(1, 'systemd') });
  for (const [k, t] of ['net', 'mnt', 'uts', 'ipc', 'cgroup', 'time'].entries()) {
    add(t as NsTypeName, { ino: 4026531838 + k, owner: uroot.key, ...label(1, 'systemd') });
  }
  let pid = 1000;
  let c = 0;
  const containers: { user: Namespace; pid: Namespace }[] = [];
  while (namespaces.length < size) {
    const left = size - namespaces.length;
    pid += 7;
    c += 1;
    const name = c % 5 === 0 ? `chromium --type=renderer ${c}` : `container-${c}`;
    processes.push({ pid, ppid: 1, name, start: pid, ns: {} });
    if (c % 5 === 0 || left < 7) {
      // a sandbox: a user namespace with a net namespace, or whatever fits
      const u = add('user', {
        parent: uroot.key,
        owner: uroot.key,
        ownerUid: 1000,
        ...label(pid, name),
      });
      if (namespaces.length < size) add('net', { owner: u.key, ...label(pid, name) });
      continue;
    }
    // every third container nests in an earlier one, as containers in containers do
    const outer = c % 3 === 0 ? containers[(c * 7) % Math.max(1, containers.length)] : undefined;
    const puser = outer?.user ?? uroot;
    const ppid = outer?.pid ?? proot;
    const u = add('user', {
      parent: puser.key,
      owner: puser.key,
      ownerUid: 100000,
      ...label(pid, name),
    });
    const p = add('pid', { parent: ppid.key, owner: u.key, ...label(pid, name) });
    for (const t of FLAT) add(t, { owner: u.key, ...label(pid, name) });
    containers.push({ user: u, pid: p });
  }
  return {
    host: {
      hostname: `synthetic-${size}`,
      kernel: '6.18.0',
      time: '2026-01-01T00:00:00.000Z',
      uid: 0,
      userns: uroot.key,
      pidns: proot.key,
      nsidSupported: false,
    },
    namespaces,
    processes,
    containers: [],
    warnings: [],
  };
}

/**
 * The shapes of large hosts (issue 21), each of any size from 16
 * namespaces, deterministic (the same shape and size give the same model),
 * with real `Container` records and named processes, so that every label
 * says which container a namespace belongs to:
 *
 * - `containers`: system containers and rootless pods (podman, LXC, Incus,
 *   Docker with userns-remap in turn), each with its own user, PID, net,
 *   mnt, uts, ipc and cgroup namespaces (7); every third nested in an
 *   earlier one (podman inside it: its conmon runs there, the container
 *   names it as `outer`), which may be nested itself;
 * - `docker`: a Docker host: containers share the host's user namespace,
 *   each with its own PID, net, mnt, uts, ipc and cgroup namespaces (6),
 *   two in three in compose projects; every 50th is a Docker-in-Docker
 *   container and every 10th runs inside one of those. The host's user
 *   namespace owns thousands of flat namespaces;
 * - `star`: bubblewrap sandboxes (a CI runner's jobs), each a user
 *   namespace right under the host's, three in four with a net namespace
 *   of their own: one fan of user namespaces under one parent.
 *
 * Every shape starts with the host's eight namespaces (user, PID, net, mnt,
 * uts, ipc, cgroup, time) and systemd; whatever does not fill a whole
 * container at the end goes to one smaller one (fewer namespaces of its
 * own, the host's for the rest, as `--network host` does), so the model
 * has exactly `size` namespaces.
 */
export type Shape = 'containers' | 'docker' | 'star';

/** Every shape, in the order the benchmarks list them. */
export const SHAPES: readonly Shape[] = ['containers', 'docker', 'star'];

/** The smallest size shapeModel makes. */
export const MIN_SHAPE_SIZE = 16;

/** A model of `shape` with exactly `size` namespaces (size >= MIN_SHAPE_SIZE). */
export function shapeModel(shape: Shape, size: number): Model {
  if (!Number.isInteger(size) || size < MIN_SHAPE_SIZE) {
    throw new RangeError(`shapeModel: size ${size} is not an integer >= ${MIN_SHAPE_SIZE}`);
  }
  if (!SHAPES.includes(shape)) throw new RangeError(`shapeModel: unknown shape ${shape}`);
  const h = new HostBuilder(`${shape}-${size}`);
  if (shape === 'containers') systemContainers(h, size);
  else if (shape === 'docker') dockerHost(h, size);
  else sandboxStar(h, size);
  return h.model();
}

const SERVICES = ['web', 'db', 'cache', 'worker', 'api', 'queue', 'search', 'proxy'] as const;
/** The main process of each service, by SERVICES's index. */
const COMMANDS = [
  'nginx',
  'postgres',
  'redis-server',
  'python3',
  'node',
  'rabbitmq-server',
  'java',
  'haproxy',
];
const JOBS = ['make', 'cc1', 'cargo', 'node', 'python3', 'go', 'javac', 'pytest'];
const ADJECTIVES = ['brave', 'eager', 'quiet', 'jolly', 'sharp', 'calm', 'bold', 'keen'];
const NOUNS = [
  'turing',
  'hopper',
  'lovelace',
  'ritchie',
  'knuth',
  'liskov',
  'hamilton',
  'torvalds',
];

/** 32-bit finalizer of MurmurHash3: a bijection, so distinct inputs give distinct words. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** 64 hex digits for container `n` of engine `salt`; the first 8 (so the short id) differ for every n. */
function hexId(n: number, salt: number): string {
  let s = '';
  for (let k = 0; k < 8; k++)
    s += mix32(n * 8 + k + salt * 0x1000000)
      .toString(16)
      .padStart(8, '0');
  return s;
}

const ALL_TYPES: readonly NsTypeName[] = [
  'user',
  'pid',
  'net',
  'mnt',
  'uts',
  'ipc',
  'cgroup',
  'time',
];

/** The initial user namespace's key. */
const HOST_USER: NsKey = 'user:4026531837';

/** Namespaces, processes and containers of one synthetic host, in the making. */
class HostBuilder {
  private ino = 4026532000;
  private pid = 1000;
  readonly namespaces: Namespace[] = [];
  readonly processes: Process[] = [];
  readonly containers: Container[] = [];
  /** The host's namespaces, by type. */
  readonly host: Record<NsTypeName, Namespace>;

  constructor(private readonly hostname: string) {
    const host: Partial<Record<NsTypeName, Namespace>> = {};
    for (const t of ALL_TYPES) {
      host[t] = this.add(t, { ino: INITIAL_INOS[t] });
    }
    this.host = host as Record<NsTypeName, Namespace>;
    this.host.user.ownerUid = 0;
    this.host.user.ownerName = 'root';
    this.host.user.uidMap = [{ inside: 0, outside: 0, count: 4294967295 }];
    this.host.user.gidMap = [{ inside: 0, outside: 0, count: 4294967295 }];
    this.process('systemd', 0, this.hostNs(), undefined, 1);
  }

  /** Namespace keys of the host's processes. */
  hostNs(): Partial<Record<NsTypeName, Namespace>> {
    return { ...this.host };
  }

  get size(): number {
    return this.namespaces.length;
  }

  /** A new namespace of `type`; owned by the host's user namespace unless said. */
  add(type: NsTypeName, extra: Partial<Namespace> = {}): Namespace {
    const n = namespaceOf({ key: `${type}:${extra.ino ?? this.ino++}`, ...extra });
    // every namespace but a user namespace has an owner: the host's user namespace unless said
    if (type !== 'user') n.owner ??= HOST_USER;
    this.namespaces.push(n);
    return n;
  }

  /**
   * A process named `name` (child of `ppid`) in namespaces `ns` (the host's
   * for every type not given), in `container` if any; each namespace lists
   * it, and the first process of a namespace labels it.
   */
  process(
    name: string,
    ppid: number,
    ns: Partial<Record<NsTypeName, Namespace>>,
    container?: Container,
    pid = (this.pid += 3),
  ): number {
    const keys: Partial<Record<NsTypeName, NsKey>> = {};
    for (const t of ALL_TYPES) {
      const n = ns[t] ?? this.host[t];
      keys[t] = n.key;
      n.pids.push(pid);
      n.label ??= { pid, name };
    }
    const uid = container?.owner?.uid ?? 0;
    const p: Process = { pid, ppid, name, start: pid * 4, ns: keys, uid };
    if (uid === 0) p.user = 'root';
    else if (container?.owner?.user !== undefined) p.user = container.owner.user;
    if (container) {
      p.container = container.key;
      container.pids.push(pid);
    }
    this.processes.push(p);
    return pid;
  }

  /** A container record (its processes are added by `process`). */
  container(c: Omit<Container, 'key' | 'pids' | 'sources'> & { sources?: string[] }): Container {
    const full: Container = {
      key: containerKeyOf(c),
      pids: [],
      ...c,
      sources: c.sources ?? ['cgroup'],
    };
    this.containers.push(full);
    return full;
  }

  model(): Model {
    const byKey = (a: Container, b: Container) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return {
      host: {
        hostname: `synthetic-${this.hostname}`,
        kernel: '6.18.0',
        time: '2026-01-01T00:00:00.000Z',
        uid: 0,
        userns: this.host.user.key,
        pidns: this.host.pid.key,
        nsidSupported: false,
        capLastCap: 40,
      },
      namespaces: sortedNamespaces(this.namespaces),
      processes: [...this.processes].sort((a, b) => a.pid - b.pid),
      containers: [...this.containers].sort(byKey),
      warnings: [],
    };
  }
}

/** A uid or gid map of one range. */
const oneRange = (inside: number, outside: number, count: number): IdRange[] => [
  { inside, outside, count },
];

interface SystemContainer {
  c: Container;
  ns: Record<NsTypeName, Namespace>;
  /** Where its root is on the host (its uid map's outside of 0). */
  hostRoot: number;
}

function systemContainers(h: HostBuilder, size: number): void {
  const made: SystemContainer[] = [];
  const engines = ['podman', 'lxc', 'incus', 'docker'] as const;
  for (let i = 0; h.size < size; i++) {
    const left = size - h.size;
    const outer = i % 3 === 2 && made.length ? made[mix32(i) % made.length] : undefined;
    const engine = outer ? 'podman' : engines[i % engines.length]!;
    const service = SERVICES[i % SERVICES.length]!;
    const name = engine === 'lxc' || engine === 'incus' ? `${service}-${i}` : `${service}${i}`;
    const c = h.container({
      engine,
      id: engine === 'lxc' ? name : engine === 'incus' ? `default_${name}` : hexId(i, 1),
      name,
      ...(engine === 'incus' ? { engineNamespace: 'default' } : {}),
      ...(engine === 'podman' && !outer ? { owner: { uid: 1000, user: 'ci' } } : {}),
      ...(outer ? { outer: outer.c.key } : {}),
    });
    // the engine's supervisor on the host (or in the outer container), then the container's own process
    const supervisor = {
      podman: 'conmon',
      lxc: 'lxc-start',
      incus: 'lxc-start',
      docker: 'containerd-shim-runc-v2',
    }[engine];
    const sup = h.process(
      supervisor,
      outer ? (outer.c.pids[0] ?? 1) : 1,
      outer ? outer.ns : h.hostNs(),
      outer?.c,
    );
    const parentUser = outer?.ns.user ?? h.host.user;
    const parentRoot = outer?.hostRoot ?? 0;
    const hostRoot = outer ? parentRoot + 1000 : 100000 + 65536 * (i % 60000);
    const count = outer ? 64536 : 65536;
    const ns = { ...h.host };
    // a container that does not fit whole gets fewer namespaces of its own, in this order
    const own: NsTypeName[] = ['user', 'pid', 'net', 'mnt', 'uts', 'ipc', 'cgroup'].slice(
      0,
      Math.min(7, left),
    ) as NsTypeName[];
    for (const t of own) {
      if (t === 'user') {
        ns.user = h.add('user', {
          parent: parentUser.key,
          owner: parentUser.key,
          ownerUid: engine === 'podman' && !outer ? 1000 : parentRoot,
          ...(engine === 'podman' && !outer
            ? { ownerName: 'ci' }
            : parentRoot === 0
              ? { ownerName: 'root' }
              : {}),
          uidMap: oneRange(0, hostRoot, count),
          gidMap: oneRange(0, hostRoot, count),
        });
      } else if (t === 'pid') {
        ns.pid = h.add('pid', { parent: (outer?.ns.pid ?? h.host.pid).key, owner: ns.user.key });
      } else {
        ns[t] = h.add(t, { owner: ns.user.key });
      }
    }
    h.process(COMMANDS[i % COMMANDS.length]!, sup, ns, c);
    made.push({ c, ns, hostRoot });
  }
}

interface DockerContainer {
  c: Container;
  ns: Record<NsTypeName, Namespace>;
}

function dockerHost(h: HostBuilder, size: number): void {
  h.process('dockerd', 1, h.hostNs());
  h.process('containerd', 1, h.hostNs());
  const dinds: DockerContainer[] = [];
  for (let i = 0; h.size < size; i++) {
    const left = size - h.size;
    const dind = i % 50 === 1;
    const outer =
      !dind && i % 10 === 0 && dinds.length ? dinds[(i / 10) % dinds.length] : undefined;
    const s = i % SERVICES.length;
    const project = Math.floor(i / 6) % 3 === 2 ? undefined : `shop${Math.floor(i / 24)}`;
    const name = dind
      ? `dind-${i}`
      : project
        ? `${project}-${SERVICES[s]}-${(i % 6) + 1}`
        : `${ADJECTIVES[i % 8]}_${NOUNS[Math.floor(i / 8) % 8]}${i}`;
    const c = h.container({
      engine: 'docker',
      id: hexId(i, 2),
      name,
      ...(project && !dind ? { compose: { project, service: SERVICES[s]! } } : {}),
      ...(outer ? { outer: outer.c.key } : {}),
      sources: ['cgroup', 'config.v2.json'],
    });
    const where = outer ? outer.ns : h.hostNs();
    const shim = h.process('containerd-shim-runc-v2', outer?.c.pids[0] ?? 1, where, outer?.c);
    const ns = { ...h.host };
    // a container that does not fit whole shares the host's net (--network host), then more
    const own: NsTypeName[] =
      left >= 6
        ? ['pid', 'net', 'mnt', 'uts', 'ipc', 'cgroup']
        : (['pid', 'mnt', 'uts', 'ipc', 'cgroup'].slice(0, left) as NsTypeName[]);
    for (const t of own) {
      ns[t] = t === 'pid' ? h.add('pid', { parent: (outer?.ns.pid ?? h.host.pid).key }) : h.add(t);
    }
    if (left >= 6 && i % 4 === 0) {
      // Docker names a container's net namespace by a bind mount under /run/docker/netns
      ns.net.mounts.push({ path: `/run/docker/netns/${c.id.slice(0, 12)}`, mntns: h.host.mnt.key });
    }
    h.process(dind ? 'dockerd' : COMMANDS[s]!, shim, ns, c);
    if (dind) dinds.push({ c, ns });
  }
}

function sandboxStar(h: HostBuilder, size: number): void {
  const runner = h.process('gitlab-runner', 1, h.hostNs());
  for (let i = 0; h.size < size; i++) {
    const left = size - h.size;
    const bwrap = h.process('bwrap', runner, h.hostNs());
    const name = `job-${100000 + i}`;
    const c = h.container({
      engine: 'bubblewrap',
      id: String(bwrap),
      name,
      owner: { uid: 1000, user: 'ci' },
      sources: ['bwrap argv', 'namespaces'],
    });
    const ns = { ...h.host };
    ns.user = h.add('user', {
      parent: h.host.user.key,
      owner: h.host.user.key,
      ownerUid: 1000,
      ownerName: 'ci',
      uidMap: oneRange(1000, 1000, 1),
      gidMap: oneRange(1000, 1000, 1),
    });
    if (i % 4 !== 3 && left >= 2) ns.net = h.add('net', { owner: ns.user.key });
    h.process(JOBS[i % JOBS.length]!, bwrap, ns, c);
  }
}
