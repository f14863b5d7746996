/**
 * The find box's matching and ranking (main/emit/find.ts) on hand-made
 * models, each expectation computed from the model's own fields (which
 * processes are in a namespace, which container each runs in, which
 * process labels it); and shellWord, whose quoting bash itself must read
 * back byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findIndex, shellWord } from '../../main/emit';
import { matchWhy, matchWords } from '../../main/emit/find';
import { encodeBytes, graphOf, type Model, type Namespace, type NsKey } from '../../main/model';
import { NS_TYPES } from '../../main/relations/constants';
import { bridgedModel, enginesModel, hostileModel, podModel } from './fixtures/dot-models';

const drawingOrder = (m: Model, keep: (k: NsKey) => boolean) =>
  [...m.namespaces]
    .sort((a, b) => NS_TYPES.indexOf(a.type) - NS_TYPES.indexOf(b.type) || a.ino - b.ino)
    .map((n) => n.key)
    .filter(keep);

const sorted = (keys: Iterable<NsKey>) => [...keys].sort();

test('a PID finds exactly the namespaces its process is in, those it labels first', () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  for (const p of m.processes) {
    const mine = new Set(Object.values(p.ns));
    // ids start with 4026..., never with a small PID, so only membership can match
    const want = drawingOrder(m, (k) => {
      const ns = m.namespaces.find((n) => n.key === k)!;
      return (
        mine.has(k) ||
        ns.pids.includes(p.pid) ||
        ns.fds.some((f) => f.pid === p.pid) ||
        ns.tasks.some((t) => t.pid === p.pid || t.tid === p.pid) ||
        ns.ownerUid === p.pid
      );
    });
    const got = idx.find(String(p.pid));
    assert.deepEqual(sorted(got), sorted(want), `pid ${p.pid}`);
    // its own: the namespaces whose most senior process it is, before the others
    const labels = m.namespaces.filter((n) => n.label?.pid === p.pid).map((n) => n.key);
    assert.deepEqual(sorted(got.slice(0, labels.length)), sorted(labels), `pid ${p.pid} own first`);
  }
});

test('ids: a prefix narrows, brackets close, a type restricts', () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  const net = m.namespaces.find((n) => n.type === 'net' && n.pids.length > 0)!;
  const ino = String(net.ino);
  assert.deepEqual(idx.find(`[${ino}]`), [net.key]);
  assert.deepEqual(idx.find(`net:[${ino}]`), [net.key]);
  assert.deepEqual(idx.find(`pid:[${ino}]`), []);
  const prefix = ino.slice(0, -1);
  assert.deepEqual(
    sorted(idx.find(`net:${prefix}`)),
    sorted(drawingOrder(m, (k) => k.startsWith('net:') && k.slice(4).startsWith(prefix))),
  );
  assert.ok(idx.find(prefix).length >= idx.find(`net:${prefix}`).length);
});

test('text: container, pod and process names, case-insensitively; blank finds nothing', () => {
  const m = podModel();
  const g = graphOf(m);
  const idx = findIndex(g);
  assert.deepEqual(idx.find('   '), []);
  const sidecar = m.containers.find((c) => c.name === 'sidecar')!;
  const want = drawingOrder(m, (k) => g.containersOf(k).some((c) => c.key === sidecar.key));
  assert.deepEqual(sorted(idx.find('SIDEcar')), sorted(want));
  // the pod's name finds every namespace of its three containers
  const podNs = drawingOrder(m, (k) => g.containersOf(k).length > 0);
  assert.deepEqual(sorted(idx.find('cart-7d9f')), sorted(podNs));
  assert.ok(idx.find('envoy').length > 0, 'a process name');
  assert.deepEqual(idx.find('no-such-thing-anywhere'), []);
});

test('hostile names are found by their text and never break the index', () => {
  const m = hostileModel();
  const idx = findIndex(graphOf(m));
  for (const p of m.processes) {
    const part = [...p.name].slice(0, 3).join('');
    if (part.trim() === '' || /^[\d[\]:]+$/.test(part.trim())) continue;
    const hits = idx.find(part);
    for (const k of Object.values(p.ns)) {
      const ns = m.namespaces.find((n) => n.key === k)!;
      if (ns.pids.includes(p.pid)) assert.ok(hits.includes(k), `${JSON.stringify(part)} ${k}`);
    }
  }
});

test('shellWord: bash reads back exactly the bytes, whatever they are', () => {
  const samples = [
    '/run/netns/blue',
    "/tmp/it's",
    '/tmp/a b',
    '/tmp/$(touch /tmp/pwned)`id`',
    '/tmp/new\nline',
    '/tmp/tab\there',
    '/tmp/\udcff\udc80 bytes',
    '/tmp/ünïcode',
    '',
    '-n',
    '\\back\\slash',
  ];
  for (const s of samples) {
    const r = spawnSync('bash', ['-c', `printf %s ${shellWord(s)}`]);
    assert.equal(r.status, 0, `${JSON.stringify(s)}: ${r.stderr.toString()}`);
    assert.deepEqual(new Uint8Array(r.stdout), encodeBytes(s), JSON.stringify(s));
    assert.doesNotMatch(shellWord(s), /\n/, 'one line');
  }
});

test('an interface name, MAC or address finds its network namespace; a MAC is never read as an id', () => {
  const m = enginesModel();
  const nets = m.namespaces.filter((n) => n.type === 'net');
  assert.ok(nets.length >= 2, 'the fixture has two network namespaces');
  const [a, b] = nets as [(typeof nets)[0], (typeof nets)[0]];
  const base = { up: true, operstate: 'UP' };
  a.interfaces = [
    { ...base, index: 4, name: 'vethq7', kind: 'veth', mac: '12:34:56:78:9a:bc', addresses: [] },
  ];
  b.interfaces = [
    {
      ...base,
      index: 2,
      name: 'eth0',
      kind: 'veth',
      mac: 'de:12:00:00:00:01',
      addresses: [
        { family: 4, address: '10.88.0.7', prefix: 16 },
        { family: 6, address: 'fd00::7', prefix: 64 },
      ],
    },
  ];
  const idx = findIndex(graphOf(m));
  assert.deepEqual(idx.find('VETHQ7'), [a.key]);
  assert.deepEqual(idx.find('12:34:56'), [a.key]);
  // `de:12` has the id form of a type `de`: there is no such type, so it is text
  assert.deepEqual(idx.find('de:12'), [b.key]);
  assert.deepEqual(idx.find('10.88.0.7'), [b.key]);
  assert.deepEqual(idx.find('10.88.0.7/16'), [b.key]);
  assert.deepEqual(idx.find('fd00::7'), [b.key]);
  assert.deepEqual(idx.find('10.88.0.70'), []);
  // a namespace's type still restricts ids
  assert.deepEqual(idx.find(`net:[${b.ino}]`), [b.key]);
});

/** What the model says of a namespace: processes of no container are in it too (the host's). */
function hostHolds(m: Model, n: Namespace): boolean {
  const byPid = new Map(m.processes.map((p) => [p.pid, p]));
  return [...n.pids, ...n.tasks.map((t) => t.pid)].some(
    (pid) => byPid.get(pid)?.container === undefined,
  );
}

