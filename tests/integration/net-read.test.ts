/**
 * The rtnetlink reader against the kernel as `ip -j -d` reports it, on
 * network namespaces built here with `ip`: a bridge with veth members like
 * docker0 (the peers in namespaces of their own, one only bind-mounted,
 * one held only by a process's fd after its mount is gone), a macvlan on a
 * veth parent, a vxlan, a tun and a tap, addresses of both families, an
 * interface renamed to a hostile name (bytes the kernel allows: an escape
 * sequence, 0xff, quotes). Every veth's peer is found in the namespace the
 * scene put it in, confirmed by the kernel's nsid, and asking assigns no
 * nsid (`ip netns list-id` is the same before and after).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readlinkSync } from 'node:fs';
import { linkOf, addressOf, type RawAddress, type RawLink } from '../../main/net/rtnetlink';
import { Rtnl } from '../../main/net/socket';
import { indexLinks, otherEnd, type NetnsReading } from '../../main/net/wiring';
import { needRoot } from '../helpers/scene';

const tag = randomBytes(2).toString('hex');
const names = ['br', 'a', 'b', 'c'].map((n) => `gn${tag}${n}`);
const [BR, A, B, C] = names as [string, string, string, string];
const HOSTILE = Buffer.from([0x65, 0x76, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0x22, 0x28]); // ev\e[31m\xff"(
const ip = (...args: string[]) =>
  execFileSync('ip', args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
let holder: ChildProcess | undefined;

/** ip's JSON (raw bytes kept as latin1; ip leaves control characters in names unescaped). */
const ipJson = (...args: string[]) =>
  JSON.parse(
    ip('-j', '-d', ...args).replace(
      /[\x00-\x08\x0b\x0c\x0e-\x1f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  ) as Record<string, unknown>[];

before(() => {
  if (needRoot) return;
  // the bridge's namespace plays the host: a bridge and three veths to three namespaces
  for (const n of names) ip('netns', 'add', n);
  ip('-n', BR, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', BR, 'addr', 'add', '172.31.0.1/24', 'dev', 'br0');
  ip('-n', BR, 'addr', 'add', 'fd00:31::1/64', 'dev', 'br0');
  ip('-n', BR, 'link', 'set', 'br0', 'up');
  for (const [i, peer] of [A, B, C].entries()) {
    ip('-n', BR, 'link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer);
    ip('-n', BR, 'link', 'set', `veth${i}`, 'master', 'br0', 'up');
    ip('-n', peer, 'addr', 'add', `172.31.0.${10 + i}/24`, 'dev', 'eth0');
    ip('-n', peer, 'link', 'set', 'eth0', 'up');
  }
  // in A: a macvlan on its veth, a vxlan, a tun and a tap, and a hostile name
  ip('-n', A, 'link', 'add', 'mv0', 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge');
  ip('-n', A, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'dev', 'eth0');
  ip('-n', A, 'tuntap', 'add', 'mode', 'tun', 'name', 'tun0');
  ip('-n', A, 'tuntap', 'add', 'mode', 'tap', 'name', 'tap0');
  // C is held only by a process's fd once its bind mount is gone
  holder = spawn(
    'python3',
    [
      '-c',
      `import os,time\nfd=os.open('/run/netns/${C}',os.O_RDONLY)\nprint(fd,flush=True)\ntime.sleep(3600)`,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
});

after(() => {
  holder?.kill('SIGKILL');
  for (const n of names) {
    try {
      ip('netns', 'del', n);
    } catch {
      /* gone already (C) */
    }
  }
});

/** One namespace read through its fd: links and addresses. */
function read(key: string, fd: number): NetnsReading & { rtnl: Rtnl } {
  const rtnl = Rtnl.open(fd);
  const links = rtnl
    .links()
    .payloads.map(linkOf)
    .filter((l): l is RawLink => !!l);
  const addresses = rtnl
    .addresses()
    .payloads.map(addressOf)
    .filter((a): a is RawAddress => !!a);
  return { key, links, addresses, rtnl };
}

test(
  'links and addresses as ip reports them, in namespaces bind-mounted and fd-held',
  { skip: needRoot },
  async () => {
    // the holder has opened C; then C's mount goes: only its fd keeps it
    const fdNo = await new Promise<string>((r) =>
      holder!.stdout!.once('data', (d: Buffer) => r(d.toString().trim())),
    );
    const cPath = `/proc/${holder!.pid}/fd/${fdNo}`;
    // the nsids each namespace has assigned (ip names them too, while their mounts exist)
    const ids = (n: string) => ip('-n', n, 'netns', 'list-id').match(/^nsid \d+/gm) ?? [];
    const before = Object.fromEntries(names.map((n) => [n, ids(n)]));
    const ours = readlinkSync('/proc/thread-self/ns/net');
    const oracle = Object.fromEntries(
      names.map((n) => [
        n,
        { links: ipJson('-n', n, 'link', 'show'), addrs: ipJson('-n', n, 'addr', 'show') },
      ]),
    );
    // the hostile name comes after ip's JSON, which does not escape '"' in names (iproute2 6.1):
    // the kernel's word for it is ip's one-line text, whose bytes are the name's
    // (argv from Node is UTF-8 text: the raw bytes go through the shell's printf)
    execFileSync('bash', [
      '-c',
      `ip -n ${A} link set dev mv0 name "$(printf 'ev\\033[31m\\377"(')"`,
    ]);
    const mv0 = oracle[A]!.links.find((l) => l.ifname === 'mv0')!;
    const line = ip('-o', '-n', A, 'link', 'show')
      .split('\n')
      .find((l) => l.startsWith(`${mv0.ifindex}: `))!;
    assert.ok(line.startsWith(`${mv0.ifindex}: ${HOSTILE.toString('latin1')}@`), line);
    mv0.ifname = HOSTILE.toString('latin1');
    ip('netns', 'del', C);
    const paths = {
      [BR]: `/run/netns/${BR}`,
      [A]: `/run/netns/${A}`,
      [B]: `/run/netns/${B}`,
      [C]: cPath,
    };
    const fds = Object.fromEntries(names.map((n) => [n, openSync(paths[n]!, 'r')]));
    const readings = names.map((n) => read(n, fds[n]!));
    try {
      for (const r of readings) {
        const want = oracle[r.key]!;
        assert.deepEqual(
          r.links.map((l) => [
            l.index,
            l.name.toString('latin1'),
            l.mtu,
            l.mac,
            l.master,
            l.link,
            l.up,
          ]),
          want.links.map((l) => [
            l.ifindex,
            l.ifname,
            l.mtu,
            l.link_type === 'ether' ? l.address : undefined,
            l.master === undefined
              ? undefined
              : want.links.find((m) => m.ifname === l.master)!.ifindex,
            // ip names a link in the same namespace (`link`), gives another's index (`link_index`)
            l.link_index ?? want.links.find((m) => m.ifname === l.link)?.ifindex,
            (l.flags as string[]).includes('UP'),
          ]),
          `links of ${r.key}`,
        );
        const kindOf = (l: Record<string, unknown>) => {
          const info = l.linkinfo as
            { info_kind?: string; info_data?: { type?: string } } | undefined;
          if (l.link_type === 'loopback') return 'loopback';
          if (info?.info_kind === 'tun') return info.info_data?.type ?? 'tun';
          return info?.info_kind ?? 'physical';
        };
        assert.deepEqual(
          r.links.map((l) => l.kind),
          want.links.map(kindOf),
          `kinds in ${r.key}`,
        );
        const addrs = want.addrs.flatMap((l) =>
          (l.addr_info as { family: string; local: string; prefixlen: number }[]).map((a) => ({
            index: l.ifindex,
            family: a.family === 'inet' ? 4 : 6,
            address: a.local,
            prefix: a.prefixlen,
          })),
        );
        const sort = (xs: readonly object[]) => xs.map((x) => JSON.stringify(x)).sort();
        assert.deepEqual(sort(r.addresses), sort(addrs), `addresses of ${r.key}`);
      }
      // the hostile name, byte for byte
      assert.ok(readings[1]!.links.some((l) => l.name.equals(HOSTILE) && l.kind === 'macvlan'));

      // every veth's peer, in the namespace the scene put it in, confirmed by the nsid
      const byKey = new Map(readings.map((r) => [r.key, r]));
      const nsid = (from: NetnsReading, to: NetnsReading) =>
        byKey.get(from.key)!.rtnl.nsid(fds[to.key]!);
      const idx = indexLinks(readings);
      const br = readings[0]!;
      for (const [i, peer] of [A, B, C].entries()) {
        const v = br.links.find((l) => l.name.toString() === `veth${i}`)!;
        const eth0 = byKey.get(peer)!.links.find((l) => l.name.toString() === 'eth0')!;
        assert.deepEqual(otherEnd(br, v, nsid, idx), { index: eth0.index, ns: peer }, `veth${i}`);
        assert.deepEqual(otherEnd(byKey.get(peer)!, eth0, nsid, idx), { index: v.index, ns: BR });
      }
      // the macvlan's parent is its namespace's own eth0
      const a = byKey.get(A)!;
      const mv = a.links.find((l) => l.kind === 'macvlan')!;
      assert.deepEqual(otherEnd(a, mv, nsid, idx), {
        index: a.links.find((l) => l.name.toString() === 'eth0')!.index,
      });
      // nothing was assigned by asking
      for (const n of [BR, A, B]) assert.deepEqual(ids(n), before[n], `nsids of ${n}`);
      // and the test's own namespace is still ours
      assert.equal(readlinkSync('/proc/thread-self/ns/net'), ours);
    } finally {
      for (const r of readings) r.rtnl.close();
      for (const fd of Object.values(fds)) closeSync(fd);
    }
  },
);

test(
  'a dump of hundreds of links and addresses spans many datagrams, and every one is read',
  { skip: needRoot },
  () => {
    const MANY = `gn${tag}many`;
    ip('netns', 'add', MANY);
    try {
      // 150 veth pairs in one namespace (300 links, about 1 KiB each: the kernel's dump
      // parts are 32 KiB at most), an address on each first end: many datagrams of each
      const batch = Array.from({ length: 150 }, (_, i) => [
        `link add m${i}a type veth peer name m${i}b`,
        `addr add 10.${60 + (i >> 8)}.${i & 255}.1/32 dev m${i}a`,
      ]).flat();
      execFileSync('ip', ['-n', MANY, '-batch', '-'], { input: `${batch.join('\n')}\n` });
      const links = ipJson('-n', MANY, 'link', 'show');
      const addrs = ipJson('-n', MANY, 'addr', 'show').flatMap((l) =>
        (l.addr_info as { local: string }[]).map((a) => `${l.ifindex} ${a.local}`),
      );
      assert.ok(links.length > 300 && addrs.length >= 150, 'the scene is there');
      const fd = openSync(`/run/netns/${MANY}`, 'r');
      try {
        const r = read(MANY, fd);
        try {
          assert.deepEqual(
            r.links.map((l) => `${l.index} ${l.name.toString('latin1')} ${l.link}`),
            links.map(
              (l) =>
                `${l.ifindex} ${l.ifname} ${l.link_index ?? links.find((m) => m.ifname === l.link)?.ifindex}`,
            ),
          );
          assert.deepEqual(r.addresses.map((a) => `${a.index} ${a.address}`).sort(), addrs.sort());
        } finally {
          r.rtnl.close();
        }
      } finally {
        closeSync(fd);
      }
    } finally {
      ip('netns', 'del', MANY);
    }
  },
);
