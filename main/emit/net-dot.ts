/**
 * The wiring as Graphviz DOT (`graphns --net`): each network namespace a
 * box (its id, what holds it, its container), each of its interfaces but
 * lo a row in it (name, kind, state, addresses); a veth pair one thick
 * line between the two rows, a bridge's or bond's members a dashed line to
 * their bridge, a vlan, macvlan or vxlan a dotted one to its parent.
 * Namespaces with no interface but lo take no box each: one note lists
 * them, so a host of a thousand unconnected sandboxes stays readable.
 * Pure: model in, DOT out; every system string through dotText.
 */
import { graphOf, type ModelGraph } from '../model/graph';
import type { LinkEnd, NetInterface } from '../model/interfaces';
import { sortedNamespaces } from '../model/order';
import type { Model, Namespace, NsKey } from '../model/types';
import { containerWords, type ContainerWords } from './containers';
import { COLOURS, belongsText, dotText, edgeSvgId, holderText, idText, q, svgId } from './dot';
import { endOf, wiresOf } from './wires';

/** Namespaces without links listed by id in the note; more are counted. */
const MAX_LISTED = 12;
/** Ids a line of that list: the legend stays about as wide as its sentences. */
const LISTED_PER_LINE = 6;

const LINE = COLOURS.net.line;

/** The node of one interface: `if-net-4026531840-4` (also its SVG id). */
export const ifNode = (ns: Namespace, index: number) => `if-${svgId(ns.key)}-${index}`;

/** The namespace key an interface node's id names (`if-net-4026531840-4` -> `net:4026531840`). */
export function ifNodeKey(id: string): NsKey | undefined {
  const m = /^if-net-(\d+)-\d+$/.exec(id);
  return m ? (`net:${m[1]}` as NsKey) : undefined;
}

/** What to draw: the namespaces chosen, else every one whose interfaces were read. */
export interface NetDotOptions {
  /**
   * Only these network namespaces (the viewer's "only container X", hide
   * empty); the namespaces they are wired to come along faint, with just
   * the interfaces on the way (the peer, its bridge).
   */
  only?: ReadonlySet<NsKey>;
  /** What `only` is, for the legend (`only web (docker)`). */
  onlyText?: string;
}

/** A box to draw: a namespace, the interfaces drawn in it, and whether it is context. */
interface Box {
  ns: Namespace;
  ifs: NetInterface[];
  /** Drawn because a chosen namespace is wired to it: faint, only the interfaces on the way. */
  context: boolean;
}

/** One interface's row: name, kind, state; its addresses below; the bridge port it is wired to; members of a bridge not drawn counted. */
function ifRow(i: NetInterface, hiddenMembers = 0, port?: Port): string {
  const addrs = i.addresses.map((a) => `${a.address}/${a.prefix}`);
  const state =
    i.operstate === 'UP' || i.operstate === 'UNKNOWN' ? '' : ` <I>${dotText(i.operstate)}</I>`;
  const lines = [
    `<B>${dotText(i.name)}</B> ${dotText(i.kind)}${state}`,
    ...addrs.map((a) => dotText(a)),
    ...(port ? [portText(port)] : []),
    ...(hiddenMembers > 0
      ? [`<I>${hiddenMembers} more member${hiddenMembers > 1 ? 's' : ''} not drawn</I>`]
      : []),
  ];
  return lines.join('<BR ALIGN="LEFT"/>') + '<BR ALIGN="LEFT"/>';
}

/**
 * A bridge's veth port whose peer is drawn in another namespace (a
 * container's eth0 on docker0): not a row of its own, but the line from
 * the bridge to that peer, and named in the peer's row. So fifty
 * containers on a bridge add fifty lines, not fifty rows to the host's
 * box. Only a port with no address but IPv6 link-local (a bridge port
 * has none that matters) is drawn so.
 */
interface Port {
  /** The port's node id (not drawn: the line's id names the pair with it). */
  node: string;
  port: NetInterface;
  bridge: NetInterface;
  bridgeNode: string;
  /** The node at the other end of the pair. */
  peerNode: string;
}

