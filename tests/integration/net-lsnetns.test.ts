/**
 * lsnetns against the kernel: network namespaces built with `ip` and
 * `unshare` (a bridge with veth members like docker0 in a namespace held
 * by a process, its peers in a bind-mounted namespace and in one held by
 * another process), then every interface `ip -j` reports in each is in
 * `lsnetns -J` with its index, kind, state and addresses, every veth's
 * peer names the namespace the scene put it in (keys from the kernel's
 * /proc links and the mounts' inodes), and the tree says it in words.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Model } from '../../main/model';
import { runBin } from '../helpers/bins';
import { inNetns } from '../helpers/net';
import { needRoot } from '../helpers/scene';

const tag = randomBytes(2).toString('hex');
const MOUNTED = `gl${tag}m`;
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const kids: ChildProcess[] = [];

let hub = 0; // the bridge's namespace, held by a process
let leaf = 0; // a peer's namespace, held by a process
before(async () => {
  if (needRoot) return;
  hub = await inNetns(kids);
  leaf = await inNetns(kids);
  ip('netns', 'add', MOUNTED);
  const inHub = (...args: string[]) =>
    execFileSync('nsenter', ['-t', String(hub), '-n', 'ip', ...args]);
  inHub('link', 'add', 'br0', 'type', 'bridge');
  inHub('addr', 'add', '10.77.0.1/24', 'dev', 'br0');
  inHub('link', 'set', 'br0', 'up');
  // a veth from the bridge to each peer: the bind-mounted namespace and the process's
  for (const [v, peer] of [
    ['vm0', `/run/netns/${MOUNTED}`],
    ['vl0', `/proc/${leaf}/ns/net`],
  ])
    inHub('link', 'add', v!, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer!);
  for (const v of ['vm0', 'vl0']) inHub('link', 'set', v, 'master', 'br0', 'up');
  ip('-n', MOUNTED, 'addr', 'add', '10.77.0.2/24', 'dev', 'eth0');
  ip('-n', MOUNTED, 'addr', 'add', 'fd77::2/64', 'dev', 'eth0');
  ip('-n', MOUNTED, 'link', 'set', 'eth0', 'up');
  execFileSync('nsenter', ['-t', String(leaf), '-n', 'ip', 'link', 'set', 'eth0', 'up']);
  // the states the scene leads to, before anything compares them: every link but lo UP, with
  // the IPv6 link-local address the kernel gives it then
  const settled = (where: string[]) =>
    (
      JSON.parse(
        execFileSync(where[0]!, [...where.slice(1), '-j', 'addr'], { encoding: 'utf8' }),
      ) as { ifname: string; operstate: string; addr_info: { local: string }[] }[]
    )
      .filter((l) => l.ifname !== 'lo')
      .every((l) => l.operstate === 'UP' && l.addr_info.some((a) => a.local.startsWith('fe80:')));
  const everywhere = [
    ['nsenter', '-t', String(hub), '-n', 'ip'],
    ['nsenter', '-t', String(leaf), '-n', 'ip'],
    ['ip', '-n', MOUNTED],
  ];
  while (!everywhere.every(settled)) await new Promise((r) => setTimeout(r, 20));
});

after(() => {
  for (const k of kids) k.kill('SIGKILL');
  try {
    ip('netns', 'del', MOUNTED);
  } catch {
    /* not made */
  }
});

