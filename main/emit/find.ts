/**
 * The viewer's find box: which namespaces a query matches, best first,
 * and why. Built once per model (an index of lower-cased names per
 * namespace, each with what it names and how), so a keystroke costs one
 * pass over short strings, even at thousands of namespaces.
 *
 * What a query matches, case-insensitively:
 *   - a number: a PID, thread id or uid exactly (the namespaces that
 *     process, thread or user is in or holds, or a user namespace's creator), or the start of an inode or
 *     64-bit id, so typing an id narrows the matches as it goes, or a whole
 *     name (a bubblewrap sandbox's id `4321`);
 *   - `net:[4026531840]`, `[4026531840]`: that id; `net:40265`, `[40265`: ids
 *     of that type, or any type, starting so;
 *   - any other text: part of a process name, a user name, a container's
 *     name, id or compose service, a pod, compose project or engine, an ip
 *     netns name, a bind mount path, the type (`net` finds every network
 *     namespace), or of a network namespace's interface: its name, MAC or
 *     an address (`10.88.0.`, `fd00::5`, `02:42:ac`), as `ip` prints them;
 *   - `caps:host`: the namespaces of processes that hold capabilities in
 *     the host's (initial) user namespace (a security review's first
 *     question: which containers run as root of the host).
 *
 * What a query means comes first. Each match is either one of the
 * namespace's own names (its id, type, netns name, mount path, interface)
 * or names a thing the namespace belongs to, its subject: a container,
 * pod, compose project, engine, process, user. A namespace is that
 * thing's OWN when it belongs to it alone (a container's: no process
 * outside every container is in it; a process's: it is the namespace's
 * most senior process, the label; a user's: the user created it) and only
 * MENTIONS it otherwise (the host's user namespace that says "also
 * container web", a host namespace with a `sleep` among its processes).
 * A PID or uid is its process's or user's the same way: first the
 * namespaces the process is the most senior in, the user created, then
 * those it is in. Matches rank: own before mentioning; then an exact name
 * before one the query starts, before one it is part of; then by subject
 * (ids, netns names, containers, pods, compose projects, processes,
 * capability holders, interfaces, mount paths, users, engines, types; by
 * name), so one subject's namespaces stay together; within a subject the
 * PID namespace first (what a container is), then user and net, then the
 * others in drawing order (type, then inode).
 */
import { hasHostCaps } from '../model/capabilities';
import { podKey } from '../model/containers';
import type { ModelGraph } from '../model/graph';
import { escapeDisplay } from '../model/names';
import { sortedNamespaces } from '../model/order';
import type { Container, Namespace, NsKey, NsTypeName } from '../model/types';
import { NS_TYPES } from '../relations/constants';
import { containerName, containerWords, netnsNames, podText } from './containers';

/** What a query can name. The first ones name a namespace itself, the others a thing it belongs to. */
export type SubjectKind =
  | 'id'
  | 'netns'
  | 'container'
  | 'sandbox'
  | 'pod'
  | 'compose'
  | 'process'
  | 'capability'
  | 'interface'
  | 'mount'
  | 'user'
  | 'engine'
  | 'type';

/** The kinds that name a namespace itself (a match of one is its own, with no owner to name). */
const ITSELF: ReadonlySet<SubjectKind> = new Set(['id', 'netns', 'interface', 'mount', 'type']);

/** Subjects of one match strength rank in this order (then by their words). */
const KIND_ORDER: readonly SubjectKind[] = [
  'id',
  'netns',
  'container',
  'sandbox',
  'pod',
  'compose',
  'process',
  'capability',
  'interface',
  'mount',
  'user',
  'engine',
  'type',
];

/** The find term for processes holding capabilities in the host's user namespace. */
export const HOST_CAPS_TERM = 'caps:host';

/** A thing a query names: a container, a process, an interface, ... */
export interface Subject {
  kind: SubjectKind;
  /** Its words: `container "web"`, `pod prod/cart-7d9f`, `process "sleep"`, `interface "eth0"`. */
  text: string;
}

/** One match: a namespace, whether it is the subject's own or only mentions it, and the subject. */
export interface FindMatch {
  key: NsKey;
  kind: 'own' | 'mention';
  subject: Subject;
}

/** A query's matches, over one model. */
export interface FindIndex {
  /** The namespaces `query` matches, best first; none for a blank query. */
  find(query: string): NsKey[];
  /** The same, each with why it matched (own or mentioning, and what). */
  rank(query: string): FindMatch[];
}

