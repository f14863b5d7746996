/**
 * The details panel's part for a network namespace: its interfaces, each
 * with kind, state, MAC, MTU and addresses, the bridge or bond it is a
 * member of, and where its other end is (a veth's peer, a macvlan's
 * parent): the interface there and a link to that namespace, with its
 * container. What lsnetns prints for one namespace, read off the same
 * model (main/emit/wires.ts).
 *
 * Interface names are any bytes the kernel allows: text, through
 * escapeDisplay.
 */
import { containerName } from '../main/emit/containers';
import { endOf } from '../main/emit/wires';
import type { ModelGraph } from '../main/model/graph';
import type { LinkEnd, NetInterface } from '../main/model/interfaces';
import { escapeDisplay as esc } from '../main/model/names';
import type { Namespace } from '../main/model/types';
import type { DetailsLinks } from './details-sections';
import { h } from './dom';
import { list, part } from './panel';

/** `eth0 in [net:[…] nginx (812)] web (docker)`: the other end of a link of `ns`. */
function endLine(g: ModelGraph, ns: Namespace, end: LinkEnd, links: DetailsLinks): HTMLElement {
  const span = h('span', 'end');
  const { ns: there, iface } = endOf(g, ns, end);
  span.append(iface ? esc(iface.name) : `index ${end.index}`);
  if (!there) {
    if (end.nsid !== undefined)
      span.append(` in nsid ${end.nsid}, a namespace the scan did not find`);
    return span;
  }
  if (there === ns) return span;
  span.append(' in ', links.link(there.key));
  const cs = g.containersOf(there.key);
  if (cs.length > 0) span.append(` ${cs.map((c) => esc(containerName(c))).join(', ')}`);
  if (end.inferred)
    span.append(h('span', 'note', ' (inferred: the kernel gave no id to confirm it)'));
  return span;
}

/** One interface: a line of name, kind and state, then what else is known, one fact a line. */
function ifRow(g: ModelGraph, ns: Namespace, i: NetInterface, links: DetailsLinks): HTMLElement {
  const li = h('li', 'iface');
  li.dataset.ifindex = String(i.index);
  const head = h('div', 'if-head');
  head.append(h('b', undefined, esc(i.name)), ` ${esc(i.kind)} ${esc(i.operstate)}`);
  if (!i.up) head.append(h('span', 'note', ' (set down)'));
  li.append(head);
  const line = (label: string, ...value: (Node | string)[]) => {
    const d = h('div', 'if-fact');
    d.append(h('span', 'label', `${label} `), ...value);
    li.append(d);
  };
  for (const a of i.addresses) line(`ipv${a.family}`, `${a.address}/${a.prefix}`);
  if (i.mac !== undefined) line('mac', esc(i.mac));
  if (i.mtu !== undefined) line('mtu', String(i.mtu));
  if (i.master !== undefined) {
    const m = ns.interfaces?.find((x) => x.index === i.master);
    line('member of', m ? esc(m.name) : `index ${i.master}`);
  }
  if (i.peer) line('peer', endLine(g, ns, i.peer, links));
  if (i.parent) line('on', endLine(g, ns, i.parent, links));
  return li;
}

/** A network namespace's interfaces (nothing for other types). */
export function interfacesPart(
  body: HTMLElement,
  g: ModelGraph,
  ns: Namespace,
  links: DetailsLinks,
): void {
  if (ns.type !== 'net') return;
  const ifs = ns.interfaces;
  if (!ifs) {
    const p = part(body, 'interfaces');
    p.append(
      h(
        'p',
        'note',
        'not read: a snapshot taken without them (graphns --net -J, lsnetns -J do), or a namespace this scan could not enter',
      ),
    );
    return;
  }
  const p = part(body, 'interfaces', ifs.length);
  p.dataset.part = 'interfaces';
  list(p, ifs, (i) => ifRow(g, ns, i, links));
}
