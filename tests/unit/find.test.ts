/**
 * The find box's matching (main/emit/find.ts) on hand-made models, each
 * expectation computed from the model's own fields; and shellWord, whose
 * quoting bash itself must read back byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findIndex, shellWord } from '../../main/emit';
import { encodeBytes, graphOf, type Model, type NsKey } from '../../main/model';
import { NS_TYPES } from '../../main/relations/constants';
import { enginesModel, hostileModel, podModel } from './fixtures/dot-models';

const drawingOrder = (m: Model, keep: (k: NsKey) => boolean) =>
  [...m.namespaces]
    .sort((a, b) => NS_TYPES.indexOf(a.type) - NS_TYPES.indexOf(b.type) || a.ino - b.ino)
    .map((n) => n.key)
    .filter(keep);

test('a PID finds exactly the namespaces its process is in, in drawing order', () => {
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
    assert.deepEqual(idx.find(String(p.pid)), want, `pid ${p.pid}`);
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
    idx.find(`net:${prefix}`),
    drawingOrder(m, (k) => k.startsWith('net:') && k.slice(4).startsWith(prefix)),
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
  assert.deepEqual(idx.find('SIDEcar'), want);
  // the pod's name finds every namespace of its three containers
  const podNs = drawingOrder(m, (k) => g.containersOf(k).length > 0);
  assert.deepEqual(idx.find('cart-7d9f'), podNs);
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
