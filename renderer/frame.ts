/**
 * The page's frame: applies the registry (registry.ts). It mounts the
 * side panels, keeps what sits below the filter bar below it however many
 * lines the bar wraps to, narrows the drawing (and its overlay and the
 * find box) by the open panels on each side, closes the topmost thing
 * open on Escape, and adds the panels' keys to the key map.
 */
import { byId } from './dom';
import type { Action, Binding, Commands } from './keys';
import type { Panel, PanelParts } from './panel';
import {
  BESIDE_PANELS,
  ESCAPE_ORDER,
  OVERLAYS,
  PANELS,
  UNDER_BAR,
  type PanelEntry,
  type Side,
} from './registry';

/** Something Escape can close. */
export interface Closable {
  readonly isOpen: boolean;
  close(): void;
}

/** A panel made from its registry entry. */
interface Placed {
  entry: PanelEntry;
  panel: Panel;
}

/** `widths` added up, for CSS. */
const sum = (widths: readonly string[]): string =>
  widths.length === 0 ? '0px' : widths.length === 1 ? widths[0]! : `calc(${widths.join(' + ')})`;

/** The key action of a panel's key. */
const panelAction = (id: string) => `panel:${id}`;

/**
 * Keep `placed` below `bar`. The height goes on the few elements placed by
 * it, and does not inherit (style.css @property): set on the root, a
 * custom property restyles every element of the page, 53 000 at 5000
 * namespaces, 227 ms each time the bar wraps anew (as when live refresh
 * first says when it checked).
 */
function keepUnderBar(bar: HTMLElement, placed: readonly HTMLElement[]): void {
  const fit = () => {
    const h = `${bar.offsetHeight}px`;
    for (const el of placed) el.style.setProperty('--filters-height', h);
  };
  fit();
  new ResizeObserver(fit).observe(bar);
}

/** The registry, applied. */
export class Frame {
  readonly #placed: Placed[];
  readonly #beside: HTMLElement[];
  readonly #closables = new Map<
    string,
    { closable: { isOpen(): boolean; close(): void }; name: string }
  >();
  /** The handlers of the frame's keys: Escape (the topmost thing open, in the registry's order). */
  readonly commands: Commands<'close'> = { close: () => this.closeTopmost() };

  /** Make and mount the registry's panels; `overlays` are the help and the find box. */
  constructor(
    bar: HTMLElement,
    parts: PanelParts,
    overlays: Record<keyof typeof OVERLAYS, Closable>,
  ) {
    this.#placed = PANELS.map((entry) => ({ entry, panel: entry.make(parts) }));
    this.#beside = BESIDE_PANELS.map((id) => byId(id));
    const drawingArea = byId('graph');
    for (const { entry, panel } of this.#placed) {
      const el = panel.shell.element;
      el.classList.add(entry.side);
      el.style.setProperty('--panel-width', entry.width);
      // before the drawing, so Tab reaches a panel before the table rows' links
      drawingArea.before(el);
      panel.shell.toggled.on('frame', () => this.#makeRoom());
      // a panel closes its own way (the details clear the selection)
      const closable = { isOpen: () => panel.shell.isOpen, close: () => panel.close() };
      this.#closables.set(entry.id, { closable, name: entry.name });
    }
    for (const [id, name] of Object.entries(OVERLAYS)) {
      const o = overlays[id as keyof typeof OVERLAYS];
      this.#closables.set(id, {
        closable: { isOpen: () => o.isOpen, close: () => o.close() },
        name,
      });
    }
    const missing = [...this.#closables.keys()].filter((id) => !ESCAPE_ORDER.includes(id));
    if (missing.length) throw new Error(`Escape would never close ${missing.join(', ')}`);
    const under = [
      ...UNDER_BAR.map((id) => byId(id)),
      ...this.#placed.map((p) => p.panel.shell.element),
    ];
    keepUnderBar(bar, under);
  }

  /** Close the topmost thing open (Escape): the first open in the registry's order. */
  closeTopmost(): void {
    for (const id of ESCAPE_ORDER) {
      const c = this.#closables.get(id)?.closable;
      if (!c?.isOpen()) continue;
      c.close();
      return;
    }
  }

  /** The page's key bindings: `core`, with the panels' keys before Escape and Escape's help from the registry. */
  bindings(core: readonly Binding<Action>[]): Binding<string>[] {
    const panels = this.#placed.flatMap(({ entry }) =>
      entry.key
        ? [{ keys: entry.key.keys, action: panelAction(entry.id), help: entry.key.help }]
        : [],
    );
    const names = ESCAPE_ORDER.flatMap((id) => this.#closables.get(id)?.name ?? []);
    const escape = `close ${names.join(', else ')}`;
    return core.flatMap((b) => (b.action === 'close' ? [...panels, { ...b, help: escape }] : [b]));
  }

  /** The handlers of the panels' keys (each opens and closes its panel). */
  panelCommands(): Commands<string> {
    const out: Record<string, () => void> = {};
    for (const { entry, panel } of this.#placed) {
      const toggle = panel.toggle?.bind(panel);
      if (entry.key && toggle) out[panelAction(entry.id)] = toggle;
    }
    return out;
  }

  /** Open panels take their room on their side; the drawing, its overlay and the find box end where they begin. */
  #makeRoom(): void {
    for (const side of ['left', 'right'] as const satisfies readonly Side[]) {
      const taken: string[] = [];
      for (const { entry, panel } of this.#placed) {
        if (entry.side !== side || !panel.shell.isOpen) continue;
        panel.shell.element.style.setProperty('--panel-offset', sum(taken));
        taken.push(entry.width);
      }
      for (const el of this.#beside) el.style.setProperty(`--inset-${side}`, sum(taken));
    }
  }
}
