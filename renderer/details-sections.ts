/**
 * The parts of the details panel, one function each, from what
 * main/emit/details.ts nsDetails knows of a namespace: the namespace
 * itself, how to enter it, related namespaces, the containers, pods and
 * netns names it belongs to, its processes, and what else holds it.
 * Each part decides what it shows; the panel (details.ts) decides when.
 *
 * Every string of the model is hostile: it reaches the DOM as text, through
 * escapeDisplay.
 */
import { podText } from '../main/emit/containers';
import { PAGE_MARKS } from './container-facts';
import { containerName } from '../main/emit/containers';
import type { NsDetails, ProcessRow } from '../main/emit/details';
import { nsId } from '../main/emit/holder';
import { podKey } from '../main/emit/view';
import type { ModelGraph } from '../main/model/graph';
import { escapeDisplay as esc } from '../main/model/names';
import type { Namespace, NsKey, PodRef } from '../main/model/types';
import { containerExtras, type ContainerText } from './container-facts';
import { h } from './dom';
import { fact, list, part } from './panel';

/** What the parts link to: buttons that select a namespace, and copy buttons. */
export interface DetailsLinks {
  /** A button naming the namespace `key`: it selects it. */
  link(key: NsKey): HTMLElement;
  /** A button copying `text` (`what` names it in the status line). */
  copy(label: string, text: string, what: string): HTMLButtonElement;
}

/** How a namespace is named in the panel: its id and its most senior process. */
export function nsName(ns: Namespace): string {
  return ns.label ? `${nsId(ns)}  ${esc(ns.label.name)} (${ns.label.pid})` : nsId(ns);
}

/** `prod/cart (kubernetes pod)`: the pod in the shared words (main/emit/containers.ts), its kind after. */
function podLine(p: PodRef): string {
  return `${podText(p, PAGE_MARKS)} (${p.kind} pod)`;
}

/** A process's user as the panel shows it: `1000 (alice)`, the uid alone without a name, nothing when the model has no uid (an older snapshot). */
function userText(p: Pick<ProcessRow, 'uid' | 'user'>): string {
  if (p.uid === undefined) return '';
  return p.user !== undefined ? `${p.uid} (${esc(p.user)})` : String(p.uid);
}

/** The namespace's owner and parent (user and PID namespaces have a parent). */
function ownerAndParent(top: HTMLElement, d: NsDetails, links: DetailsLinks): void {
  const { ns } = d;
  if (d.owner) {
    const user = d.owner.user !== undefined ? ` (${esc(d.owner.user)})` : '';
    const who = d.owner.uid !== undefined ? `uid ${d.owner.uid}${user}` : '';
    fact(top, 'owner', links.link(d.owner.key), ...(who ? [h('div', undefined, who)] : []));
  } else if (d.ownerMissing) fact(top, 'owner', 'out of reach of the scan');
  else if (ns.type !== 'user') fact(top, 'owner', 'none known');
  if (ns.type === 'user' || ns.type === 'pid') {
    if (d.parent) fact(top, 'parent', links.link(d.parent));
    else fact(top, 'parent', d.parentMissing ? 'out of reach of the scan' : 'none: a root');
  }
}

/** The namespace itself: type, ids, how it was found, whether it is drawn, who made and owns it. */
export function namespacePart(
  body: HTMLElement,
  d: NsDetails,
  /** What keeps it from the drawing; undefined when it is drawn. */
  hiddenBy: 'filters' | 'overview' | undefined,
  links: DetailsLinks,
): void {
  const { ns } = d;
  const top = part(body, 'namespace');
  fact(top, 'type', ns.type);
  fact(top, 'id', h('span', 'id', d.id), links.copy('copy id', d.id, 'the id'));
  fact(top, '64-bit id', ns.nsid ?? 'not known (the kernel answers NS_GET_ID from 6.18 on)');
  fact(top, 'found', d.found);
  if (hiddenBy === 'filters') fact(top, 'drawing', 'not drawn: hidden by the filters');
  if (hiddenBy === 'overview') {
    fact(top, 'drawing', 'not drawn: in a group of the overview (v draws all; find draws it)');
  }
  if (ns.type === 'user' && ns.ownerUid !== undefined) {
    const who = ns.ownerName !== undefined ? ` (${esc(ns.ownerName)})` : ' (no user name)';
    fact(top, 'created by', `uid ${ns.ownerUid}${who}`);
  }
  if (d.idMaps) idMapFacts(top, d.idMaps);
  ownerAndParent(top, d, links);
}

/**
 * A user namespace's uid and gid maps (who is root where), a range a
 * line as `inside -> outside`, the outside ids in the namespace named
 * below them; or why they are not known. Numbers only: nothing here
 * comes from a name.
 */
function idMapFacts(top: HTMLElement, m: NonNullable<NsDetails['idMaps']>): void {
  if ('unknown' in m) {
    fact(top, 'id maps', m.unknown);
    return;
  }
  for (const [label, lines, id] of [
    ['uid map', m.uid, 'uid'],
    ['gid map', m.gid, 'gid'],
  ] as const) {
    const row = h('div', 'idmap');
    row.dataset.map = id;
    row.append(...lines.map((line) => h('div', undefined, line)));
    fact(top, label, row);
  }
  // text, not a link: the owner and parent links above already lead there
  if (m.outsideIn !== undefined) {
    const where = m.outsideIn.replace(':', ':[') + ']';
    fact(top, '', h('div', 'note', `inside -> outside; outside as ids of ${where}`));
  }
}

