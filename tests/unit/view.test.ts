/**
 * The viewer's filters (main/emit/view.ts) and the DOT they give: each
 * filter's expectation is computed here from the model's own facts
 * (processes' namespace links, containers' PIDs, parents and owners), and
 * what the DOT draws is read back by Graphviz's parser, not by matching
 * our text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToDot, podKey, selectView, type ViewFilter } from '../../main/emit';
import { loadGraphviz } from '../../main/layout';
import { graphOf, type Model, type NsKey, type NsTypeName } from '../../main/model';
import { NS_TYPES } from '../../main/relations/constants';
import { enginesModel, podModel, seedModel } from './fixtures/dot-models';

const ALL = new Set<NsTypeName>(NS_TYPES);
const filter = (f: Partial<ViewFilter> = {}): ViewFilter => ({
  types: ALL,
  hideEmpty: false,
  collapsed: new Set(),
  ...f,
});

/**
 * The namespaces the laid-out SVG shows, by the ids the page uses: a node's
 * `<g id="user-4026531837" class="node ...">`, a group member's
 * `<g id="a_row-net-4026531840">` (Graphviz's own output, not our DOT text).
 */
async function drawnKeys(model: Model, f: ViewFilter): Promise<Set<string>> {
  const gv = await loadGraphviz();
  const svg = gv.layout(
    modelToDot(model, { details: false, view: selectView(graphOf(model), f) }),
    'svg',
    'dot',
  );
  const keys = new Set<string>();
  const unid = (id: string) => id.replace('&#45;', '-').replace('-', ':');
  for (const m of svg.matchAll(/<g id="([a-z]+&#45;\d+)" class="node/g)) keys.add(unid(m[1]!));
  for (const m of svg.matchAll(/<g id="a_row&#45;([a-z]+&#45;\d+)">/g)) keys.add(unid(m[1]!));
  return keys;
}

/** Ancestors of a namespace by the model's parent and owner links. */
function ancestorsOf(model: Model, key: NsKey): NsKey[] {
  const byKey = new Map(model.namespaces.map((n) => [n.key, n]));
  const out: NsKey[] = [];
  const start = byKey.get(key)!;
  let up = start.type === 'user' || start.type === 'pid' ? start.parent : start.owner;
  while (up !== undefined && byKey.has(up) && !out.includes(up)) {
    out.push(up);
    up = byKey.get(up)!.parent;
  }
  return out;
}

test('no filter draws every namespace of the model', async () => {
  const model = enginesModel();
  const drawn = await drawnKeys(model, filter());
  assert.deepEqual([...drawn].sort(), model.namespaces.map((n) => n.key).sort());
});

test('hiding types draws exactly the namespaces of the other types', async () => {
  const model = enginesModel();
  for (const types of [
    ['user'],
    ['pid'],
    ['net', 'user'],
    ['mnt', 'uts', 'ipc'],
  ] as NsTypeName[][]) {
    const drawn = await drawnKeys(model, filter({ types: new Set(types) }));
    const want = model.namespaces.filter((n) => types.includes(n.type)).map((n) => n.key);
    assert.deepEqual([...drawn].sort(), want.sort(), types.join(','));
  }
});

test("hide empty drops namespaces no process or thread is in, keeping their descendants' ancestors", () => {
  const model = seedModel();
  const g = graphOf(model);
  const v = selectView(g, filter({ hideEmpty: true }));
  const inhabited = model.namespaces.filter((n) => n.pids.length + n.tasks.length > 0);
  assert.ok(inhabited.length < model.namespaces.length, 'the fixture has empty namespaces');
  for (const ns of model.namespaces) {
    const needed = inhabited.some((i) => ancestorsOf(model, i.key).includes(ns.key));
    const want = ns.pids.length + ns.tasks.length > 0 || needed;
    assert.equal(v.shown.has(ns.key), want, ns.key);
    assert.equal(v.context.has(ns.key), !(ns.pids.length + ns.tasks.length > 0) && needed, ns.key);
  }
});

test('one container shows the namespaces of its processes, and their ancestors as context', () => {
  const model = enginesModel();
  const g = graphOf(model);
  for (const c of model.containers) {
    const own = new Set<NsKey>();
    for (const pid of c.pids) {
      const p = model.processes.find((x) => x.pid === pid)!;
      for (const k of Object.values(p.ns)) own.add(k);
    }
    const v = selectView(g, filter({ scope: { kind: 'container', key: c.key } }));
    const want = new Set(own);
    for (const k of own) for (const a of ancestorsOf(model, k)) want.add(a);
    assert.deepEqual([...v.shown].sort(), [...want].sort(), c.key);
    for (const k of v.context) assert.ok(!own.has(k), `${k} is the container's own, not context`);
  }
});

test('a pod and an engine scope keep what their containers hold', () => {
  const model = podModel();
  const g = graphOf(model);
  const pod = model.containers[0]!.pod!;
  const v = selectView(g, filter({ scope: { kind: 'pod', pod: podKey(pod) } }));
  const members = model.containers.filter((c) => c.pod && podKey(c.pod) === podKey(pod));
  assert.equal(members.length, 3);
  for (const c of members) {
    for (const pid of c.pids) {
      const p = model.processes.find((x) => x.pid === pid)!;
      for (const k of Object.values(p.ns)) assert.ok(v.shown.has(k), `${c.key} ${k}`);
    }
  }
  const none = selectView(g, filter({ scope: { kind: 'engine', engine: 'docker' } }));
  assert.equal(none.shown.size, 0, 'no docker containers in a kubernetes pod fixture');
});

test('collapsing a user namespace folds its subtree and what it owns, and counts them', async () => {
  const model = seedModel();
  const root = model.namespaces.find((n) => n.type === 'user' && n.parent === undefined)!;
  const v = selectView(graphOf(model), filter({ collapsed: new Set([root.key]) }));
  // everything but the root user namespace and the PID tree is below it
  const want = model.namespaces.filter((n) => n.type === 'pid' || n.key === root.key);
  assert.deepEqual([...v.shown].sort(), want.map((n) => n.key).sort());
  assert.equal(v.folded.get(root.key), model.namespaces.length - want.length);
  const dot = modelToDot(model, { details: false, view: v });
  assert.match(dot, new RegExp(`${model.namespaces.length - want.length} more below, collapsed`));
  const drawn = await drawnKeys(model, filter({ collapsed: new Set([root.key]) }));
  assert.deepEqual([...drawn].sort(), want.map((n) => n.key).sort());
});

test('a fold inside a folded subtree is not counted twice', () => {
  const model = seedModel();
  const users = model.namespaces.filter((n) => n.type === 'user');
  const root = users.find((n) => n.parent === undefined)!;
  const inner = users.find((n) => n.parent === root.key)!;
  const once = selectView(graphOf(model), filter({ collapsed: new Set([root.key]) }));
  const twice = selectView(graphOf(model), filter({ collapsed: new Set([inner.key, root.key]) }));
  assert.deepEqual([...twice.shown].sort(), [...once.shown].sort());
  assert.deepEqual([...twice.folded], [...once.folded]);
});