/** `peer veth3a7c04 on docker0` (and the port's state when not up). */
function portText(p: Port): string {
  const state =
    p.port.operstate === 'UP' || p.port.operstate === 'UNKNOWN'
      ? ''
      : ` <I>${dotText(p.port.operstate)}</I>`;
  return `<FONT COLOR="${LINE}">peer <B>${dotText(p.port.name)}</B>${state} on ${dotText(p.bridge.name)}</FONT>`;
}

/** The bridge ports drawn as lines, by their peer's node. */
function portsOf(boxes: readonly Box[], g: ModelGraph): Map<string, Port> {
  const drawn = new Set(boxes.flatMap(({ ns, ifs }) => ifs.map((i) => ifNode(ns, i.index))));
  const out = new Map<string, Port>();
  for (const { ns, ifs } of boxes)
    for (const i of ifs) {
      if (i.kind !== 'veth' || i.master === undefined || !i.peer) continue;
      if (!i.addresses.every((a) => a.family === 6 && a.address.startsWith('fe80:'))) continue;
      const bridge = ifs.find((m) => m.index === i.master);
      const end = endOf(g, ns, i.peer);
      if (!bridge || !end.ns || end.ns === ns) continue;
      const peerNode = ifNode(end.ns, i.peer.index);
      if (!drawn.has(peerNode)) continue;
      const port = { node: ifNode(ns, i.index), port: i, bridge, peerNode };
      out.set(peerNode, { ...port, bridgeNode: ifNode(ns, bridge.index) });
    }
  return out;
}

/** A namespace's box: a cluster with one node per interface drawn (bridge ports drawn as lines are not). */
function box(b: Box, g: ModelGraph, w: ContainerWords, ports: ReadonlyMap<string, Port>): string[] {
  const { ns, ifs } = b;
  const words = belongsText(w, ns);
  const label = `${idText(ns)}<BR/>${holderText(g, ns)}${words ? `<BR/>${words}` : ''}`;
  const c = COLOURS.net;
  const drawn = new Set(ifs.map((i) => i.index));
  const hidden = (i: NetInterface) =>
    ns.interfaces!.filter((m) => m.master === i.index && !drawn.has(m.index)).length;
  const asLines = new Set([...ports.values()].map((p) => p.node));
  // lines come down to a box from the bridges above it: where it holds none, its label
  // goes below its rows, out of their way
  const masters = ifs.some((i) => ifs.some((m) => m.master === i.index));
  const look = b.context
    ? `style="rounded,filled,dashed"; fillcolor="#fafafa"; color="#b0b0b0"; fontcolor="#707070"`
    : `style="rounded,filled"; fillcolor=${q(c.fill)}; color=${q(c.line)}`;
  return [
    `  subgraph ${q(`cluster_${svgId(ns.key)}`)} {`,
    `    id=${q(svgId(ns.key))}; class=${q(`netns${b.context ? ' context' : ''}`)}; label=<${label}>; labelloc=${masters ? 't' : 'b'}; ${look};`,
    ...ifs
      .filter((i) => !asLines.has(ifNode(ns, i.index)))
      .map(
        (i) =>
          `    ${q(ifNode(ns, i.index))} [id=${q(ifNode(ns, i.index))}, class="if", label=<${ifRow(i, b.context ? hidden(i) : 0, ports.get(ifNode(ns, i.index)))}>, shape=box, style="rounded,filled", fillcolor="white", color=${q(b.context ? '#b0b0b0' : c.line)}];`,
      ),
    '  }',
  ];
}

/** The node at the other end, if it is drawn. */
function endNode(
  own: Namespace,
  end: LinkEnd,
  g: ModelGraph,
  drawn: ReadonlySet<string>,
): string | undefined {
  const { ns } = endOf(g, own, end);
  const node = ns && ifNode(ns, end.index);
  return node && drawn.has(node) ? node : undefined;
}

/**
 * A bridge's members go down in staggered rows (as Graphviz's unflatten
 * does), about as many rows as members in a row, so a bridge of 50
 * containers is a block, not a line of 50 boxes.
 */
const rowsFor = (members: number) => Math.max(1, Math.ceil(Math.sqrt(members)));

/** The style of a veth pair's line: grey when only inferred. */
const pairStyle = (end: LinkEnd) =>
  end.inferred ? 'style=bold, color="#8a8a8a"' : `style=bold, color=${q(LINE)}`;

