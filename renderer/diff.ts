/**
 * What changed between two scans, for live refresh: which namespaces are
 * new, which vanished (and what they were, since the new model no longer
 * knows), and whether anything changed at all once the scan time, which
 * differs on every scan, is left out. And the same between any two
 * models, for comparing with a snapshot (compareModels): namespaces and
 * containers added, removed, and changed (which of their facts differ).
 */
import { dotText } from '../main/emit/dot';
import { containerName, qualifier, type Marks } from '../main/emit/containers';
import { holderOf, nsId, type Holder } from '../main/emit/holder';
import { mapText } from '../main/emit/idmaps';
import type { ModelGraph } from '../main/model/graph';
import type { Container, ContainerKey, IdRange, Namespace, NsKey } from '../main/model/types';

/** A namespace that is gone, described from the model that still had it. */
export interface Vanished {
  key: NsKey;
  /** `net:[4026532301]` */
  id: string;
  /** What it was: its label process, container, or how it was held (raw system text: escape to show). */
  was: string;
}

/** New and vanished namespaces from one model to the next. */
export interface ModelDiff {
  added: NsKey[];
  vanished: Vanished[];
}

/** What held a namespace, in the notice's words (the one holder order: main/emit/holder.ts). */
function holderWords(h: Holder): string {
  switch (h.kind) {
    case 'process':
      return `${h.name ?? ''} (${h.pid})`;
    case 'thread':
      return `thread ${h.tid}`;
    case 'fd':
      return `fd ${h.fd} of ${h.pid}`;
    case 'mount':
      return `bind mount ${h.mount.path}`;
    default:
      return 'no process';
  }
}

/** How the previous model knew a namespace, in a few words. */
function describe(g: ModelGraph, key: NsKey): string {
  const ns = g.byKey.get(key)!;
  const parts = [holderWords(holderOf(g, ns))];
  const cs = g.containersOf(key);
  if (cs.length > 0) parts.push(`container ${cs.map(containerName).join(', ')}`);
  return parts.join(', ');
}

/** Namespaces in `after` but not `before`, and those in `before` but not `after`. */
export function diffModels(before: ModelGraph, after: ModelGraph): ModelDiff {
  const added = after.model.namespaces.filter((n) => !before.byKey.has(n.key)).map((n) => n.key);
  const vanished = before.model.namespaces
    .filter((n) => !after.byKey.has(n.key))
    .map((n) => ({ key: n.key, id: nsId(n), was: describe(before, n.key) }));
  return { added, vanished };
}

/**
 * Whether `a` with the span [a0, a1) cut out equals `b` with [b0, b1) cut
 * out. The parts are compared where they lie: a slice of a flat string is a
 * view, while joining the two parts would copy megabytes (30 ms of a
 * refresh check at 5000 namespaces, for each text).
 */
function sameBut(a: string, [a0, a1]: Span, b: string, [b0, b1]: Span): boolean {
  return (
    a.length - (a1 - a0) === b.length - (b1 - b0) &&
    a0 === b0 &&
    a.slice(0, a0) === b.slice(0, b0) &&
    a.slice(a1) === b.slice(b1)
  );
}

type Span = [start: number, end: number];

/** Where the first `part` lies in `text` (an empty span at the end if nowhere). */
function spanOf(text: string, part: string): Span {
  const i = text.indexOf(part);
  return i < 0 ? [text.length, text.length] : [i, i + part.length];
}

/**
 * Where a model JSON's host scan time lies: the first `"time":"…"` member,
 * from its key to its closing quote (exclusive end). The host object comes
 * first (serializeModel), and no other object of the model has a `time`
 * member; nor can the text appear inside a string value, where every quote
 * is escaped.
 */
function timeSpan(json: string): Span {
  const key = '"time":"';
  const at = json.indexOf(key);
  if (at < 0) return [json.length, json.length];
  let i = at + key.length;
  while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
  return [at, i + 1];
}

/**
 * Whether two scans found the same, apart from their scan time: their
 * model JSON compared as text with the time taken out, before parsing
 * either (a refresh that finds nothing new costs a string comparison).
 */