/** The namespaces processes of `containers` are in that no host process is in: their own. */
function ownOf(m: Model, containers: (c: Model['containers'][number]) => boolean): NsKey[] {
  const pids = new Set(m.containers.filter(containers).flatMap((c) => c.pids));
  return m.namespaces
    .filter((n) => n.pids.some((pid) => pids.has(pid)) && !hostHolds(m, n))
    .map((n) => n.key);
}

const ownWords = (n: number, of: string) => `${n} own namespace${n === 1 ? '' : 's'} of ${of}`;

test("a container's name: its own namespaces first, its PID namespace first of all; the host's after", () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  const byKey = new Map(m.namespaces.map((n) => [n.key, n]));
  for (const c of m.containers) {
    const q = c.name ?? c.id;
    const ranked = idx.rank(q);
    const keys = ranked.map((r) => r.key);
    const own = ownOf(m, (x) => x.key === c.key);
    assert.ok(own.length > 0, `${q} has namespaces of its own`);
    assert.deepEqual(sorted(keys.slice(0, own.length)), sorted(own), `${q}: its own first`);
    const pid = m.namespaces.find((n) => n.type === 'pid' && own.includes(n.key));
    if (pid) assert.equal(keys[0], pid.key, `${q}: its PID namespace first`);
    // the host's namespaces that mention it (as the label's "also container ...") come after every own one
    const firstHost = keys.findIndex((k) => hostHolds(m, byKey.get(k)!));
    const lastOwn = keys.findLastIndex((k) => !hostHolds(m, byKey.get(k)!));
    if (firstHost >= 0) assert.ok(lastOwn < firstHost, `${q}: ${keys.join(' ')}`);
    const hostUser = m.host.userns;
    const proc = m.processes.find((p) => p.container === c.key)!;
    if (hostUser !== undefined && proc.ns.user === hostUser) {
      assert.ok(keys.includes(hostUser), `${q}: the host's user namespace mentions it`);
      assert.equal(ranked.find((r) => r.key === hostUser)!.kind, 'mention');
    }
    const mentions = keys.filter((k) => hostHolds(m, byKey.get(k)!)).length;
    const words = matchWords(ranked);
    assert.ok(
      words.startsWith(ownWords(own.length, `${c.sandbox ? 'sandbox' : 'container'} "${q}"`)),
      words,
    );
    if (mentions > 0) assert.ok(words.endsWith(`, ${mentions} mentioning it`), words);
  }
});

