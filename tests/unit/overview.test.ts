/**
 * The overview (main/emit/overview.ts): a large graph drawn small enough to
 * lay out in a second, with nothing lost. Every namespace must be drawn, a
 * member of a group, below a group's member, or folded below a drawn one,
 * and the counts the legend says must add up to what the model holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawDot, modelToDot } from '../../main/emit/dot';
import {
  applyOverview,
  FAN_FROM,
  OPEN_PAGE,
  OVERVIEW_BUDGET,
  revealKeys,
  SAMPLE,
  WIDE_FAN,
} from '../../main/emit/overview';
import { selectView, type ViewFilter, type ViewSelection } from '../../main/emit/view';
import { graphOf } from '../../main/model/graph';
import type { Model, NsKey } from '../../main/model/types';
import { NS_TYPES } from '../../main/relations/constants';
import { shapeModel, syntheticModel } from '../bench/synthetic';
import { HOSTILE_NAMES, starModel as star } from './fixtures/dot-models';

const everything = (o: ViewFilter['overview'] = {}): ViewFilter => ({
  types: new Set(NS_TYPES),
  hideEmpty: false,
  collapsed: new Set(),
  overview: o,
});

/** Every namespace is accounted for once: drawn, in a group, below a group, or folded. */
function assertAccounted(model: Model, sel: ViewSelection): void {
  const g = graphOf(model);
  const fans = sel.fans ?? [];
  const members = new Set(fans.flatMap((f) => f.members));
  for (const k of members) assert.ok(!sel.shown.has(k), `${k} is both drawn and grouped`);
  const grouped = fans.reduce((a, f) => a + f.members.length + f.below, 0);
  const folded = [...sel.folded.values()].reduce((a, b) => a + b, 0);
  assert.equal(sel.shown.size + grouped + folded, model.namespaces.length);
  assert.equal(sel.overview?.grouped, grouped);
  assert.equal(sel.overview?.drawn, sel.shown.size);
  // a group hangs under a drawn namespace, and a folded one is drawn
  for (const f of fans) {
    if (f.parent !== undefined)
      assert.ok(sel.shown.has(f.parent), `${f.id} hangs under nothing drawn`);
  }
  for (const k of sel.folded.keys()) assert.ok(sel.shown.has(k));
  // what is hidden lies below a group's member or a folded namespace
  const anchors = new Set<NsKey>([...members, ...sel.folded.keys()]);
  for (const ns of model.namespaces) {
    if (sel.shown.has(ns.key) || members.has(ns.key)) continue;
    let up = g.byKey.get(
      ns.type === 'user' || ns.type === 'pid' ? ns.parent! : (ns.owner ?? ns.parent!),
    );
    while (up && !anchors.has(up.key)) up = up.parent ? g.byKey.get(up.parent) : undefined;
    assert.ok(up, `${ns.key} is hidden but lies below no group and no fold`);
  }
}

