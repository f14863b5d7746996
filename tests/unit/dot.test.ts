/**
 * modelToDot: golden DOT for small hand-made models (every origin, every
 * hostile name), determinism, and proof from Graphviz itself (native dot
 * and the WASM build) that no name added a node, an edge or an attribute.
 *
 * Regenerate the goldens with `UPDATE_GOLDEN=1 node tests/run.mjs dot.test`,
 * then read the diff: a golden is only as good as the eye that checked it.
 * With CI set, UPDATE_GOLDEN is refused: the whole file fails at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dotText, modelToDot } from '../../main/emit';
import { loadGraphviz } from '../../main/layout';
import type { Model } from '../../main/model';
import { unmetNeed } from '../helpers/need';
import {
  crowdedModel,
  enginesModel,
  HOSTILE_NAMES,
  hostileModel,
  manyModel,
  netnsModel,
  podmanModel,
  podModel,
  seedModel,
} from './fixtures/dot-models';

const GOLDEN = join(import.meta.dirname, '..', 'golden');
const NATIVE_DOT = '/usr/bin/dot';
const update = process.env.UPDATE_GOLDEN === '1';
// In CI the goldens are what is checked, never what the code under test just wrote.
if (update && process.env.CI) throw new Error('UPDATE_GOLDEN is refused when CI is set');

const models: Record<string, () => Model> = {
  seed: seedModel,
  hostile: hostileModel,
  crowded: () => crowdedModel(40),
  // containers (issue 10): see fixtures/dot-models.ts for what each one holds
  podman: podmanModel,
  pod: podModel,
  engines: enginesModel,
  netns: netnsModel,
  many: () => manyModel(25),
};

for (const [name, make] of Object.entries(models)) {
  for (const details of [false, true]) {
    const file = `${name}${details ? '-details' : ''}.dot`;
    test(`golden ${file}`, () => {
      const dot = modelToDot(make(), { details });
      const path = join(GOLDEN, file);
      if (update) writeFileSync(path, dot);
      assert.ok(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(dot, readFileSync(path, 'utf8'));
    });
  }
}

test('same model, same DOT, whatever order the model lists things in', () => {
  const a = hostileModel();
  const b = hostileModel();
  b.namespaces.reverse();
  b.processes.reverse();
  for (const details of [false, true]) {
    assert.equal(modelToDot(a, { details }), modelToDot(b, { details }));
  }
});

test('the DOT is valid UTF-8: no lone surrogate survives', () => {
  for (const make of Object.values(models)) {
    const dot = modelToDot(make(), { details: true });
    assert.equal(Buffer.from(dot, 'utf8').toString('utf8'), dot);
    assert.doesNotMatch(
      dot,
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
    );
  }
});

test('dotText leaves no markup, quote, line break, control character or lone backslash', () => {
  for (const [kind, name] of Object.entries(HOSTILE_NAMES)) {
    const t = dotText(name);
    assert.doesNotMatch(t, /[<>"\n\r\u0000-\u001f\u007f-\u009f\u202e\ufffe\uffff]/u, kind);
    assert.doesNotMatch(t, /[\ud800-\udfff]/u, kind); // with u, only lone surrogates match
    // every backslash is doubled, so Graphviz sees no \N, \l, \n escape
    assert.equal(t.replace(/\\\\/g, '').includes('\\'), false, kind);
    // every & starts an entity we wrote
    assert.doesNotMatch(t.replace(/&(amp|lt|gt|quot);/g, ''), /&/, kind);
  }
});

test('dotText cuts long names and paths, keeping a valid string', () => {
  const long = `${'x'.repeat(100)}\u{1f600}`;
  assert.equal([...dotText(long)].length, 40);
  assert.ok(dotText(long).endsWith('\u2026'));
  assert.ok(dotText(`/${'d/'.repeat(50)}end`, 'end').endsWith('d/end'));
  assert.ok(dotText(`/${'d/'.repeat(50)}end`, 'end').startsWith('\u2026'));
});

/** Node names, edges (tail -> head) and cluster names, as Graphviz parsed them. */
interface Parsed {
  nodes: string[];
  edges: string[];
  clusters: string[];
  attrs: Set<string>;
}

interface GvJson {
  objects?: { name: string; nodes?: number[]; [k: string]: unknown }[];
  edges?: { tail: number; head: number; [k: string]: unknown }[];
}

/** Graphviz's own reading of a DOT text, from its json output (`-Tjson`, any version). */
function readJson(text: string): Parsed {
  const j = JSON.parse(text) as GvJson;
  const objects = j.objects ?? [];
  // subgraphs carry a nodes list: the clusters, and the anonymous rank=same one
  const isSubgraph = (o: { nodes?: number[] }) => Array.isArray(o.nodes);
  const attrs = new Set<string>();
  for (const o of [...objects, ...(j.edges ?? [])]) for (const k of Object.keys(o)) attrs.add(k);
  return {
    nodes: objects.filter((o) => !isSubgraph(o)).map((o) => o.name),
    clusters: objects
      .filter((o) => isSubgraph(o) && o.name.startsWith('cluster'))
      .map((o) => o.name),
    edges: (j.edges ?? []).map((e) => `${objects[e.tail]!.name} -> ${objects[e.head]!.name}`),
    attrs,
  };
}

