import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelFormatError, parseModel, serializeModel, type Model } from '../../main/model';

const model = (): Model => ({
  host: {
    hostname: 'h',
    kernel: '6.18',
    time: '2026-01-01T00:00:00.000Z',
    uid: 0,
    userns: 'user:1',
    nsidSupported: true,
  },
  namespaces: [
    {
      key: 'user:1',
      type: 'user',
      ino: 1,
      origin: 'process',
      ownerUid: 0,
      ownerName: 'root',
      pids: [1],
      tasks: [],
      fds: [],
      mounts: [],
      label: { pid: 1, name: 'init' },
    },
    {
      key: 'user:2',
      type: 'user',
      ino: 2,
      origin: 'hidden',
      parent: 'user:1',
      owner: 'user:1',
      ownerUid: 1000,
      pids: [],
      tasks: [],
      fds: [],
      mounts: [],
    },
    {
      key: 'net:3',
      type: 'net',
      ino: 3,
      nsid: '12345678901234567890',
      origin: 'bindmount',
      owner: 'user:2',
      pids: [],
      tasks: [],
      fds: [{ pid: 1, fd: 4 }],
      mounts: [{ path: '/run/netns/x', mntns: 'mnt:4' }],
    },
    {
      key: 'mnt:4',
      type: 'mnt',
      ino: 4,
      origin: 'process',
      owner: 'user:1',
      pids: [1],
      tasks: [{ pid: 1, tid: 2 }],
      fds: [],
      mounts: [],
    },
  ],
  processes: [
    {
      pid: 1,
      ppid: 0,
      name: 'in\nit\udcff',
      start: 5,
      ns: { user: 'user:1', mnt: 'mnt:4' },
      uid: 0,
      user: 'root',
    },
    { pid: 7, ppid: 1, name: 'sleep', start: 9, ns: { user: 'user:1' }, container: 'podman:abc' },
  ],
  containers: [
    {
      key: 'podman:abc',
      engine: 'podman',
      id: 'abc',
      name: 'web\n1',
      pod: { kind: 'podman', name: 'shop', id: 'p1' },
      pids: [7],
      sources: ['cgroup', 'conmon argv'],
    },
    {
      key: 'kubernetes:def',
      engine: 'kubernetes',
      id: 'def',
      name: 'cart',
      pod: { kind: 'kubernetes', name: 'cart-7d9f', namespace: 'prod', id: 'u-1' },
      sandbox: false,
      compose: { project: 'p', service: 's' },
      engineNamespace: 'k8s.io',
      pids: [],
      sources: ['state.json'],
    },
  ],
  warnings: ['w'],
});

test('serialize then parse gives the same model', () => {
  const m = model();
  const text = serializeModel(m);
  assert.equal(JSON.parse(text).format, 'graphns-model');
  assert.equal(JSON.parse(text).version, 7);
  assert.deepEqual(parseModel(text), m);
  assert.deepEqual(parseModel(serializeModel(m, 2)), m);
});

test('keys the model does not know are dropped at every level; __proto__ stays a plain key', () => {
  const m = model();
  const d = JSON.parse(serializeModel(m));
  const junk = (o: Record<string, unknown>) => (o.extra = 'x'.repeat(1000));
  junk(d.host);
  for (const ns of d.namespaces) {
    junk(ns);
    for (const list of [ns.tasks, ns.fds, ns.mounts]) for (const x of list) junk(x);
    if (ns.label) junk(ns.label);
  }
  for (const p of d.processes) junk(p);
  for (const c of d.containers) {
    junk(c);
    if (c.pod) junk(c.pod);
    if (c.compose) junk(c.compose);
  }
  // through the text, as a snapshot arrives: "__proto__" becomes an own key of each object
  const text = JSON.stringify(d).replaceAll('"extra":', '"__proto__":{"polluted":true},"extra":');
  assert.equal(text.split('"__proto__"').length - 1, text.split('"extra"').length - 1);
  const parsed = parseModel(text);
  assert.deepEqual(parsed, m);
  assert.equal(JSON.stringify(parsed), JSON.stringify(m), 'nothing extra is serialized again');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(parsed.namespaces[0]), Object.prototype);
});

