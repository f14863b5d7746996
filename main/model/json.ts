/**
 * The one JSON form of the model, shared by every consumer: `--json`
 * output, the viewer's IPC payload and saved snapshots.
 *
 * `{ "format": "graphns-model", "version": 7, host, namespaces, processes,
 * containers, warnings }` (MODEL_VERSION); versions 1-6 are still read
 * (1: no containers, 2: no process users, 3: no container owners or outer
 * containers, 4: no engine instances, 5: no interfaces, 6: no id maps or
 * capabilities; docs/JSON-FORMAT.md). parseModel()
 * checks everything it reads and names the first thing wrong
 * (`namespaces[3].owner: ...`), so a snapshot from elsewhere is either a
 * whole model or a clear error, never a half-read one.
 */
import { NS_TYPES } from '../relations/constants';
import { CAP_MASK_RE } from './capabilities';
import { ENGINES, containerKeyOf } from './types';
import type {
  BindMountRef,
  Container,
  ContainerKey,
  Engine,
  FdRef,
  HostInfo,
  IdRange,
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
import type { LinkEnd, NetAddress, NetInterface } from './interfaces';

/** The `format` field of every serialized model. */
export const MODEL_FORMAT = 'graphns-model';
/** The format version this code writes and reads. */
export const MODEL_VERSION = 7;
/** Older versions this code still reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

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
/** `type:inode` of any type the kernel has (NS_TYPES, the one list of them). */
const KEY_RE = new RegExp(`^(${NS_TYPES.join('|')}):(\\d+)$`);

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

// The checks below run on the parsed JSON in place: a value that passes is
// used as it is, no object is copied, and no path string is built unless
// something is wrong (`base` names the object, `field` the key or index).
// Copying every object and building every field's path took most of the
// time of reading a snapshot (about 120 ms at 1000 namespaces, much of it
// GC). Keys the model does not know are removed, so the model holds
// exactly what a copy would have, whatever the snapshot carried.

type Obj = Record<string, Json>;

/** `base.field` or `base[index]`: a value's place, for an error message. */
function at(base: string, field?: string | number): string {
  if (field === undefined) return base;
  return typeof field === 'number' ? `${base}[${field}]` : `${base}.${field}`;
}

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint = (v: Json): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function obj(v: Json, base: string, field?: string | number): Obj {
  if (!isObj(v)) fail(at(base, field), 'not an object');
  return v;
}
function arr(v: Json, base: string, field?: string): Json[] {
  if (!Array.isArray(v)) fail(at(base, field), 'not an array');
  return v;
}
function str(v: Json, base: string, field?: string | number): string {
  if (typeof v !== 'string') fail(at(base, field), 'not a string');
  return v;
}
function int(v: Json, base: string, field?: string | number): number {
  if (!isUint(v)) fail(at(base, field), 'not a non-negative integer');
  return v;
}
function bool(v: Json, base: string, field?: string): boolean {
  if (typeof v !== 'boolean') fail(at(base, field), 'not a boolean');
  return v;
}
function key(v: Json, base: string, field?: string): NsKey {
  const s = str(v, base, field);
  if (!KEY_RE.test(s)) {
    fail(at(base, field), `not a namespace key like "net:4026531840": ${describeValue(s)}`);
  }
  return s as NsKey;
}
/** `o[field]` is absent or passes `check`. */
function opt(
  o: Obj,
  base: string,
  field: string,
  check: (v: Json, base: string, field: string) => unknown,
): void {
  if (o[field] !== undefined) check(o[field], base, field);
}
/** Every item of the array `o[field]` is a non-negative integer. */
function ints(o: Obj, base: string, field: string): void {
  const a = arr(o[field], base, field);
  for (let i = 0; i < a.length; i++) {
    if (!isUint(a[i])) fail(`${base}.${field}[${i}]`, 'not a non-negative integer');
  }
}
/** `list` (at `path`), if every item is a string. */
function strings(list: Json[], path: string): string[] {
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') fail(`${path}[${i}]`, 'not a string');
  }
  return list as string[];
}
/** Every item of the array `o[field]` is an object passing `check` (given its own path). */
function objs(o: Obj, base: string, field: string, check: (v: Obj, path: string) => void): void {
  const a = arr(o[field], base, field);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!isObj(v)) fail(`${base}.${field}[${i}]`, 'not an object');
    check(v, `${base}.${field}[${i}]`); // few: a thread, an fd or a mount holding a namespace
  }
}