/** The nsenter line entering it, to copy (the viewer never runs it), or why there is none. */
export function enterPart(body: HTMLElement, d: NsDetails, links: DetailsLinks): void {
  const enter = part(body, 'enter it');
  if (!('text' in d.nsenter)) {
    enter.append(h('p', 'note', `no nsenter line: ${d.nsenter.unavailable}`));
    return;
  }
  const line = h('code', 'nsenter', d.nsenter.text);
  fact(enter, 'nsenter', line, links.copy('copy', d.nsenter.text, 'the nsenter line'));
  const how = `through ${d.nsenter.via}; run it as root in the host's PID namespace`;
  enter.append(h('p', 'note', how));
}

/** The namespaces below it (children) and those it owns, as links. */
export function relatedParts(body: HTMLElement, d: NsDetails, links: DetailsLinks): void {
  for (const [name, keys] of [
    ['parent of', d.children],
    ['owns', d.owned],
  ] as const) {
    if (keys.length === 0) continue;
    list(part(body, name, keys.length), keys, (k) => {
      const li = h('li');
      li.append(links.link(k));
      return li;
    });
  }
}

/** The containers, pods and `ip netns` names it belongs to. */
export function belongsParts(body: HTMLElement, d: NsDetails, text: ContainerText): void {
  if (d.containers.length > 0) {
    list(part(body, 'containers', d.containers.length), d.containers, (c) => {
      const line = text.line(c);
      const li = h('li', undefined, line);
      const extras = containerExtras(c, line);
      if (extras.length) li.append(h('div', 'note', extras.join(' · ')));
      return li;
    });
  }
  if (d.pods.length > 0) {
    list(part(body, 'pods', d.pods.length), d.pods, (p) => {
      const li = h('li', undefined, podLine(p));
      li.dataset.pod = podKey(p);
      return li;
    });
  }
  if (d.netns.length > 0) {
    list(part(body, 'ip netns names', d.netns.length), d.netns, (n) => h('li', undefined, esc(n)));
  }
}

/**
 * A process's effective capabilities in its own user namespace (`all`,
 * `none`, `all but …`, names), that namespace when it is not the one the
 * panel is about (`in user:[…]`), and a bold `in the host's` on a process
 * that holds capabilities in the host's (initial) user namespace.
 */
function capsCell(p: ProcessRow): HTMLElement {
  const td = h('td', 'caps');
  if (p.caps === undefined) return td;
  // a line each (`all but`, then the names), so the column is as wide as its longest name
  td.append(...(p.capsLines ?? [p.caps]).map((line) => h('div', undefined, line)));
  td.dataset.caps = p.caps;
  td.title = p.caps;
  // `user:[4026532176]`, the form ids take everywhere (keys are checked `type:digits`)
  if (p.capsIn !== undefined) td.append(h('div', 'note', `in ${p.capsIn.replace(':', ':[')}]`));
  if (p.hostCaps) {
    const mark = h('strong', 'host-caps', "in the host's");
    mark.title = "holds capabilities in the host's (initial) user namespace";
    td.append(mark);
    td.dataset.hostCaps = 'yes';
  }
  return td;
}

/** Its processes: PID, name, and user, capabilities and container where the model has them. */
export function processesPart(body: HTMLElement, g: ModelGraph, d: NsDetails): void {
  if (d.processes.length === 0) return;
  const table = h('table', 'procs');
  const head = table.createTHead().insertRow();
  // a container column only where some process runs in one
  const inContainer = d.processes.some((p) => p.container !== undefined);
  // a user column where the model has uids (a snapshot older than model v3 has none)
  const withUser = d.processes.some((p) => p.uid !== undefined);
  // capabilities where the model has them (a snapshot older than model v7 has none)
  const withCaps = d.processes.some((p) => p.caps !== undefined);
  const columns = [
    'PID',
    'name',
    ...(withUser ? ['user'] : []),
    ...(withCaps ? ['capabilities'] : []),
    ...(inContainer ? ['container'] : []),
  ];
  for (const c of columns) head.append(h('th', undefined, c));
  const wrap = h('div', 'list');
  wrap.append(table);
  const row = (p: ProcessRow): HTMLElement => {
    const tr = h('tr');
    tr.dataset.pid = String(p.pid);
    const c = p.container !== undefined ? g.containerByKey.get(p.container) : undefined;
    tr.append(h('td', 'pid', String(p.pid)), h('td', 'name', esc(p.name)));
    if (withUser) tr.append(h('td', 'user', userText(p)));
    if (withCaps) tr.append(capsCell(p));
    if (inContainer) tr.append(h('td', 'container', c ? esc(containerName(c)) : ''));
    return tr;
  };
  list(part(body, 'processes', d.processes.length), d.processes, row, table.createTBody(), wrap);
}

/** What else holds it: threads of processes elsewhere, open fds, bind mounts. */
export function heldParts(body: HTMLElement, g: ModelGraph, d: NsDetails): void {
  if (d.tasks.length > 0) {
    list(part(body, 'threads of processes elsewhere', d.tasks.length), d.tasks, (t) =>
      h('li', undefined, `thread ${t.tid} of process ${t.pid}`),
    );
  }
  if (d.fds.length > 0) {
    list(part(body, 'open file descriptors', d.fds.length), d.fds, (f) =>
      h('li', undefined, `fd ${f.fd} of process ${f.pid}`),
    );
  }
  if (d.mounts.length > 0) {
    list(part(body, 'bind mounts', d.mounts.length), d.mounts, (m) => {
      const li = h('li', undefined, esc(m.path));
      const mnt = g.byKey.get(m.mntns);
      li.append(h('span', 'note', ` in ${mnt ? nsId(mnt) : esc(m.mntns)}`));
      return li;
    });
  }
}
