/**
 * The wiring's DOT (graphns --net) from a model of three network
 * namespaces: a host with a bridge and two veth ports, two peers, one of
 * them with a macvlan on its eth0, and a sandbox with only lo. Each veth
 * pair is one edge, from the bridge's port down; members hang under their
 * bridge; a parent is dotted; lo is never drawn and a namespace with only
 * lo is listed, not boxed; hostile names are escaped for HTML labels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToNetDot } from '../../main/emit';
import type { Model, Namespace, NetInterface } from '../../main/model';

const ns = (
  ino: number,
  interfaces: NetInterface[],
  mounts: Namespace['mounts'] = [],
): Namespace => ({
  key: `net:${ino}`,
  type: 'net',
  ino,
  origin: mounts.length ? 'bindmount' : 'process',
  pids: mounts.length ? [] : [ino],
  tasks: [],
  fds: [],
  mounts,
  interfaces,
});
const lo: NetInterface = {
  index: 1,
  name: 'lo',
  kind: 'loopback',
  up: true,
  operstate: 'UNKNOWN',
  addresses: [],
};
const iface = (
  index: number,
  name: string,
  kind: string,
  more: Partial<NetInterface> = {},
): NetInterface => ({
  index,
  name,
  kind,
  up: true,
  operstate: 'UP',
  addresses: [],
  ...more,
});

const model: Model = {
  host: { hostname: 'h<1>', kernel: 'k', time: 't', uid: 0, nsidSupported: true },
  namespaces: [
    ns(10, [
      lo,
      iface(5, 'br0', 'bridge', { addresses: [{ family: 4, address: '10.0.0.1', prefix: 24 }] }),
      iface(8, 'veth<a>', 'veth', { master: 5, peer: { index: 2, ns: 'net:20' } }),
      iface(9, 'vethb', 'veth', { master: 5, peer: { index: 2, ns: 'net:30', inferred: true } }),
    ]),
    ns(
      20,
      [
        lo,
        iface(2, 'eth0', 'veth', { peer: { index: 8, ns: 'net:10' } }),
        iface(3, 'mv0', 'macvlan', { parent: { index: 2 } }),
      ],
      [{ path: '/run/netns/blue', mntns: 'mnt:1' }],
    ),
    ns(30, [
      lo,
      iface(2, 'eth0', 'veth', { operstate: 'LOWERLAYERDOWN', peer: { index: 9, ns: 'net:10' } }),
    ]),
    ns(40, [lo]),
    { ...ns(50, []), interfaces: undefined },
  ],
  processes: [10, 30, 40].map((pid) => ({
    pid,
    ppid: 1,
    name: 'sleep',
    start: 1,
    ns: { net: `net:${pid}` as const },
  })),
  containers: [],
  warnings: [],
};

test('veth pairs once each from the bridge port, members under their bridge, parents dotted, lo never drawn', () => {
  const dot = modelToNetDot(model);
  const edges = dot.split('\n').filter((l) => l.includes(' -> '));
  const from = (a: string, b: string) => edges.filter((e) => e.startsWith(`  "${a}" -> "${b}"`));
  assert.equal(from('if-net-10-8', 'if-net-20-2').length, 1, dot);
  assert.equal(
    edges.filter((e) => e.includes('if-net-20-2" -> "if-net-10-8')).length,
    0,
    'one edge a pair',
  );
  assert.match(from('if-net-10-9', 'if-net-30-2')[0]!, /color="#8a8a8a"/); // inferred: grey
  assert.match(from('if-net-10-5', 'if-net-10-8')[0]!, /style=dashed/);
  assert.match(from('if-net-10-5', 'if-net-10-9')[0]!, /style=dashed/);
  assert.match(from('if-net-20-3', 'if-net-20-2')[0]!, /style=dotted/);
  assert.equal(edges.length, 5, edges.join('\n'));
  assert.ok(!dot.includes('"if-net-10-1"'), 'lo is not drawn');
  // a namespace with only lo is listed, one whose interfaces were not read is left out
  assert.match(dot, /1 more network namespace with no interface but lo: .*net:\[40\]/);
  assert.ok(!dot.includes('net:[50]'));
  // system strings escaped for HTML labels; the bind-mounted namespace named
  assert.ok(dot.includes('<B>veth&lt;a&gt;</B>') && dot.includes('<B>h&lt;1&gt;</B>'));
  assert.ok(dot.includes('netns <B>blue</B>'));
  assert.ok(dot.includes('<I>LOWERLAYERDOWN</I>'));
});

/** The nodes and edges of a DOT, by id. */
function parts(dot: string) {
  const nodes = [...dot.matchAll(/^ {4}"(if-[^"]+)" \[/gm)].map((m) => m[1]!);
  const boxes = [...dot.matchAll(/^ {4}id="(net-\d+)"; class="([^"]+)"/gm)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  const edges = [...dot.matchAll(/^ {2}"([^"]+)" -> "([^"]+)"/gm)].map((m) => `${m[1]} ${m[2]}`);
  return { nodes, boxes, edges };
}

test('only some namespaces: those in full, the ones they are wired to faint with only the interfaces on the way', () => {
  // net:20 (the macvlan's) alone: its veth's other end is a port of the host's bridge
  const dot = modelToNetDot(model, { only: new Set(['net:20']), onlyText: 'only blue <x>' });
  const p = parts(dot);
  assert.deepEqual(p.boxes, ['net-20 netns', 'net-10 netns context'], dot);
  assert.deepEqual(
    p.nodes.sort(),
    ['if-net-10-5', 'if-net-10-8', 'if-net-20-2', 'if-net-20-3'],
    "the port, its bridge; not the bridge's other port",
  );
  assert.deepEqual(p.edges.sort(), [
    'if-net-10-5 if-net-10-8',
    'if-net-10-8 if-net-20-2',
    'if-net-20-3 if-net-20-2',
  ]);
  assert.match(dot, /1 more member not drawn/);
  assert.match(dot, /only blue &lt;x&gt;: 1 network namespace and its wiring/);
  assert.match(dot, /Faint boxes/);
  // a chosen namespace with only lo is listed, and nothing is wired to it
  const bare = parts(modelToNetDot(model, { only: new Set(['net:40']) }));
  assert.deepEqual(bare.boxes, []);
});

test('only the host: a macvlan elsewhere on its device is a wire of the host too', () => {
  const withChild: Model = {
    ...model,
    namespaces: [
      ...model.namespaces,
      ns(60, [lo, iface(4, 'mvc', 'macvlan', { parent: { index: 5, ns: 'net:10' } })]),
    ],
  };
  const p = parts(modelToNetDot(withChild, { only: new Set(['net:10']) }));
  assert.deepEqual(p.boxes, [
    'net-10 netns',
    'net-20 netns context',
    'net-30 netns context',
    'net-60 netns context',
  ]);
  // the peers' namespaces bring their eth0 only, not the macvlan on it
  assert.ok(p.nodes.includes('if-net-20-2') && !p.nodes.includes('if-net-20-3'), p.nodes.join());
  assert.ok(p.edges.includes('if-net-60-4 if-net-10-5'), p.edges.join('\n'));
});
