/**
 * The details panel: everything the model knows about the selected
 * namespace (main/emit/details.ts nsDetails), beside the drawing, which
 * shrinks to make room rather than being covered. Related namespaces are
 * buttons that select and centre their node; the id and the nsenter line
 * have copy buttons (the clipboard, or when it refuses, the text selected
 * in a field to copy by hand; the viewer never runs the line).
 *
 * Every string of the model is hostile: it reaches the DOM as text only
 * (textContent), through escapeDisplay, so control characters, bidi
 * overrides and undecodable bytes show as visible escapes. Long lists
 * scroll and say how many they hold; past LIST_LIMIT rows the rest wait
 * behind a "show all" button, which says how many more there are.
 */
import { containerName, shortId } from '../main/emit/containers';
import { nsDetails, type NsDetails, type ProcessRow } from '../main/emit/details';
import { podKey } from '../main/emit/view';
import type { ModelGraph } from '../main/model/graph';
import { escapeDisplay } from '../main/model/names';
import type { Container, Namespace, NsKey, PodRef } from '../main/model/types';
import type { Clipboard } from './clipboard';
import { byId, h } from './dom';
import type { Drawing } from './drawing';
import { elementFor } from './page';
import { probe } from './probes';
import type { Selection } from './selection';
import type { GraphView } from './view';

/** Rows of a list built at once; more come on request (a root namespace can hold thousands). */
export const LIST_LIMIT = 100;

/** What the panel needs of the page. */
export interface DetailsContext {
  drawing: Drawing;
  selection: Selection;
  view: GraphView;
  clipboard: Clipboard;
}

/** The panel, as main.ts drives it. */
export interface DetailsPanel {
  /** Close it (and clear the selection); false when it was not open. */
  close(): boolean;
}

const esc = (s: string): string => escapeDisplay(s);

/** `net:[4026531840]`. */
export function nsId(ns: Pick<Namespace, 'type' | 'ino'>): string {
  return `${ns.type}:[${ns.ino}]`;
}

/** How a namespace is named in the panel: its id and its most senior process. */
function nsName(ns: Namespace): string {
  return ns.label ? `${nsId(ns)}  ${esc(ns.label.name)} (${ns.label.pid})` : nsId(ns);
}

function podText(p: PodRef): string {
  const name = p.namespace !== undefined ? `${esc(p.namespace)}/${esc(p.name)}` : esc(p.name);
  return `${name} (${p.kind} pod)`;
}

function containerText(c: Container, outer?: Container): string {
  const extra: string[] = [
    c.instance !== undefined ? `${c.engine} at ${esc(c.instance)}` : c.engine,
  ];
  if (c.sandbox) extra.push('pod sandbox');
  if (c.engineNamespace !== undefined) extra.push(`namespace ${esc(c.engineNamespace)}`);
  if (c.owner)
    extra.push(c.owner.user !== undefined ? `user ${esc(c.owner.user)}` : `uid ${c.owner.uid}`);
  if (c.compose)
    extra.push(
      `compose ${esc(c.compose.project)}${c.compose.service !== undefined ? `/${esc(c.compose.service)}` : ''}`,
    );
  const id = c.name !== undefined ? `, id ${esc(shortId(c.id))}` : '';
  // a nested container: the one its engine runs in
  const within = outer ? ` in ${esc(containerName(outer))} (${outer.engine})` : '';
  return `${esc(containerName(c))} (${extra.join(', ')}${id})${within}`;
}

/** A process's user as the panel shows it: `1000 (alice)`, the uid alone without a name, nothing when the model has no uid (an older snapshot). */
function userText(p: Pick<ProcessRow, 'uid' | 'user'>): string {
  if (p.uid === undefined) return '';
  return p.user !== undefined ? `${p.uid} (${esc(p.user)})` : String(p.uid);
}

