/**
 * The wires between network namespaces: each veth's peer, each vlan's,
 * macvlan's or vxlan's parent, found exactly where the kernel allows.
 *
 * A link whose other end is in another namespace carries that end's index
 * and the other namespace's nsid *as seen from the link's namespace*
 * (IFLA_LINK, IFLA_LINK_NETNSID). An nsid is only a number local to one
 * namespace, so it is resolved by asking the link's namespace which nsid
 * each candidate namespace has there (RTM_GETNSID with the candidate's fd,
 * which assigns none): the candidate whose nsid matches is the other end,
 * exactly. Candidates are the namespaces that have a link of that index
 * (for a veth, one whose own peer is this link: nearly always one).
 * Where the kernel gives no exact answer (no nsid assigned, a candidate
 * that cannot be asked), a veth whose peer points back from exactly one
 * namespace is taken as its peer, marked `inferred`.
 */
import type { RawAddress, RawLink } from './rtnetlink';

/** One namespace as read: its key in the model (`net:<inode>`), and what its socket answered. */
export interface NetnsReading {
  key: string;
  links: readonly RawLink[];
  addresses: readonly RawAddress[];
}

/** The other end of a link. */
export interface LinkEnd {
  /** Its index, in `ns` (or in the link's own namespace when `ns` is absent and `nsid` too). */
  index: number;
  /** The key of the namespace it is in, when another one and found. */
  ns?: string;
  /** The kernel's nsid of that namespace, when it is another one and was not found. */
  nsid?: number;
  /** Found by the peer pointing back, not confirmed by the kernel. */
  inferred?: true;
}

/** Asks `from`'s namespace for the nsid `to` has there (undefined: none, or cannot ask). */
export type NsidQuery = (from: NetnsReading, to: NetnsReading) => number | undefined;

/** The other end of `l` (in `a`), or undefined when it has none. */
export function otherEnd(
  a: NetnsReading,
  l: RawLink,
  nsidIn: NsidQuery,
  byIndex: ReadonlyMap<number, readonly [NetnsReading, RawLink][]>,
): LinkEnd | undefined {
  if (l.link === undefined) return undefined;
  if (l.linkNetnsid === undefined) return { index: l.link }; // in its own namespace
  const candidates = (byIndex.get(l.link) ?? []).filter(([b]) => b !== a);
  const veth = l.kind === 'veth';
  // a veth's peer points back at it; a parent does not
  const pointing = veth
    ? candidates.filter(([, p]) => p.link === l.index && p.linkNetnsid !== undefined)
    : candidates;
  // each candidate asked costs a question to the kernel: the nearest inodes first (a pair of
  // namespaces made together has near inodes), so that hundreds of namespaces whose veths
  // have the same indexes (fresh ones paired: index 2 to index 2) cost a question or two
  // each, not one per namespace (quadratic: 27 s at 1000)
  const near = inoOf(a);
  pointing.sort(([x], [y]) => Math.abs(inoOf(x) - near) - Math.abs(inoOf(y) - near));
  for (const [b] of pointing) {
    if (nsidIn(a, b) === l.linkNetnsid) return { index: l.link, ns: b.key };
  }
  if (veth && pointing.length === 1)
    return { index: l.link, ns: pointing[0]![0].key, inferred: true };
  return { index: l.link, nsid: l.linkNetnsid };
}

/** The inode in a reading's key (the model's `net:<inode>`); 0 when it has none (asked last). */
function inoOf(r: NetnsReading): number {
  const n = Number(r.key.slice(r.key.lastIndexOf(':') + 1));
  return Number.isFinite(n) ? n : 0;
}

/** Every namespace's links by index: [namespace, link] pairs. */
export function indexLinks(all: readonly NetnsReading[]): Map<number, [NetnsReading, RawLink][]> {
  const out = new Map<number, [NetnsReading, RawLink][]>();
  for (const r of all)
    for (const l of r.links) {
      const list = out.get(l.index);
      if (list) list.push([r, l]);
      else out.set(l.index, [[r, l]]);
    }
  return out;
}