test('a version 1 snapshot (before containers) still opens, with no containers', () => {
  const d = JSON.parse(serializeModel(model()));
  d.version = 1;
  delete d.containers;
  delete d.processes[1].container;
  const m = parseModel(JSON.stringify(d));
  assert.deepEqual(m.containers, []);
  assert.equal(m.processes[1]!.container, undefined);
  assert.equal(m.namespaces.length, 4);
});

test('bad snapshots are refused with the reason', () => {
  const bad = (mutate: (d: Record<string, any>) => void, message: RegExp) => {
    const d = JSON.parse(serializeModel(model()));
    mutate(d);
    assert.throws(
      () => parseModel(JSON.stringify(d)),
      (e: Error) => e instanceof ModelFormatError && message.test(e.message),
    );
  };
  assert.throws(() => parseModel('{not json'), /not valid JSON/);
  assert.throws(() => parseModel('[]'), /snapshot: not an object/);
  bad((d) => (d.format = 'lsns'), /^format: expected "graphns-model", found "lsns"/);
  bad((d) => delete d.format, /^format: .*found nothing/);
  bad(
    (d) => (d.version = 8),
    /^version: this graphns reads versions 1, 2, 3, 4, 5, 6, 7, the snapshot is version 8/,
  );
  bad((d) => (d.processes[0].uid = -1), /^processes\[0\]\.uid: not a non-negative integer/);
  bad((d) => (d.processes[0].user = 7), /^processes\[0\]\.user: not a string/);
  bad((d) => delete d.containers, /^containers: not an array/);
  bad((d) => (d.containers[0].engine = 'rkt'), /^containers\[0\]\.engine: unknown engine "rkt"/);
  bad((d) => (d.containers[0].key = 'rkt:abc'), /^containers\[0\]\.key: not a container key/);
  bad((d) => (d.containers[0].id = 'zzz'), /^containers\[0\]\.key: does not match/);
  bad((d) => (d.containers[0].pod.kind = 'nomad'), /^containers\[0\]\.pod\.kind: unknown pod kind/);
  bad(
    (d) => (d.containers[0].pids = [99]),
    /^containers\[0\]\.pids\[0\]: pid 99 is not in the model/,
  );
  bad((d) => d.containers.push(d.containers[0]), /^containers\[2\]\.key: podman:abc appears twice/);
  bad(
    (d) => (d.processes[1].container = 'docker:x'),
    /^processes\[1\]\.container: refers to a container that is not in the model/,
  );
  bad((d) => (d.namespaces[0].ino = -1), /^namespaces\[0\]\.ino: not a non-negative integer/);
  bad((d) => (d.namespaces[1].key = 'user:9'), /namespaces\[1\]\.key: user:9 does not match/);
  bad((d) => (d.namespaces[1].type = 'bogus'), /namespaces\[1\]\.type: unknown namespace type/);
  bad((d) => (d.namespaces[1].origin = 'magic'), /namespaces\[1\]\.origin: unknown origin/);
  bad(
    (d) => (d.namespaces[2].owner = 'user:99'),
    /namespaces\[2\]\.owner: refers to user:99, which is not in the model/,
  );
  bad(
    (d) => (d.namespaces[2].owner = 'mnt:4'),
    /namespaces\[2\]\.owner: mnt:4 is not a user namespace/,
  );
  bad(
    (d) => (d.namespaces[2].parent = 'net:3'),
    /namespaces\[2\]\.parent: a net namespace has no parent/,
  );
  bad((d) => (d.namespaces[2].nsid = '0x12'), /namespaces\[2\]\.nsid: not a decimal/);
  bad((d) => (d.namespaces[2].mounts[0].mntns = 'mnt:77'), /mounts\[0\]\.mntns: refers to mnt:77/);
  bad((d) => d.namespaces.push(d.namespaces[0]), /namespaces\[4\]\.key: user:1 appears twice/);
  bad(
    (d) => (d.processes[0].ns.user = 'net:3'),
    /processes\[0\]\.ns\.user: net:3 is not a user namespace/,
  );
  bad((d) => (d.processes[0].name = 7), /processes\[0\]\.name: not a string/);
  bad((d) => d.processes.push(d.processes[0]), /processes\[2\]\.pid: pid 1 appears twice/);
  bad((d) => (d.host = null), /^host: not an object/);
  bad((d) => (d.warnings = 'x'), /^warnings: not an array/);
});