/** One name of a namespace, as matched: lower-cased, with what it names and how. */
interface Name {
  text: string;
  /** Index into the index's subjects. */
  subject: number;
  own: boolean;
}

interface Entry {
  ns: Namespace;
  /** The place of its type within one subject (PID first). */
  typeRank: number;
  ids: string[];
  names: Name[];
  /** Every name, joined by '\n' (never in a query): one test rules most entries out. */
  text: string;
}

const ID_FORM = /^(?:([a-z]+):)?\[?(\d+)\]?$/;
const TYPES: ReadonlySet<string> = new Set(NS_TYPES);

/** Within one subject: PID first (what a container is), then user and net, then lsns's order. */
const IN_SUBJECT: readonly NsTypeName[] = [
  'pid',
  'user',
  'net',
  ...NS_TYPES.filter((t) => t !== 'pid' && t !== 'user' && t !== 'net'),
];
const IN_SUBJECT_RANK = new Map(IN_SUBJECT.map((t, i) => [t, i]));
const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));
/** Subjects of one kind rank within this many places of each other. */
const PER_KIND = 2 ** 24;

/** A name as shown in a count: one line, escapes for what cannot be shown, quotes escaped. */
const quoted = (s: string) => `"${escapeDisplay(s, '"')}"`;
const plain = (s: string) => escapeDisplay(s);

/**
 * The subjects of one model, each once, numbered in the order they rank:
 * by kind, then words. Those made after the index is built (a PID or uid
 * asked for) rank after the others of their kind.
 */
class Subjects {
  readonly list: Subject[] = [];
  readonly #byId = new Map<string, number>();
  /** Each subject's place in the ranking (`seal` sets those made so far). */
  readonly order: number[] = [];

  /** The number of the subject `id`, made from `make` the first time. */
  of(id: string, make: () => Subject): number {
    let i = this.#byId.get(id);
    if (i === undefined) {
      i = this.list.length;
      const subject = make();
      this.list.push(subject);
      this.order.push((KIND_RANK.get(subject.kind)! + 1) * PER_KIND - 1);
      this.#byId.set(id, i);
    }
    return i;
  }

  /** Fix the ranking of the subjects made so far. */
  seal(): void {
    const idx = this.list.map((_, i) => i);
    idx.sort((a, b) => {
      const x = this.list[a]!;
      const y = this.list[b]!;
      return (
        KIND_RANK.get(x.kind)! - KIND_RANK.get(y.kind)! ||
        (x.text < y.text ? -1 : x.text > y.text ? 1 : 0)
      );
    });
    idx.forEach(
      (s, rank) => (this.order[s] = KIND_RANK.get(this.list[s]!.kind)! * PER_KIND + rank),
    );
  }
}

const PLAIN_MARKS = { name: quoted, token: plain, path: plain };

/** What a namespace's processes and containers name, worked out once per model. */
interface Parts {
  s: Subjects;
  /** Per process: its name's and its user's subjects and lower-cased texts. */
  process(pid: number): { name: Name; user?: Name } | undefined;
  /** Per container: its names (name, id, compose service, engine, pod, compose project). */
  container(c: Container): readonly Omit<Name, 'own'>[];
  hostToo(ns: Namespace): boolean;
}

function partsOf(g: ModelGraph): Parts {
  const s = new Subjects();
  const { hostToo } = containerWords(g);
  const processes = new Map<number, { name: Name; user?: Name }>();
  const containers = new Map<Container, Omit<Name, 'own'>[]>();
  const name = (text: string, subject: number): Name => ({
    text: text.toLowerCase(),
    subject,
    own: false,
  });
  return {
    s,
    hostToo,
    process(pid) {
      let got = processes.get(pid);
      if (got) return got;
      const p = g.byPid.get(pid);
      if (!p) return undefined;
      got = { name: name(p.name, processSubject(s, p.name)) };
      if (p.user !== undefined) got.user = name(p.user, userSubject(s, p.user));
      processes.set(pid, got);
      return got;
    },
    container(c) {
      let got = containers.get(c);
      if (got) return got;
      const subject = s.of(`c:${c.key}`, () => ({
        kind: c.sandbox ? 'sandbox' : 'container',
        text: `${c.sandbox ? 'sandbox' : 'container'} ${quoted(containerName(c))}`,
      }));
      got = [name(containerName(c), subject), name(c.id, subject)];
      // a compose service names its containers
      if (c.compose?.service !== undefined) got.push(name(c.compose.service, subject));
      const engine = s.of(`e:${c.engine}`, () => ({
        kind: 'engine',
        text: `${c.engine} containers`,
      }));
      got.push(name(c.engine, engine));
      const pod = c.pod;
      if (pod) {
        const podSubject = s.of(`pod:${podKey(pod)}`, () => ({
          kind: 'pod',
          text: `pod ${podText(pod, PLAIN_MARKS)}`,
        }));
        got.push(name(pod.name, podSubject));
        if (pod.namespace !== undefined) got.push(name(pod.namespace, podSubject));
      }
      if (c.compose) {
        const project = c.compose.project;
        const composeSubject = s.of(`compose:${project}`, () => ({
          kind: 'compose',
          text: `compose project ${plain(project)}`,
        }));
        got.push(name(project, composeSubject));
      }
      containers.set(c, got);
      return got;
    },
  };
}

