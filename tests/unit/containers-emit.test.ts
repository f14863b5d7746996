/**
 * The container wording (main/emit/containers.ts), shared by the tree text
 * and the DOT: one container, several, a whole pod once, more than three,
 * nameless containers by short id, compose projects, containerd
 * namespaces, the host's namespaces (`also`), and ip netns names from
 * bind-mount paths. Container shapes: see tests/unit/fixtures/dot-models.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerWords,
  netnsNames,
  netnsWords,
  shortId,
  type Marks,
} from '../../main/emit/containers';
import { graphOf, type Container, type Model, type Namespace } from '../../main/model';
import {
  enginesModel,
  hexId,
  manyModel,
  netnsModel,
  podmanModel,
  podModel,
} from './fixtures/dot-models';

/** Plain marks: names in brackets, so the structure around them is visible. */
const M: Marks = { name: (s) => `[${s}]`, token: (s) => s, path: (s) => s };

/** The words of the namespace `type` held by the process named `proc` (first one). */
function wordsOf(model: Model, pid: number, type: Namespace['type']): string {
  const g = graphOf(model);
  const key = g.byPid.get(pid)!.ns[type]!;
  return containerWords(g).of(g.byKey.get(key)!, M);
}

test('short ids: 12 of 64 hex digits, like docker ps; other ids whole', () => {
  assert.equal(shortId(hexId(1)), hexId(1).slice(0, 12));
  assert.equal(shortId('box1'), 'box1');
  assert.equal(shortId('A'.repeat(64)), 'A'.repeat(64)); // not Docker's lower-case hex
});

test('one container, a shared network, the host namespace they share', () => {
  const m = podmanModel();
  const web1 = m.processes.find((p) => p.container === `podman:${hexId(1)}`)!.pid;
  assert.equal(wordsOf(m, web1, 'pid'), 'container [web1] (podman)');
  assert.equal(wordsOf(m, web1, 'net'), 'containers [side], [web1] (podman)');
  // the host's user namespace: web1 and side have none of their own, mapped does
  assert.equal(wordsOf(m, 1, 'user'), 'also containers [side], [web1] (podman)');
  assert.equal(wordsOf(m, 1, 'net'), '');
});

test('all containers of a pod: the pod once; one member: the container and its pod', () => {
  const m = podModel();
  const app = m.processes.find((p) => p.name === 'node')!.pid;
  for (const t of ['net', 'ipc', 'uts'] as const)
    assert.equal(wordsOf(m, app, t), 'pod prod/cart-7d9f (kubernetes)');
  assert.equal(wordsOf(m, app, 'pid'), 'container [app] (kubernetes, pod prod/cart-7d9f)');
  const pause = m.processes.find((p) => p.name === 'pause')!.pid;
  // the sandbox has no container name: its short id
  assert.equal(
    wordsOf(m, pause, 'mnt'),
    `sandbox [${hexId(10).slice(0, 12)}] (kubernetes, pod prod/cart-7d9f)`,
  );
});

test('part of a pod is not the pod: its containers are named', () => {
  const m = podModel();
  // the two workloads without the sandbox: two of the pod's three
  const w = containerWords(graphOf(m));
  const app = m.containers.find((c) => c.name === 'app')!;
  const side = m.containers.find((c) => c.name === 'sidecar')!;
  assert.equal(
    w.list([side, app], M),
    'containers [app], [sidecar] (kubernetes, pod prod/cart-7d9f)',
  );
});

test('groups: compose project, containerd namespace, mixed engines with a pod, and N more', () => {
  const m = enginesModel();
  const nginx = m.processes.find((p) => p.name === 'nginx')!.pid;
  assert.equal(wordsOf(m, nginx, 'net'), 'containers [web], [web-side] (docker, compose shop)');
  const api = m.processes.find((p) => p.container === 'containerd:api1')!.pid;
  assert.equal(wordsOf(m, api, 'pid'), 'container [api] (containerd, namespace demo)');
  // the host's user namespace: 8 containers, two of them a whole podman pod (one item)
  assert.equal(
    wordsOf(m, 1, 'user'),
    'also containers [web], [web-side] (docker, compose shop), pod shop (podman) and 3 more',
  );
  // nspawn without its own network: the host's
  assert.equal(wordsOf(m, 1, 'net'), 'also container [nspawn1] (nspawn)');
});