/**
 * The lines between interfaces: veth pairs once each (a bridge port's from
 * its bridge), members to masters, children to parents.
 */
function wires(
  boxes: readonly Box[],
  g: ModelGraph,
  drawn: ReadonlySet<string>,
  ports: ReadonlyMap<string, Port>,
): string[] {
  const out: string[] = [];
  const byNode = new Map([...ports.values()].map((p) => [p.node, p]));
  const total = new Map<string, number>(); // members of each master
  for (const { ns, ifs } of boxes)
    for (const i of ifs)
      if (i.master !== undefined) {
        const m = ifNode(ns, i.master);
        total.set(m, (total.get(m) ?? 0) + 1);
      }
  const members = new Map<string, number>(); // members of each master drawn so far
  for (const { ns, ifs } of boxes)
    for (const i of ifs) {
      const me = ifNode(ns, i.index);
      const master = i.master !== undefined ? ifNode(ns, i.master) : undefined;
      const port = byNode.get(me);
      if (master && (drawn.has(master) || port)) {
        const k = members.get(master) ?? 0;
        members.set(master, k + 1);
        // the bridge above its members (the edge runs from it), in staggered rows
        const minlen = `minlen=${1 + (k % rowsFor(total.get(master)!))}`;
        if (port) {
          // the pair as one line from the bridge; its id names the pair
          out.push(
            `  ${q(master)} -> ${q(port.peerNode)} [id=${q(edgeSvgId(me, port.peerNode))}, ${pairStyle(i.peer!)}, penwidth=2, ${minlen}];`,
          );
          continue;
        }
        out.push(
          `  ${q(master)} -> ${q(me)} [id=${q(edgeSvgId(master, me))}, style=dashed, color=${q(LINE)}, ${minlen}];`,
        );
      }
      const peer = i.peer && endNode(ns, i.peer, g, drawn);
      // a pair once, from a bridge's port down to the other end (else from the id sorting first)
      const otherIsPort = peer !== undefined && endOf(g, ns, i.peer!).iface?.master !== undefined;
      const isPort = i.master !== undefined;
      const from = isPort !== otherIsPort ? isPort : peer !== undefined && me < peer;
      if (peer && from)
        out.push(
          `  ${q(me)} -> ${q(peer)} [id=${q(edgeSvgId(me, peer))}, ${pairStyle(i.peer!)}, penwidth=2];`,
        );
      const parent = i.parent && endNode(ns, i.parent, g, drawn);
      if (parent)
        out.push(
          `  ${q(me)} -> ${q(parent)} [id=${q(edgeSvgId(me, parent))}, style=dotted, color=${q(LINE)}];`,
        );
    }
  return out;
}

/** How to read it, as the graph's label. */
function legend(
  model: Model,
  boxes: readonly Box[],
  bare: readonly Namespace[],
  o: NetDotOptions,
): string {
  const chosen = boxes.filter((b) => !b.context).length;
  const listed = bare.slice(0, MAX_LISTED).map((ns) => idText(ns));
  const more = bare.length - listed.length;
  const rows: string[] = [];
  for (let i = 0; i < listed.length; i += LISTED_PER_LINE)
    rows.push(listed.slice(i, i + LISTED_PER_LINE).join(' '));
  const bareText = bare.length
    ? `<BR ALIGN="LEFT"/>${bare.length} more network namespace${bare.length > 1 ? 's' : ''} with no interface but lo:` +
      rows.map((r) => `<BR ALIGN="LEFT"/>  ${r}`).join('') +
      (more > 0 ? ` and ${more} more` : '')
    : '';
  const what = o.only
    ? `${o.onlyText !== undefined ? dotText(o.onlyText) : 'the chosen'}: ${chosen} network namespace${chosen === 1 ? '' : 's'} and ${chosen === 1 ? 'its' : 'their'} wiring`
    : `${chosen} network namespace${chosen === 1 ? ' and its' : 's and their'} wiring`;
  const faint = o.only
    ? '<BR ALIGN="LEFT"/>Faint boxes: namespaces they are wired to, with only the interfaces on the way.'
    : '';
  return (
    `<<B>${dotText(model.host.hostname)}</B>: ${what}<BR ALIGN="LEFT"/>` +
    'A box is a network namespace (what holds it, its container); a row one of its interfaces<BR ALIGN="LEFT"/>' +
    '(lo is not drawn): name, kind, its state when not up, addresses.<BR ALIGN="LEFT"/>' +
    'Thick line: a veth pair (grey: inferred, the kernel gave no id to confirm it); from a bridge,<BR ALIGN="LEFT"/>' +
    'its port there is named in the row at the other end (peer … on the bridge).<BR ALIGN="LEFT"/>' +
    'Dashed: a member to its bridge or bond. Dotted: a vlan, macvlan or vxlan to its parent.' +
    `${faint}${bareText}<BR ALIGN="LEFT"/>>`
  );
}