/** What the model says should be drawn, independent of modelToDot. */
function expected(model: Model, details: boolean): { nodes: string[]; edges: string[] } {
  const keys = new Set(model.namespaces.map((n) => n.key));
  const nodes: string[] = [];
  const edges: string[] = [];
  for (const n of model.namespaces) {
    if (n.type !== 'user' && n.type !== 'pid') continue;
    nodes.push(n.key);
    if (n.parent && keys.has(n.parent)) edges.push(`${n.key} -> ${n.parent}`);
    if (n.type === 'pid' && n.owner && keys.has(n.owner)) edges.push(`${n.key} -> ${n.owner}`);
  }
  if (details) {
    const groups = new Map<string, { owner: string | undefined; members: string[] }>();
    for (const n of model.namespaces) {
      if (n.type === 'user' || n.type === 'pid') continue;
      const owner = n.owner && keys.has(n.owner) ? n.owner : undefined;
      const id = `owned:${owner ?? 'none'}:${n.type}`;
      const g = groups.get(id) ?? { owner, members: [] };
      g.members.push(n.key);
      groups.set(id, g);
    }
    for (const [id, { owner, members }] of groups) {
      const node = members.length === 1 ? members[0]! : id;
      nodes.push(node);
      if (owner) edges.push(`${node} -> ${owner}`);
    }
  }
  return { nodes: nodes.sort(), edges: edges.sort() };
}

/** Attributes our DOT may set; anything else came from somewhere it should not. */
const OUR_ATTRS = new Set([
  // json output bookkeeping and layout results
  ...['name', '_gvid', '_draw_', '_ldraw_', '_hdraw_', '_tdraw_', '_hldraw_', '_tldraw_'],
  ...[
    'nodes',
    'edges',
    'subgraphs',
    'tail',
    'head',
    'pos',
    'width',
    'height',
    'bb',
    'lp',
    'lwidth',
    'lheight',
  ],
  ...['xdotversion', 'directed', 'strict', '_subgraph_cnt', 'compound', 'objects'],
  // what modelToDot writes
  ...['rankdir', 'newrank', 'fontname', 'fontsize', 'nodesep', 'ranksep', 'labelloc', 'labeljust'],
  ...['label', 'shape', 'style', 'margin', 'penwidth', 'arrowsize', 'id', 'fillcolor', 'color'],
  ...['fontcolor', 'constraint', 'rank', 'minlen', 'class'],
]);

function checkParsed(p: Parsed, model: Model, details: boolean, who: string) {
  const want = expected(model, details);
  assert.deepEqual([...p.nodes].sort(), want.nodes, `${who}: nodes`);
  assert.deepEqual([...p.edges].sort(), want.edges, `${who}: edges`);
  assert.deepEqual([...p.clusters].sort(), ['cluster_pid', 'cluster_user'], `${who}: clusters`);
  const stray = [...p.attrs].filter((a) => !OUR_ATTRS.has(a));
  assert.deepEqual(stray, [], `${who}: attributes nobody asked for`);
}

for (const details of [false, true]) {
  test(`native Graphviz reads exactly the intended graph (details: ${details})`, (t) => {
    if (!existsSync(NATIVE_DOT))
      return t.skip(unmetNeed('native Graphviz (apt-get install graphviz) is missing'));
    const model = hostileModel();
    const r = spawnSync(NATIVE_DOT, ['-Tjson'], {
      input: modelToDot(model, { details }),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /error|warning/i);
    checkParsed(readJson(r.stdout), model, details, 'native dot');
  });

  test(`Graphviz WASM parses exactly the intended graph (details: ${details})`, async () => {
    // the WASM build's json renderer reads past a buffer on HTML-label graphs (Graphviz
    // 16.1), so ask its parser instead: the graph it read, node by node and edge by edge
    const gv = await loadGraphviz();
    const model = hostileModel();
    const graph = gv.read(modelToDot(model, { details }));
    try {
      const want = expected(model, details);
      assert.deepEqual([...graph.nodeNames()].sort(), want.nodes);
      const edges = graph.edges().map((e) => `${e.tail} -> ${e.head}`);
      assert.deepEqual(edges.sort(), want.edges);
      // the library strips the cluster_ prefix it adds itself
      assert.deepEqual(
        graph
          .subgraphNames()
          .filter((n) => !n.startsWith('%'))
          .sort(),
        ['pid', 'user'],
      );
    } finally {
      graph.delete();
    }
  });
}

test('a name cannot become a node even where it spells DOT syntax', () => {
  const dot = modelToDot(hostileModel(), { details: true });
  // the only quoted node ids are namespace keys and group ids
  const ids = [...dot.matchAll(/^\s+"([^"]*)" \[/gm)].map((m) => m[1]);
  for (const id of ids)
    assert.match(id!, /^((user|pid|net|mnt|uts|ipc|cgroup|time):\d+|owned:.*)$/);
  assert.equal(dot.includes('pwned"'), false);
});

test(
  'UPDATE_GOLDEN with CI set fails the run and rewrites no golden',
  // the run below has UPDATE_GOLDEN set, and must not start another one
  { skip: update && 'this run updates the goldens' },
  () => {
    const mtimes = () => readdirSync(GOLDEN).map((f) => statSync(join(GOLDEN, f)).mtimeMs);
    const before = mtimes();
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', fileURLToPath(import.meta.url)],
      // NODE_TEST_CONTEXT would make the child report to this runner instead of exiting
      {
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, CI: 'true', UPDATE_GOLDEN: '1' },
        encoding: 'utf8',
      },
    );
    assert.notEqual(r.status, 0, 'the run passed');
    assert.match(r.stdout + r.stderr, /UPDATE_GOLDEN is refused when CI is set/);
    assert.deepEqual(mtimes(), before, 'a golden was written');
  },
);
