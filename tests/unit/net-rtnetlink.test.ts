/**
 * rtnetlink answers as the kernel writes them (struct nlmsghdr, ifinfomsg,
 * ifaddrmsg, rtattr, in the host's byte order), built here byte by byte:
 * the kinds this machine's kernel cannot make (vlan, bond, wireguard,
 * geneve, ipvlan, dummy) are tested only this way; tests/integration/
 * net-read.test.ts holds the reader against `ip -j` for the kinds it can.
 * Malformed lengths end a message's parse, never the reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import {
  addressOf,
  attributes,
  ipv6Text,
  linkOf,
  messages,
  nsidOf,
  nsidRequest,
} from '../../main/net/rtnetlink';
import { indexLinks, otherEnd, type NetnsReading } from '../../main/net/wiring';

const LE = endianness() === 'LE';
const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  if (LE) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
};
const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
/** struct rtattr + value, padded to 4. */
const attr = (type: number, value: Buffer) =>
  pad(Buffer.concat([u16(4 + value.length), u16(type), value]));
const str = (s: string | Buffer) => Buffer.concat([Buffer.from(s), Buffer.alloc(1)]);
/** struct ifinfomsg: family, pad, type (ARPHRD), index, flags, change. */
const ifinfo = (arphrd: number, index: number, flags: number) =>
  Buffer.concat([Buffer.from([0, 0]), u16(arphrd), u32(index), u32(flags), u32(0)]);
/** One netlink message: header + payload. */
const nlmsg = (type: number, payload: Buffer, seq = 7) =>
  pad(Buffer.concat([u32(16 + payload.length), u16(type), u16(2), u32(seq), u32(0), payload]));

const IFF_UP = 1;
const IFF_LOOPBACK = 8;
const link = (
  index: number,
  name: string | Buffer,
  more: Buffer[] = [],
  { arphrd = 1, flags = IFF_UP } = {},
) =>
  Buffer.concat([
    ifinfo(arphrd, index, flags),
    attr(3, str(name)), // IFLA_IFNAME
    attr(4, u32(1500)), // IFLA_MTU
    attr(16, Buffer.from([6])), // IFLA_OPERSTATE: UP
    attr(1, Buffer.from([0x02, 0x42, 0xac, 0x11, 0x00, 0x02])), // IFLA_ADDRESS
    ...more,
  ]);
const kind = (k: string, data?: Buffer) =>
  attr(18, Buffer.concat([attr(1, str(k)), ...(data ? [attr(2, data)] : [])])); // IFLA_LINKINFO

test('links: each kind as the kernel names it, tun and tap told apart, loopback by its flag', () => {
  const cases: [Buffer, string][] = [
    [link(1, 'lo', [], { arphrd: 772, flags: IFF_UP | IFF_LOOPBACK }), 'loopback'],
    [link(2, 'eth0'), 'physical'],
    ...['veth', 'bridge', 'bond', 'vlan', 'macvlan', 'ipvlan', 'vxlan', 'geneve', 'dummy'].map(
      (k, i) => [link(10 + i, `x${i}`, [kind(k)]), k] as [Buffer, string],
    ),
    [link(30, 'wg0', [kind('wireguard')], { arphrd: 65534 }), 'wireguard'],
    [link(31, 'tun0', [kind('tun', attr(3, Buffer.from([1])))], { arphrd: 65534 }), 'tun'],
    [link(32, 'tap0', [kind('tun', attr(3, Buffer.from([2])))]), 'tap'],
    [link(33, 'odd', [kind('Bad Kind!')]), 'other'],
    [link(34, 'sit0', [], { arphrd: 776 }), 'other'],
  ];
  for (const [payload, want] of cases) assert.equal(linkOf(payload)?.kind, want, want);
  const eth = linkOf(link(2, 'eth0'))!;
  assert.deepEqual(
    { ...eth, name: eth.name.toString() },
    {
      index: 2,
      name: 'eth0',
      kind: 'physical',
      up: true,
      operstate: 'UP',
      mac: '02:42:ac:11:00:02',
      mtu: 1500,
    },
  );
});