export function sameScan(a: string, b: string): boolean {
  // the time's length is the same in every scan: a length mismatch is a change
  return a.length === b.length && sameBut(a, timeSpan(a), b, timeSpan(b));
}

/**
 * Whether two DOT texts draw the same picture, apart from the scan time in
 * the legend (the graph label: the first place the time appears).
 */
export function sameDrawing(
  a: { dot: string; time: string },
  b: { dot: string; time: string },
): boolean {
  return sameBut(a.dot, spanOf(a.dot, dotText(a.time)), b.dot, spanOf(b.dot, dotText(b.time)));
}

/** A namespace as the notice names it: its id and what it is (raw system text: escape to show). */
export interface Described {
  key: NsKey;
  /** `net:[4026532301]` */
  id: string;
  is: string;
}

/** A namespace in both models whose facts differ: which, in words (`processes 2 -> 3`). */
export interface ChangedNamespace extends Described {
  changes: string[];
}

/** A container as the notice names it (`"web1" (podman)`, raw), and what changed of it. */
export interface ContainerItem {
  key: ContainerKey;
  text: string;
  changes?: string[];
}

/** What differs from one model (`before`) to another (`after`). */
export interface Comparison {
  added: Described[];
  removed: Vanished[];
  changed: ChangedNamespace[];
  containers: { added: ContainerItem[]; removed: ContainerItem[]; changed: ContainerItem[] };
}

/** One fact of a namespace or container: a signature to compare, and its words. */
type Facts = Map<string, { sig: string; text: string }>;

/** Words in a change longer than this are cut. */
const MAX_WORDS = 60;
const cut = (s: string) => (s.length > MAX_WORDS ? `${s.slice(0, MAX_WORDS - 1)}…` : s);

/** `user:[4026531837]` for a key, '' for none. */
const keyId = (k: NsKey | undefined) =>
  k === undefined ? 'none' : k.replace(/^([a-z]+):(\d+)$/, '$1:[$2]');

const mapWords = (m: readonly IdRange[] | undefined) => (m ? mapText(m) : 'unknown');

/** A namespace's facts that a change of shows: what holds it, its processes, containers, relations, interfaces, maps. */
function namespaceFacts(g: ModelGraph, ns: Namespace): Facts {
  const f: Facts = new Map();
  const put = (name: string, sig: string, text = sig) => f.set(name, { sig, text });
  const containers = g.containersOf(ns.key);
  put('held by', holderWords(holderOf(g, ns)));
  put(
    'processes',
    ns.pids.map((pid) => `${pid}:${g.byPid.get(pid)?.name ?? ''}`).join(','),
    String(ns.pids.length),
  );
  put('threads', ns.tasks.map((t) => `${t.pid}/${t.tid}`).join(','), String(ns.tasks.length));
  put('fds', ns.fds.map((x) => `${x.pid}/${x.fd}`).join(','), String(ns.fds.length));
  put(
    'bind mounts',
    ns.mounts.map((m) => `${m.mntns}:${m.path}`).join('\0'),
    ns.mounts.map((m) => m.path).join(', ') || 'none',
  );
  put(
    'containers',
    containers.map((c) => c.key).join(','),
    containers.map(containerName).join(', ') || 'none',
  );
  put('owner', ns.owner ?? '', keyId(ns.owner));
  put('parent', ns.parent ?? '', keyId(ns.parent));
  put('creator', `${ns.ownerUid ?? ''}`, ns.ownerName ?? `${ns.ownerUid ?? 'unknown'}`);
  const ifs = ns.interfaces;
  put(
    'interfaces',
    JSON.stringify(ifs ?? null),
    ifs ? ifs.map((i) => i.name).join(', ') || 'none' : 'not read',
  );
  put('uid map', JSON.stringify(ns.uidMap ?? null), mapWords(ns.uidMap));
  put('gid map', JSON.stringify(ns.gidMap ?? null), mapWords(ns.gidMap));
  return f;
}