const processSubject = (s: Subjects, name: string) =>
  s.of(`p:${name}`, () => ({ kind: 'process', text: `process ${quoted(name)}` }));
const userSubject = (s: Subjects, user: string) =>
  s.of(`u:${user}`, () => ({ kind: 'user', text: `user ${plain(user)}` }));

/** What the find box can match of one namespace. */
function entryOf(g: ModelGraph, ns: Namespace, parts: Parts): Entry {
  const { s } = parts;
  const names: Name[] = [];
  // each name once, as its own and as mentioned (a host namespace holds thousands of `bash`):
  // looked up in a set only where there are many
  const many = ns.pids.length > 16;
  const seen = many ? new Set<string>() : undefined;
  const add = (n: Omit<Name, 'own'>, own: boolean) => {
    if (n.text === '') return;
    if (seen) {
      const key = `${own ? 1 : 0}${n.subject}:${n.text}`;
      if (seen.has(key)) return;
      seen.add(key);
    } else if (names.some((x) => x.subject === n.subject && x.own === own && x.text === n.text))
      return;
    names.push({ text: n.text, subject: n.subject, own });
  };
  const itself = (kind: SubjectKind, text: string, words: string) =>
    add(
      { text: text.toLowerCase(), subject: s.of(`${kind}:${text}`, () => ({ kind, text: words })) },
      true,
    );

  itself('type', ns.type, `${ns.type} namespace`);
  // a process's own namespaces: it is their most senior process
  const label = ns.label;
  if (label) add({ text: label.name.toLowerCase(), subject: processSubject(s, label.name) }, true);
  // a user's own namespaces: the user namespaces they created
  if (ns.ownerName !== undefined)
    add({ text: ns.ownerName.toLowerCase(), subject: userSubject(s, ns.ownerName) }, true);
  let hostCaps = false;
  for (const pid of ns.pids) {
    const p = parts.process(pid);
    if (!p) continue;
    add(p.name, false);
    if (p.user) add(p.user, false);
    hostCaps ||= hasHostCaps(g.byPid.get(pid)!);
  }
  if (hostCaps)
    add(
      {
        text: HOST_CAPS_TERM,
        subject: s.of('caps:host', () => ({
          kind: 'capability',
          text: "processes with capabilities in the host's user namespace",
        })),
      },
      true,
    );
  // a container's own namespaces: no process outside every container is in them
  const cs = g.containersOf(ns.key);
  const own = cs.length > 0 && !parts.hostToo(ns);
  for (const c of cs) for (const n of parts.container(c)) add(n, own);
  for (const n of netnsNames(ns)) itself('netns', n, `netns ${quoted(n)}`);
  for (const m of ns.mounts) itself('mount', m.path, `bind mount ${plain(m.path)}`);
  for (const i of ns.interfaces ?? []) {
    itself('interface', i.name, `interface ${quoted(i.name)}`);
    if (i.mac !== undefined) itself('interface', i.mac, `MAC ${i.mac}`);
    // an address alone and with its prefix: `10.0.0.2` and `10.0.0.2/24` both find it
    for (const a of i.addresses) {
      const text = `${a.address}/${a.prefix}`;
      itself('interface', text, `address ${text}`);
    }
  }
  return {
    ns,
    typeRank: IN_SUBJECT_RANK.get(ns.type)!,
    ids: [String(ns.ino), ...(ns.nsid !== undefined ? [ns.nsid] : [])],
    names,
    text: names.map((n) => n.text).join('\n'),
  };
}

/** How well a name matches: 0 exactly, 1 the query starts it, 2 it holds the query. */
function strength(name: string, q: string): 0 | 1 | 2 | undefined {
  if (name === q) return 0;
  if (name.startsWith(q)) return 1;
  return name.includes(q) ? 2 : undefined;
}

/** An entry's best reason to match: own before mentioning, strongest, first subject. */
interface Hit {
  entry: Entry;
  own: boolean;
  strength: number;
  subject: number;
}