test('a veth with its peer in another namespace, a bridge member, a macvlan on a parent', () => {
  const veth = linkOf(
    link(5, 'veth1', [kind('veth'), attr(5, u32(2)), attr(37, u32(0)), attr(10, u32(3))]),
  )!;
  assert.deepEqual([veth.link, veth.linkNetnsid, veth.master], [2, 0, 3]);
  // IFLA_LINK_NETNSID -1: no id, the same namespace as far as the kernel says
  const local = linkOf(link(6, 'mv0', [kind('macvlan'), attr(5, u32(5)), attr(37, u32(-1))]))!;
  assert.deepEqual([local.link, local.linkNetnsid], [5, undefined]);
  // IFLA_LINK naming the link itself (a tun does): no parent
  assert.equal(linkOf(link(7, 'self', [attr(5, u32(7))]))!.link, undefined);
  // the same index in another namespace is another device: a veth made between two
  // fresh namespaces has index 2 at both ends
  const twin = linkOf(link(2, 'vm0', [kind('veth'), attr(5, u32(2)), attr(37, u32(0))]))!;
  assert.deepEqual([twin.link, twin.linkNetnsid], [2, 0]);
});

test('a hostile name keeps its bytes; malformed attributes end the parse, never throw', () => {
  const hostile = Buffer.from([0x22, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x28]); // "\e[31m\xff\xfe(
  assert.deepEqual(linkOf(link(9, hostile))!.name, hostile);
  // an attribute claiming more than is there: ignored with the rest
  const broken = Buffer.concat([ifinfo(1, 4, 1), attr(3, str('ok')), u16(400), u16(4), u32(1)]);
  assert.equal(linkOf(broken)!.name.toString(), 'ok');
  assert.equal(attributes(Buffer.concat([u16(2), u16(1)]), 0).size, 0); // length below 4
  assert.equal(linkOf(Buffer.alloc(10)), undefined); // shorter than ifinfomsg
  assert.equal(linkOf(ifinfo(1, 4, 1)), undefined); // no name
  // a message running past the datagram
  const whole = Buffer.concat([nlmsg(16, link(2, 'eth0')), nlmsg(16, link(3, 'eth1'))]);
  const cut = messages(whole.subarray(0, whole.length - 8));
  assert.equal(cut.list.length, 1);
  assert.equal(cut.truncated, true);
  assert.equal(messages(whole).list.length, 2);
});

test('addresses of both families as ip prints them; IFA_LOCAL over IFA_ADDRESS', () => {
  const ifaddr = (family: number, prefix: number, index: number) =>
    Buffer.concat([Buffer.from([family, prefix, 0, 0]), u32(index)]);
  const v4 = Buffer.concat([
    ifaddr(2, 24, 4),
    attr(1, Buffer.from([10, 0, 0, 9])), // IFA_ADDRESS: the peer on a point-to-point link
    attr(2, Buffer.from([10, 0, 0, 1])), // IFA_LOCAL: its own
  ]);
  assert.deepEqual(addressOf(v4), { index: 4, family: 4, address: '10.0.0.1', prefix: 24 });
  const v6 = (bytes: number[]) =>
    addressOf(Buffer.concat([ifaddr(10, 64, 4), attr(1, Buffer.from(bytes))]))!.address;
  const hex = (s: string) => s.match(/../g)!.map((x) => parseInt(x, 16));
  assert.equal(v6(hex('fe80000000000000c84a5cfffe1b2378')), 'fe80::c84a:5cff:fe1b:2378');
  assert.equal(v6(hex('00000000000000000000000000000001')), '::1');
  assert.equal(v6(hex('20010db8000000010000000000000001')), '2001:db8:0:1::1');
  assert.equal(v6(hex('20010db8000000000001000000000001')), '2001:db8::1:0:0:1');
  assert.equal(v6(hex('00000000000000000000ffff0a000001')), '::ffff:10.0.0.1');
  assert.equal(
    ipv6Text(Buffer.from(hex('20010db8000100020003000400050006'))),
    '2001:db8:1:2:3:4:5:6',
  );
  assert.equal(
    addressOf(Buffer.concat([ifaddr(2, 8, 1), attr(2, Buffer.from([1, 2]))])),
    undefined,
  );
});

