/**
 * The one JSON form of the model, shared by every consumer: `--json`
 * output, the viewer's IPC payload and saved snapshots.
 *
 * `{ "format": "graphns-model", "version": 2, host, namespaces, processes,
 * containers, warnings }`; version 1 (no containers) is still read. parseModel() checks everything it reads and names the first
 * thing wrong (`namespaces[3].owner: ...`), so a snapshot from elsewhere is
 * either a whole model or a clear error, never a half-read one.
 */
import { NS_TYPES } from '../relations/constants';
import { ENGINES } from './types';
import type {
  BindMountRef,
  Container,
  ContainerKey,
  Engine,
  FdRef,
  HostInfo,
  LabelRef,
  Model,
  Namespace,
  NsKey,
  NsTypeName,
  Origin,
  Process,
  PodRef,
  TaskRef,
} from './types';

/** The `format` field of every serialized model. */
export const MODEL_FORMAT = 'graphns-model';
/** The format version this code writes and reads. */
export const MODEL_VERSION = 2;
/** Older versions this code still reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** A snapshot that is not a model this version can read. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

/** The model as JSON text (pretty when `indent` is given), with format and version. */
export function serializeModel(model: Model, indent?: number): string {
  const doc = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    host: model.host,
    namespaces: model.namespaces,
    processes: model.processes,
    containers: model.containers,
    warnings: model.warnings,
  };
  return JSON.stringify(doc, null, indent);
}

const ORIGINS: readonly Origin[] = ['process', 'task', 'fd', 'bindmount', 'hidden'];
const KEY_RE = /^(mnt|cgroup|uts|ipc|user|pid|net|time):(\d+)$/;

type Json = unknown;

/** Characters of a string value quoted in an error before it is cut. */
const PREVIEW_CHARS = 40;