/** The keys each kind of object may have: anything else in a snapshot is dropped. */
const keys = <T>(...k: (keyof T & string)[]): ReadonlySet<string> => new Set(k);
const HOST_KEYS = keys<HostInfo>(
  'hostname',
  'kernel',
  'time',
  'uid',
  'nsidSupported',
  'userns',
  'pidns',
  'capLastCap',
);
const NS_KEYS = keys<Namespace>(
  'key',
  'type',
  'ino',
  'nsid',
  'origin',
  'owner',
  'parent',
  'ownerUid',
  'ownerName',
  'pids',
  'tasks',
  'fds',
  'mounts',
  'label',
  'interfaces',
  'uidMap',
  'gidMap',
);
const RANGE_KEYS = keys<IdRange>('inside', 'outside', 'count');
const IF_KEYS = keys<NetInterface>(
  'index',
  'name',
  'kind',
  'up',
  'operstate',
  'mac',
  'mtu',
  'addresses',
  'master',
  'peer',
  'parent',
);
const ADDRESS_KEYS = keys<NetAddress>('family', 'address', 'prefix');
const END_KEYS = keys<LinkEnd>('index', 'ns', 'nsid', 'inferred');
const TASK_KEYS = keys<TaskRef>('pid', 'tid');
const FD_KEYS = keys<FdRef>('pid', 'fd');
const MOUNT_KEYS = keys<BindMountRef>('path', 'mntns');
const LABEL_KEYS = keys<LabelRef>('pid', 'name');
const PROCESS_KEYS = keys<Process>(
  'pid',
  'ppid',
  'name',
  'start',
  'ns',
  'container',
  'uid',
  'user',
  'capEff',
  'capPrm',
  'capBnd',
);
const CONTAINER_KEYS = keys<Container>(
  'key',
  'engine',
  'id',
  'name',
  'pod',
  'sandbox',
  'compose',
  'engineNamespace',
  'instance',
  'owner',
  'outer',
  'pids',
  'sources',
);
const POD_KEYS = keys<PodRef>('kind', 'name', 'namespace', 'id');
const COMPOSE_KEYS = keys<NonNullable<Container['compose']>>('project', 'service');

/** Remove the keys of `o` outside `known` (none, in a snapshot graphns wrote). */
function only(o: Obj, known: ReadonlySet<string>): void {
  for (const k in o) if (!known.has(k)) delete o[k];
}

function host(v: Json, base: string): HostInfo {
  const o = obj(v, base);
  str(o.hostname, base, 'hostname');
  str(o.kernel, base, 'kernel');
  str(o.time, base, 'time');
  int(o.uid, base, 'uid');
  bool(o.nsidSupported, base, 'nsidSupported');
  opt(o, base, 'userns', key);
  opt(o, base, 'pidns', key);
  opt(o, base, 'capLastCap', capNumber);
  only(o, HOST_KEYS);
  return o as unknown as HostInfo;
}

function task(t: Obj, path: string): void {
  int(t.pid, path, 'pid');
  int(t.tid, path, 'tid');
  only(t, TASK_KEYS);
}
function fd(f: Obj, path: string): void {
  int(f.pid, path, 'pid');
  int(f.fd, path, 'fd');
  only(f, FD_KEYS);
}
function mount(m: Obj, path: string): void {
  str(m.path, path, 'path');
  key(m.mntns, path, 'mntns');
  only(m, MOUNT_KEYS);
}
function label(v: Json, base: string, field: string): void {
  const l = obj(v, base, field);
  const path = `${base}.${field}`;
  int(l.pid, path, 'pid');
  str(l.name, path, 'name');
  only(l, LABEL_KEYS);
}
function nsid(v: Json, base: string, field: string): void {
  if (!/^\d+$/.test(str(v, base, field))) fail(at(base, field), 'not a decimal 64-bit id');
}

function linkEnd(v: Json, base: string, field: string): void {
  const e = obj(v, base, field);
  const path = `${base}.${field}`;
  int(e.index, path, 'index');
  opt(e, path, 'ns', key);
  opt(e, path, 'nsid', int);
  opt(e, path, 'inferred', bool);
  only(e, END_KEYS);
}
function netAddress(a: Obj, path: string): void {
  const family = int(a.family, path, 'family');
  if (family !== 4 && family !== 6) fail(`${path}.family`, 'not 4 or 6');
  str(a.address, path, 'address');
  int(a.prefix, path, 'prefix');
  only(a, ADDRESS_KEYS);
}
function netInterface(i: Obj, path: string): void {
  int(i.index, path, 'index');
  str(i.name, path, 'name');
  str(i.kind, path, 'kind');
  bool(i.up, path, 'up');
  str(i.operstate, path, 'operstate');
  opt(i, path, 'mac', str);
  opt(i, path, 'mtu', int);
  objs(i, path, 'addresses', netAddress);
  opt(i, path, 'master', int);
  opt(i, path, 'peer', linkEnd);
  opt(i, path, 'parent', linkEnd);
  only(i, IF_KEYS);
}

