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
import type { Model, Namespace } from '../model/types';
import { containerWords, type ContainerWords } from './containers';
import { COLOURS, belongsText, dotText, holderText, idText, q, svgId } from './dot';

/** Namespaces without links listed by id in the note; more are counted. */
const MAX_LISTED = 12;

const LINE = COLOURS.net.line;

/** The node of one interface: `if-net-4026531840-4`. */
const ifNode = (ns: Namespace, index: number) => `if-${svgId(ns.key)}-${index}`;

/** One interface's row: name, kind, state; its addresses below. */
function ifRow(i: NetInterface): string {
  const addrs = i.addresses.map((a) => `${a.address}/${a.prefix}`);
  const state =
    i.operstate === 'UP' || i.operstate === 'UNKNOWN' ? '' : ` <I>${dotText(i.operstate)}</I>`;
  const lines = [
    `<B>${dotText(i.name)}</B> ${dotText(i.kind)}${state}`,
    ...addrs.map((a) => dotText(a)),
  ];
  return lines.join('<BR ALIGN="LEFT"/>') + '<BR ALIGN="LEFT"/>';
}

/** A namespace's box: a cluster with one node per interface but lo. */
function box(
  ns: Namespace,
  ifs: readonly NetInterface[],
  g: ModelGraph,
  w: ContainerWords,
): string[] {
  const words = belongsText(w, ns);
  const label = `${idText(ns)}<BR/>${holderText(g, ns)}${words ? `<BR/>${words}` : ''}`;
  const c = COLOURS.net;
  return [
    `  subgraph ${q(`cluster_${svgId(ns.key)}`)} {`,
    `    id=${q(svgId(ns.key))}; label=<${label}>; style="rounded,filled"; fillcolor=${q(c.fill)}; color=${q(c.line)};`,
    ...ifs.map(
      (i) =>
        `    ${q(ifNode(ns, i.index))} [label=<${ifRow(i)}>, shape=box, style="rounded,filled", fillcolor="white", color=${q(c.line)}];`,
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
  const ns =
    end.ns === undefined ? (end.nsid === undefined ? own : undefined) : g.byKey.get(end.ns);
  const node = ns && ifNode(ns, end.index);
  return node && drawn.has(node) ? node : undefined;
}

/**
 * A bridge's members go down in staggered rows (as Graphviz's unflatten
 * does), about as many rows as members in a row, so a bridge of 50
 * containers is a block, not a line of 50 boxes.
 */
const rowsFor = (members: number) => Math.max(1, Math.ceil(Math.sqrt(members)));

/** The lines between interfaces: veth pairs once each, members to masters, children to parents. */
function wires(
  boxes: [Namespace, NetInterface[]][],
  g: ModelGraph,
  drawn: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  const total = new Map<string, number>(); // members of each master
  for (const [ns, ifs] of boxes)
    for (const i of ifs)
      if (i.master !== undefined) {
        const m = ifNode(ns, i.master);
        total.set(m, (total.get(m) ?? 0) + 1);
      }
  const members = new Map<string, number>(); // members of each master drawn so far
  for (const [ns, ifs] of boxes)
    for (const i of ifs) {
      const me = ifNode(ns, i.index);
      const master = i.master !== undefined ? ifNode(ns, i.master) : undefined;
      if (master && drawn.has(master)) {
        const k = members.get(master) ?? 0;
        members.set(master, k + 1);
        // the bridge above its members (the edge runs from it), in staggered rows
        out.push(
          `  ${q(master)} -> ${q(me)} [style=dashed, color=${q(LINE)}, minlen=${1 + (k % rowsFor(total.get(master)!))}];`,
        );
      }
      const peer = i.peer && endNode(ns, i.peer, g, drawn);
      // a pair once, from a bridge's port down to the other end (else from the id sorting first)
      const other = peer && i.peer!.ns !== undefined ? g.byKey.get(i.peer!.ns) : undefined;
      const otherIsPort =
        other?.interfaces?.find((x) => x.index === i.peer!.index)?.master !== undefined;
      const isPort = i.master !== undefined;
      const from = isPort !== otherIsPort ? isPort : peer !== undefined && me < peer;
      if (peer && from) {
        const style = i.peer!.inferred
          ? 'style=bold, color="#8a8a8a"'
          : `style=bold, color=${q(LINE)}`;
        out.push(`  ${q(me)} -> ${q(peer)} [${style}, penwidth=2];`);
      }
      const parent = i.parent && endNode(ns, i.parent, g, drawn);
      if (parent) out.push(`  ${q(me)} -> ${q(parent)} [style=dotted, color=${q(LINE)}];`);
    }
  return out;
}

/** How to read it, as the graph's label. */
function legend(model: Model, boxes: number, bare: readonly Namespace[]): string {
  const listed = bare.slice(0, MAX_LISTED).map((ns) => idText(ns));
  const more = bare.length - listed.length;
  const bareText = bare.length
    ? `<BR ALIGN="LEFT"/>${bare.length} more network namespace${bare.length > 1 ? 's' : ''} with no interface but lo: ` +
      `${listed.join(' ')}${more > 0 ? ` and ${more} more` : ''}`
    : '';
  return (
    `<<B>${dotText(model.host.hostname)}</B>: ${boxes} network namespace${boxes === 1 ? ' and its' : 's and their'} wiring<BR ALIGN="LEFT"/>` +
    'A box is a network namespace (what holds it, its container); a row one of its interfaces (lo is not drawn): ' +
    'name, kind, its state when not up, addresses.<BR ALIGN="LEFT"/>' +
    'Thick line: a veth pair (grey: inferred, the kernel gave no id to confirm it). ' +
    'Dashed: a member to its bridge or bond. Dotted: a vlan, macvlan or vxlan to its parent.' +
    `${bareText}<BR ALIGN="LEFT"/>>`
  );
}

/** The network wiring of `model` as DOT; namespaces whose interfaces were not read are left out. */
export function modelToNetDot(model: Model): string {
  const g = graphOf(model);
  const w = containerWords(g);
  const nets = sortedNamespaces(model.namespaces.filter((n) => n.type === 'net' && n.interfaces));
  const boxes: [Namespace, NetInterface[]][] = [];
  const bare: Namespace[] = [];
  for (const ns of nets) {
    const ifs = ns.interfaces!.filter((i) => i.kind !== 'loopback');
    if (ifs.length > 0) boxes.push([ns, ifs]);
    else bare.push(ns);
  }
  const drawn = new Set(boxes.flatMap(([ns, ifs]) => ifs.map((i) => ifNode(ns, i.index))));
  return [
    'digraph netns {',
    `  graph [rankdir=TB, fontname="Helvetica", fontsize=10, nodesep=0.2, ranksep=0.6, labelloc=t, labeljust=l, label=${legend(model, boxes.length, bare)}];`,
    '  node [fontname="Helvetica", fontsize=9, margin="0.08,0.03"];',
    '  edge [dir=none, arrowhead=none];',
    ...boxes.flatMap(([ns, ifs]) => box(ns, ifs, g, w)),
    ...wires(boxes, g, drawn),
    '}',
    '',
  ].join('\n');
}