/**
 * A bad value as a few words for an error message: `"lsns"`, `2`, `an array
 * of 3 items`. Bounded and non-recursive whatever the value (JSON.stringify
 * of an array nested 100k deep overflows the stack; of a 100 MB string
 * makes a 100 MB message). Strings are quoted as they are, cut to
 * PREVIEW_CHARS; whoever displays the message escapes it (escapeDisplay).
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    if (v.length <= PREVIEW_CHARS) return `"${v}"`;
    // cut on a code point boundary, so no half surrogate pair is left at the end
    const cut = Array.from(v.slice(0, PREVIEW_CHARS + 1))
      .slice(0, -1)
      .join('');
    return `"${cut}..." (${v.length} characters)`;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  return `a ${typeof v === 'object' ? 'JSON object' : typeof v}`;
}

function fail(path: string, what: string): never {
  throw new ModelFormatError(`${path}: ${what}`);
}

function obj(v: Json, path: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'not an object');
  return v as Record<string, Json>;
}
function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, 'not an array');
  return v;
}
function str(v: Json, path: string): string {
  if (typeof v !== 'string') fail(path, 'not a string');
  return v;
}
function int(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(path, 'not a non-negative integer');
  }
  return v;
}
function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'not a boolean');
  return v;
}
function key(v: Json, path: string): NsKey {
  const s = str(v, path);
  if (!KEY_RE.test(s)) fail(path, `not a namespace key like "net:4026531840": ${describeValue(s)}`);
  return s as NsKey;
}
function opt<T>(o: Record<string, Json>, k: string, path: string, f: (v: Json, p: string) => T) {
  return o[k] === undefined ? undefined : f(o[k], `${path}.${k}`);
}

function host(v: Json, path: string): HostInfo {
  const o = obj(v, path);
  const h: HostInfo = {
    hostname: str(o.hostname, `${path}.hostname`),
    kernel: str(o.kernel, `${path}.kernel`),
    time: str(o.time, `${path}.time`),
    uid: int(o.uid, `${path}.uid`),
    nsidSupported: bool(o.nsidSupported, `${path}.nsidSupported`),
  };
  const userns = opt(o, 'userns', path, key);
  const pidns = opt(o, 'pidns', path, key);
  if (userns) h.userns = userns;
  if (pidns) h.pidns = pidns;
  return h;
}

function namespace(v: Json, path: string): Namespace {
  const o = obj(v, path);
  const k = key(o.key, `${path}.key`);
  const type = str(o.type, `${path}.type`) as NsTypeName;
  if (!NS_TYPES.includes(type))
    fail(`${path}.type`, `unknown namespace type ${describeValue(type)}`);
  const ino = int(o.ino, `${path}.ino`);
  if (k !== `${type}:${ino}`)
    fail(`${path}.key`, `${k} does not match type ${type} and ino ${ino}`);
  const origin = str(o.origin, `${path}.origin`) as Origin;
  if (!ORIGINS.includes(origin)) fail(`${path}.origin`, `unknown origin ${describeValue(origin)}`);
  const ns: Namespace = {
    key: k,
    type,
    ino,
    origin,
    pids: arr(o.pids, `${path}.pids`).map((p, i) => int(p, `${path}.pids[${i}]`)),
    tasks: arr(o.tasks, `${path}.tasks`).map((t, i): TaskRef => {
      const p = `${path}.tasks[${i}]`;
      const to = obj(t, p);
      return { pid: int(to.pid, `${p}.pid`), tid: int(to.tid, `${p}.tid`) };
    }),
    fds: arr(o.fds, `${path}.fds`).map((f, i): FdRef => {
      const p = `${path}.fds[${i}]`;
      const fo = obj(f, p);
      return { pid: int(fo.pid, `${p}.pid`), fd: int(fo.fd, `${p}.fd`) };
    }),
    mounts: arr(o.mounts, `${path}.mounts`).map((m, i): BindMountRef => {
      const p = `${path}.mounts[${i}]`;
      const mo = obj(m, p);
      return { path: str(mo.path, `${p}.path`), mntns: key(mo.mntns, `${p}.mntns`) };
    }),
  };
  const nsid = opt(o, 'nsid', path, str);
  if (nsid !== undefined) {
    if (!/^\d+$/.test(nsid)) fail(`${path}.nsid`, 'not a decimal 64-bit id');
    ns.nsid = nsid;
  }
  const owner = opt(o, 'owner', path, key);
  if (owner !== undefined) ns.owner = owner;
  const parent = opt(o, 'parent', path, key);
  if (parent !== undefined) ns.parent = parent;
  const ownerUid = opt(o, 'ownerUid', path, int);
  if (ownerUid !== undefined) ns.ownerUid = ownerUid;
  const ownerName = opt(o, 'ownerName', path, str);
  if (ownerName !== undefined) ns.ownerName = ownerName;
  const label = opt(o, 'label', path, (l, p): LabelRef => {
    const lo = obj(l, p);
    return { pid: int(lo.pid, `${p}.pid`), name: str(lo.name, `${p}.name`) };
  });
  if (label !== undefined) ns.label = label;
  return ns;
}

function processEntry(v: Json, path: string): Process {
  const o = obj(v, path);
  const nsObj = obj(o.ns, `${path}.ns`);
  const ns: Process['ns'] = {};
  for (const [t, k] of Object.entries(nsObj)) {
    if (!NS_TYPES.includes(t as NsTypeName))
      fail(`${path}.ns`, `unknown namespace type ${describeValue(t)}`);
    const kk = key(k, `${path}.ns.${t}`);
    if (!kk.startsWith(`${t}:`)) fail(`${path}.ns.${t}`, `${kk} is not a ${t} namespace`);
    ns[t as NsTypeName] = kk;
  }
  const p: Process = {
    pid: int(o.pid, `${path}.pid`),
    ppid: int(o.ppid, `${path}.ppid`),
    name: str(o.name, `${path}.name`),
    start: int(o.start, `${path}.start`),
    ns,
  };
  const container = opt(o, 'container', path, containerKey);
  if (container !== undefined) p.container = container;
  return p;
}

const CONTAINER_KEY_RE = /^([a-z-]+):(.+)$/s;

function containerKey(v: Json, path: string): ContainerKey {
  const s = str(v, path);
  const m = CONTAINER_KEY_RE.exec(s);
  if (!m || !ENGINES.includes(m[1] as Engine)) {
    fail(path, `not a container key like "docker:<id>": ${describeValue(s)}`);
  }
  return s as ContainerKey;
}

function pod(v: Json, path: string): PodRef {
  const o = obj(v, path);
  const kind = str(o.kind, `${path}.kind`);
  if (kind !== 'kubernetes' && kind !== 'podman') {
    fail(`${path}.kind`, `unknown pod kind ${describeValue(kind)}`);
  }
  const r: PodRef = { kind, name: str(o.name, `${path}.name`) };
  const ns = opt(o, 'namespace', path, str);
  if (ns !== undefined) r.namespace = ns;
  const id = opt(o, 'id', path, str);
  if (id !== undefined) r.id = id;
  return r;
}

function container(v: Json, path: string): Container {
  const o = obj(v, path);
  const k = containerKey(o.key, `${path}.key`);
  const engine = str(o.engine, `${path}.engine`) as Engine;
  if (!ENGINES.includes(engine)) fail(`${path}.engine`, `unknown engine ${describeValue(engine)}`);
  const id = str(o.id, `${path}.id`);
  if (k !== `${engine}:${id}`) fail(`${path}.key`, 'does not match its engine and id');
  const c: Container = {
    key: k,
    engine,
    id,
    pids: arr(o.pids, `${path}.pids`).map((p, i) => int(p, `${path}.pids[${i}]`)),
    sources: arr(o.sources, `${path}.sources`).map((x, i) => str(x, `${path}.sources[${i}]`)),
  };
  const name = opt(o, 'name', path, str);
  if (name !== undefined) c.name = name;
  const pd = opt(o, 'pod', path, pod);
  if (pd !== undefined) c.pod = pd;
  const sandbox = opt(o, 'sandbox', path, bool);
  if (sandbox !== undefined) c.sandbox = sandbox;
  const compose = opt(o, 'compose', path, (cv, cp) => {
    const co = obj(cv, cp);
    const r: { project: string; service?: string } = { project: str(co.project, `${cp}.project`) };
    const service = opt(co, 'service', cp, str);
    if (service !== undefined) r.service = service;
    return r;
  });
  if (compose !== undefined) c.compose = compose;
  const ens = opt(o, 'engineNamespace', path, str);
  if (ens !== undefined) c.engineNamespace = ens;
  return c;
}

/** Checks that every key the model refers to names one of its namespaces. */
function checkReferences(m: Model): void {
  const keys = new Map<string, Namespace>();
  m.namespaces.forEach((ns, i) => {
    if (keys.has(ns.key)) fail(`namespaces[${i}].key`, `${ns.key} appears twice`);
    keys.set(ns.key, ns);
  });
  const refer = (k: NsKey | undefined, path: string, type?: NsTypeName) => {
    if (k === undefined) return;
    const target = keys.get(k);
    if (!target) fail(path, `refers to ${k}, which is not in the model`);
    if (type && target.type !== type) fail(path, `${k} is not a ${type} namespace`);
  };
  m.namespaces.forEach((ns, i) => {
    refer(ns.owner, `namespaces[${i}].owner`, 'user');
    if (ns.parent !== undefined && ns.type !== 'user' && ns.type !== 'pid') {
      fail(`namespaces[${i}].parent`, `a ${ns.type} namespace has no parent`);
    }
    refer(ns.parent, `namespaces[${i}].parent`, ns.type);
    ns.mounts.forEach((mt, j) => refer(mt.mntns, `namespaces[${i}].mounts[${j}].mntns`, 'mnt'));
  });
  const pids = new Set<number>();
  const containers = new Set<string>();
  m.containers.forEach((c, i) => {
    if (containers.has(c.key)) fail(`containers[${i}].key`, `${c.key} appears twice`);
    containers.add(c.key);
  });
  m.processes.forEach((p, i) => {
    if (pids.has(p.pid)) fail(`processes[${i}].pid`, `pid ${p.pid} appears twice`);
    pids.add(p.pid);
    for (const [t, k] of Object.entries(p.ns)) refer(k, `processes[${i}].ns.${t}`);
    if (p.container !== undefined && !containers.has(p.container)) {
      fail(`processes[${i}].container`, 'refers to a container that is not in the model');
    }
  });
  m.containers.forEach((c, i) =>
    c.pids.forEach((pid, j) => {
      if (!pids.has(pid)) fail(`containers[${i}].pids[${j}]`, `pid ${pid} is not in the model`);
    }),
  );
  refer(m.host.userns, 'host.userns', 'user');
  refer(m.host.pidns, 'host.pidns', 'pid');
}

