/**
 * Tree text for lsuserns and lspidns, in the seed's format so habits carry
 * over:
 *
 *   user:[4026531837] process "systemd (1)" owner root (0)
 *    ├── user:[4026532465] process "firefox (4242)" owner foobar (1000)
 *    └── user:[4026532523] (hidden) owner foobar (1000)
 *
 * A namespace of a container, pod or sandbox says so after its holder, a
 * bind-mounted network namespace its name (wording: containers.ts):
 *
 *   net:[4026532710] process "sleep (12939)" containers "web1", "side" (podman)
 *   net:[4026532801] (bind mount /run/netns/blue) netns "blue"
 *
 * One namespace per line, always: every string from the system goes
 * through escapeDisplay(), which leaves no line break or control character;
 * container names are quoted like process names, and the tokens inside the
 * parentheses (pods, compose projects) have the characters that would fake
 * that structure backslash-escaped. Pure: model in, text out.
 */
import { escapeDisplay } from '../model/names';
import type { ModelGraph } from '../model/graph';
import type { LinkEnd, NetInterface } from '../model/interfaces';
import { sortedNamespaces } from '../model/order';
import type { Namespace, NsTypeName } from '../model/types';
import { containerWords, netnsWords, type ContainerWords, type Marks } from './containers';
import { holderOf, nsId } from './holder';
import { mapsLine, mapsUnknown } from './idmaps';
import { endOf } from './wires';

/** Options for the tree text. */
export interface TreeOptions {
  /**
   * lsuserns -d: each user namespace's uid and gid maps at the end of its
   * line (`maps uid/gid 0-65535 -> 100000-165535`), and the non-user
   * namespaces it owns below it.
   */
  details?: boolean;
  /** Colour namespace ids by type with ANSI escapes. */
  color?: boolean;
}

const COLORS: Record<NsTypeName, string> = {
  user: '33', // yellow
  pid: '35', // magenta
  net: '32', // green
  mnt: '34', // blue
  uts: '36', // cyan
  ipc: '31', // red
  cgroup: '94', // bright blue
  time: '93', // bright yellow
};

function id(ns: Namespace, color: boolean): string {
  const text = nsId(ns);
  return color ? `\x1b[${COLORS[ns.type]}m${text}\x1b[0m` : text;
}

/** `"NAME (PID)"`, quotes in the name escaped. */
function quoted(pid: number, name: string | undefined): string {
  return `"${name === undefined ? '' : escapeDisplay(name, '"')} (${pid})"`;
}

/** `process "NAME (PID)"`, or what holds a namespace without processes (holder.ts). */
function holder(ns: Namespace, g: ModelGraph): string {
  const h = holderOf(g, ns);
  switch (h.kind) {
    case 'process':
      return `process ${quoted(h.pid, h.name)}`;
    case 'thread':
      return `(thread ${h.tid} of ${quoted(h.pid, h.name)})`;
    case 'fd':
      return `(fd ${h.fd} of ${quoted(h.pid, h.name)})`;
    case 'mount':
      return `(bind mount ${escapeDisplay(h.mount.path)})`;
    case 'hidden':
      return '(hidden)';
    case 'none':
      return '(no process)';
  }
}

/** `root (0)`, or the bare uid twice when NSS knows no such user. */
function ownerText(ns: Namespace): string {
  if (ns.ownerUid === undefined) return '';
  const name = ns.ownerName === undefined ? String(ns.ownerUid) : escapeDisplay(ns.ownerName);
  return `${name} (${ns.ownerUid})`;
}

/** System strings in the container part of a line, escaped like process names. */
const MARKS: Marks = {
  name: (s) => `"${escapeDisplay(s, '"')}"`,
  // unquoted, so what would end the token or the parentheses is escaped
  token: (s) => escapeDisplay(s, '"(), /'),
  path: (s) => escapeDisplay(s, '"(), '),
};
/** The same with -c: names in bold, so each container stands out in a long line. */
const COLOR_MARKS: Marks = {
  name: (s) => `\x1b[1m${MARKS.name(s)}\x1b[0m`,
  token: MARKS.token,
  path: MARKS.path,
};