test('a star of 20 000 user namespaces is drawn as a handful of boxes, every one accounted for', () => {
  const model = star(20000, (i) => (i % 4 === 0 ? 'bwrap' : 'chromium'));
  const sel = selectView(graphOf(model), everything());
  assert.ok(sel.overview, 'the overview is drawn by size');
  assert.equal(sel.overview.forced, false);
  assertAccounted(model, sel);
  const fans = sel.fans ?? [];
  // one group per kind under the root: chromium's 15 000 and bwrap's 5 000
  // the first SAMPLE of each kind are drawn beside their group, as examples
  assert.deepEqual(fans.map((f) => [f.kind, f.members.length, f.below, f.opened]).sort(), [
    ['bwrap', 5000 - SAMPLE, 5000 - SAMPLE, SAMPLE],
    ['chromium', 15000 - SAMPLE, 15000 - SAMPLE, SAMPLE],
  ]);
  const { dot, overview } = drawDot(model, { details: true });
  assert.ok(overview);
  assert.ok((dot.match(/^\s+"[^"]+" \[id=/gm) ?? []).length < 20, 'a few boxes, not 40 000');
  assert.match(dot, /class="fan t-user"/);
  assert.match(dot, /14,998 more user namespaces/);
  assert.match(dot, /<B>Overview<\/B> of 40,002 namespaces/);
});

test('a graph within the budget is drawn as before, unless the overview is asked for', () => {
  const model = syntheticModel(1000);
  const plain = modelToDot(model, { details: true });
  assert.equal(drawDot(model, { details: true }).overview, undefined);
  assert.equal(plain, modelToDot(model, { details: true, overview: 'off' }));
  const asked = drawDot(model, { details: true, overview: 'on' });
  assert.equal(asked.overview?.forced, true);
  assert.notEqual(asked.dot, plain);
  const sel = selectView(graphOf(model), everything({ mode: 'on' }));
  assertAccounted(model, sel);
  // a 20 000 graph drawn in full when asked
  const big = star(20000, () => 'x');
  assert.equal(selectView(graphOf(big), everything({ mode: 'off' })).shown.size, 40002);
});

test('siblings below FAN_FROM are drawn as themselves; kinds of one member share a group', () => {
  const few = star(FAN_FROM - 1, (i) => `p${i}`);
  const sel = applyOverview(graphOf(few), selectView(graphOf(few), everything({ mode: 'off' })), {
    mode: 'on',
  });
  assert.equal(sel.fans?.length, 0);
  assert.equal(sel.shown.size, few.namespaces.length);
  // 30 unique names: one "various" group, not 30 boxes
  const many = star(30, (i) => `unique-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? 'x' : ''}`);
  const sel2 = selectView(graphOf(many), everything({ mode: 'on' }));
  assert.deepEqual(
    sel2.fans?.map((f) => [f.kind, f.members.length]),
    [['various', 30 - SAMPLE]],
  );
  assertAccounted(many, sel2);
  // the group names a few of them
  assert.deepEqual(sel2.fans?.[0]?.some, ['unique-a', 'unique-b', 'unique-c']);
  assert.match(
    modelToDot(many, { details: true, overview: 'on' }),
    /of various processes: unique-a, unique-b, unique-c, \u2026/,
  );
});

test('hostile process names group safely: ids carry a hash, the words only escaped label text', () => {
  const names = Object.values(HOSTILE_NAMES);
  const model = star(names.length * 20, (i) => names[i % names.length]!);
  const sel = selectView(graphOf(model), everything({ mode: 'on' }));
  for (const f of sel.fans ?? []) {
    assert.match(f.id, /^fan:user:\d+:user:[0-9a-f]{8}$/, f.id);
  }
  const { dot } = drawDot(model, { details: true, overview: 'on' });
  assert.doesNotMatch(dot, /evil \[label="pwned"\]/);
  assert.doesNotMatch(dot, /<script>/);
  assert.doesNotMatch(dot, /\nline2/, 'a newline in a name broke a DOT line');
  assert.match(dot, /line1\\\\nline2/, 'the newline is shown escaped');
});

test('opening a group draws a page of its members; opening a namespace reveals it', () => {
  const model = star(1000, () => 'sandbox');
  const g = graphOf(model);
  const closed = selectView(g, everything({ mode: 'on' }));
  const fan = closed.fans![0]!;
  assert.equal(fan.members.length, 1000 - SAMPLE);
  assert.equal(fan.opened, SAMPLE);
  const paged = selectView(g, everything({ mode: 'on', open: new Map([[fan.id, 1]]) }));
  const after = paged.fans!.find((f) => f.id === fan.id)!;
  assert.equal(after.opened, OPEN_PAGE);
  assert.equal(after.members.length, 1000 - OPEN_PAGE);
  for (const k of fan.members.slice(0, OPEN_PAGE - SAMPLE)) assert.ok(paged.shown.has(k));
  assert.ok(!paged.shown.has(fan.members[OPEN_PAGE - SAMPLE]!));
  assertAccounted(model, paged);
  // a net namespace of the 700th sandbox: drawn once its chain is opened
  const target = model.namespaces.find(
    (n) => n.type === 'net' && n.owner === fan.members[700],
  )!.key;
  assert.ok(!closed.shown.has(target));
  const open = new Map(revealKeys(g, target).map((k) => [k, 1] as const));
  const revealed = selectView(g, everything({ mode: 'on', open }));
  assert.ok(revealed.shown.has(target));
  assert.ok(revealed.shown.has(fan.members[700]!));
  assertAccounted(model, revealed);
});

test('depth beyond the budget is folded, and counted on the namespace it folds into', () => {
  // a deep chain of fans: every level a few namespaces, each with children
  const model = syntheticModel(20000);
  const sel = selectView(graphOf(model), everything({ mode: 'on' }));
  assertAccounted(model, sel);
  assert.ok(sel.shown.size <= OVERVIEW_BUDGET + FAN_FROM * 8, `${sel.shown.size} drawn`);
});

test('thousands of roots (a view of one flat type) are grouped too', () => {
  // 30 000 rows of one table cost more than the budget (ROW_COST each)
  const model = star(30000, (i) => (i % 2 ? 'a' : 'b'));
  const netOnly: ViewFilter = { ...everything(), types: new Set(['net']) };
  const sel = selectView(graphOf(model), netOnly);
  assert.ok(sel.overview);
  assert.deepEqual(
    sel.fans?.map((f) => [f.id.replace(/:[0-9a-f]{8}$/, ''), f.members.length]),
    [
      ['fan:none:0:net', 15000 - SAMPLE],
      ['fan:none:0:net', 15000 - SAMPLE],
    ],
  );
  assert.equal(sel.shown.size, 2 * SAMPLE);
  const dot = modelToDot(model, { details: true, view: sel });
  assert.match(dot, /14,998 more net namespaces/);
});

test('a fan of WIDE_FAN children is drawn as the overview however small the graph', () => {
  const wide = star(WIDE_FAN, () => 'sandbox');
  const sel = selectView(graphOf(wide), { ...everything(), types: new Set(['user', 'pid']) });
  assert.ok(sel.overview, `${WIDE_FAN} user namespaces under one: the overview`);
  const narrow = star(WIDE_FAN - 1, () => 'sandbox');
  const whole = selectView(graphOf(narrow), { ...everything(), types: new Set(['user', 'pid']) });
  assert.equal(whole.overview, undefined, 'one fewer: drawn whole');
});

test('samples show what they own, their nested children folded: nested containers stay compact', () => {
  const model = shapeModel('containers', 20000);
  const sel = selectView(graphOf(model), everything());
  assert.ok(sel.overview);
  assertAccounted(model, sel);
  assert.ok(sel.shown.size < 100, `${sel.shown.size} drawn`);
  const g = graphOf(model);
  const samples = (sel.fans ?? []).filter((f) => f.opened > 0);
  assert.ok(samples.length > 0, 'groups have samples');
  // a sample user namespace: its flat namespaces drawn, its nested user namespaces folded into it
  const nested = model.namespaces.find(
    (n) =>
      n.type === 'user' &&
      sel.shown.has(n.key) &&
      n.parent === model.host.userns &&
      g.children(n.key).length > 0,
  );
  assert.ok(nested, 'a drawn sample with nested containers');
  for (const o of g.owned(nested.key))
    if (o.type !== 'user' && o.type !== 'pid') assert.ok(sel.shown.has(o.key));
  for (const c of g.children(nested.key)) assert.ok(!sel.shown.has(c.key));
  assert.ok((sel.folded.get(nested.key) ?? 0) >= g.children(nested.key).length);
});
