/**
 * The wires between network namespaces, read off the model: where a
 * link's other end is (a veth's peer, a macvlan's parent) and which
 * namespaces a namespace is wired to. One reading for every presentation
 * (lsnetns's tree, the --net DOT, the viewer's details, its relations and
 * its "only container X" view). Pure.
 */
import type { ModelGraph } from '../model/graph';
import type { LinkEnd, NetInterface } from '../model/interfaces';
import type { Namespace, NsKey } from '../model/types';

/** A link's other end as found in the model. */
export interface End {
  /** Its namespace: the link's own, another in the model, or undefined when that one was not found. */
  ns?: Namespace;
  /** The interface there, when that namespace's interfaces were read and it is among them. */
  iface?: NetInterface;
}

/** Where `end`, an end of a link of `own`, is. */
export function endOf(g: ModelGraph, own: Namespace, end: LinkEnd): End {
  const ns =
    end.ns === undefined ? (end.nsid === undefined ? own : undefined) : g.byKey.get(end.ns);
  const iface = ns?.interfaces?.find((x) => x.index === end.index);
  return { ...(ns && { ns }), ...(iface && { iface }) };
}

/** One wire of a namespace to another: its interface, the other namespace and interface. */
export interface Wire {
  /** The interface of the namespace the wire was asked of. */
  iface: NetInterface;
  /** `peer` for a veth pair, `parent` for a vlan, macvlan, ipvlan or vxlan on a device. */
  kind: 'peer' | 'parent';
  end: LinkEnd;
  /** The other namespace. */
  ns: Namespace;
  /** The interface there, if its interfaces were read. */
  other?: NetInterface;
}

/**
 * The wires of `ns` to other namespaces: its own links' ends elsewhere,
 * and the links elsewhere whose end is in `ns` (a macvlan in a container
 * on the host's eth0 is a wire of the host's too). Each once, in the
 * order of `ns`'s interfaces.
 */
export function wiresOf(g: ModelGraph, ns: Namespace): Wire[] {
  const out: Wire[] = [];
  const seen = new Set<string>();
  const add = (w: Wire) => {
    const id = `${w.iface.index}/${w.ns.key}/${w.other?.index ?? w.end.index}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(w);
  };
  for (const iface of ns.interfaces ?? [])
    for (const kind of ['peer', 'parent'] as const) {
      const end = iface[kind];
      if (!end) continue;
      const e = endOf(g, ns, end);
      if (e.ns && e.ns !== ns)
        add({ iface, kind, end, ns: e.ns, ...(e.iface && { other: e.iface }) });
    }
  // the other way: a link elsewhere that names an interface of ns as its end
  for (const other of g.model.namespaces) {
    if (other === ns || other.type !== 'net') continue;
    for (const theirs of other.interfaces ?? [])
      for (const kind of ['peer', 'parent'] as const) {
        const end = theirs[kind];
        if (end?.ns !== ns.key) continue;
        const mine = ns.interfaces?.find((x) => x.index === end.index);
        if (mine)
          add({
            iface: mine,
            kind,
            end: { index: theirs.index, ns: other.key },
            ns: other,
            other: theirs,
          });
      }
  }
  return out;
}

/** The namespaces `ns` is wired to (keys, each once). */
export function wiredKeys(g: ModelGraph, ns: Namespace): Set<NsKey> {
  return new Set(wiresOf(g, ns).map((w) => w.ns.key));
}