/** The interfaces of `ns` on the way to the chosen ones: the ends of `wired`, their masters and parents. */
function onTheWay(ns: Namespace, wired: ReadonlySet<number>): NetInterface[] {
  const ifs = ns.interfaces ?? [];
  const keep = new Set<number>();
  const add = (index: number | undefined) => {
    if (index === undefined || keep.has(index)) return;
    const i = ifs.find((x) => x.index === index);
    if (!i) return;
    keep.add(index);
    add(i.master);
    if (i.parent && i.parent.ns === undefined && i.parent.nsid === undefined) add(i.parent.index);
  };
  for (const index of wired) add(index);
  return ifs.filter((i) => keep.has(i.index) && i.kind !== 'loopback');
}

/** The boxes to draw (chosen, then context) and the chosen namespaces with no interface but lo. */
function boxesOf(
  model: Model,
  g: ModelGraph,
  o: NetDotOptions,
): { boxes: Box[]; bare: Namespace[] } {
  const nets = sortedNamespaces(
    model.namespaces.filter(
      (n) => n.type === 'net' && n.interfaces && (!o.only || o.only.has(n.key)),
    ),
  );
  const boxes: Box[] = [];
  const bare: Namespace[] = [];
  for (const ns of nets) {
    const ifs = ns.interfaces!.filter((i) => i.kind !== 'loopback');
    if (ifs.length > 0) boxes.push({ ns, ifs, context: false });
    else bare.push(ns);
  }
  if (!o.only) return { boxes, bare };
  // the namespaces the chosen ones are wired to, with the interfaces at the other ends
  const ends = new Map<NsKey, { ns: Namespace; wired: Set<number> }>();
  for (const { ns } of [...boxes])
    for (const w of wiresOf(g, ns)) {
      if (o.only.has(w.ns.key) || !w.other) continue;
      const e = ends.get(w.ns.key) ?? { ns: w.ns, wired: new Set<number>() };
      e.wired.add(w.other.index);
      ends.set(w.ns.key, e);
    }
  for (const ns of sortedNamespaces([...ends.values()].map((e) => e.ns))) {
    const ifs = onTheWay(ns, ends.get(ns.key)!.wired);
    if (ifs.length > 0) boxes.push({ ns, ifs, context: true });
  }
  return { boxes, bare };
}

/** The network wiring of `model` as DOT; namespaces whose interfaces were not read are left out. */
export function modelToNetDot(model: Model, o: NetDotOptions = {}): string {
  const g = graphOf(model);
  const w = containerWords(g);
  const { boxes, bare } = boxesOf(model, g, o);
  const ports = portsOf(boxes, g);
  const asLines = new Set([...ports.values()].map((p) => p.node));
  const drawn = new Set(
    boxes
      .flatMap(({ ns, ifs }) => ifs.map((i) => ifNode(ns, i.index)))
      .filter((n) => !asLines.has(n)),
  );
  return [
    'digraph netns {',
    `  graph [rankdir=TB, fontname="Helvetica", fontsize=10, nodesep=0.2, ranksep=0.6, labelloc=t, labeljust=l, label=${legend(model, boxes, bare, o)}];`,
    '  node [fontname="Helvetica", fontsize=9, margin="0.08,0.03"];',
    '  edge [dir=none, arrowhead=none];',
    ...boxes.flatMap((b) => box(b, g, w, ports)),
    ...wires(boxes, g, drawn, ports),
    '}',
    '',
  ].join('\n');
}