test(
  'lsnetns names every interface and every veth pair as the kernel has them',
  { skip: needRoot },
  () => {
    const key = (path: string) => `net:${statSync(path).ino}`;
    const keys = {
      hub: key(`/proc/${hub}/ns/net`),
      leaf: key(`/proc/${leaf}/ns/net`),
      mounted: key(`/run/netns/${MOUNTED}`),
    };
    const json = runBin('lsnetns', ['-J']);
    assert.equal(json.status, 0, json.stderr);
    const m = JSON.parse(json.stdout) as Model;
    const ns = (k: string) => m.namespaces.find((n) => n.key === k)!;
    const oracle = (where: string[]) => ({
      links: JSON.parse(
        execFileSync(where[0]!, [...where.slice(1), '-j', 'link', 'show'], { encoding: 'utf8' }),
      ) as {
        ifindex: number;
        ifname: string;
        operstate: string;
      }[],
      addrs: JSON.parse(
        execFileSync(where[0]!, [...where.slice(1), '-j', 'addr', 'show'], { encoding: 'utf8' }),
      ) as {
        ifindex: number;
        addr_info: { local: string; prefixlen: number }[];
      }[],
    });
    const places: [string, string[]][] = [
      [keys.hub, ['nsenter', '-t', String(hub), '-n', 'ip']],
      [keys.leaf, ['nsenter', '-t', String(leaf), '-n', 'ip']],
      [keys.mounted, ['ip', '-n', MOUNTED]],
    ];
    for (const [k, where] of places) {
      const want = oracle(where);
      const got = ns(k).interfaces!;
      assert.deepEqual(
        got.map((i) => [i.index, i.name, i.operstate]),
        want.links.map((l) => [l.ifindex, l.ifname, l.operstate]),
        `interfaces of ${k}`,
      );
      for (const a of want.addrs) {
        const i = got.find((x) => x.index === a.ifindex)!;
        assert.deepEqual(
          i.addresses.map((x) => `${x.address}/${x.prefix}`).sort(),
          a.addr_info.map((x) => `${x.local}/${x.prefixlen}`).sort(),
          `addresses of ${i.name} in ${k}`,
        );
      }
    }
    // the veth pairs, each end naming the other's namespace, the bridge holding the hub's ends
    const hubIfs = ns(keys.hub).interfaces!;
    const br0 = hubIfs.find((i) => i.name === 'br0')!;
    for (const [v, other] of [
      ['vm0', keys.mounted],
      ['vl0', keys.leaf],
    ] as const) {
      const end = hubIfs.find((i) => i.name === v)!;
      const eth0 = ns(other).interfaces!.find((i) => i.name === 'eth0')!;
      assert.deepEqual(
        [end.kind, end.master, end.peer],
        ['veth', br0.index, { index: eth0.index, ns: other }],
        v,
      );
      assert.deepEqual(eth0.peer, { index: end.index, ns: keys.hub }, `eth0 of ${other}`);
    }
    // and the tree says it in words, the bridge's members under it
    const tree = runBin('lsnetns', []);
    assert.equal(tree.status, 0, tree.stderr);
    const ino = (k: string) => k.slice(4);
    assert.match(
      tree.stdout,
      new RegExp(`net:\\[${ino(keys.hub)}\\] process "sleep \\(${hub}\\)"`),
    );
    assert.match(
      tree.stdout,
      new RegExp(
        `── br0 bridge UP 10\\.77\\.0\\.1/24.*\\n.*── vm0 veth UP [^\\n]*<-> eth0 in net:\\[${ino(keys.mounted)}\\] \\(bind mount /run/netns/${MOUNTED}\\) netns "${MOUNTED}"`,
      ),
    );
    assert.match(
      tree.stdout,
      new RegExp(
        `eth0 veth UP 10\\.77\\.0\\.2/24 fd77::2/64 fe80:\\S+ <-> vm0 in net:\\[${ino(keys.hub)}\\] process "sleep \\(${hub}\\)"`,
      ),
    );
  },
);

test(
  'graphns --net draws each veth pair as one edge between the right namespaces, and lays it out',
  { skip: needRoot },
  () => {
    const key = (path: string) => `net-${statSync(path).ino}`;
    const hubKey = key(`/proc/${hub}/ns/net`);
    const mountedKey = key(`/run/netns/${MOUNTED}`);
    const leafKey = key(`/proc/${leaf}/ns/net`);
    // the indexes as the kernel gives them
    const index = (where: string[], name: string) =>
      (
        JSON.parse(
          execFileSync(where[0]!, [...where.slice(1), '-j', 'link'], { encoding: 'utf8' }),
        ) as { ifindex: number; ifname: string }[]
      ).find((l) => l.ifname === name)!.ifindex;
    const inHub = ['nsenter', '-t', String(hub), '-n', 'ip'];
    const dot = runBin('graphns', ['--net', '--dot']);
    assert.equal(dot.status, 0, dot.stderr);
    for (const [port, other, where] of [
      ['vm0', mountedKey, ['ip', '-n', MOUNTED]],
      ['vl0', leafKey, ['nsenter', '-t', String(leaf), '-n', 'ip']],
    ] as const) {
      // the pair is one line from the bridge its hub end is a port of, named by the pair
      const [v, c] = [
        `if-${hubKey}-${index(inHub, port)}`,
        `if-${other}-${index([...where], 'eth0')}`,
      ];
      const line = `"if-${hubKey}-${index(inHub, 'br0')}" -> "${c}" [id="e__${v}__${c}"`;
      assert.equal(dot.stdout.split(line).length - 1, 1, `${port}: ${line}`);
      assert.ok(dot.stdout.includes(`peer <B>${port}</B> on br0`), `${port} named at eth0`);
    }
    const svg = runBin('graphns', ['--net', '-o', '-']);
    assert.equal(svg.status, 0, svg.stderr);
    // (Graphviz writes '-' in SVG ids as &#45;)
    assert.ok(
      svg.stdout.includes(`id="${mountedKey.replace(/-/g, '&#45;')}"`),
      'the mounted namespace is drawn',
    );
    assert.ok(svg.stdout.includes(MOUNTED));
    // the wiring is another graph than -d's, and said so
    const both = runBin('graphns', ['--net', '-d', '--dot']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--net and --details draw different graphs/);
  },
);