test('any bad value gives a short one-line error, however deep or long', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const nested = deep(100_000);
  const good = JSON.parse(serializeModel(model()));
  // swap one field's JSON text for `raw` without building the value in JS
  const withRaw = (path: (string | number)[], raw: string) => {
    const d = structuredClone(good);
    let o = d;
    for (const k of path.slice(0, -1)) o = o[k];
    o[path.at(-1)!] = '@@RAW@@';
    return JSON.stringify(d).replace('"@@RAW@@"', raw);
  };
  const huge = 'x'.repeat(10_000_000);
  const cases: [text: string, says: RegExp][] = [
    [withRaw(['format'], nested), /^format: expected "graphns-model", found an array of 1 item$/],
    [withRaw(['version'], nested), /^version: .*the snapshot is version an array of 1 item$/],
    [withRaw(['host'], nested), /^host: not an object$/],
    [withRaw(['namespaces', 0, 'type'], nested), /^namespaces\[0\]\.type: not a string$/],
    [withRaw(['namespaces', 1, 'owner'], nested), /^namespaces\[1\]\.owner: not a string$/],
    [withRaw(['processes', 0, 'ns'], nested), /^processes\[0\]\.ns: not an object$/],
    [withRaw(['format'], '{"a":{"b":{}}}'), /found a JSON object$/],
    [withRaw(['format'], JSON.stringify(huge)), /found "x{40}\.\.\." \(10000000 characters\)$/],
    [withRaw(['version'], '"1"'), /the snapshot is version "1"$/],
    [withRaw(['version'], 'null'), /the snapshot is version null$/],
    [withRaw(['namespaces', 0, 'key'], JSON.stringify(huge)), /\(10000000 characters\)$/],
    [withRaw(['namespaces', 0, 'origin'], JSON.stringify(huge)), /\(10000000 characters\)$/],
  ];
  for (const [text, says] of cases) {
    assert.throws(
      () => parseModel(text),
      (e: Error) => {
        assert.ok(e instanceof ModelFormatError, e.stack);
        assert.match(e.message, says);
        assert.ok(e.message.length < 200, e.message.slice(0, 300));
        return true;
      },
    );
  }
});

test('a long preview is cut between characters, never inside a surrogate pair', () => {
  const s = `${'a'.repeat(39)}😀😀😀`;
  const text = serializeModel(model()).replace('"graphns-model"', JSON.stringify(s));
  assert.throws(
    () => parseModel(text),
    (e: Error) => {
      assert.match(e.message, /found "a{39}\.\.\." \(45 characters\)$/);
      const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
      assert.doesNotMatch(e.message, lone, 'a lone surrogate in the message');
      return true;
    },
  );
});

test("version 4: a rootless container's owner round-trips, is checked, and version 3 still opens", () => {
  const m = parseModel(serializeModel(model()));
  m.containers.push({
    key: `podman:${'a'.repeat(64)}`,
    engine: 'podman',
    id: 'a'.repeat(64),
    name: 'rl',
    owner: { uid: 1000, user: 'alice' },
    pids: [],
    sources: ['conmon argv'],
  });
  const at = m.containers.length - 1;
  const back = parseModel(serializeModel(m));
  assert.deepEqual(back.containers[at]!.owner, { uid: 1000, user: 'alice' });
  const d = JSON.parse(serializeModel(m));
  d.containers[at].owner = { uid: -1 };
  assert.throws(
    () => parseModel(JSON.stringify(d)),
    (err: Error) => err.message.includes(`containers[${at}].owner.uid: not a non-negative integer`),
  );
  const v3 = JSON.parse(serializeModel(model()));
  v3.version = 3;
  assert.equal(parseModel(JSON.stringify(v3)).containers.length, model().containers.length);
});

