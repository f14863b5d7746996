/**
 * The viewer's find box: which namespaces a query matches. Built once per
 * model (an index of lower-cased text per namespace), so a keystroke costs
 * one pass over short strings, even at thousands of namespaces.
 *
 * What a query matches, case-insensitively:
 *   - a number: a PID, thread id or uid exactly (the namespaces that
 *     process, thread or user is in or holds, or a user namespace's creator), or the start of an inode or
 *     64-bit id, so typing an id narrows the matches as it goes;
 *   - `net:[4026531840]`, `[4026531840]`: that id; `net:40265`, `[40265`: ids
 *     of that type, or any type, starting so;
 *   - any other text: part of a process name, a user name, a container's
 *     name or id, a pod, compose project or engine, an ip netns name, a
 *     bind mount path, the type (`net` finds every network namespace), or
 *     of a network namespace's interface: its name, MAC or an address
 *     (`10.88.0.`, `fd00::5`, `02:42:ac`), as `ip` prints them.
 * Matches come in drawing order: type (lsns's order), then inode.
 */
import type { ModelGraph } from '../model/graph';
import { sortedNamespaces } from '../model/order';
import type { Namespace, NsKey } from '../model/types';
import { NS_TYPES } from '../relations/constants';
import { containerName, netnsNames } from './containers';

/** A query's matches, over one model. */
export interface FindIndex {
  /** The namespaces `query` matches, in drawing order; none for a blank query. */
  find(query: string): NsKey[];
}

interface Entry {
  key: NsKey;
  ids: string[];
  numbers: Set<number>;
  text: string;
}

const ID_FORM = /^(?:([a-z]+):)?\[?(\d+)\]?$/;
const TYPES: ReadonlySet<string> = new Set(NS_TYPES);

/** What the find box can match of one namespace. */
function entryOf(g: ModelGraph, ns: Namespace): Entry {
  const numbers = new Set<number>([
    ...ns.pids,
    ...ns.tasks.flatMap((t) => [t.pid, t.tid]),
    ...ns.fds.map((f) => f.pid),
  ]);
  if (ns.ownerUid !== undefined) numbers.add(ns.ownerUid);
  const words: string[] = [ns.type];
  if (ns.ownerName !== undefined) words.push(ns.ownerName);
  if (ns.label) words.push(ns.label.name);
  for (const pid of ns.pids) {
    const p = g.byPid.get(pid);
    if (!p) continue;
    words.push(p.name);
    if (p.user !== undefined) words.push(p.user);
    if (p.uid !== undefined) numbers.add(p.uid);
  }
  for (const c of g.containersOf(ns.key)) {
    words.push(containerName(c), c.id, c.engine);
    if (c.pod) words.push(c.pod.name, c.pod.namespace ?? '');
    if (c.compose) words.push(c.compose.project, c.compose.service ?? '');
  }
  words.push(...netnsNames(ns), ...ns.mounts.map((m) => m.path));
  for (const i of ns.interfaces ?? []) {
    words.push(i.name, ...(i.mac !== undefined ? [i.mac] : []));
    // an address alone and with its prefix: `10.0.0.2` and `10.0.0.2/24` both find it
    for (const a of i.addresses) words.push(`${a.address}/${a.prefix}`);
  }
  return {
    key: ns.key,
    ids: [String(ns.ino), ...(ns.nsid !== undefined ? [ns.nsid] : [])],
    numbers,
    // one string per namespace: '\n' never occurs in a query, so no match spans two words
    text: words.join('\n').toLowerCase(),
  };
}

/**
 * Which entries a query of the id form matches (`q` lower-cased and
 * trimmed; `type` and `digits` its parts): a whole id, the start of one,
 * or, for bare digits, also a PID, thread id or uid exactly.
 */
function idMatcher(q: string, type: string | undefined, digits: string): (e: Entry) => boolean {
  const exact = /^\d+$/.test(q) ? Number(q) : undefined;
  // a closing bracket ends the id: `[4026531840]` is that one, `net:[40265` still narrows
  const whole = q.endsWith(']');
  const typed = type !== undefined || q.startsWith('[');
  return (e) => {
    if (type !== undefined && !e.key.startsWith(`${type}:`)) return false;
    if (whole) return e.ids.includes(digits);
    if (typed) return e.ids.some((i) => i.startsWith(digits));
    return e.ids.some((i) => i.startsWith(digits)) || (exact !== undefined && e.numbers.has(exact));
  };
}

/** Build the index for `g`'s model. */
export function findIndex(g: ModelGraph): FindIndex {
  const entries = sortedNamespaces(g.model.namespaces).map((ns) => entryOf(g, ns));
  return {
    find(query: string): NsKey[] {
      const q = query.trim().toLowerCase();
      if (q === '') return [];
      const found = ID_FORM.exec(q);
      // `de:12` is part of a MAC, not an id of a type `de`
      const id = found && (found[1] === undefined || TYPES.has(found[1])) ? found : null;
      const matches = id ? idMatcher(q, id[1], id[2]!) : (e: Entry) => e.text.includes(q);
      return entries.filter(matches).map((e) => e.key);
    },
  };
}