/** A capability number: 0 to 63 (the kernel's sets are 64 bits). */
function capNumber(v: Json, base: string, field: string): void {
  if (int(v, base, field) > 63) fail(at(base, field), `not a capability number (0-63): ${v}`);
}

/** A capability set: the kernel's 16 lowercase hex digits (`000001ffffffffff`). */
function capMask(v: Json, base: string, field: string): void {
  if (!CAP_MASK_RE.test(str(v, base, field)))
    fail(at(base, field), `not 16 lowercase hex digits: ${describeValue(v)}`);
}

/** The most ranges a map may have (the kernel's UID_GID_MAP_MAX_EXTENTS). */
const MAX_RANGES = 340;
/** Ids are 32-bit, and (uid_t)-1 is none: a range's first + count stays at most this. */
const MAX_ID = 4294967295;

/**
 * One range of a map, as the kernel accepts it: 1 to 2^32-1 ids, the
 * inside ones not wrapping 32 bits. Outside, only the start is the
 * kernel's to vouch for (it maps a range's first id into the reader's
 * namespace, 4294967295 when it has none there): checked for 32 bits.
 */
function idRange(r: Obj, path: string): void {
  const inside = int(r.inside, path, 'inside');
  const outside = int(r.outside, path, 'outside');
  const count = int(r.count, path, 'count');
  if (count === 0 || count > MAX_ID) fail(`${path}.count`, `not 1 to ${MAX_ID}: ${count}`);
  if (inside + count > MAX_ID) fail(path, `runs past id ${MAX_ID} inside`);
  if (outside > MAX_ID) fail(`${path}.outside`, `not a 32-bit id: ${outside}`);
  only(r, RANGE_KEYS);
}

/** A user namespace's uid or gid map: at most MAX_RANGES ranges. */
function idMap(o: Obj, base: string, field: string): void {
  if (o[field] === undefined) return;
  if (o.type !== 'user') fail(`${base}.${field}`, 'only a user namespace has id maps');
  const a = arr(o[field], base, field);
  if (a.length > MAX_RANGES)
    fail(`${base}.${field}`, `more than ${MAX_RANGES} ranges (${a.length})`);
  objs(o, base, field, idRange);
}

function namespace(v: Json, base: string): Namespace {
  const o = obj(v, base);
  const k = key(o.key, base, 'key');
  const type = str(o.type, base, 'type') as NsTypeName;
  if (!NS_TYPES.includes(type))
    fail(`${base}.type`, `unknown namespace type ${describeValue(type)}`);
  const ino = int(o.ino, base, 'ino');
  if (k !== `${type}:${ino}`)
    fail(`${base}.key`, `${k} does not match type ${type} and ino ${ino}`);
  const origin = str(o.origin, base, 'origin') as Origin;
  if (!ORIGINS.includes(origin)) fail(`${base}.origin`, `unknown origin ${describeValue(origin)}`);
  ints(o, base, 'pids');
  objs(o, base, 'tasks', task);
  objs(o, base, 'fds', fd);
  objs(o, base, 'mounts', mount);
  opt(o, base, 'nsid', nsid);
  opt(o, base, 'owner', key);
  opt(o, base, 'parent', key);
  opt(o, base, 'ownerUid', int);
  opt(o, base, 'ownerName', str);
  opt(o, base, 'label', label);
  if (o.interfaces !== undefined) {
    if (type !== 'net') fail(`${base}.interfaces`, 'only a network namespace has interfaces');
    objs(o, base, 'interfaces', netInterface);
  }
  idMap(o, base, 'uidMap');
  idMap(o, base, 'gidMap');
  only(o, NS_KEYS);
  return o as unknown as Namespace;
}

