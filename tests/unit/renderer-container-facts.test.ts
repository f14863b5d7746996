/**
 * What the page's panels say about containers (renderer/container-facts.ts):
 * one container in the words the tree and the DOT use, the details
 * panel's extras beneath it (never repeating the line), which namespaces
 * each container is in (user and PID first), and the namespace that stands
 * for a container when it is picked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphOf } from '../../main/model/graph';
import type { Container, Model } from '../../main/model/types';
import {
  containerExtras,
  ContainerText,
  namespacesByContainer,
  standsFor,
} from '../../renderer/container-facts';
import { enginesModel } from './fixtures/dot-models';

const model = enginesModel();
const byName = (m: Model, name: string): Container => m.containers.find((c) => c.name === name)!;

test('one container in the shared words, system strings escaped', () => {
  const m = enginesModel();
  byName(m, 'web-side').name = 'web\u202eside\x07';
  const text = new ContainerText(graphOf(m));
  assert.equal(text.line(byName(m, 'web')), 'container web (docker, compose shop)');
  assert.equal(text.line(byName(m, 'shop-infra')), 'sandbox shop-infra (podman, pod shop)');
  assert.equal(text.line(byName(m, 'api')), 'container api (containerd, namespace demo)');
  assert.equal(
    text.line(m.containers.find((c) => c.name?.startsWith('web\u202e'))!),
    'container web\\u{202e}side\\x07 (docker, compose shop)',
  );
});

test("the details' extras: what the line leaves out, never what it says", () => {
  const text = new ContainerText(graphOf(model));
  const web = byName(model, 'web');
  assert.deepEqual(containerExtras(web, text.line(web)), [
    'compose service web',
    `id ${web.id.slice(0, 12)}`,
  ]);
  // containerd's namespace is in the line already
  const api = byName(model, 'api');
  assert.deepEqual(containerExtras(api, text.line(api)), ['id api1']);
  // its default namespace is not: the extras say it
  const plain: Container = { ...api, engineNamespace: 'default' };
  assert.deepEqual(containerExtras(plain, 'container api (containerd)'), [
    'containerd namespace default',
    'id api1',
  ]);
  // without a name the line names it by its id
  const bwrap = model.containers.find((c) => c.engine === 'bubblewrap')!;
  assert.deepEqual(containerExtras(bwrap, text.line(bwrap)), []);
});

test("each container's namespaces: its processes', user and PID first; its PID namespace stands for it", () => {
  const g = graphOf(model);
  const by = namespacesByContainer(g);
  assert.deepEqual([...by.keys()].sort(), model.containers.map((c) => c.key).sort());
  for (const c of model.containers) {
    const pids = new Set(c.pids);
    const want = model.namespaces
      .filter((ns) => ns.pids.some((p) => pids.has(p)))
      .map((ns) => ns.key)
      .sort();
    const got = by.get(c.key)!;
    assert.deepEqual(got.map((n) => n.key).sort(), want, c.key);
    const types = got.map((n) => n.type);
    assert.equal(types.indexOf('user'), 0, `${c.key}: user first`);
    assert.equal(types.indexOf('pid'), 1, `${c.key}: then pid`);
    assert.equal(standsFor(got)?.type, 'pid');
  }
  assert.equal(standsFor([]), undefined);
  const net = model.namespaces.find((n) => n.type === 'net')!;
  assert.equal(standsFor([net]), net, 'no PID namespace: the first');
});
