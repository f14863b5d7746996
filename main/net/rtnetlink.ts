/**
 * rtnetlink messages, built and read as the kernel writes them
 * (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h,
 * net_namespace.h): the requests graphns sends (a dump of links, a dump of
 * addresses, the nsid a network namespace has here) and the answers it
 * reads. Pure: bytes in, values out; netlink is in the host's byte order.
 *
 * Nothing here trusts a length: every attribute and message is checked
 * against what is left of the buffer, and a malformed one ends the parse
 * of its message (a warning for the caller), never a throw past it.
 */
import { endianness } from 'node:os';

const LE = endianness() === 'LE';
const u16 = (b: Buffer, o: number) => (LE ? b.readUInt16LE(o) : b.readUInt16BE(o));
const u32 = (b: Buffer, o: number) => (LE ? b.readUInt32LE(o) : b.readUInt32BE(o));
const i32 = (b: Buffer, o: number) => (LE ? b.readInt32LE(o) : b.readInt32BE(o));
const put16 = (b: Buffer, v: number, o: number) =>
  LE ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o);
const put32 = (b: Buffer, v: number, o: number) =>
  LE ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o);

/** netlink.h and rtnetlink.h numbers. */
export const NL = {
  AF_NETLINK: 16,
  NETLINK_ROUTE: 0,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0o2000000,
  MSG_DONTWAIT: 0x40,
  NLM_F_REQUEST: 1,
  NLM_F_MULTI: 2,
  NLM_F_DUMP: 0x300,
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  RTM_NEWLINK: 16,
  RTM_GETLINK: 18,
  RTM_NEWADDR: 20,
  RTM_GETADDR: 22,
  RTM_NEWNSID: 88,
  RTM_GETNSID: 90,
  AF_UNSPEC: 0,
  AF_INET: 2,
  AF_INET6: 10,
} as const;

/** if_link.h attribute types read here. */
const IFLA = {
  ADDRESS: 1,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  MASTER: 10,
  OPERSTATE: 16,
  LINKINFO: 18,
  LINK_NETNSID: 37,
} as const;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_TUN_TYPE = 3; // in a tun's IFLA_INFO_DATA (if_link.h), a u8: IFF_TUN 1 or IFF_TAP 2
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const NETNSA_NSID = 1;
const NETNSA_FD = 3;

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const ARPHRD_ETHER = 1;

/** RFC 2863 operational states (if.h IF_OPER_*), as `ip` prints them. */
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

const align4 = (n: number) => (n + 3) & ~3;
const HDR = 16; // struct nlmsghdr

/** One message of a netlink answer: its header fields and its payload (after the header). */
export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  payload: Buffer;
}

/**
 * The messages in `buf` (one recv's worth). A header whose length runs
 * past the buffer ends the list: `truncated` says so.
 */
export function messages(buf: Buffer): { list: NlMessage[]; truncated: boolean } {
  const list: NlMessage[] = [];
  let at = 0;
  while (at + HDR <= buf.length) {
    const len = u32(buf, at);
    if (len < HDR || at + len > buf.length) return { list, truncated: true };
    list.push({
      type: u16(buf, at + 4),
      flags: u16(buf, at + 6),
      seq: u32(buf, at + 8),
      payload: buf.subarray(at + HDR, at + len),
    });
    at += align4(len);
  }
  return { list, truncated: at < buf.length };
}

/** The attributes after `offset` in `b`: type (nesting and byte-order bits cleared) -> value. */
export function attributes(b: Buffer, offset: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = offset;
  while (at + 4 <= b.length) {
    const len = u16(b, at);
    if (len < 4 || at + len > b.length) break; // malformed: the rest is not read
    const type = u16(b, at + 2) & 0x3fff; // NLA_F_NESTED, NLA_F_NET_BYTEORDER
    if (!out.has(type)) out.set(type, b.subarray(at + 4, at + len));
    at += align4(len);
  }
  return out;
}