/** Install the panel; it opens on every selection and closes when the selection clears. */
export function installDetails(ctx: DetailsContext): DetailsPanel {
  const { drawing, selection, view, clipboard } = ctx;
  const panel = byId('details');
  const title = byId('details-title');
  const body = byId('details-body');
  const closeButton = byId<HTMLButtonElement>('details-close');

  closeButton.addEventListener('click', () => selection.select(undefined));

  /** A button copying `text`; when the clipboard refuses, the text is offered above the panel's body. */
  const copyButton = (label: string, text: string, what: string): HTMLButtonElement => {
    const b = h('button', 'copy', label);
    b.type = 'button';
    b.addEventListener('click', () => void clipboard.copy(text, what, { from: b, before: body }));
    return b;
  };

  /** A button naming a related namespace: it selects it and centres its node. */
  const link = (g: ModelGraph, key: NsKey): HTMLElement => {
    const ns = g.byKey.get(key);
    const b = h('button', 'ns-link', ns ? nsName(ns) : esc(key));
    b.type = 'button';
    b.dataset.key = key;
    const svg = drawing.svg;
    if (!svg || !elementFor(svg, key)) {
      b.classList.add('undrawn');
      b.append(h('span', 'note', ' · not drawn (hidden by the filters)'));
    }
    b.addEventListener('click', () => go(key));
    return b;
  };

  /** Select `key` and centre its node at a readable zoom, if it is drawn. */
  const go = (key: NsKey): void => {
    selection.select(key);
    const svg = drawing.svg;
    const el = svg ? elementFor(svg, key) : undefined;
    if (el) view.centreOn(el, 1);
    // keyboard users stay in the panel: its first control, the close button
    closeButton.focus();
  };

  /** A titled part of the panel; `count` goes in the title when given. */
  const part = (name: string, count?: number): HTMLElement => {
    const s = h('section');
    s.append(h('h3', undefined, count === undefined ? name : `${name} (${count})`));
    body.append(s);
    return s;
  };

  const fact = (into: HTMLElement, label: string, ...value: (Node | string)[]): void => {
    const row = h('div', 'fact');
    const v = h('div', 'value');
    v.append(...value.map((x) => (typeof x === 'string' ? h('span', undefined, x) : x)));
    row.append(h('span', 'label', label), v);
    into.append(row);
  };

  /**
   * A list of `items` in a scrolling box; LIST_LIMIT rows at first, the
   * rest behind a button that says how many.
   */
  const list = <T>(
    into: HTMLElement,
    items: readonly T[],
    row: (item: T) => HTMLElement,
    box: HTMLElement = h('ul', 'list'),
    /** What goes into the panel: the box, or a table around it. */
    outer: HTMLElement = box,
  ): void => {
    const more = (from: number): void => {
      const end = from === 0 ? Math.min(items.length, LIST_LIMIT) : items.length;
      const frag = document.createDocumentFragment();
      for (let i = from; i < end; i++) frag.append(row(items[i]!));
      box.append(frag);
      if (end < items.length) {
        const b = h('button', 'more', `show all ${items.length} (${items.length - end} more)`);
        b.type = 'button';
        b.addEventListener('click', () => {
          b.remove();
          more(end);
        });
        into.append(b);
      }
    };
    into.append(outer);
    more(0);
  };

  const linkList = (g: ModelGraph, name: string, keys: readonly NsKey[]): void => {
    if (keys.length === 0) return;
    list(part(name, keys.length), keys, (k) => {
      const li = h('li');
      li.append(link(g, k));
      return li;
    });
  };

  const render = (g: ModelGraph, d: NsDetails): void => {
    const { ns } = d;
    title.textContent = nsName(ns);
    const drawn = drawing.svg ? elementFor(drawing.svg, ns.key) !== undefined : false;
    probe('detailsDrawn', drawn ? 'yes' : 'no');

    const top = part('namespace');
    fact(top, 'type', ns.type);
    fact(top, 'id', h('span', 'id', d.id), copyButton('copy id', d.id, 'the id'));
    fact(top, '64-bit id', ns.nsid ?? 'not known (the kernel answers NS_GET_ID from 6.18 on)');
    fact(top, 'found', d.found);
    if (!drawn) fact(top, 'drawing', 'not drawn: hidden by the filters');
    if (ns.type === 'user' && ns.ownerUid !== undefined) {
      const who = ns.ownerName !== undefined ? ` (${esc(ns.ownerName)})` : ' (no user name)';
      fact(top, 'created by', `uid ${ns.ownerUid}${who}`);
    }
    if (d.owner) {
      const who =
        d.owner.uid !== undefined
          ? `uid ${d.owner.uid}${d.owner.user !== undefined ? ` (${esc(d.owner.user)})` : ''}`
          : '';
      fact(top, 'owner', link(g, d.owner.key), ...(who ? [h('div', undefined, who)] : []));
    } else if (d.ownerMissing) fact(top, 'owner', 'out of reach of the scan');
    else if (ns.type !== 'user') fact(top, 'owner', 'none known');
    if (ns.type === 'user' || ns.type === 'pid') {
      if (d.parent) fact(top, 'parent', link(g, d.parent));
      else fact(top, 'parent', d.parentMissing ? 'out of reach of the scan' : 'none: a root');
    }

    const enter = part('enter it');
    if ('text' in d.nsenter) {
      const line = h('code', 'nsenter', d.nsenter.text);
      fact(enter, 'nsenter', line, copyButton('copy', d.nsenter.text, 'the nsenter line'));
      enter.append(
        h('p', 'note', `through ${d.nsenter.via}; run it as root in the host's PID namespace`),
      );
    } else enter.append(h('p', 'note', `no nsenter line: ${d.nsenter.unavailable}`));

    linkList(g, 'parent of', d.children);
    linkList(g, 'owns', d.owned);

    if (d.containers.length > 0) {
      list(part('containers', d.containers.length), d.containers, (c) =>
        h(
          'li',
          undefined,
          containerText(c, c.outer !== undefined ? g.containerByKey.get(c.outer) : undefined),
        ),
      );
    }
    if (d.pods.length > 0) {
      list(part('pods', d.pods.length), d.pods, (p) => {
        const li = h('li', undefined, podText(p));
        li.dataset.pod = podKey(p);
        return li;
      });
    }
    if (d.netns.length > 0) {
      list(part('ip netns names', d.netns.length), d.netns, (n) => h('li', undefined, esc(n)));
    }

    if (d.processes.length > 0) {
      const table = h('table', 'procs');
      const head = table.createTHead().insertRow();
      // a container column only where some process runs in one
      const inContainer = d.processes.some((p) => p.container !== undefined);
      // a user column where the model has uids (a snapshot older than model v3 has none)
      const withUser = d.processes.some((p) => p.uid !== undefined);
      for (const c of [
        'PID',
        'name',
        ...(withUser ? ['user'] : []),
        ...(inContainer ? ['container'] : []),
      ]) {
        head.append(h('th', undefined, c));
      }
      const tbody = table.createTBody();
      const wrap = h('div', 'list');
      wrap.append(table);
      list(
        part('processes', d.processes.length),
        d.processes,
        (p) => {
          const tr = h('tr');
          tr.dataset.pid = String(p.pid);
          const c = p.container !== undefined ? g.containerByKey.get(p.container) : undefined;
          tr.append(h('td', 'pid', String(p.pid)), h('td', 'name', esc(p.name)));
          if (withUser) tr.append(h('td', 'user', userText(p)));
          if (inContainer) tr.append(h('td', 'container', c ? esc(containerName(c)) : ''));
          return tr;
        },
        tbody,
        wrap,
      );
    }
    if (d.tasks.length > 0) {
      list(part('threads of processes elsewhere', d.tasks.length), d.tasks, (t) =>
        h('li', undefined, `thread ${t.tid} of process ${t.pid}`),
      );
    }
    if (d.fds.length > 0) {
      list(part('open file descriptors', d.fds.length), d.fds, (f) =>
        h('li', undefined, `fd ${f.fd} of process ${f.pid}`),
      );
    }
    if (d.mounts.length > 0) {
      list(part('bind mounts', d.mounts.length), d.mounts, (m) => {
        const li = h('li', undefined, esc(m.path));
        const mnt = g.byKey.get(m.mntns);
        li.append(h('span', 'note', ` in ${mnt ? nsId(mnt) : esc(m.mntns)}`));
        return li;
      });
    }
  };

  const show = (): void => {
    const key = selection.key;
    clipboard.dismiss();
    if (key === undefined) {
      if (panel.hidden) return;
      panel.hidden = true;
      document.body.classList.remove('details-open');
      probe('details', undefined);
      probe('detailsDrawn', undefined);
      return;
    }
    body.replaceChildren();
    const g = drawing.model?.graph;
    const d = g ? nsDetails(g, key) : undefined;
    if (g && d) render(g, d);
    else {
      title.textContent = esc(key);
      body.append(h('p', 'note', 'gone: the latest scan no longer has this namespace'));
    }
    body.scrollTop = 0;
    probe('details', key);
    if (panel.hidden) {
      // the drawing's area narrows; the SVG keeps its size (style.css), so
      // nothing in it is laid out again
      panel.hidden = false;
      document.body.classList.add('details-open');
      // the selected node may be behind the panel now: bring it back
      const el = drawing.svg ? elementFor(drawing.svg, key) : undefined;
      if (el && !view.inView(el)) view.centreOn(el, view.realZoom);
    }
  };

  selection.changed.on('panels', () => show());
  // a new scan: the same namespace, with what is known of it now
  drawing.drawn.on('panels', () => {
    if (selection.key !== undefined) show();
  });

  return {
    close(): boolean {
      if (selection.key === undefined) return false;
      selection.select(undefined);
      return true;
    },
  };
}