test('RTM_GETNSID asks by fd; an unassigned id (-1) is no id', () => {
  const req = nsidRequest(3, 42);
  assert.equal(req.length, 16 + 4 + 8);
  const answer = (id: number) => Buffer.concat([Buffer.alloc(4), attr(1, u32(id))]);
  assert.equal(nsidOf(answer(5)), 5);
  assert.equal(nsidOf(answer(-1)), undefined);
  assert.equal(nsidOf(Buffer.alloc(4)), undefined);
});

/** A namespace as read, from [index, kind, peer index, peer nsid] rows. */
const ns = (key: string, rows: [number, string, number?, number?][]): NetnsReading => ({
  key,
  addresses: [],
  links: rows.map(([index, kind, link, linkNetnsid]) => ({
    index,
    name: Buffer.from(`if${index}`),
    kind,
    up: true,
    operstate: 'UP',
    ...(link !== undefined ? { link } : {}),
    ...(linkNetnsid !== undefined ? { linkNetnsid } : {}),
  })),
});

test('wiring: a veth peer confirmed by the nsid, inferred when the kernel has none, unknown when nobody points back', () => {
  const host = ns('net:1', [
    [1, 'loopback'],
    [8, 'veth', 2, 0],
    [9, 'veth', 2, 1],
    [10, 'veth', 2, 7],
  ]);
  const a = ns('net:2', [
    [1, 'loopback'],
    [2, 'veth', 8, 0],
  ]);
  const b = ns('net:3', [
    [1, 'loopback'],
    [2, 'veth', 9, 0],
  ]);
  const all = [host, a, b];
  const ids = new Map([
    ['net:1>net:2', 0],
    ['net:2>net:1', 0],
    ['net:3>net:1', 0],
    // host has no id for b: its veth 9 is found by b's veth pointing back
  ]);
  const asked: string[] = [];
  const nsid = (from: NetnsReading, to: NetnsReading) => {
    asked.push(`${from.key}>${to.key}`);
    return ids.get(`${from.key}>${to.key}`);
  };
  const idx = indexLinks(all);
  const end = (r: NetnsReading, i: number) =>
    otherEnd(
      r,
      r.links.find((l) => l.index === i)!,
      nsid,
      idx,
    );
  assert.deepEqual(end(host, 8), { index: 2, ns: 'net:2' });
  // only the namespace whose veth points back was asked, not every one with a link 2
  assert.deepEqual(asked, ['net:1>net:2']);
  assert.deepEqual(end(host, 9), { index: 2, ns: 'net:3', inferred: true });
  assert.deepEqual(end(host, 10), { index: 2, nsid: 7 }); // nobody's veth 2 points at 10
  assert.deepEqual(end(a, 2), { index: 8, ns: 'net:1' });
  assert.deepEqual(end(host, 1), undefined);
});

test('wiring: a macvlan’s parent in another namespace is found by the nsid among every link of that index', () => {
  const host = ns('net:1', [
    [1, 'loopback'],
    [2, 'physical'],
  ]);
  const other = ns('net:4', [
    [1, 'loopback'],
    [2, 'physical'],
  ]);
  const c = ns('net:2', [
    [1, 'loopback'],
    [3, 'macvlan', 2, 5],
  ]);
  const nsid = (from: NetnsReading, to: NetnsReading) =>
    from.key === 'net:2' && to.key === 'net:1' ? 5 : from.key === 'net:2' ? 6 : undefined;
  const all = [host, other, c];
  assert.deepEqual(otherEnd(c, c.links[1]!, nsid, indexLinks(all)), { index: 2, ns: 'net:1' });
  // the same in its own namespace (no nsid): an index there
  const d = ns('net:5', [
    [2, 'veth', 3],
    [3, 'veth', 2],
  ]);
  assert.deepEqual(otherEnd(d, d.links[0]!, nsid, indexLinks([d])), { index: 3 });
});