/**
 * Which entries a query of the id form matches (`q` lower-cased and
 * trimmed; `type` and `digits` its parts), and how well: a whole id, the
 * start of one, or, for bare digits, also a PID, thread id or uid exactly.
 */
function idHit(
  g: ModelGraph,
  q: string,
  type: string | undefined,
  digits: string,
  s: Subjects,
): (e: Entry) => Omit<Hit, 'entry'> | undefined {
  const exact = /^\d+$/.test(q) ? Number(q) : undefined;
  // a closing bracket ends the id: `[4026531840]` is that one, `net:[40265` still narrows
  const whole = q.endsWith(']');
  const typed = type !== undefined || q.startsWith('[');
  const idSubject = s.of('id', () => ({ kind: 'id', text: 'id' }));
  // the subjects a number names, made only when asked
  const pidSubject = (pid: number) =>
    s.of(`pid:${pid}`, () => {
      const p = g.byPid.get(pid);
      return {
        kind: 'process',
        text: p ? `process ${quoted(`${p.name} (${pid})`)}` : `PID ${pid}`,
      };
    });
  const uidSubject = (uid: number) =>
    s.of(`uid:${uid}`, () => ({ kind: 'user', text: `uid ${uid}` }));
  return (e) => {
    if (type !== undefined && e.ns.type !== type) return undefined;
    if (e.ids.includes(digits)) return { own: true, strength: 0, subject: idSubject };
    if (whole) return undefined;
    const prefix = e.ids.some((i) => i.startsWith(digits));
    if (prefix) return { own: true, strength: 1, subject: idSubject };
    if (typed || exact === undefined) return undefined;
    // its own first: the process most senior in it, the user who made it; then any in it
    const ns = e.ns;
    if (ns.label?.pid === exact) return { own: true, strength: 0, subject: pidSubject(exact) };
    if (ns.ownerUid === exact) return { own: true, strength: 0, subject: uidSubject(exact) };
    if (
      ns.pids.includes(exact) ||
      ns.tasks.some((t) => t.pid === exact || t.tid === exact) ||
      ns.fds.some((f) => f.pid === exact)
    )
      return { own: false, strength: 0, subject: pidSubject(exact) };
    if (ns.pids.some((pid) => g.byPid.get(pid)?.uid === exact))
      return { own: false, strength: 0, subject: uidSubject(exact) };
    return undefined;
  };
}

/** Whether `a` is a better reason than `b`. */
function better(a: Omit<Hit, 'entry'>, b: Omit<Hit, 'entry'>, s: Subjects): boolean {
  if (a.own !== b.own) return a.own;
  if (a.strength !== b.strength) return a.strength < b.strength;
  return s.order[a.subject]! < s.order[b.subject]!;
}