test('an exact name before one the query only starts: web, then web-side, then the mentions', () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  const ranked = idx.rank('web');
  const keys = ranked.map((r) => r.key);
  const web = ownOf(m, (c) => c.name === 'web');
  const side = ownOf(m, (c) => c.name === 'web-side').filter((k) => !web.includes(k));
  const host = m.namespaces.filter(
    (n) =>
      hostHolds(m, n) &&
      n.pids.some((pid) =>
        m.containers.some((c) => c.name?.includes('web') && c.pids.includes(pid)),
      ),
  );
  assert.deepEqual(sorted(keys.slice(0, web.length)), sorted(web));
  assert.deepEqual(sorted(keys.slice(web.length, web.length + side.length)), sorted(side));
  assert.deepEqual(
    sorted(keys.slice(web.length + side.length)),
    sorted(host.map((n) => n.key)),
    'the rest: host namespaces with their processes',
  );
  assert.equal(
    matchWords(ranked),
    `${ownWords(web.length, 'container "web"')}, ${side.length} of container "web-side", ${host.length} mentioning it`,
  );
  // what is drawn by default (user and PID namespaces): the words count those only
  const drawn = ranked.filter((r) => r.key.startsWith('user:') || r.key.startsWith('pid:'));
  const drawnHost = host.filter((n) => n.type === 'user' || n.type === 'pid').length;
  assert.equal(
    matchWords(drawn),
    `${ownWords(1, 'container "web"')}, 1 of container "web-side", ${drawnHost} mentioning it`,
  );
});

test("a pod's and a compose project's name: the pod's own, the project's own, then the host's", () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  const ranked = idx.rank('shop');
  const keys = ranked.map((r) => r.key);
  const pod = ownOf(m, (c) => c.pod?.name === 'shop');
  const project = ownOf(m, (c) => c.compose?.project === 'shop');
  const byKey = new Map(m.namespaces.map((n) => [n.key, n]));
  assert.deepEqual(sorted(keys.slice(0, pod.length)), sorted(pod));
  assert.deepEqual(sorted(keys.slice(pod.length, pod.length + project.length)), sorted(project));
  const rest = keys.slice(pod.length + project.length);
  assert.ok(rest.length > 0 && rest.every((k) => hostHolds(m, byKey.get(k)!)), rest.join(' '));
  assert.equal(
    matchWords(ranked),
    `${ownWords(pod.length, 'pod shop')}, ${project.length} of compose project shop, ${rest.length} mentioning it`,
  );
  assert.equal(m.namespaces.find((n) => n.key === keys[0])!.type, 'pid', 'a PID namespace first');
});

