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

test('veth pairs once each, a bridge port as the line from its bridge, members under their bridge, parents dotted, lo never drawn', () => {
  const dot = modelToNetDot(model);
  const p = parts(dot);
  const edge = (id: string) => p.lines.find((l) => l.id === id);
  // the bridge's ports whose peers are drawn are lines from the bridge, named by the pair
  assert.deepEqual(edge('e__if-net-10-8__if-net-20-2')?.ends, 'if-net-10-5 if-net-20-2', dot);
  assert.deepEqual(edge('e__if-net-10-9__if-net-30-2')?.ends, 'if-net-10-5 if-net-30-2');
  assert.match(edge('e__if-net-10-9__if-net-30-2')!.text, /color="#8a8a8a"/); // inferred: grey
  assert.match(edge('e__if-net-10-8__if-net-20-2')!.text, /style=bold/);
  assert.ok(
    !p.nodes.includes('if-net-10-8') && !p.nodes.includes('if-net-10-9'),
    'no rows for them',
  );
  // and named in the row at the other end, escaped
  assert.ok(dot.includes('peer <B>veth&lt;a&gt;</B> on br0'), dot);
  assert.ok(dot.includes('peer <B>vethb</B> on br0'));
  assert.match(edge('e__if-net-20-3__if-net-20-2')!.text, /style=dotted/);
  assert.equal(p.lines.length, 3, p.lines.map((l) => l.text).join('\n'));
  assert.ok(!dot.includes('"if-net-10-1"'), 'lo is not drawn');
  // a namespace with only lo is listed, one whose interfaces were not read is left out
  assert.match(
    dot,
    /1 more network namespace with no interface but lo:<BR ALIGN="LEFT"\/>.*net:\[40\]/,
  );
  assert.ok(!dot.includes('net:[50]'));
  // a box holding a bridge keeps its label on top; below, out of the way of the lines, elsewhere
  const labelloc = (ino: number) =>
    new RegExp(`id="net-${ino}";[^\n]*labelloc=(\\w)`).exec(dot)?.[1];
  assert.deepEqual([10, 20, 30].map(labelloc), ['t', 'b', 'b']);
  // system strings escaped for HTML labels; the bind-mounted namespace named
  assert.ok(dot.includes('<B>h&lt;1&gt;</B>'));
  assert.ok(dot.includes('netns <B>blue</B>'));
  assert.ok(dot.includes('<I>LOWERLAYERDOWN</I>'));
});

test('a port with an address of its own, or a peer not drawn, stays a row: a member line, the pair line from it', () => {
  const addressed: Model = structuredClone(model);
  const host = addressed.namespaces.find((n) => n.key === 'net:10')!;
  host.interfaces!.find((i) => i.index === 8)!.addresses = [
    { family: 4, address: '10.0.0.8', prefix: 24 },
  ];
  const p = parts(modelToNetDot(addressed));
  assert.ok(p.nodes.includes('if-net-10-8'));
  assert.equal(
    p.lines.find((l) => l.id === 'e__if-net-10-5__if-net-10-8')?.ends,
    'if-net-10-5 if-net-10-8',
  );
  assert.equal(
    p.lines.find((l) => l.id === 'e__if-net-10-8__if-net-20-2')?.ends,
    'if-net-10-8 if-net-20-2',
  );
  // the other port still a line
  assert.ok(!p.nodes.includes('if-net-10-9'));
  // its peer's interfaces not read: the port is a row under its bridge, no pair line
  const unread: Model = structuredClone(model);
  delete unread.namespaces.find((n) => n.key === 'net:30')!.interfaces;
  const q = parts(modelToNetDot(unread));
  assert.ok(q.nodes.includes('if-net-10-9'));
  assert.ok(q.edges.includes('if-net-10-5 if-net-10-9'));
  assert.ok(!q.lines.some((l) => l.id.includes('net-30')), q.edges.join());
});

/** The nodes, boxes and lines of a DOT, by id. */
function parts(dot: string) {
  const nodes = [...dot.matchAll(/^ {4}"(if-[^"]+)" \[/gm)].map((m) => m[1]!);
  const boxes = [...dot.matchAll(/^ {4}id="(net-\d+)"; class="([^"]+)"/gm)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  const lines = [...dot.matchAll(/^ {2}"([^"]+)" -> "([^"]+)" \[id="([^"]+)"(.*)$/gm)].map((m) => ({
    ends: `${m[1]} ${m[2]}`,
    id: m[3]!,
    text: m[4]!,
  }));
  return { nodes, boxes, lines, edges: lines.map((l) => l.ends) };
}

test('only some namespaces: those in full, the ones they are wired to faint with only the interfaces on the way', () => {
  // net:20 (the macvlan's) alone: its veth's other end is a port of the host's bridge
  const dot = modelToNetDot(model, { only: new Set(['net:20']), onlyText: 'only blue <x>' });
  const p = parts(dot);
  assert.deepEqual(p.boxes, ['net-20 netns', 'net-10 netns context'], dot);
  assert.deepEqual(
    p.nodes.sort(),
    ['if-net-10-5', 'if-net-20-2', 'if-net-20-3'],
    "the bridge (its port is the line to eth0); not the bridge's other port",
  );
  assert.deepEqual(p.edges.sort(), ['if-net-10-5 if-net-20-2', 'if-net-20-3 if-net-20-2']);
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