function processEntry(v: Json, base: string): Process {
  const o = obj(v, base);
  const ns = obj(o.ns, base, 'ns');
  for (const t in ns) {
    if (!NS_TYPES.includes(t as NsTypeName)) {
      fail(`${base}.ns`, `unknown namespace type ${describeValue(t)}`);
    }
    const kk = key(ns[t], `${base}.ns`, t);
    if (!kk.startsWith(`${t}:`)) fail(`${base}.ns.${t}`, `${kk} is not a ${t} namespace`);
  }
  int(o.pid, base, 'pid');
  int(o.ppid, base, 'ppid');
  str(o.name, base, 'name');
  int(o.start, base, 'start');
  opt(o, base, 'container', containerKey);
  opt(o, base, 'uid', int);
  opt(o, base, 'user', str);
  opt(o, base, 'capEff', capMask);
  opt(o, base, 'capPrm', capMask);
  opt(o, base, 'capBnd', capMask);
  only(o, PROCESS_KEYS);
  return o as unknown as Process;
}

const CONTAINER_KEY_RE = /^([a-z-]+):(.+)$/s;

function containerKey(v: Json, base: string, field?: string): ContainerKey {
  const s = str(v, base, field);
  const m = CONTAINER_KEY_RE.exec(s);
  if (!m || !ENGINES.includes(m[1] as Engine)) {
    fail(at(base, field), `not a container key like "docker:<id>": ${describeValue(s)}`);
  }
  return s as ContainerKey;
}

function pod(v: Json, base: string, field: string): void {
  const o = obj(v, base, field);
  const path = `${base}.${field}`;
  const kind = str(o.kind, path, 'kind');
  if (kind !== 'kubernetes' && kind !== 'podman') {
    fail(`${path}.kind`, `unknown pod kind ${describeValue(kind)}`);
  }
  str(o.name, path, 'name');
  opt(o, path, 'namespace', str);
  opt(o, path, 'id', str);
  only(o, POD_KEYS);
}

function compose(v: Json, base: string, field: string): void {
  const o = obj(v, base, field);
  const path = `${base}.${field}`;
  str(o.project, path, 'project');
  opt(o, path, 'service', str);
  only(o, COMPOSE_KEYS);
}

const OWNER_KEYS = keys<NonNullable<Container['owner']>>('uid', 'user');

function owner(v: Json, base: string, field: string): void {
  const o = obj(v, base, field);
  const path = `${base}.${field}`;
  int(o.uid, path, 'uid');
  opt(o, path, 'user', str);
  only(o, OWNER_KEYS);
}

function container(v: Json, base: string): Container {
  const o = obj(v, base);
  const k = containerKey(o.key, base, 'key');
  const engine = str(o.engine, base, 'engine') as Engine;
  if (!ENGINES.includes(engine)) fail(`${base}.engine`, `unknown engine ${describeValue(engine)}`);
  const id = str(o.id, base, 'id');
  ints(o, base, 'pids');
  strings(arr(o.sources, base, 'sources'), `${base}.sources`);
  opt(o, base, 'name', str);
  opt(o, base, 'pod', pod);
  opt(o, base, 'sandbox', bool);
  opt(o, base, 'compose', compose);
  opt(o, base, 'engineNamespace', str);
  opt(o, base, 'instance', str);
  // keys before version 5 were always `<engine>:<id>`, and those of a default instance still are
  const instanceKey = containerKeyOf(o as unknown as Container);
  if (k !== instanceKey && k !== `${engine}:${id}`)
    fail(`${base}.key`, 'does not match its engine and id');
  opt(o, base, 'owner', owner);
  opt(o, base, 'outer', containerKey);
  only(o, CONTAINER_KEYS);
  return o as unknown as Container;
}

/** Each item of `list` checked in place by `check`, given its path (`namespaces[3]`). */
function each<T>(list: Json[], name: string, check: (v: Json, base: string) => T): T[] {
  for (let i = 0; i < list.length; i++) check(list[i], `${name}[${i}]`);
  return list as T[];
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
      `this graphns reads versions ${READABLE_VERSIONS.join(', ')}, the snapshot is version ${o.version === undefined ? 'missing' : describeValue(o.version)}`,
    );
  }
  const model: Model = {
    host: host(o.host, 'host'),
    namespaces: each(arr(o.namespaces, 'namespaces'), 'namespaces', namespace),
    processes: each(arr(o.processes, 'processes'), 'processes', processEntry),
    // version 1 knew no containers
    containers:
      o.version === 1 ? [] : each(arr(o.containers, 'containers'), 'containers', container),
    warnings: strings(arr(o.warnings, 'warnings'), 'warnings'),
  };
  checkReferences(model);
  return model;
}
