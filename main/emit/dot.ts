/**
 * The namespace graph as Graphviz DOT: model in, DOT text out. Pure and
 * deterministic (same model, byte-identical text), so it is golden-tested.
 *
 * What it draws, after the seed's picture: a cluster of PID namespaces and a
 * cluster of user namespaces; each one a box labelled with its label process
 * (`NAME (PID)`) and `type:[INO]`; solid edges from child to parent (drawn
 * bottom to top, parents above); a dashed, layout-neutral edge from each PID
 * namespace to its owning user namespace; the roots on one rank. With
 * `details`, the flat namespaces (cgroup, ipc, mnt, net, uts, time) hang
 * under their owning user namespace, one box per (owner, type): a single
 * namespace as its own box, several as one table listing them, which keeps
 * large hosts readable and the layout cheap. Many leaves under one parent
 * are spread over a few rows, so a host with a hundred containers is not
 * one row a hundred boxes wide. Fill colour says the type, border style
 * says how the namespace was found (legend in the title).
 *
 * Containers: a namespace of a container, pod or sandbox says so on a line
 * of its own (a table row: after its holder), in the words of
 * containers.ts, and a bind-mounted network namespace its `netns` name.
 * Beside the legend, an index of the containers lists for each the types
 * it has of its own, those it shares with other containers (and with
 * which) and those it shares with the host. Neither adds a node or an
 * edge, so 20 or 2000 containers cost the layout nothing but label text;
 * container nodes linked to their namespaces would add up to eight edges
 * each across the whole drawing, and clusters cannot overlap, so a
 * namespace shared by two containers could sit in neither.
 *
 * Safety: process names, mount paths, user and host names are whatever the
 * system holds. They only ever appear as text inside HTML-like labels,
 * after escapeDisplay() (control characters, bidi overrides, undecodable
 * bytes become visible escapes) and entity escaping; backslashes are doubled
 * because Graphviz expands `\N`, `\G`, `\n`, `\l` even inside HTML labels.
 * Node ids come from namespace keys only. So no name can add a node, an
 * attribute or an edge, and the SVG carries names as text.
 */
import { byTypeThenIno, FLAT_TYPES } from '../model/order';
import { escapeDisplay, graphOf } from '../model';
import type { Container, Model, ModelGraph, Namespace, NsKey, NsTypeName } from '../model';
import {
  byDisplay,
  containerName,
  containerWords,
  MAX_ITEMS,
  netnsWords,
  qualifier,
  type ContainerWords,
  type Marks,
} from './containers';
import { holderOf, nsId } from './holder';
import { dotMapText } from './idmaps';
import {
  applyOverview,
  isTree,
  thousands,
  type Fan,
  type OverviewMode,
  type OverviewNote,
} from './overview';
import type { ViewSelection } from './view';

/** What to draw. */
export interface DotOptions {
  /** Also draw the flat namespaces (cgroup, ipc, mnt, net, uts, time) under their owners. */
  details: boolean;
  /**
   * The viewer's filters (view.ts): draw exactly these namespaces, whatever
   * `details` says; context ones faint, collapsed ones with what they fold.
   */
  view?: ViewSelection;
  /**
   * Without a view: draw a large graph as the overview (overview.ts):
   * `auto` (the default) by its size, `on` always, `off` never.
   */
  overview?: OverviewMode;
  /** The model's graph (graphOf) when the caller has it: the page keeps one per model. */
  graph?: ModelGraph;
}

/** Fill and line colour per namespace type; pale fills keep black text legible. */
export const COLOURS: Readonly<Record<NsTypeName, { fill: string; line: string }>> = {
  user: { fill: '#dbe8fa', line: '#3a6cb0' },
  pid: { fill: '#daf2df', line: '#2d8340' },
  net: { fill: '#fde4cc', line: '#bf6218' },
  mnt: { fill: '#e8e0fa', line: '#6949be' },
  uts: { fill: '#f7efbf', line: '#957607' },
  ipc: { fill: '#f8dcea', line: '#b02e6b' },
  cgroup: { fill: '#d0efeb', line: '#11756a' },
  time: { fill: '#e4e7eb', line: '#555f6b' },
};

const HIDDEN_FILL = '#f3f3f3';
const HIDDEN_LINE = '#8a8a8a';
const NOTE_COLOUR = '#555555';
/** Longest name or path shown, in code points; longer ones are cut with an ellipsis. */
const MAX_NAME = 40;
/** Rows per column in a group table; more members wrap into further columns. */
const GROUP_ROWS = 15;