/** A request: header, fixed part, attributes ([type, value]). */
function request(
  type: number,
  flags: number,
  seq: number,
  fixed: Buffer,
  attrs: [number, Buffer][] = [],
) {
  const parts = attrs.map(([t, v]) => {
    const a = Buffer.alloc(align4(4 + v.length));
    put16(a, 4 + v.length, 0);
    put16(a, t, 2);
    v.copy(a, 4);
    return a;
  });
  const body = Buffer.concat([fixed, ...parts]);
  const h = Buffer.alloc(HDR);
  put32(h, HDR + body.length, 0);
  put16(h, type, 4);
  put16(h, flags, 6);
  put32(h, seq, 8);
  put32(h, 0, 12); // to the kernel
  return Buffer.concat([h, body]);
}

/** RTM_GETLINK dump of every link (struct ifinfomsg, family AF_UNSPEC). */
export const linkDump = (seq: number) =>
  request(NL.RTM_GETLINK, NL.NLM_F_REQUEST | NL.NLM_F_DUMP, seq, Buffer.alloc(16));

/** RTM_GETADDR dump of every address of both families (struct ifaddrmsg). */
export const addrDump = (seq: number) =>
  request(NL.RTM_GETADDR, NL.NLM_F_REQUEST | NL.NLM_F_DUMP, seq, Buffer.alloc(8));

/**
 * RTM_GETNSID for the network namespace `fd` refers to: the id it has in
 * the socket's namespace. The kernel answers without assigning one
 * (rtnl_net_getid: peernet2id, not peernet2id_alloc): NSID_NOT_ASSIGNED.
 */
export function nsidRequest(seq: number, fd: number): Buffer {
  const v = Buffer.alloc(4);
  put32(v, fd, 0);
  return request(NL.RTM_GETNSID, NL.NLM_F_REQUEST, seq, Buffer.alloc(4), [[NETNSA_FD, v]]);
}

/** The errno of an NLMSG_ERROR payload (0 is an acknowledgement). */
export const errorOf = (payload: Buffer): number => (payload.length >= 4 ? -i32(payload, 0) : NaN);

/** The nsid of an RTM_NEWNSID answer: undefined when not assigned (-1) or absent. */
export function nsidOf(payload: Buffer): number | undefined {
  const v = attributes(payload, 4).get(NETNSA_NSID);
  const id = v && v.length >= 4 ? i32(v, 0) : -1;
  return id >= 0 ? id : undefined;
}

/** One link as the kernel describes it in its own namespace. */
export interface RawLink {
  index: number;
  /** The name's bytes (the kernel allows any byte but '/', ':', whitespace and NUL). */
  name: Buffer;
  /** `loopback`, `physical`, `tun`, `tap`, or IFLA_INFO_KIND as the kernel names it (`veth`, `bridge`, ...); `other` when none of those. */
  kind: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** RFC 2863 operational state, as `ip` prints it. */
  operstate: string;
  mac?: string;
  mtu?: number;
  /** IFLA_MASTER: the bridge or bond it is enslaved to (an index here). */
  master?: number;
  /** IFLA_LINK: a veth's peer, a vlan's or macvlan's parent (an index in `linkNetnsid`'s namespace, else here). */
  link?: number;
  /** IFLA_LINK_NETNSID: the nsid, in this namespace, of the namespace `link` is in. */
  linkNetnsid?: number;
}

const mac = (v: Buffer) => [...v].map((x) => x.toString(16).padStart(2, '0')).join(':');
const cstring = (v: Buffer) => {
  const nul = v.indexOf(0);
  return nul < 0 ? v : v.subarray(0, nul);
};