/** Build the index for `g`'s model. */
export function findIndex(g: ModelGraph): FindIndex {
  const parts = partsOf(g);
  const s = parts.s;
  const entries = sortedNamespaces(g.model.namespaces).map((ns) => entryOf(g, ns, parts));
  // the id subject, made before sealing
  s.of('id', () => ({ kind: 'id', text: 'id' }));
  s.seal();
  const byRank = (a: Hit, b: Hit) =>
    Number(b.own) - Number(a.own) ||
    a.strength - b.strength ||
    s.order[a.subject]! - s.order[b.subject]! ||
    a.entry.typeRank - b.entry.typeRank ||
    a.entry.ns.ino - b.entry.ns.ino;
  const rank = (query: string): FindMatch[] => {
    const q = query.trim().toLowerCase();
    if (q === '') return [];
    const found = ID_FORM.exec(q);
    // `de:12` is part of a MAC, not an id of a type `de`
    const id = found && (found[1] === undefined || TYPES.has(found[1])) ? found : null;
    const hits: Hit[] = [];
    if (id) {
      const hitOf = idHit(g, q, id[1], id[2]!, s);
      // bare digits may also be a whole name (a bubblewrap sandbox's id, a container called 1234)
      const named = /^\d+$/.test(q);
      for (const entry of entries) {
        let h = hitOf(entry);
        if (named && entry.text.includes(q)) {
          for (const n of entry.names) {
            if (n.text !== q) continue;
            const hit = { own: n.own, strength: 0, subject: n.subject };
            if (!h || better(hit, h, s)) h = hit;
          }
        }
        if (h) hits.push({ entry, ...h });
      }
    } else {
      for (const entry of entries) {
        if (!entry.text.includes(q)) continue;
        let best: Omit<Hit, 'entry'> | undefined;
        for (const n of entry.names) {
          const st = strength(n.text, q);
          if (st === undefined) continue;
          const hit = { own: n.own, strength: st, subject: n.subject };
          if (!best || better(hit, best, s)) best = hit;
        }
        if (best) hits.push({ entry, ...best });
      }
    }
    hits.sort(byRank);
    return hits.map((h) => ({
      key: h.entry.ns.key,
      kind: h.own ? 'own' : 'mention',
      subject: s.list[h.subject]!,
    }));
  };
  return {
    rank,
    find: (query) => rank(query).map((m) => m.key),
  };
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Plural of a subject kind, for `of 3 more containers`. */
const KIND_PLURAL: Readonly<Record<SubjectKind, string>> = {
  id: 'ids',
  netns: 'netns names',
  container: 'containers',
  sandbox: 'sandboxes',
  pod: 'pods',
  compose: 'compose projects',
  process: 'processes',
  capability: 'capability holders',
  interface: 'interfaces and addresses',
  mount: 'bind mounts',
  user: 'users',
  engine: 'engines',
  type: 'types',
};

/** `n` matches of one subject, in words: `5 own namespaces of container "web"`, `3 net namespaces`. */
function ownWords(n: number, subject: Subject): string {
  switch (subject.kind) {
    case 'type':
      return count(n, subject.text);
    case 'id':
      return `${n} by id`;
    case 'netns':
    case 'interface':
      return `${n} with ${subject.text}`;
    case 'mount':
      return `${n} held by ${subject.text}`;
    case 'capability':
      return `${n} with ${subject.text}`;
    default:
      return `${count(n, 'own namespace')} of ${subject.text}`;
  }
}

/** Why one match matched, in words: `own namespace of container "web"`, `mentions process "sleep"`. */
export function matchWhy(m: FindMatch): string {
  const { kind, text } = m.subject;
  if (m.kind === 'mention') return `mentions ${text}`;
  switch (kind) {
    case 'type':
      return text;
    case 'id':
      return 'by id';
    case 'netns':
    case 'interface':
    case 'capability':
      return `with ${text}`;
    case 'mount':
      return `held by ${text}`;
    default:
      return `own namespace of ${text}`;
  }
}

/**
 * What a list of matches (best first, as `rank` gives them, or those of
 * them that are drawn) holds, in words: the best match's subject and how
 * many of its own namespaces matched, then the other subjects' own (named
 * when one, counted when more), then those only mentioning it.
 *
 *   5 own namespaces of container "web", 4 of container "web-side", 3 mentioning it
 *   7 own namespaces of process "container-1", 4653 of 664 more processes
 *   all mentioning process "sleep"
 *
 * '' when saying so would add nothing: no match, or all of them
 * naming namespaces themselves in one way (an id, a type, an address).
 */
export function matchWords(matches: readonly FindMatch[]): string {
  const first = matches[0];
  if (!first) return '';
  const mentions = matches.filter((m) => m.kind === 'mention').length;
  const own = matches.filter((m) => m.kind === 'own');
  const best = first.kind === 'own' ? first.subject : undefined;
  const ofBest = best ? own.filter((m) => m.subject === best).length : 0;
  const others = own.filter((m) => m.subject !== best);
  const parts: string[] = [];
  if (best) {
    if (others.length === 0 && mentions === 0 && ITSELF.has(best.kind)) return '';
    parts.push(ownWords(ofBest, best));
  }
  if (others.length > 0) {
    const subjects = [...new Set(others.map((m) => m.subject))];
    const other = subjects[0]!;
    // `own namespaces` said once: `5 own namespaces of container "web", 4 of container "web-side"`
    if (subjects.length === 1 && best && !ITSELF.has(best.kind) && !ITSELF.has(other.kind))
      parts.push(`${others.length} of ${other.text}`);
    else if (subjects.length === 1) parts.push(ownWords(others.length, other));
    else {
      const kinds = [...new Set(subjects.map((x) => KIND_PLURAL[x.kind]))];
      const last = kinds.pop()!;
      const what = kinds.length > 0 ? `${kinds.join(', ')} and ${last}` : last;
      parts.push(`${others.length} of ${subjects.length} more ${what}`);
    }
  }
  if (mentions > 0 && own.length === 0) {
    const subjects = new Set(matches.map((m) => m.subject));
    parts.push(`all mentioning ${subjects.size === 1 ? first.subject.text : 'it'}`);
  } else if (mentions > 0) parts.push(`${mentions} mentioning it`);
  return parts.join(', ');
}
