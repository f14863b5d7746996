/**
 * The filters as data (renderer/filter-state.ts): where they start, when
 * they are at their start (the drawing then shows the Node side's own
 * DOT), what they ask of selectView, collapsing, the scope list and its
 * words, what a new scan's model keeps of them, and the bar's summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectView } from '../../main/emit/view';
import { graphOf } from '../../main/model/graph';
import type { Model, NsKey } from '../../main/model/types';
import {
  filterSummary,
  fitFilter,
  isDefault,
  resetFilter,
  scopeOf,
  scopeOptions,
  scopeText,
  startFilter,
  toggleCollapse,
  viewFilter,
  withOverview,
  withScope,
  withType,
  wiringOnly,
  type FilterState,
} from '../../renderer/filter-state';
import { syntheticModel } from '../bench/synthetic';
import { enginesModel } from './fixtures/dot-models';

const model = enginesModel();
const g = graphOf(model);

test('the start is the default, with -d or without; any change leaves it', () => {
  for (const details of [false, true]) {
    const f = startFilter(details);
    assert.equal(f.flat, details);
    assert.ok(isDefault(f));
    assert.ok(!isDefault({ ...f, flat: !details }));
    assert.ok(!isDefault(withType(f, 'net', false)));
    assert.ok(!isDefault({ ...f, hideEmpty: true }));
    assert.ok(!isDefault(withScope(f, 'e:docker')));
    assert.ok(isDefault(resetFilter(withType({ ...f, hideEmpty: true }, 'ipc', false))));
  }
});

test('the view filter: flat types only with flat on; the scope as data', () => {
  const off = viewFilter(withType(startFilter(false), 'net', false));
  assert.deepEqual([...off.types].sort(), ['pid', 'user']);
  const on = viewFilter(withType(startFilter(true), 'net', false));
  assert.ok(on.types.has('ipc') && !on.types.has('net'));
  assert.deepEqual(scopeOf('p:podman:/shop'), { kind: 'pod', pod: 'podman:/shop' });
  assert.equal(scopeOf('x:what'), undefined);
  assert.equal(
    withScope(startFilter(true), 'x:what').scope,
    '',
    'a value of no kind is everything',
  );
});

test('collapse: only user and PID namespaces, only with something below; again expands', () => {
  const f = startFilter(true);
  const net = model.namespaces.find((n) => n.type === 'net')!;
  assert.match(
    toggleCollapse(f, net.key, g) as string,
    /only user and PID namespaces collapse; this is net/,
  );
  const root = g.roots('user')[0]!;
  const folded = toggleCollapse(f, root.key, g) as FilterState;
  assert.ok(folded.collapsed.has(root.key));
  assert.ok(selectView(g, viewFilter(folded)).folded.has(root.key));
  assert.equal((toggleCollapse(folded, root.key, g) as FilterState).collapsed.size, 0);
  const leaf = model.namespaces.find((n) => n.type === 'pid' && g.children(n.key).length === 0)!;
  assert.match(
    toggleCollapse(f, leaf.key, g) as string,
    /nothing shown below pid:\[\d+\] to collapse/,
  );
});

test('the scope list: containers, pods and engines of the model, in words', () => {
  const groups = scopeOptions(model);
  assert.deepEqual(
    groups.map((x) => x.label),
    ['container', 'pod', 'engine'],
  );
  const texts = groups.flatMap((x) => x.options.map((o) => o.text));
  for (const c of model.containers) {
    assert.ok(
      texts.some((t) => t.includes(`${c.name ?? c.id} (${c.engine})`)),
      c.key,
    );
  }
  assert.ok(texts.includes('shop (podman)'), texts.join(' | '));
  assert.ok(texts.includes('sandbox shop-infra (podman)'));
  const docker = model.containers.filter((c) => c.engine === 'docker').length;
  assert.equal(scopeText('e:docker', model), `only all of docker (${docker})`);
  assert.equal(scopeText('c:gone', model), 'the chosen container');
});

test('a new scan: collapsed namespaces that are gone forgotten, a scope that names nothing dropped', () => {
  const root = g.roots('user')[0]!;
  const gone = 'user:1' as NsKey;
  const f: FilterState = {
    ...startFilter(true),
    collapsed: new Set([root.key, gone]),
    scope: 'e:docker',
  };
  const kept = fitFilter(f, g);
  assert.equal(kept.scopeGone, false);
  assert.deepEqual([...kept.filter.collapsed], [root.key]);
  assert.equal(kept.filter.scope, 'e:docker');
  const noDocker: Model = {
    ...model,
    containers: model.containers.filter((c) => c.engine !== 'docker'),
  };
  const dropped = fitFilter(f, graphOf(noDocker));
  assert.equal(dropped.scopeGone, true);
  assert.equal(dropped.filter.scope, '');
});

test("the bar's summary: what is shown of all, and why", () => {
  assert.equal(filterSummary(startFilter(true), undefined, model), 'everything shown');
  const tree = model.namespaces.filter((n) => n.type === 'user' || n.type === 'pid').length;
  assert.equal(
    filterSummary(startFilter(false), undefined, model),
    `${tree} of ${model.namespaces.length} shown · flat namespaces hidden (d)`,
  );
  const f = { ...withType(startFilter(true), 'net', false), hideEmpty: true };
  const sel = selectView(g, viewFilter(f));
  const total = model.namespaces.length;
  assert.match(
    filterSummary(f, sel, model),
    new RegExp(
      `^${sel.shown.size} of ${total} shown, ${total - sel.shown.size} hidden · no net · empty hidden`,
    ),
  );
});

test('the wiring: a start of its own (--net); network namespaces only, by scope and "hide empty" alone', () => {
  const net = startFilter(false, true);
  assert.ok(isDefault(net) && net.net);
  assert.ok(!isDefault({ ...startFilter(false), net: true }), 'n from the hierarchy is a change');
  assert.ok(!isDefault({ ...net, net: false }));
  assert.ok(resetFilter({ ...net, net: false, hideEmpty: true }).net, 'reset goes back to --net');
  // types and collapsed namespaces are the hierarchy's
  const userKey = model.namespaces.find((n) => n.type === 'user')!.key;
  const f: FilterState = { ...withType(net, 'net', false), collapsed: new Set([userKey]) };
  const v = viewFilter(f);
  assert.deepEqual([...v.types], ['net']);
  assert.equal(v.collapsed.size, 0);
  assert.match(String(toggleCollapse(net, userKey, g)), /wiring view collapses nothing/);
  // everything drawn unless scoped or "hide empty"; then what the view keeps
  const shown = selectView(g, viewFilter(withScope(net, 'e:docker'))).shown;
  const docker = new Set(
    model.namespaces
      .filter((n) => n.type === 'net' && g.containersOf(n.key).some((c) => c.engine === 'docker'))
      .map((n) => n.key),
  );
  assert.ok(docker.size > 0, 'the fixture has a docker network namespace');
  assert.deepEqual([...shown].sort(), [...docker].sort());
  assert.equal(wiringOnly(net, shown), undefined);
  assert.equal(wiringOnly(withScope(net, 'e:docker'), shown), shown);
  assert.equal(wiringOnly({ ...net, hideEmpty: true }, shown), shown);
  // the bar says which graph, and that the model has no interfaces (this fixture has none)
  const words = filterSummary(
    withScope(net, 'e:docker'),
    selectView(g, viewFilter(withScope(net, 'e:docker'))),
    model,
  );
  assert.match(words, /^network wiring/);
  assert.match(words, /no interfaces in this model/);
  assert.match(
    words,
    new RegExp(
      `${docker.size} of ${model.namespaces.filter((n) => n.type === 'net').length} network namespaces`,
    ),
  );
  assert.match(words, /only all of docker .* and what it is wired to/);
});

test('the overview in the bar: what it draws, groups and folds; the user’s folds apart', () => {
  const model = syntheticModel(20000);
  const g = graphOf(model);
  const f = startFilter(true);
  const sel = selectView(g, viewFilter(f));
  assert.ok(sel.overview, 'drawn as the overview by size');
  const text = filterSummary(f, sel, model);
  assert.match(text, /^overview: \d+ of 20,000 drawn, [\d,]+ in groups \(click one to open it\)/);
  assert.match(text, /\(v: draw all\)/);
  assert.doesNotMatch(text, /collapsed/, 'the overview’s folds are not the user’s');
  // v: every namespace, said
  const all = withOverview(f, true);
  assert.equal(all.overview, 'off');
  assert.ok(!isDefault(all));
  assert.match(
    filterSummary(all, selectView(g, viewFilter(all)), model),
    /everything drawn \(v: overview\)/,
  );
});