test('version 5: an engine instance round-trips and is part of the key; version 4 keys still open', () => {
  const m = parseModel(serializeModel(model()));
  const id = 'b'.repeat(64);
  m.containers.push(
    {
      key: `docker:${id}@/srv/docker2`,
      engine: 'docker',
      id,
      name: 'web',
      instance: '/srv/docker2',
      pids: [],
      sources: ['cgroup', 'config.v2.json'],
    },
    {
      key: 'containerd:demo/api1',
      engine: 'containerd',
      id: 'api1',
      engineNamespace: 'demo',
      pids: [],
      sources: ['cgroup'],
    },
  );
  const back = parseModel(serializeModel(m));
  assert.deepEqual(back.containers.slice(-2), m.containers.slice(-2));
  const d = JSON.parse(serializeModel(m));
  const at = d.containers.length - 2;
  // a key naming another instance than the container's is refused
  d.containers[at].key = `docker:${id}@/var/lib/docker`;
  assert.throws(
    () => parseModel(JSON.stringify(d)),
    (err: Error) => err.message.includes(`containers[${at}].key: does not match its engine and id`),
  );
  // a version-4 snapshot keyed `<engine>:<id>` whatever the containerd namespace still opens
  const v4 = JSON.parse(serializeModel(m));
  v4.version = 4;
  v4.containers[at + 1].key = 'containerd:api1';
  delete v4.containers[at].instance;
  v4.containers[at].key = `docker:${id}`;
  const old = parseModel(JSON.stringify(v4));
  assert.deepEqual(
    old.containers.slice(-2).map((c) => c.key),
    [`docker:${id}`, 'containerd:api1'],
  );
});

test('version 6: a network namespace’s interfaces round-trip and are checked; version 5 still opens', () => {
  const m = parseModel(serializeModel(model()));
  m.namespaces.push({
    key: 'net:9',
    type: 'net',
    ino: 9,
    origin: 'bindmount',
    pids: [],
    tasks: [],
    fds: [],
    mounts: [],
    interfaces: [
      {
        index: 2,
        name: 'eth0\udcff',
        kind: 'veth',
        up: true,
        operstate: 'UP',
        mac: '02:42:ac:11:00:02',
        mtu: 1500,
        addresses: [{ family: 4, address: '172.17.0.2', prefix: 16 }],
        peer: { index: 37, ns: 'net:4' },
      },
      {
        index: 3,
        name: 'mv0',
        kind: 'macvlan',
        up: false,
        operstate: 'DOWN',
        addresses: [],
        parent: { index: 2, nsid: 3, inferred: true },
      },
    ],
  });
  const at = m.namespaces.length - 1;
  assert.deepEqual(parseModel(serializeModel(m)).namespaces[at], m.namespaces[at]);
  const bad = (mutate: (d: Record<string, any>) => void, message: string) => {
    const d = JSON.parse(serializeModel(m));
    mutate(d);
    assert.throws(
      () => parseModel(JSON.stringify(d)),
      (e: Error) => e.message.includes(message),
      message,
    );
  };
  bad(
    (d) => (d.namespaces[at].interfaces[0].addresses[0].family = 5),
    `namespaces[${at}].interfaces[0].addresses[0].family: not 4 or 6`,
  );
  bad(
    (d) => (d.namespaces[at].interfaces[0].peer.ns = 'net:x'),
    `namespaces[${at}].interfaces[0].peer.ns`,
  );
  bad(
    (d) => (d.namespaces[0].interfaces = []),
    'namespaces[0].interfaces: only a network namespace has interfaces',
  );
  const v5 = JSON.parse(serializeModel(model()));
  v5.version = 5;
  assert.equal(parseModel(JSON.stringify(v5)).namespaces.length, model().namespaces.length);
});
