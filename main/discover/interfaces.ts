/**
 * Step 9, when asked (`net`): each network namespace's interfaces and the
 * wires between namespaces, from the kernel through main/net (rtnetlink in
 * each namespace; no process started; a netns id assigned only where any
 * link dump assigns one: main/net/socket.ts says when).
 *
 * Two passes, so that no more than a few files are open at once whatever
 * the number of namespaces: first each namespace is opened from its refs
 * (as the hierarchy step opens it: `openNamespace`, never a fifo or a
 * device a user put there), read, and closed; then, only for links whose
 * other end is in another namespace, the link's namespace is asked which
 * nsid each candidate has there, opening the two again for that.
 */
import { closeSync } from 'node:fs';
import { decodeBytes } from '../model/names';
import type { LinkEnd, NetInterface } from '../model/interfaces';
import type { NsKey } from '../model/types';
import { addressOf, linkOf, type RawAddress, type RawLink } from '../net/rtnetlink';
import { MAX_DUMP_MESSAGES, Rtnl } from '../net/socket';
import { indexLinks, otherEnd, type LinkEnd as RawEnd, type NetnsReading } from '../net/wiring';
import { openFirst } from './hierarchy';
import type { Entry } from './registry';
import type { Warnings } from './warnings';

interface Read extends NetnsReading {
  entry: Entry;
}

/** Fill `interfaces` of every network namespace that can be opened and entered. */
export function readInterfaces(entries: Iterable<Entry>, warnings: Warnings): void {
  const reads: Read[] = [];
  for (const entry of entries) {
    if (entry.ns.type !== 'net') continue;
    const read = readOne(entry, warnings);
    if (read) reads.push(read);
  }
  const nsid = nsidAsker(warnings);
  const byIndex = indexLinks(reads);
  for (const r of reads) {
    r.entry.ns.interfaces = r.links.map((l) =>
      interfaceOf(l, r.addresses, otherEnd(r, l, nsid.ask, byIndex)),
    );
  }
  nsid.close();
}

/** With a socket in `entry`'s namespace, then closed; undefined when it cannot be had. */
function withSocket<T>(entry: Entry, warnings: Warnings, use: (s: Rtnl) => T): T | undefined {
  const fd = openFirst(entry.refs, entry.ns.ino, warnings, entry.ns.key);
  if (fd === undefined) return undefined;
  let socket: Rtnl;
  try {
    socket = Rtnl.open(fd);
  } catch (err) {
    // EPERM: setns into a network namespace needs CAP_SYS_ADMIN over it and in our own
    // user namespace, so without root not even the user's own are entered (a thread of
    // a multithreaded process such as Node cannot join their user namespace first)
    if ((err as { code?: unknown }).code === 'EPERM')
      warnings.add('interfaces not read, entering needs root: EPERM', entry.ns.key);
    else warnings.addError('cannot enter network namespace', entry.ns.key, err);
    return undefined;
  } finally {
    closeSync(fd);
  }
  try {
    return use(socket);
  } finally {
    socket.close();
  }
}

/** One namespace's links and addresses. */
function readOne(entry: Entry, warnings: Warnings): Read | undefined {
  try {
    return withSocket(entry, warnings, (s) => {
      const links = s.links();
      const addresses = s.addresses();
      if (links.cut || addresses.cut)
        warnings.add(
          `more than ${MAX_DUMP_MESSAGES} interfaces or addresses: the rest not read`,
          entry.ns.key,
        );
      return {
        entry,
        key: entry.ns.key,
        links: links.payloads.map(linkOf).filter((l): l is RawLink => l !== undefined),
        addresses: addresses.payloads
          .map(addressOf)
          .filter((a): a is RawAddress => a !== undefined),
      };
    });
  } catch (err) {
    warnings.addError('cannot read interfaces', entry.ns.key, err);
    return undefined;
  }
}

/**
 * RTM_GETNSID asked in one namespace about another, each pair once; the
 * namespace that asks keeps its socket while its links are resolved.
 */
function nsidAsker(warnings: Warnings) {
  const answers = new Map<string, number | undefined>();
  let from: { key: string; socket: Rtnl } | undefined;
  const close = () => {
    from?.socket.close();
    from = undefined;
  };
  const ask = (a: NetnsReading, b: NetnsReading): number | undefined => {
    const pair = `${a.key}>${b.key}`;
    if (answers.has(pair)) return answers.get(pair);
    let id: number | undefined;
    try {
      if (from?.key !== a.key) {
        close();
        const entry = (a as Read).entry;
        const fd = openFirst(entry.refs, entry.ns.ino, warnings, entry.ns.key);
        if (fd !== undefined) {
          try {
            from = { key: a.key, socket: Rtnl.open(fd) };
          } finally {
            closeSync(fd);
          }
        }
      }
      const other = (b as Read).entry;
      const fd = from && openFirst(other.refs, other.ns.ino, warnings, other.ns.key);
      if (fd !== undefined) {
        try {
          id = from!.socket.nsid(fd);
        } finally {
          closeSync(fd);
        }
      }
    } catch {
      id = undefined; // no exact answer: the wiring says inferred, or names the nsid
    }
    answers.set(pair, id);
    return id;
  };
  return { ask, close };
}

/** The model's interface from the kernel's link, its addresses and its other end. */
function interfaceOf(
  l: RawLink,
  addresses: readonly RawAddress[],
  end: RawEnd | undefined,
): NetInterface {
  const i: NetInterface = {
    index: l.index,
    name: decodeBytes(l.name),
    kind: l.kind,
    up: l.up,
    operstate: l.operstate,
    addresses: addresses
      .filter((a) => a.index === l.index)
      .map(({ family, address, prefix }) => ({ family, address, prefix })),
  };
  if (l.mac !== undefined) i.mac = l.mac;
  if (l.mtu !== undefined) i.mtu = l.mtu;
  if (l.master !== undefined) i.master = l.master;
  if (end) {
    const e: LinkEnd = { index: end.index };
    if (end.ns !== undefined) e.ns = end.ns as NsKey;
    if (end.nsid !== undefined) e.nsid = end.nsid;
    if (end.inferred) e.inferred = true;
    if (l.kind === 'veth') i.peer = e;
    else i.parent = e;
  }
  return i;
}
