/**
 * A side panel: the shell every panel shares (an `<aside>` with a title, a
 * close button and a scrolling body, ids `<id>`, `<id>-title`,
 * `<id>-close`, `<id>-body`), what a panel works with, and the few ways
 * panels build their content (titled parts, label and value facts, long
 * lists that show LIST_LIMIT rows and the rest on request). Where a panel
 * sits, how wide it is and what Escape closes first is the registry's
 * (registry.ts); the frame (frame.ts) places it.
 *
 * Everything built here is text (textContent): callers escape the model's
 * strings with escapeDisplay first.
 */
import type { Clipboard } from './clipboard';
import { button, h } from './dom';
import type { Drawing } from './drawing';
import { Signal } from './events';
import type { NsKey } from '../main/model/types';
import { elementFor } from './page';
import type { Selection } from './selection';
import type { GraphView } from './view';

/** Rows of a list built at once; more come on request (a root namespace can hold thousands). */
export const LIST_LIMIT = 100;

/** What a panel works with. */
export interface PanelParts {
  drawing: Drawing;
  selection: Selection;
  view: GraphView;
  clipboard: Clipboard;
  /** A note for the status line. */
  say(text: string): void;
  /** Draw `key` out of the overview's groups and folds (a relayout follows); false when it cannot. */
  reveal(key: NsKey): boolean;
}

/** A panel, as the frame and the keys drive it. */
export interface Panel {
  readonly shell: PanelShell;
  /** Close it (a panel showing the selection clears it). */
  close(): void;
  /** Open it, or close it when open (the panel's key). */
  toggle?(): void;
}

/** The steps of a shell's `toggled`, in the order they run. */
export const TOGGLED_STEPS = [
  /** The frame makes room for it (or takes the room back). */
  'frame',
  /** Anything that follows whether the panel is open. */
  'panel',
] as const;
export type ToggledStep = (typeof TOGGLED_STEPS)[number];

/** The panel's element, header and body. */
export class PanelShell {
  readonly element: HTMLElement;
  readonly title: HTMLElement;
  readonly body: HTMLElement;
  readonly closeButton: HTMLButtonElement;
  /** Whether the panel is open now, told when it opens or closes. */
  readonly toggled = new Signal<boolean, ToggledStep>(TOGGLED_STEPS);

  /** `id` names its elements; `what` its close button for screen readers (`close details`). */
  constructor(id: string, what: string, onClose: () => void) {
    this.element = h('aside', 'side-panel');
    this.element.id = id;
    this.element.hidden = true;
    this.element.setAttribute('aria-labelledby', `${id}-title`);
    this.title = h('h2');
    this.title.id = `${id}-title`;
    this.closeButton = button('', '×', onClose);
    this.closeButton.id = `${id}-close`;
    this.closeButton.title = 'close (Esc)';
    this.closeButton.setAttribute('aria-label', `close ${what}`);
    const header = h('header');
    header.append(this.title, this.closeButton);
    this.body = h('div', 'panel-body');
    this.body.id = `${id}-body`;
    this.element.append(header, this.body);
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Show it (the frame narrows the drawing for it). */
  open(): void {
    if (!this.element.hidden) return;
    this.element.hidden = false;
    this.toggled.emit(true);
  }

  /** Hide it (the drawing takes its room back). */
  close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.toggled.emit(false);
  }
}

/** A titled part of a panel, in `into`; `count` goes in the title when given. */
export function part(into: HTMLElement, name: string, count?: number): HTMLElement {
  const s = h('section');
  s.append(h('h3', undefined, count === undefined ? name : `${name} (${count})`));
  into.append(s);
  return s;
}

/** A row of `label` and its value (strings become text spans). */
export function fact(into: HTMLElement, label: string, ...value: (Node | string)[]): void {
  const row = h('div', 'fact');
  const v = h('div', 'value');
  v.append(...value.map((x) => (typeof x === 'string' ? h('span', undefined, x) : x)));
  row.append(h('span', 'label', label), v);
  into.append(row);
}

/**
 * A list of `items` in a scrolling `box` (a `<ul>` unless given), in
 * `into`; LIST_LIMIT rows at first, the rest behind a button that says
 * how many. `outer` is what goes into the panel: the box, or a table
 * around it.
 */
export function list<T>(
  into: HTMLElement,
  items: readonly T[],
  row: (item: T) => HTMLElement,
  box: HTMLElement = h('ul', 'list'),
  outer: HTMLElement = box,
): void {
  const more = (from: number): void => {
    const end = from === 0 ? Math.min(items.length, LIST_LIMIT) : items.length;
    const frag = document.createDocumentFragment();
    for (let i = from; i < end; i++) frag.append(row(items[i]!));
    box.append(frag);
    if (end < items.length) {
      const rest = `show all ${items.length} (${items.length - end} more)`;
      const b = button('more', rest, () => {
        b.remove();
        more(end);
      });
      into.append(b);
    }
  };
  into.append(outer);
  more(0);
}

/** Select `key` and centre its node at a readable zoom, if it is drawn (a panel's links go there). */
export function goTo(parts: PanelParts, key: NsKey): void {
  const { selection, drawing, view } = parts;
  selection.select(key);
  const svg = drawing.svg;
  const el = svg ? elementFor(svg, key) : undefined;
  if (el) view.centreOn(el, 1);
  else if (drawing.overview && parts.reveal(key)) {
    // in a group of the overview: drawn out of it, then centred once it is
    const once = drawing.drawn.on('panels', ({ svg: shown }) => {
      once.dispose();
      const drawn = elementFor(shown, key);
      if (drawn) view.centreOn(drawn, 1);
    });
  }
}