/** Marks that show system text as it is (the notice escapes the whole line). */
const RAW: Marks = { name: (s) => s, token: (s) => s, path: (s) => s };

/** `"web1" (podman)`, raw. */
function containerText(c: Container): string {
  return `"${containerName(c)}" (${qualifier(c, RAW)})`;
}

/** A container's facts: its name and groups, where its engine runs, its processes and their namespaces. */
function containerFacts(g: ModelGraph, c: Container): Facts {
  const f: Facts = new Map();
  const put = (name: string, sig: string, text = sig) => f.set(name, { sig, text });
  put('name', containerName(c));
  put('groups', qualifier(c, RAW));
  put('in', c.outer ?? '', c.outer ?? 'the host');
  put(
    'processes',
    c.pids.map((pid) => `${pid}:${g.byPid.get(pid)?.name ?? ''}`).join(','),
    String(c.pids.length),
  );
  const keys = new Set<NsKey>();
  for (const pid of c.pids) for (const k of Object.values(g.byPid.get(pid)?.ns ?? {})) keys.add(k);
  const sorted = [...keys].sort();
  put('namespaces', sorted.join(','), String(sorted.length));
  return f;
}

/** The facts that differ, in words: `processes 2 -> 3`, or `processes 3 (changed)` when the words agree. */
function changesOf(before: Facts, after: Facts): string[] {
  const out: string[] = [];
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b || b.sig === a.sig) continue;
    out.push(
      b.text === a.text
        ? `${name} ${cut(a.text)} (changed)`
        : `${name} ${cut(b.text)} -> ${cut(a.text)}`,
    );
  }
  return out;
}

/**
 * Whether two namespaces of one key are two namespaces: the inode of one
 * that died was given to a new one (more likely the longer apart two
 * snapshots are). The kernel's 64-bit id (NS_GET_ID) is never reused, so
 * it tells them apart where both models have it.
 */
function reused(a: Namespace, b: Namespace): boolean {
  return a.nsid !== undefined && b.nsid !== undefined && a.nsid !== b.nsid;
}

/**
 * Everything that differs from `before` to `after`: namespaces added (in
 * `after` only), removed (in `before` only, described from it, as live
 * refresh's vanished ones) and changed (in both, some fact differs); a
 * key both have for two namespaces (their ids differ: an inode reused) is
 * one removed and one added. Containers the same way, by their key. The
 * order is each model's.
 */
export function compareModels(before: ModelGraph, after: ModelGraph): Comparison {
  const d = diffModels(before, after);
  const changed: ChangedNamespace[] = [];
  const again: NsKey[] = [];
  for (const ns of after.model.namespaces) {
    const old = before.byKey.get(ns.key);
    if (!old) continue;
    if (reused(old, ns)) {
      again.push(ns.key);
      continue;
    }
    const changes = changesOf(namespaceFacts(before, old), namespaceFacts(after, ns));
    if (changes.length)
      changed.push({ key: ns.key, id: nsId(ns), is: describe(after, ns.key), changes });
  }
  const containers: Comparison['containers'] = { added: [], removed: [], changed: [] };
  for (const c of after.model.containers) {
    const old = before.containerByKey.get(c.key);
    if (!old) {
      containers.added.push({ key: c.key, text: containerText(c) });
      continue;
    }
    const changes = changesOf(containerFacts(before, old), containerFacts(after, c));
    if (changes.length) containers.changed.push({ key: c.key, text: containerText(c), changes });
  }
  for (const c of before.model.containers) {
    if (!after.containerByKey.has(c.key)) {
      containers.removed.push({ key: c.key, text: containerText(c) });
    }
  }
  const inModel = (g: ModelGraph, key: NsKey) => ({
    key,
    id: nsId(g.byKey.get(key)!),
    is: describe(g, key),
  });
  return {
    added: [...d.added, ...again].map((key) => inModel(after, key)),
    removed: [
      ...d.vanished,
      ...again.map((key) => {
        const { id, is } = inModel(before, key);
        return { key, id, was: is };
      }),
    ],
    changed,
    containers,
  };
}