/**
 * Parse and check a serialized model.
 * @throws ModelFormatError naming what is wrong: not JSON, another format or
 *   version, or the first malformed field.
 */
export function parseModel(text: string): Model {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`not valid JSON: ${(err as Error).message}`);
  }
  const o = obj(doc, 'snapshot');
  if (o.format !== MODEL_FORMAT) {
    fail('format', `expected "${MODEL_FORMAT}", found ${describeValue(o.format)}`);
  }
  if (typeof o.version !== 'number' || !READABLE_VERSIONS.includes(o.version)) {
    fail(
      'version',
      `this graphns reads versions ${READABLE_VERSIONS.join(' and ')}, the snapshot is version ${o.version === undefined ? 'missing' : describeValue(o.version)}`,
    );
  }
  const model: Model = {
    host: host(o.host, 'host'),
    namespaces: arr(o.namespaces, 'namespaces').map((n, i) => namespace(n, `namespaces[${i}]`)),
    processes: arr(o.processes, 'processes').map((p, i) => processEntry(p, `processes[${i}]`)),
    // version 1 knew no containers
    containers:
      o.version === 1
        ? []
        : arr(o.containers, 'containers').map((c, i) => container(c, `containers[${i}]`)),
    warnings: arr(o.warnings, 'warnings').map((w, i) => str(w, `warnings[${i}]`)),
  };
  checkReferences(model);
  return model;
}
