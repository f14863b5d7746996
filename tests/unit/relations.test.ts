/**
 * A namespace's relations and the walk along them (main/emit/relations.ts),
 * checked against the model's own fields: each expectation is worked out
 * here from the plain `parent` and `owner` links of the model's namespaces
 * (not through the indexes relations.ts reads), and the chain's edges
 * against the SVG Graphviz lays out of the DOT the viewer draws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToDot } from '../../main/emit';
import {
  belowOf,
  nextWired,
  relatedKeys,
  relationsOf,
  stepDown,
  stepsBelow,
  stepUp,
  topsOf,
  upOf,
} from '../../main/emit/relations';
import { loadGraphviz } from '../../main/layout';
import { graphOf, type Model, type Namespace, type NsKey } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { enginesModel, hostileModel, seedModel } from './fixtures/dot-models';

const MODELS: [string, () => Model][] = [
  ['seed', seedModel],
  ['hostile', hostileModel],
  ['engines', enginesModel],
  ['synthetic 400', () => syntheticModel(400)],
];

const chained = (n: Namespace) => n.type === 'user' || n.type === 'pid';

/** The model's facts about `key`, from its fields alone. */
function expected(model: Model, key: NsKey) {
  const byKey = new Map(model.namespaces.map((n) => [n.key, n]));
  const ns = byKey.get(key)!;
  const ancestors: NsKey[] = [];
  let up = chained(ns) ? ns.parent : ns.owner;
  while (up !== undefined && byKey.has(up) && !ancestors.includes(up) && up !== key) {
    ancestors.push(up);
    up = byKey.get(up)!.parent;
  }
  const children = model.namespaces.filter((n) => n.parent === key).map((n) => n.key);
  const owned =
    ns.type === 'user'
      ? model.namespaces
          .filter((n) => n.owner === key && n.parent !== key && n.key !== key)
          .map((n) => n.key)
      : [];
  const owner =
    ns.type === 'pid' && ns.owner !== undefined && byKey.has(ns.owner) ? ns.owner : undefined;
  return { ancestors, owner, children, owned };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

test("relations: ancestors up to the root, a PID namespace's owner, children, what it owns", () => {
  for (const [name, make] of MODELS) {
    const model = make();
    const g = graphOf(model);
    for (const ns of model.namespaces) {
      const r = relationsOf(g, ns.key)!;
      const want = expected(model, ns.key);
      const at = `${name}: ${ns.key}`;
      assert.deepEqual(r.ancestors, want.ancestors, `${at} ancestors, nearest first`);
      assert.equal(r.owner, want.owner, `${at} owner`);
      assert.deepEqual(sorted(r.children), sorted(want.children), `${at} children`);
      assert.deepEqual(sorted(r.owned), sorted(want.owned), `${at} owned`);
      assert.equal(relatedKeys(r).includes(ns.key), false, `${at} not related to itself`);
    }
  }
  assert.equal(relationsOf(graphOf(seedModel()), 'user:1' as NsKey), undefined);
});

test('relations of the seed model, spelled out', () => {
  const model = seedModel();
  const g = graphOf(model);
  const [uroot, proot, u1, u2, u3, p1] = model.namespaces.map((n) => n.key);
  // a PID namespace in a nested user namespace: the host's PID namespace up, the user namespace as owner
  assert.deepEqual(relationsOf(g, p1!), {
    ancestors: [proot],
    owner: u3,
    children: [],
    owned: [],
    links: [
      [p1, proot],
      [p1, u3],
    ],
  });
  // the innermost user namespace: its whole chain to the root, and the PID namespace it owns
  assert.deepEqual(relationsOf(g, u3!), {
    ancestors: [u2, u1, uroot],
    owner: undefined,
    children: [],
    owned: [p1],
    links: [
      [u3, u2],
      [u2, u1],
      [u1, uroot],
      [p1, u3],
    ],
  });
  assert.deepEqual(relationsOf(g, uroot!)!.children, [u1]);
  assert.deepEqual(relationsOf(g, uroot!)!.owned, [proot]);
});

test('a flat namespace: its owner and that one’s parents are its ancestors', () => {
  const model = syntheticModel(400);
  const g = graphOf(model);
  // a container's net namespace, in a user namespace nested in another container's
  const net = model.namespaces.find(
    (n) => n.type === 'net' && n.owner !== undefined && g.byKey.get(n.owner)!.parent !== undefined,
  )!;
  const owner = g.byKey.get(net.owner!)!;
  const r = relationsOf(g, net.key)!;
  assert.equal(r.ancestors[0], owner.key);
  assert.equal(r.ancestors[1], owner.parent);
  assert.equal(r.ancestors.at(-1), 'user:4026531837', 'up to the root');
  assert.deepEqual(r.links[0], [net.key, owner.key]);
});

/**
 * Every link is an edge of the drawing: Graphviz's SVG of the viewer's DOT
 * (with the flat namespaces) has an edge from the lower one's node (or the
 * table it is a row of) to the upper one's.
 */
test('each link is an edge the drawing has, by the ids the page looks up', async () => {
  const gv = await loadGraphviz();
  for (const [name, make] of MODELS) {
    const model = make();
    const g = graphOf(model);
    const svg = gv.layout(modelToDot(model, { details: true }), 'svg', 'dot');
    const ids = (re: RegExp) =>
      new Set([...svg.matchAll(re)].map((m) => m[1]!.replace(/&#45;/g, '-')));
    const edges = ids(/<g id="(e__[^"]+)" class="edge"/g);
    const nodes = ids(/<g id="([^"]+)" class="node[^"]*"/g);
    // a table row's node: the node group around `<g id="a_row-KEY">`
    const tableOf = new Map<string, string>();
    for (const m of svg.matchAll(/<g id="([^"]+)" class="node[^"]*">([\s\S]*?)<\/g>\n<!--/g)) {
      for (const r of m[2]!.matchAll(/<g id="a_row&#45;([^"]+)">/g))
        tableOf.set(r[1]!.replace(/&#45;/g, '-'), m[1]!.replace(/&#45;/g, '-'));
    }
    const nodeOf = (k: NsKey) => {
      const id = k.replace(':', '-');
      return nodes.has(id) ? id : tableOf.get(id);
    };
    let checked = 0;
    for (const ns of model.namespaces) {
      for (const [a, b] of relationsOf(g, ns.key)!.links) {
        const [x, y] = [nodeOf(a), nodeOf(b)];
        assert.ok(x && y, `${name}: ${a} and ${b} are drawn`);
        assert.ok(edges.has(`e__${x}__${y}`), `${name}: an edge ${x} -> ${y} (${ns.key})`);
        checked++;
      }
    }
    assert.ok(checked > 0, name);
  }
});

test('the walk: one step up is the parent, else the owner; below is its inverse', () => {
  for (const [name, make] of MODELS) {
    const model = make();
    const g = graphOf(model);
    const byKey = new Map(model.namespaces.map((n) => [n.key, n]));
    for (const ns of model.namespaces) {
      const up = ns.parent !== undefined && byKey.has(ns.parent) ? ns.parent : ns.owner;
      assert.equal(upOf(g, ns.key), up !== undefined && byKey.has(up) ? up : undefined, ns.key);
      const below = model.namespaces.filter((n) => upOf(g, n.key) === ns.key).map((n) => n.key);
      assert.deepEqual(sorted(belowOf(g, ns.key)), sorted(below), `${name}: below ${ns.key}`);
    }
  }
});

/** Every namespace `stepDown` reaches from the first top, in order. */
function walkAll(g: ReturnType<typeof graphOf>, shown: (k: NsKey) => boolean): NsKey[] {
  const tops = topsOf(g).flatMap((t) => (shown(t) ? [t] : stepsBelow(g, t, shown)));
  const out: NsKey[] = [];
  for (let k: NsKey | undefined = tops[0]; k !== undefined; k = stepDown(g, k, shown)) {
    assert.ok(!out.includes(k), `visited twice: ${k}`);
    out.push(k);
  }
  return out;
}

test('] walks every namespace shown once, depth first; [ climbs to the root user namespace', () => {
  for (const [name, make] of MODELS) {
    const model = make();
    const g = graphOf(model);
    const all = walkAll(g, () => true);
    assert.deepEqual(sorted(all), sorted(model.namespaces.map((n) => n.key)), name);
    // depth first: each one after the first is below the one before, or below one of its ancestors
    for (let i = 1; i < all.length; i++) {
      const up = upOf(g, all[i]!);
      if (up === undefined) continue;
      const chain: NsKey[] = [all[i - 1]!];
      for (let u = upOf(g, all[i - 1]!); u !== undefined; u = upOf(g, u)) chain.push(u);
      assert.ok(chain.includes(up), `${name}: ${all[i]} follows ${all[i - 1]}`);
    }
    // only user and PID namespaces shown (the viewer without -d): the walk passes over the rest
    const byKey = new Map(model.namespaces.map((n) => [n.key, n]));
    const chainOnly = (k: NsKey) => chained(byKey.get(k)!);
    assert.deepEqual(
      sorted(walkAll(g, chainOnly)),
      sorted(model.namespaces.filter(chained).map((n) => n.key)),
      `${name}: user and PID only`,
    );
    for (const ns of model.namespaces) {
      const up = stepUp(g, ns.key, () => true);
      assert.equal(up, upOf(g, ns.key));
    }
  }
  const model = seedModel();
  const g = graphOf(model);
  const [uroot, proot, , , , p1] = model.namespaces.map((n) => n.key);
  assert.equal(
    stepUp(g, p1!, () => true),
    proot,
  );
  assert.equal(
    stepUp(g, proot!, () => true),
    uroot,
    'a root PID namespace: up to its owner',
  );
  assert.equal(
    stepUp(g, uroot!, () => true),
    undefined,
  );
  // a step passes over what is not shown: u2 is hidden away
  const [, , u1, u2, u3] = model.namespaces.map((n) => n.key);
  const noU2 = (k: NsKey) => k !== u2;
  assert.equal(stepUp(g, u3!, noU2), u1);
  assert.deepEqual(stepsBelow(g, u1!, noU2), [u3]);
  assert.equal(stepDown(g, u1!, noU2), u3);
});

test('in the wiring, ] leads on along the wires, never straight back', () => {
  const [a, b, c] = ['net:1', 'net:2', 'net:3'] as [NsKey, NsKey, NsKey];
  assert.equal(nextWired([a, b, c], undefined, undefined), a);
  assert.equal(nextWired([a, b, c], a, undefined), b, 'not back where it came from');
  assert.equal(nextWired([a, b, c], undefined, a), b, 'back from a: the next after it');
  assert.equal(nextWired([a, b, c], a, b), c);
  assert.equal(nextWired([a, b, c], undefined, c), undefined, 'no wire left');
  assert.equal(nextWired([a], a, undefined), undefined, 'the only wire is the way back');
});