test('more than three containers: the first three and how many more', () => {
  const m = manyModel(25);
  const first = m.processes.find((p) => p.container !== undefined)!.pid;
  assert.equal(wordsOf(m, first, 'net'), 'containers [c01], [c02], [c03] and 22 more (docker)');
  assert.equal(wordsOf(m, first, 'uts'), 'container [c01] (docker)');
});

test('netns names: /run/netns, /var/run/netns, rootless podman; once each; nothing else', () => {
  const base: Namespace = {
    key: 'net:1',
    type: 'net',
    ino: 1,
    origin: 'bindmount',
    pids: [],
    tasks: [],
    fds: [],
    mounts: [],
  };
  const at = (...paths: string[]): Namespace => ({
    ...base,
    mounts: paths.map((path) => ({ path, mntns: 'mnt:2' })),
  });
  assert.deepEqual(netnsNames(at('/run/netns/blue', '/var/run/netns/blue')), ['blue']);
  assert.deepEqual(netnsNames(at('/run/user/1000/netns/netns-2f0c')), ['netns-2f0c']);
  // Docker's sandboxes, as `ip netns` names its own
  assert.deepEqual(netnsNames(at('/var/run/docker/netns/8c1f5e6a2d3b')), ['8c1f5e6a2d3b']);
  assert.deepEqual(netnsNames(at('/run/docker/netns/default')), ['default']);
  assert.deepEqual(
    netnsNames(at('/run/netns/a/b', '/tmp/netns/x', '/run/netns/', '/run/netns/..', '/x')),
    [],
  );
  assert.deepEqual(netnsNames({ ...at('/run/netns/blue'), type: 'uts', key: 'uts:1' }), []);
  assert.equal(
    netnsWords(at('/run/netns/d', '/run/netns/c', '/run/netns/b', '/run/netns/a'), M),
    'netns [a], [b], [c] and 1 more',
  );
  const m = netnsModel();
  const blue = m.namespaces.find((n) => n.mounts.some((x) => x.path === '/run/netns/blue'))!;
  assert.equal(netnsWords(blue, M), 'netns [blue]');
  assert.ok(blue.pids.length > 0, 'blue is held by a process too');
});

test("a rootless engine's container says whose it is: user name, else uid", () => {
  const m = podmanModel();
  const c = m.containers[0]!;
  const pid = c.pids[0]!;
  c.owner = { uid: 1000, user: 'alice' };
  assert.match(wordsOf(m, pid, 'pid'), /\(podman, user alice(, |\))/);
  c.owner = { uid: 1234 };
  assert.match(wordsOf(m, pid, 'pid'), /\(podman, uid 1234(, |\))/);
  delete c.owner;
  assert.doesNotMatch(wordsOf(m, pid, 'pid'), /user|uid/);
});

test('an engine namespace or LXD/Incus project is said where it is not the default one', () => {
  const m = podmanModel();
  const c = m.containers[0]!;
  const pid = c.pids[0]!;
  const words = (engine: Container['engine'], engineNamespace?: string) => {
    Object.assign(c, { engine, engineNamespace });
    return wordsOf(m, pid, 'pid');
  };
  assert.match(words('lxd', 'prod'), /\(lxd, project prod\)/);
  assert.match(words('incus', 'default'), /\(incus\)/);
  assert.match(words('containerd', 'demo'), /\(containerd, namespace demo\)/);
  assert.match(words('containerd', 'default'), /\(containerd\)/);
  assert.match(words('kubernetes', 'k8s.io'), /\(kubernetes\)/);
  assert.match(words('kubernetes', 'other'), /\(kubernetes, namespace other\)/);
});