/** The kind of a link from its flags, hardware type and link info. */
function kindOf(flags: number, arphrd: number, info: Map<number, Buffer> | undefined): string {
  if (flags & IFF_LOOPBACK) return 'loopback';
  const kind = info?.get(IFLA_INFO_KIND);
  if (kind) {
    const k = cstring(kind).toString('latin1');
    if (k === 'tun') {
      const data = info!.get(IFLA_INFO_DATA);
      const type = data && attributes(data, 0).get(IFLA_TUN_TYPE);
      return type && type.length >= 1 && type[0] === 2 ? 'tap' : 'tun';
    }
    return /^[a-z0-9_.-]{1,32}$/.test(k) ? k : 'other';
  }
  return arphrd === ARPHRD_ETHER ? 'physical' : 'other';
}

/** An RTM_NEWLINK payload (struct ifinfomsg, then attributes), or undefined when malformed. */
export function linkOf(p: Buffer): RawLink | undefined {
  if (p.length < 16) return undefined;
  const arphrd = u16(p, 2);
  const index = i32(p, 4);
  const flags = u32(p, 8);
  const a = attributes(p, 16);
  const name = a.get(IFLA.IFNAME);
  if (!name || index <= 0) return undefined;
  const linkinfo = a.get(IFLA.LINKINFO);
  const l: RawLink = {
    index,
    name: Buffer.from(cstring(name)),
    kind: kindOf(flags, arphrd, linkinfo && attributes(linkinfo, 0)),
    up: (flags & IFF_UP) !== 0,
    operstate: OPERSTATES[a.get(IFLA.OPERSTATE)?.[0] ?? 0] ?? 'UNKNOWN',
  };
  const addr = a.get(IFLA.ADDRESS);
  if (addr && addr.length > 0 && arphrd === ARPHRD_ETHER) l.mac = mac(addr);
  const num = (t: number) => {
    const v = a.get(t);
    return v && v.length >= 4 ? u32(v, 0) : undefined;
  };
  const mtu = num(IFLA.MTU);
  if (mtu !== undefined) l.mtu = mtu;
  const master = num(IFLA.MASTER);
  if (master) l.master = master;
  const nsid = a.get(IFLA.LINK_NETNSID);
  if (nsid && nsid.length >= 4 && i32(nsid, 0) >= 0) l.linkNetnsid = i32(nsid, 0);
  // a device's IFLA_LINK naming its own index is no link; in another namespace
  // the same index is another device (a veth pair made by `ip link add ... netns`
  // in two fresh namespaces has index 2 at both ends)
  const link = num(IFLA.LINK);
  if (link && (link !== index || l.linkNetnsid !== undefined)) l.link = link;
  return l;
}

/** One address of a link. */
export interface RawAddress {
  index: number;
  family: 4 | 6;
  /** As `ip` prints it: dotted quad, or IPv6 in its RFC 5952 text. */
  address: string;
  prefix: number;
}

/** IPv6 in RFC 5952 text: lower case, leading zeros dropped, the longest run of zero groups as `::`. */
export function ipv6Text(v: Buffer): string {
  const g = Array.from({ length: 8 }, (_, i) => v.readUInt16BE(i * 2));
  let best = -1;
  let bestLen = 1; // a single zero group is not shortened
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  // ::ffff:a.b.c.d, as ip prints an IPv4-mapped address
  if (best === 0 && bestLen === 5 && g[5] === 0xffff)
    return `::ffff:${[...v.subarray(12)].join('.')}`;
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** An RTM_NEWADDR payload (struct ifaddrmsg, then attributes), or undefined. */
export function addressOf(p: Buffer): RawAddress | undefined {
  if (p.length < 8) return undefined;
  const family = p[0];
  const prefix = p[1]!;
  const index = u32(p, 4);
  const a = attributes(p, 8);
  // IFA_LOCAL is the interface's own address (IFA_ADDRESS the peer's on a point-to-point link)
  const v = a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS);
  if (family === NL.AF_INET && v?.length === 4)
    return { index, family: 4, address: [...v].join('.'), prefix };
  if (family === NL.AF_INET6 && v?.length === 16)
    return { index, family: 6, address: ipv6Text(v), prefix };
  return undefined;
}