/** ` netns "blue" container "web1" (podman)`, or '' for a namespace of the host only. */
function belongs(ns: Namespace, w: ContainerWords, color: boolean | undefined): string {
  const marks = color ? COLOR_MARKS : MARKS;
  const parts = [netnsWords(ns, marks), w.of(ns, marks)].filter((p) => p !== '');
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** ` maps uid/gid 0-65535 -> 100000-165535` (lsuserns -d), or why they are not known: idmaps.ts's words. */
function mapsText(ns: Namespace): string {
  return ` maps ${mapsLine(ns) ?? mapsUnknown(ns)}`;
}

function userLine(ns: Namespace, g: ModelGraph, w: ContainerWords, o: TreeOptions): string {
  const owner = ownerText(ns);
  const maps = o.details ? mapsText(ns) : '';
  return `${id(ns, !!o.color)} ${holder(ns, g)}${belongs(ns, w, o.color)}${owner ? ` owner ${owner}` : ''}${maps}`;
}

function pidLine(ns: Namespace, g: ModelGraph, w: ContainerWords, o: TreeOptions): string {
  const u = ns.owner === undefined ? undefined : g.byKey.get(ns.owner);
  const owner = u ? ` owner ${id(u, !!o.color)} ${ownerText(u)}`.trimEnd() : '';
  return `${id(ns, !!o.color)} ${holder(ns, g)}${belongs(ns, w, o.color)}${owner}`;
}

function ownedLine(ns: Namespace, g: ModelGraph, w: ContainerWords, o: TreeOptions): string {
  return `${id(ns, !!o.color)} ${holder(ns, g)}${belongs(ns, w, o.color)}`;
}

interface Node {
  line: string;
  children: Node[];
}

function render(roots: Node[]): string {
  const out: string[] = [];
  const walk = (n: Node, prefix: string, branch: string) => {
    out.push(`${branch}${n.line}`);
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, `${prefix}${last ? '    ' : '│   '}`, `${prefix}${last ? '└── ' : '├── '}`);
    });
  };
  // the seed indents the first level by one space
  for (const r of roots) walk(r, ' ', '');
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The user namespace hierarchy (lsuserns). */
export function userTree(g: ModelGraph, o: TreeOptions = {}): string {
  const w = containerWords(g);
  const build = (ns: Namespace): Node => ({
    line: userLine(ns, g, w, o),
    children: [
      ...(o.details
        ? g
            .owned(ns.key)
            .filter((x) => x.type !== 'user')
            .map((x) => ({ line: ownedLine(x, g, w, o), children: [] }))
        : []),
      ...g.children(ns.key).map(build),
    ],
  });
  return render(g.roots('user').map(build));
}

/** The PID namespace hierarchy (lspidns). */
export function pidTree(g: ModelGraph, o: TreeOptions = {}): string {
  const w = containerWords(g);
  const build = (ns: Namespace): Node => ({
    line: pidLine(ns, g, w, o),
    children: g.children(ns.key).map(build),
  });
  return render(g.roots('pid').map(build));
}

/** An interface's name, escaped like the tokens in parentheses (any byte but '/', ':', whitespace). */
const ifName = (name: string) => escapeDisplay(name, '"(), ');

/** Where a link's other end is: `eth0 in net:[…] process "nginx (812)" container "web" (docker)`. */
function endText(
  end: LinkEnd,
  g: ModelGraph,
  w: ContainerWords,
  own: Namespace,
  o: TreeOptions,
): string {
  const { ns, iface } = endOf(g, own, end);
  if (!ns)
    return end.nsid !== undefined
      ? `index ${end.index} in nsid ${end.nsid} (not found)`
      : `index ${end.index}`;
  const name = iface ? ifName(iface.name) : `index ${end.index}`;
  if (ns === own) return name;
  const inferred = end.inferred ? ' (inferred)' : '';
  return `${name} in ${id(ns, !!o.color)} ${holder(ns, g)}${belongs(ns, w, o.color)}${inferred}`;
}

/** One interface: name, kind, state, addresses, and its peer or parent. */
function ifLine(
  i: NetInterface,
  ns: Namespace,
  g: ModelGraph,
  w: ContainerWords,
  o: TreeOptions,
): string {
  // the state as `ip -br link` says it (the operational state: lo is UNKNOWN)
  const parts = [
    ifName(i.name),
    i.kind,
    i.operstate,
    ...i.addresses.map((a) => `${a.address}/${a.prefix}`),
  ];
  if (i.peer) parts.push(`<-> ${endText(i.peer, g, w, ns, o)}`);
  if (i.parent) parts.push(`on ${endText(i.parent, g, w, ns, o)}`);
  return parts.join(' ');
}

/**
 * Network namespaces and their interfaces (lsnetns), bridge and bond
 * members under their master:
 *
 *   net:[4026531840] process "systemd (1)"
 *    ├── lo loopback UNKNOWN 127.0.0.1/8 ::1/128
 *    └── docker0 bridge UP 172.17.0.1/16
 *        └── veth1 veth UP <-> eth0 in net:[4026532300] process "nginx (812)" container "web" (docker)
 */
export function netTree(g: ModelGraph, o: TreeOptions = {}): string {
  const w = containerWords(g);
  const roots = sortedNamespaces(g.model.namespaces.filter((n) => n.type === 'net')).map((ns) => {
    const ifs = ns.interfaces ?? [];
    const known = new Set(ifs.map((i) => i.index));
    const node = (i: NetInterface): Node => ({
      line: ifLine(i, ns, g, w, o),
      children: ifs.filter((m) => m.master === i.index).map(node),
    });
    return {
      line: `${id(ns, !!o.color)} ${holder(ns, g)}${belongs(ns, w, o.color)}${ns.interfaces ? '' : ' (interfaces not read)'}`,
      children: ifs.filter((i) => i.master === undefined || !known.has(i.master)).map(node),
    };
  });
  return render(roots);
}