/** Characters that XML forbids even as text, so never in an SVG either. */
const NON_XML = /[\uFFFE\uFFFF]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // Graphviz expands \N, \G, \l ... in HTML labels too; a doubled backslash is one literal '\'
  '\\': '\\\\',
};

/**
 * A string from the system as HTML-label text: one visible line, no markup,
 * valid UTF-8, no Graphviz escapes. `keep` cuts long text at the start
 * (paths, where the end matters) or the end (names).
 */
export function dotText(s: string, keep: 'start' | 'end' = 'start'): string {
  const cps = [...s];
  let cut = s;
  if (cps.length > MAX_NAME) {
    cut =
      keep === 'start'
        ? `${cps.slice(0, MAX_NAME - 1).join('')}\u2026`
        : `\u2026${cps.slice(cps.length - MAX_NAME + 1).join('')}`;
  }
  return escapeDisplay(cut)
    .replace(NON_XML, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
    .replace(/[&<>"\\]/g, (c) => HTML_ESCAPES[c]!);
}

/** A DOT quoted string for our own constants and keys (never for system text). */
export function q(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The SVG `id` of a namespace's node: its key with ':' as '-'
 * (`user-4026531837`); a member of a group table has `a_row-` before it
 * (Graphviz's anchor group around the cell). The page finds what was
 * clicked, and what to highlight, by these ids alone.
 */
export function svgId(key: string): string {
  return key.replace(/:/g, '-');
}

/** The SVG id of a namespace's row in a group table (`a_row-net-4026531840`). */
export function rowSvgId(key: NsKey): string {
  return `a_row-${svgId(key)}`;
}

/** The SVG id of the edge from `from` to `to` (`e__pid-2__pid-1`). */
export function edgeSvgId(from: string, to: string): string {
  return `e__${svgId(from)}__${svgId(to)}`;
}

/** `NAME (PID)` of a process, or just `pid PID` when the model lacks its name. */
function processText(pid: number, name: string | undefined): string {
  return name !== undefined ? `<B>${dotText(name)}</B> (${pid})` : `pid ${pid}`;
}

function more(n: number): string {
  return n > 1 ? ` <I>+${n - 1} more</I>` : '';
}

/**
 * What a namespace is known by (holder.ts): its label process, else the
 * thread, fd or bind mount that holds it, else that no process is in it
 * (the box's dashed border says when it is hidden).
 */
export function holderText(g: ModelGraph, ns: Namespace): string {
  const h = holderOf(g, ns);
  switch (h.kind) {
    case 'process':
      return processText(h.pid, h.name);
    case 'thread':
      return `thread ${h.tid} of ${processText(h.pid, h.name)}${more(h.count)}`;
    case 'fd':
      return `fd ${h.fd} of ${processText(h.pid, h.name)}${more(h.count)}`;
    case 'mount':
      return `bind mount ${dotText(h.mount.path, 'end')}${more(h.count)}`;
    case 'hidden':
    case 'none':
      return `<I>no process</I>`;
  }
}

/** System strings in container words: names bold, the rest plain, all through dotText. */
const MARKS: Marks = {
  name: (s) => `<B>${dotText(s)}</B>`,
  token: (s) => dotText(s),
  path: (s) => dotText(s),
};

/** The container and netns words of a namespace, or '' for one of the host only. */
export function belongsText(w: ContainerWords, ns: Namespace): string {
  return [netnsWords(ns, MARKS), w.of(ns, MARKS)].filter((p) => p !== '').join(' \u00b7 ');
}

/** `user:[4026531837]` in a monospace face. */
export function idText(ns: Namespace): string {
  return `<FONT FACE="Courier" POINT-SIZE="9">${nsId(ns)}</FONT>`;
}

/** Node attributes for a namespace's origin: fill says the type, the border how it was found. */
function originAttrs(ns: Namespace): string {
  const c = COLOURS[ns.type];
  switch (ns.origin) {
    case 'hidden':
      return `style="rounded,filled,dashed", fillcolor=${q(HIDDEN_FILL)}, color=${q(HIDDEN_LINE)}`;
    case 'fd':
    case 'bindmount':
      return `style="rounded,filled,dotted", penwidth=1.6, fillcolor="#ffffff", color=${q(c.line)}`;
    case 'task':
      return `style="rounded,filled,bold", fillcolor=${q(c.fill)}, color=${q(c.line)}`;
    case 'process':
      return `fillcolor=${q(c.fill)}, color=${q(c.line)}`;
  }
}

/** One namespace as one node statement. */
function nodeLine(g: ModelGraph, w: ContainerWords, ns: Namespace, view?: ViewSelection): string {
  const lines = [holderText(g, ns)];
  const belongs = belongsText(w, ns);
  if (belongs) lines.push(`<FONT POINT-SIZE="9">${belongs}</FONT>`);
  lines.push(idText(ns));
  if (ns.type === 'user' && ns.ownerUid !== undefined) {
    const who = ns.ownerName !== undefined ? ` ${dotText(ns.ownerName)}` : '';
    lines.push(`<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}">uid ${ns.ownerUid}${who}</FONT>`);
  }
  // who is root where: the uid map's first range, where one is known and is news (idmaps.ts)
  const map = ns.type === 'user' ? dotMapText(ns) : undefined;
  if (map) lines.push(`<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}">${dotText(map)}</FONT>`);
  // every non-user namespace has an owner; not seeing it is worth saying (unprivileged scans)
  if (ns.type !== 'user' && (ns.owner === undefined || !g.byKey.has(ns.owner))) {
    lines.push(`<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}">owner not visible</FONT>`);
  }
  const classes = ['ns', `t-${ns.type}`, `o-${ns.origin}`];
  const folded = view?.folded.get(ns.key);
  if (folded !== undefined) {
    classes.push('folded');
    lines.push(
      `<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}"><I>${folded} more below, collapsed</I></FONT>`,
    );
  }
  let look = originAttrs(ns);
  if (view?.context.has(ns.key)) {
    // shown for the hierarchy's sake only: faint, so what the filter kept stands out
    classes.push('context');
    look = `style="rounded,filled,dashed", fillcolor="#fafafa", color="#b0b0b0", fontcolor="#707070"`;
  }
  return `${q(ns.key)} [id=${q(svgId(ns.key))}, class=${q(classes.join(' '))}, ${look}, label=<${lines.join('<BR/>')}>];`;
}

/** One table row (cell) for a member of a group; fd/bind mount/hidden rows get the same border cue as boxes. */
function groupCell(g: ModelGraph, w: ContainerWords, ns: Namespace): string {
  // no BGCOLOR with a dotted/dashed cell: two such cells in one table crash Graphviz
  // 16.1's xdot and json renderers (memory access out of bounds in the WASM build)
  const look =
    ns.origin === 'fd' || ns.origin === 'bindmount'
      ? ' BORDER="1" STYLE="dotted"'
      : ns.origin === 'hidden'
        ? ` BORDER="1" STYLE="dashed" COLOR="${HIDDEN_LINE}"`
        : ns.origin === 'task'
          ? ' BORDER="2"'
          : '';
  const belongs = belongsText(w, ns);
  const tail = belongs ? ` \u00b7 <FONT POINT-SIZE="9">${belongs}</FONT>` : '';
  // ID and HREF make Graphviz wrap the cell in <g id="a_row-..."><a>: the page's handle on it
  const handle = ` ID="row-${svgId(ns.key)}" HREF="#${svgId(ns.key)}" TOOLTIP="${nsId(ns)}"`;
  return `<TD ALIGN="LEFT"${look}${handle}><FONT FACE="Courier" POINT-SIZE="9">[${ns.ino}]</FONT> ${holderText(g, ns)}${tail}</TD>`;
}

/** Several flat namespaces of one type and owner as one table node. */
function groupLine(
  g: ModelGraph,
  w: ContainerWords,
  id: string,
  type: NsTypeName,
  members: Namespace[],
  ownerKnown: boolean,
): string {
  const c = COLOURS[type];
  const cols = Math.ceil(members.length / GROUP_ROWS);
  const rows = Math.ceil(members.length / cols);
  const body: string[] = [];
  for (let r = 0; r < rows; r++) {
    let cells = '';
    for (let k = 0; k < cols; k++) {
      const ns = members[k * rows + r];
      cells += ns ? groupCell(g, w, ns) : '<TD></TD>';
    }
    body.push(`<TR>${cells}</TR>`);
  }
  const note = ownerKnown
    ? ''
    : `<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}">, owner not visible</FONT>`;
  const head = `<TR><TD COLSPAN="${cols}"><B>${type}</B> \u00d7 ${members.length}${note}</TD></TR>`;
  const table =
    `<TABLE BORDER="1" STYLE="rounded" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2" ` +
    `BGCOLOR="${c.fill}" COLOR="${c.line}">${head}${body.join('')}</TABLE>`;
  return `${q(id)} [id=${q(svgId(id))}, class=${q(`group t-${type}`)}, shape=plain, style="", label=<${table}>];`;
}

const count = thousands;

/** The words of a type's namespaces, many: `user namespaces`. */
const typeWords = (t: NsTypeName, n: number) => `${t} namespace${n === 1 ? '' : 's'}`;

/**
 * One overview group (overview.ts) as one node: how many of what kind,
 * how many lie below them. A double border says it stands for many.
 */
function fanLine(fan: Fan): string {
  const c = COLOURS[fan.type];
  const n = fan.members.length;
  const kind =
    fan.kind === 'various'
      ? `of various processes: ${(fan.some ?? []).map((k) => dotText(k)).join(', ')}, \u2026`
      : dotText(fan.kind);
  // with some of the kind drawn beside it, the group is the rest: "more"
  const more = fan.opened > 0 ? ' more' : '';
  const lines = [`<B>${count(n)}${more} ${typeWords(fan.type, n)}</B>`, kind];
  const notes: string[] = [];
  if (fan.opened > 0) notes.push(`like the ${count(fan.opened)} drawn beside`);
  if (fan.below > 0) notes.push(`${count(fan.below)} more below them`);
  notes.push('grouped: open to draw them');
  lines.push(`<FONT POINT-SIZE="9" COLOR="${NOTE_COLOUR}"><I>${notes.join(', ')}</I></FONT>`);
  return (
    `${q(fan.id)} [id=${q(svgId(fan.id))}, class=${q(`fan t-${fan.type}`)}, peripheries=2, ` +
    `fillcolor=${q(c.fill)}, color=${q(c.line)}, label=<${lines.join('<BR/>')}>];`
  );
}

/** The overview's line in the legend: what is drawn, what is grouped and folded. */
function overviewText(o: OverviewNote): string {
  const why = o.forced ? 'asked for' : 'too large to draw whole in seconds';
  const parts = [`${count(o.drawn)} drawn`];
  if (o.grouped > 0) parts.push(`${count(o.grouped)} in groups (double borders)`);
  if (o.folded > 0) parts.push(`${count(o.folded)} folded below`);
  return (
    `<B>Overview</B> of ${count(o.total)} namespaces (${why}): ${parts.join(', ')}. ` +
    `Open a group to draw it; find reaches every namespace; --full (in the viewer: v) draws all.`
  );
}

/** Columns of the legend grid: cells of one column share a width, so it stays a tidy grid. */
const LEGEND_COLS = 4;

/** Rows in the container index; more are counted, and named in the namespaces' labels. */
const INDEX_ROWS = 60;
/** The same in the overview, which is about the shape of a large host: its index is a sample. */
const OVERVIEW_INDEX_ROWS = 12;

/** The model's containers in display order, sorted once per graph (every relayout of a large host's asked). */
const ORDERED = new WeakMap<ModelGraph, readonly Container[]>();
function displayOrder(g: ModelGraph): readonly Container[] {
  let o = ORDERED.get(g);
  if (!o) ORDERED.set(g, (o = [...g.model.containers].sort(byDisplay)));
  return o;
}

/** `a, b, c and 2 more`: other containers' names, bold. */
function namesText(cs: readonly Container[]): string {
  const shown = cs.slice(0, MAX_ITEMS).map((c) => MARKS.name(containerName(c)));
  return `${shown.join(', ')}${cs.length > MAX_ITEMS ? ` and ${cs.length - MAX_ITEMS} more` : ''}`;
}

/**
 * One row per container: name, engine and groups, then its namespace types
 * by how it holds them: of its own, shared with other containers (naming
 * them), shared with the host. Types in lsns's order.
 */
function containerIndex(g: ModelGraph, w: ContainerWords, most: number): string {
  const rows: string[] = [];
  const ordered = displayOrder(g);
  for (const c of ordered.slice(0, most)) {
    const keys = new Set<NsKey>();
    for (const pid of c.pids) {
      const p = g.byPid.get(pid);
      if (p) for (const k of Object.values(p.ns)) keys.add(k);
    }
    const own: NsTypeName[] = [];
    const host: NsTypeName[] = [];
    const shared = new Map<string, { types: NsTypeName[]; with: readonly Container[] }>();
    const nss = [...keys]
      .map((k) => g.byKey.get(k))
      .filter((n): n is Namespace => n !== undefined)
      .sort(byTypeThenIno);
    for (const ns of nss) {
      // the host's namespaces first: every container of a large host is in them
      if (w.hostToo(ns)) {
        host.push(ns.type);
        continue;
      }
      const others = w.containers(ns).filter((o) => o.key !== c.key);
      if (others.length === 0) own.push(ns.type);
      else {
        const id = others.map((o) => o.key).join('\0');
        const s = shared.get(id);
        if (s) s.types.push(ns.type);
        else shared.set(id, { types: [ns.type], with: others });
      }
    }
    const sharedText = [...shared.values()]
      .map((s) => `${s.types.join(' ')} with ${namesText(s.with)}`)
      .join('; ');
    const kind = c.sandbox ? 'sandbox ' : '';
    // a nested container says which container its engine runs in
    const outer = c.outer !== undefined ? g.containerByKey.get(c.outer) : undefined;
    const inOuter = outer ? ` in ${MARKS.name(containerName(outer))}` : '';
    rows.push(
      `<TR><TD ALIGN="LEFT">${kind}${MARKS.name(containerName(c))} (${qualifier(c, MARKS)})${inOuter}</TD>` +
        `<TD ALIGN="LEFT">${own.join(' ') || '\u2013'}</TD>` +
        `<TD ALIGN="LEFT">${sharedText || '\u2013'}</TD>` +
        `<TD ALIGN="LEFT">${host.join(' ') || '\u2013'}</TD></TR>`,
    );
  }
  const rest = ordered.length - Math.min(ordered.length, most);
  if (rest > 0) {
    rows.push(`<TR><TD COLSPAN="4" ALIGN="LEFT"><I>and ${rest} more containers</I></TD></TR>`);
  }
  const head =
    `<TR><TD ALIGN="LEFT"><B>container</B> (${ordered.length})</TD><TD ALIGN="LEFT"><B>own</B></TD>` +
    `<TD ALIGN="LEFT"><B>shared with containers</B></TD><TD ALIGN="LEFT"><B>the host's</B></TD></TR>`;
  return (
    `<TABLE BORDER="1" STYLE="rounded" CELLBORDER="0" CELLSPACING="1" CELLPADDING="2" COLOR="${NOTE_COLOUR}">` +
    `${head}${rows.join('')}</TABLE>`
  );
}

/** The title and legend, as the graph's own label: it takes no part in the layout. */
function legend(
  model: Model,
  types: readonly NsTypeName[],
  g: ModelGraph,
  w: ContainerWords,
  overview: OverviewNote | undefined,
): string {
  const h = model.host;
  const cells = [
    ...types.map(
      (t) =>
        `<TD BORDER="1" STYLE="rounded" BGCOLOR="${COLOURS[t].fill}" COLOR="${COLOURS[t].line}">${t}</TD>`,
    ),
  ];
  while (cells.length % LEGEND_COLS !== 0) cells.push('<TD></TD>');
  cells.push(
    '<TD BORDER="1" STYLE="rounded">has processes</TD>',
    '<TD BORDER="2" STYLE="rounded">threads only</TD>',
    `<TD BORDER="1" STYLE="dashed" BGCOLOR="${HIDDEN_FILL}" COLOR="${HIDDEN_LINE}">hidden: no process</TD>`,
    '<TD BORDER="1" STYLE="dotted">fd or bind mount only</TD>',
    '<TD COLSPAN="2" ALIGN="LEFT">\u2192 solid arrow: parent</TD>',
    '<TD COLSPAN="2" ALIGN="LEFT">\u21e2 dashed arrow: owning user namespace</TD>',
  );
  const rows: string[] = [];
  let row = '';
  let width = 0;
  for (const c of cells) {
    row += c;
    width += c.startsWith('<TD COLSPAN="2"') ? 2 : 1;
    if (width % LEGEND_COLS === 0) {
      rows.push(`<TR>${row}</TR>`);
      row = '';
    }
  }
  const title =
    `<B>${dotText(h.hostname)}</B>  kernel ${dotText(h.kernel)}  ` +
    `<FONT COLOR="${NOTE_COLOUR}">${dotText(h.time)}, scanned as uid ${h.uid}</FONT>`;
  const table =
    `<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">` +
    `<TR><TD COLSPAN="${LEGEND_COLS}" ALIGN="LEFT">${title}</TD></TR>` +
    (overview
      ? `<TR><TD COLSPAN="${LEGEND_COLS}" ALIGN="LEFT">${overviewText(overview)}</TD></TR>`
      : '') +
    rows.join('') +
    `</TABLE>`;
  if (model.containers.length === 0) return `<${table}>`;
  // how to read the container words, then the index: below the grid, in a table of
  // their own, so the wide index does not widen the grid's cells
  const read =
    "<B>container</B> NAME (engine, groups): the namespace is that container's own; " +
    '<B>containers</B> or <B>pod</B>: shared by them (a pod: by all its containers)<BR ALIGN="LEFT"/>' +
    "<B>also</B> containers: the host's, shared with them; <B>netns</B> NAME: its ip netns name " +
    '(/run/netns)<BR ALIGN="LEFT"/>';
  return (
    `<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">` +
    `<TR><TD ALIGN="LEFT">${table}</TD></TR>` +
    `<TR><TD ALIGN="LEFT" CELLPADDING="3">${read}</TD></TR>` +
    `<TR><TD ALIGN="LEFT" CELLPADDING="3">${containerIndex(g, w, overview ? OVERVIEW_INDEX_ROWS : INDEX_ROWS)}</TD></TR>` +
    `</TABLE>>`
  );
}

/** Leaves under one parent from which staggering starts, and the most rows they spread over. */
const STAGGER_FROM = 5;
const STAGGER_ROWS = 4;

/**
 * Spread many leaves of one parent over a few rows (like Graphviz's
 * `unflatten -l`): a host with 100 containers otherwise draws one row 100
 * boxes wide. A leaf's edge gets minlen 1, 2, 3... in turn; inner nodes
 * keep 1 so subtrees stay compact. Returns minlen by edge tail (only > 1).
 */
function staggerLeaves(up: readonly { from: string; to: string }[]): Map<string, number> {
  const inner = new Set(up.map((e) => e.to));
  const leaves = new Map<string, string[]>();
  for (const e of up) {
    if (inner.has(e.from)) continue;
    const list = leaves.get(e.to);
    if (list) list.push(e.from);
    else leaves.set(e.to, [e.from]);
  }
  const minlen = new Map<string, number>();
  for (const list of leaves.values()) {
    if (list.length < STAGGER_FROM) continue;
    const rows = Math.min(STAGGER_ROWS, Math.max(2, Math.ceil(list.length / STAGGER_FROM)));
    list.forEach((from, i) => {
      if (i % rows > 0) minlen.set(from, 1 + (i % rows));
    });
  }
  return minlen;
}

/** Flat namespaces of one type under one owner: drawn as one box, or one table. */
interface Group {
  id: string;
  /** The owner drawn above it; undefined when none is drawn. */
  owner: NsKey | undefined;
  type: NsTypeName;
  members: Namespace[];
  /** False when a member's owner is not in the model at all ("owner not visible"). */
  ownerKnown: boolean;
}

/** What one drawing shows, worked out before a line is written. */
interface Drawing {
  model: Model;
  g: ModelGraph;
  w: ContainerWords;
  view: ViewSelection | undefined;
  users: Namespace[];
  pids: Namespace[];
  groups: Group[];
  /** The overview's groups of siblings (none but in the overview). */
  fans: readonly Fan[];
  /** The types in the legend: user and PID (those drawn, with a view), then the flat ones drawn. */
  types: NsTypeName[];
  /** Whether the namespace `k` is drawn (with a view: the view shows it; else the model has it). */
  drawn(k: NsKey | undefined): k is NsKey;
}

/**
 * The flat namespaces among `all`, grouped by drawn owner and type: owners
 * in inode order, then types in lsns order, so the group order is stable.
 */
function flatGroups(g: ModelGraph, all: readonly Namespace[], drawn: Drawing['drawn']): Group[] {
  const groups = new Map<string, Group>();
  const ownerOf = (n: Namespace) => (drawn(n.owner) ? n.owner : undefined);
  const ownerIno = (n: Namespace) => {
    const owner = ownerOf(n);
    return owner !== undefined ? (g.byKey.get(owner)?.ino ?? -1) : -1;
  };
  const flat = all.filter((n) => n.type !== 'user' && n.type !== 'pid');
  const ordered = [...flat].sort((a, b) => ownerIno(a) - ownerIno(b) || byTypeThenIno(a, b));
  for (const n of ordered) {
    const owner = ownerOf(n);
    const id = `owned:${owner ?? 'none'}:${n.type}`;
    let grp = groups.get(id);
    if (!grp) {
      grp = { id, owner, type: n.type, members: [], ownerKnown: true };
      groups.set(id, grp);
    }
    grp.members.push(n);
    // an owner the filters hide is known, just not drawn: no "not visible" note then
    if (n.owner === undefined || !g.byKey.has(n.owner)) grp.ownerKnown = false;
  }
  return [...groups.values()];
}

/**
 * The view the command line draws: with no filters but `details`, the
 * overview when it applies (else none: everything is drawn, as always).
 */
function commandLineView(g: ModelGraph, options: DotOptions): ViewSelection | undefined {
  if (options.view) return options.view;
  if (options.overview === 'off') return undefined;
  const keys = g.model.namespaces
    .filter((n) => options.details || n.type === 'user' || n.type === 'pid')
    .map((n) => n.key);
  const all: ViewSelection = { shown: new Set(keys), context: new Set(), folded: new Map() };
  const ov = applyOverview(g, all, { mode: options.overview });
  return ov === all ? undefined : ov;
}

/** What `model` draws under `options`. */
function drawingOf(model: Model, options: DotOptions): Drawing {
  // building it anew costs 0.1-0.2 s at 50 000 namespaces, at every relayout of the page's
  const g = options.graph?.model === model ? options.graph : graphOf(model);
  const view = commandLineView(g, options);
  const all = model.namespaces.filter((n) => !view || view.shown.has(n.key)).sort(byTypeThenIno);
  const drawn = (k: NsKey | undefined): k is NsKey =>
    k !== undefined && (view ? view.shown.has(k) : g.byKey.has(k));
  const types: NsTypeName[] = (['user', 'pid'] as const).filter(
    (t) => !view || all.some((n) => n.type === t),
  );
  const groups = options.details || view ? flatGroups(g, all, drawn) : [];
  const fans = view?.fans ?? [];
  for (const t of ['user', 'pid'] as const) {
    if (!types.includes(t) && fans.some((f) => f.type === t)) types.push(t);
  }
  for (const t of FLAT_TYPES) {
    if (groups.some((grp) => grp.type === t) || fans.some((f) => f.type === t)) types.push(t);
  }
  return {
    model,
    g,
    w: containerWords(g),
    view,
    users: all.filter((n) => n.type === 'user'),
    pids: all.filter((n) => n.type === 'pid'),
    groups,
    fans,
    types,
    drawn,
  };
}

type Emit = (indent: number, line: string) => void;

/** The graph's defaults and its label (title, legend, container index). */
function graphHead(d: Drawing, emit: Emit): void {
  emit(
    1,
    'graph [rankdir=BT, newrank=true, fontname="Helvetica", fontsize=10, nodesep=0.2, ' +
      'ranksep=0.4, labelloc=t, labeljust=l, ' +
      `label=${legend(d.model, d.types, d.g, d.w, d.view?.overview)}];`,
  );
  emit(
    1,
    'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, ' +
      'margin="0.1,0.04", penwidth=1];',
  );
  emit(1, 'edge [arrowsize=0.6, penwidth=1];');
}

/** One cluster: a rounded, tinted box of one type's colours around `body`'s nodes. */
function cluster(
  emit: Emit,
  name: string,
  label: string,
  type: NsTypeName,
  fill: string,
  body: () => void,
) {
  emit(1, `subgraph ${name} {`);
  emit(
    2,
    // with rankdir=BT, 'b' puts the label at the top
    `graph [label=${q(label)}, labelloc=b, style="rounded,filled", fillcolor=${q(fill)}, ` +
      `color=${q(COLOURS[type].line)}, fontcolor=${q(COLOURS[type].line)}, fontsize=12];`,
  );
  body();
  emit(1, '}');
}

/** The nodes: PID namespaces in one cluster; user namespaces and the flat groups in another. */
function nodes(d: Drawing, emit: Emit): void {
  const { g, w, view } = d;
  const pidFans = d.fans.filter((f) => f.type === 'pid');
  const userFans = d.fans.filter((f) => f.type !== 'pid');
  if (d.pids.length > 0 || pidFans.length > 0) {
    cluster(emit, 'cluster_pid', 'PID namespaces', 'pid', '#f5fbf6', () => {
      for (const n of d.pids) emit(2, nodeLine(g, w, n, view));
      for (const f of pidFans) emit(2, fanLine(f));
    });
  }
  if (d.users.length === 0 && d.groups.length === 0 && userFans.length === 0) return;
  cluster(emit, 'cluster_user', 'user namespaces', 'user', '#f4f8fe', () => {
    for (const n of d.users) emit(2, nodeLine(g, w, n, view));
    for (const f of userFans) emit(2, fanLine(f));
    for (const grp of d.groups) {
      const only = grp.members.length === 1 ? grp.members[0] : undefined;
      emit(
        2,
        only
          ? nodeLine(g, w, only, view)
          : groupLine(g, w, grp.id, grp.type, grp.members, grp.ownerKnown),
      );
    }
  });
}

/**
 * The edges: every drawn node's one layout edge up (to its parent, or for
 * a flat group to its owner), each PID namespace's owner edge, which has
 * no say in the layout, and the roots on one rank.
 */
function edges(d: Drawing, emit: Emit): void {
  const up: { from: string; to: NsKey; style: string }[] = [];
  for (const n of [...d.users, ...d.pids]) {
    if (d.drawn(n.parent)) {
      up.push({ from: n.key, to: n.parent, style: `color=${q(COLOURS[n.type].line)}` });
    }
  }
  for (const grp of d.groups) {
    if (grp.owner === undefined) continue;
    const from = grp.members.length === 1 ? grp.members[0]!.key : grp.id;
    up.push({ from, to: grp.owner, style: `style=dashed, color=${q(COLOURS[grp.type].line)}` });
  }
  for (const f of d.fans) {
    if (f.parent === undefined) continue;
    const dashed = isTree(f.type) ? '' : 'style=dashed, ';
    up.push({ from: f.id, to: f.parent, style: `${dashed}color=${q(COLOURS[f.type].line)}` });
  }
  const minlen = staggerLeaves(up);
  // child -> parent: with rankdir=BT the arrow points up at the parent
  for (const e of up) {
    const len = minlen.get(e.from) ?? 1;
    emit(
      1,
      `${q(e.from)} -> ${q(e.to)} [id=${q(edgeSvgId(e.from, e.to))}, ${e.style}${len > 1 ? `, minlen=${len}` : ''}];`,
    );
  }
  for (const n of d.pids) {
    if (d.drawn(n.owner)) {
      emit(
        1,
        `${q(n.key)} -> ${q(n.owner)} [id=${q(edgeSvgId(n.key, n.owner))}, style=dashed, constraint=false, color="#7d8ea3"];`,
      );
    }
  }
  const roots = [...d.users, ...d.pids].filter((n) => !d.drawn(n.parent));
  if (roots.length > 1) emit(1, `{ rank=same; ${roots.map((n) => q(n.key)).join('; ')}; }`);
}

/** DOT text, and what the overview did when it drew one (overview.ts). */
export interface DotDrawing {
  dot: string;
  overview?: OverviewNote;
}

/**
 * The namespace graph of `model` as Graphviz DOT (`digraph namespaces`),
 * with the overview's note when a large graph was drawn as one.
 * Deterministic: namespaces are drawn in type-then-inode order whatever
 * order the model lists them in.
 */
export function drawDot(model: Model, options: DotOptions): DotDrawing {
  const d = drawingOf(model, options);
  const out: string[] = [];
  const emit: Emit = (indent, line) => out.push(`${'  '.repeat(indent)}${line}`);
  emit(0, 'digraph namespaces {');
  graphHead(d, emit);
  nodes(d, emit);
  edges(d, emit);
  emit(0, '}');
  const dot = `${out.join('\n')}\n`;
  return d.view?.overview ? { dot, overview: d.view.overview } : { dot };
}

/** The namespace graph of `model` as Graphviz DOT (drawDot without the note). */
export function modelToDot(model: Model, options: DotOptions): string {
  return drawDot(model, options).dot;
}