test("a process's name: the namespaces it labels, then those it is only in", () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  for (const name of ['nginx', 'catatonit', 'sleep']) {
    const ranked = idx.rank(name);
    const labelled = m.namespaces.filter((n) => n.label?.name === name).map((n) => n.key);
    const pids = new Set(m.processes.filter((p) => p.name === name).map((p) => p.pid));
    const inIt = m.namespaces
      .filter((n) => n.label?.name !== name && n.pids.some((pid) => pids.has(pid)))
      .map((n) => n.key);
    const keys = ranked.map((r) => r.key);
    assert.deepEqual(sorted(keys.slice(0, labelled.length)), sorted(labelled), name);
    assert.deepEqual(sorted(keys.slice(labelled.length)), sorted(inIt), name);
    const words = `${ownWords(labelled.length, `process "${name}"`)}${inIt.length ? `, ${inIt.length} mentioning it` : ''}`;
    assert.equal(matchWords(ranked), words);
  }
});

test('many subjects named alike are counted; ids and types need no words', () => {
  const m = bridgedModel(5);
  const idx = findIndex(graphOf(m));
  const ranked = idx.rank('app');
  const first = ownOf(m, (c) => c.name === 'app01');
  const others = ownOf(m, (c) => c.name !== 'app01');
  const host = m.namespaces.filter(
    (n) => hostHolds(m, n) && n.pids.some((pid) => m.containers.some((c) => c.pids.includes(pid))),
  );
  assert.equal(
    matchWords(ranked),
    `${ownWords(first.length, 'container "app01"')}, ${others.length} of 4 more containers, ${host.length} mentioning it`,
  );
  assert.equal(matchWords(idx.rank(`[${m.namespaces[0]!.ino}]`)), '');
  assert.equal(matchWords(idx.rank('net')), '', 'net: every network namespace, by its type');
  assert.equal(matchWords(idx.rank('eth0')), '', 'an interface name');
  assert.equal(matchWords(idx.rank('no-such-thing')), '');
});

test('the words for hostile names stay one line, escaped', () => {
  const m = hostileModel();
  const idx = findIndex(graphOf(m));
  for (const p of m.processes) {
    const part = [...p.name].slice(0, 4).join('');
    if (part.trim() === '' || /^[\d[\]:]+$/.test(part.trim())) continue;
    const words = matchWords(idx.rank(part));
    assert.doesNotMatch(words, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\udc80-\udcff]/, words);
  }
});

test('why one match matched, in words', () => {
  const m = enginesModel();
  const idx = findIndex(graphOf(m));
  const web = idx.rank('web');
  assert.equal(matchWhy(web[0]!), 'own namespace of container "web"');
  const hostUser = web.find((r) => r.key === m.host.userns)!;
  assert.equal(matchWhy(hostUser), 'mentions container "web"');
  const net = m.namespaces.find((n) => n.type === 'net')!;
  assert.equal(matchWhy(idx.rank(`[${net.ino}]`)[0]!), 'by id');
  assert.equal(matchWhy(idx.rank('net')[0]!), 'net namespace');
});

test('caps:host finds the namespaces of processes holding capabilities in the host user namespace, and no others', () => {
  const m = enginesModel();
  const hostUser = m.namespaces.find((n) => n.type === 'user' && n.parent === undefined)!.key;
  const nginx = m.processes.find((p) => p.name === 'nginx')!;
  const sandboxed = m.processes.find((p) => p.ns.user !== undefined && p.ns.user !== hostUser)!;
  assert.ok(sandboxed, 'the fixture has a process in a user namespace of its own');
  for (const p of m.processes) p.capEff = '0000000000000000';
  nginx.capEff = '00000000a80425fb'; // a rootful container's default set
  sandboxed.capEff = '000001ffffffffff'; // all of them, but in its own user namespace
  const holders = m.processes.filter(
    (p) => (p.ns.user ?? hostUser) === hostUser && p.capEff !== '0000000000000000',
  );
  assert.deepEqual(
    holders.map((p) => p.pid),
    [nginx.pid],
  );
  const want = m.namespaces
    .filter((n) => n.pids.some((pid) => holders.some((p) => p.pid === pid)))
    .map((n) => n.key)
    .sort();
  const idx = findIndex(graphOf(m));
  assert.deepEqual([...idx.find('caps:host')].sort(), want);
  assert.ok(!idx.find('caps:host').includes(sandboxed.ns.user!), 'not the sandbox');
  assert.deepEqual(
    new Set(idx.rank('caps:host').map((r) => r.subject.text)),
    new Set(["processes with capabilities in the host's user namespace"]),
  );
});
