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
