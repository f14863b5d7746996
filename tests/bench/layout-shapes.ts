/**
 * Plain DOT text of the shapes that find Graphviz's limits (issue 21): a
 * star of N leaves under one parent, a chain N deep, a binary tree. Each
 * node and edge is written the way main/emit/dot.ts writes a user
 * namespace (rankdir=BT, newrank, one cluster, an HTML-like label of a
 * holder line, an id line in Courier and an owner line; leaves of a large
 * fan staggered over up to 4 rows with minlen, as staggerLeaves does), but
 * written here, so that the limits measured do not move when the emitter
 * does. Used by tests/bench/layout-limits.ts and the layout-* tests.
 */

/** Graph-level attributes graphns writes (main/emit/dot.ts graphHead), without the legend. */
const HEAD =
  '  graph [rankdir=BT, newrank=true, fontname="Helvetica", fontsize=10, nodesep=0.2, ' +
  'ranksep=0.4, labelloc=t, labeljust=l, label="namespaces"];\n' +
  '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, ' +
  'margin="0.1,0.04", penwidth=1];\n' +
  '  edge [arrowsize=0.6, penwidth=1];\n';

/** Options for the shapes. */
export interface ShapeOptions {
  /** Extra graph attributes, e.g. `nslimit=2` (written after graphns's own, so they win). */
  attrs?: string;
  /** Stagger a fan's leaves over rows as graphns does (default true). */
  stagger?: boolean;
  /** Stagger over this many rows instead of graphns's (at most 4). */
  rows?: number;
}

function key(i: number): string {
  return `user:${4026532000 + i}`;
}

/** One user namespace node, as graphns's nodeLine writes one held by a process. */
function node(i: number): string {
  const k = key(i);
  const label =
    `sandbox-${i} (${10000 + i})<BR/>` +
    `<FONT FACE="Courier" POINT-SIZE="9">user:[${4026532000 + i}]</FONT><BR/>` +
    `<FONT POINT-SIZE="9" COLOR="#555555">uid 1000 user</FONT>`;
  return (
    `    "${k}" [id="${k.replace(':', '-')}", class="ns t-user o-process", ` +
    `fillcolor="#dbe8fa", color="#3a6cb0", label=<${label}>];\n`
  );
}

function edge(from: number, to: number, minlen = 1): string {
  const a = key(from);
  const b = key(to);
  const len = minlen > 1 ? `, minlen=${minlen}` : '';
  return `  "${a}" -> "${b}" [id="e-${a.replace(':', '-')}-${b.replace(':', '-')}", color="#3a6cb0"${len}];\n`;
}

function graph(nodes: number, edges: string[], o: ShapeOptions): string {
  const parts = ['digraph namespaces {\n', HEAD];
  if (o.attrs) parts.push(`  graph [${o.attrs}];\n`);
  parts.push('  subgraph cluster_user {\n');
  parts.push(
    '    graph [label="user namespaces", labelloc=b, style="rounded,filled", ' +
      'fillcolor="#f4f8fe", color="#3a6cb0", fontcolor="#3a6cb0", fontsize=12];\n',
  );
  for (let i = 0; i < nodes; i++) parts.push(node(i));
  parts.push('  }\n');
  parts.push(...edges);
  parts.push('}\n');
  return parts.join('');
}

/** The rows graphns staggers `n` leaves of one parent over (main/emit/dot.ts staggerLeaves). */
export function staggerRows(n: number): number {
  return n < 5 ? 1 : Math.min(4, Math.max(2, Math.ceil(n / 5)));
}

/** A parent (node 0) with `n` leaves. */
export function starDot(n: number, o: ShapeOptions = {}): string {
  const rows = o.stagger === false ? 1 : (o.rows ?? staggerRows(n));
  const edges: string[] = [];
  for (let i = 0; i < n; i++) edges.push(edge(i + 1, 0, 1 + (i % rows)));
  return graph(n + 1, edges, o);
}

/** `n` nodes, each the child of the one before: n - 1 edges, n ranks. */
export function chainDot(n: number, o: ShapeOptions = {}): string {
  const edges: string[] = [];
  for (let i = 1; i < n; i++) edges.push(edge(i, i - 1));
  return graph(n, edges, o);
}

/** A complete binary tree of `n` nodes (node i's parent is (i - 1) / 2). */
export function binaryTreeDot(n: number, o: ShapeOptions = {}): string {
  const edges: string[] = [];
  for (let i = 1; i < n; i++) edges.push(edge(i, (i - 1) >> 1));
  return graph(n, edges, o);
}

/** The shapes by name, for the bench's command line. */
export const SHAPES = { star: starDot, chain: chainDot, tree: binaryTreeDot } as const;
export type ShapeName = keyof typeof SHAPES;
