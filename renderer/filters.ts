/**
 * The filter bar: the network wiring instead of the hierarchy, switches
 * for the flat namespaces (the `-d` level) and each type, hiding
 * namespaces no process is in, only one container, pod or engine, and
 * reset. It produces a FilterState (filter-state.ts) for the drawing to
 * draw by, and nothing else: the drawing decides what is laid out, and the
 * bar shows the filters the drawing holds and what they hide. Its keys
 * (n, d, e, f, 0, c) and the double-click on a namespace change the same
 * state.
 *
 * Every name reaches the bar as text, through escapeDisplay.
 */
import type { NsKey, NsTypeName } from '../main/model/types';
import { byId, h, whenIdle } from './dom';
import type { Drawing } from './drawing';
import {
  filterSummary,
  FLAT_TYPES,
  hasWiring,
  isDefault,
  resetFilter,
  scopeOptions,
  toggleCollapse,
  TREE_TYPES,
  fanParent,
  withGroupOpened,
  withOverview,
  withRevealed,
  withScope,
  withType,
  type FilterState,
} from './filter-state';
import type { Commands } from './keys';
import type { PageModel } from './page';
import type { Selection } from './selection';

/** The bar's controls. */
interface Controls {
  bar: HTMLElement;
  net: HTMLInputElement;
  flat: HTMLInputElement;
  types: Map<NsTypeName, HTMLInputElement>;
  empty: HTMLInputElement;
  scope: HTMLSelectElement;
  reset: HTMLButtonElement;
  state: HTMLElement;
}

/** One switch per namespace type, in `into`, each in the drawing's colours for its type. */
function typeSwitches(into: HTMLElement): Map<NsTypeName, HTMLInputElement> {
  const types = new Map<NsTypeName, HTMLInputElement>();
  for (const t of [...TREE_TYPES, ...FLAT_TYPES]) {
    const label = h('label', `f-type t-${t}`);
    const box = h('input');
    box.type = 'checkbox';
    box.checked = true;
    box.id = `f-type-${t}`;
    label.append(box, document.createTextNode(t));
    into.append(label);
    types.set(t, box);
  }
  return types;
}

/** The filter bar. */
export class FilterBar {
  readonly #drawing: Drawing;
  readonly #say: (text: string) => void;
  readonly #els: Controls;
  readonly #selection: Selection;
  /** The model the scope select lists, so it is rebuilt only for a new one. */
  #listed: PageModel | undefined;
  /** Its keys' handlers. */
  readonly commands: Commands<
    | 'toggleNet'
    | 'toggleFlat'
    | 'hideEmpty'
    | 'focusFilters'
    | 'resetFilters'
    | 'collapse'
    | 'toggleOverview'
  > = {
    toggleOverview: () => this.toggleOverview(),
    toggleNet: () => this.toggleNet(),
    toggleFlat: () => this.toggleFlat(),
    hideEmpty: () => this.toggleHideEmpty(),
    focusFilters: () => this.focus(),
    resetFilters: () => this.reset(),
    collapse: () => this.#collapseSelected(),
  };

  /** `say` puts a note on the status line (why a namespace does not collapse). */
  constructor(drawing: Drawing, selection: Selection, say: (text: string) => void) {
    this.#drawing = drawing;
    this.#selection = selection;
    this.#say = say;
    this.#els = {
      bar: byId('filters'),
      net: byId('f-net'),
      flat: byId('f-flat'),
      types: typeSwitches(byId('f-types')),
      empty: byId('f-empty'),
      scope: byId('f-scope'),
      reset: byId('f-reset'),
      state: byId('f-state'),
    };
    this.#listen();
    drawing.drawn.on('panels', () => this.#redrawn());
  }

  /** The bar itself (the page places what sits below it). */
  get element(): HTMLElement {
    return this.#els.bar;
  }

  /** The wiring instead of the hierarchy, or back; not for a model without interfaces (said why). */
  toggleNet(on = !this.#drawing.filter.net): void {
    const f = this.#drawing.filter;
    const m = this.#drawing.model?.model;
    if (on && m && !hasWiring(m)) {
      this.#say('this snapshot has no interfaces: take it with graphns --net -J or lsnetns -J');
      this.#sync();
      return;
    }
    this.#set({ ...f, net: on });
  }

  toggleFlat(): void {
    const f = this.#drawing.filter;
    if (f.net) this.#say('d is for the hierarchy: n goes back to it');
    else this.#set({ ...f, flat: !f.flat });
  }

  toggleHideEmpty(): void {
    const f = this.#drawing.filter;
    this.#set({ ...f, hideEmpty: !f.hideEmpty });
  }

  /** `v`: the overview on, or every namespace drawn (a layout that fails comes back to it). */
  toggleOverview(): void {
    const f = this.#drawing.filter;
    if (f.net) this.#say('v is for the hierarchy: n goes back to it');
    else this.#set(withOverview(f, this.#drawing.overview !== undefined));
  }

  /** One more page of the overview's group `fanId` drawn, the namespace it hangs under kept in place. */
  openGroup(fanId: string): void {
    this.#set(withGroupOpened(this.#drawing.filter, fanId), fanParent(fanId));
  }

  /** Draw `key` as itself, out of the overview's groups and folds; false without a model. */
  reveal(key: NsKey): boolean {
    const g = this.#drawing.model?.graph;
    if (!g) return false;
    this.#set(withRevealed(this.#drawing.filter, key, g), key);
    return true;
  }

  /** Every filter back to its start; collapsed nodes expanded. */
  reset(): void {
    this.#set(resetFilter(this.#drawing.filter));
  }

  /** Collapse a user or PID namespace's subtree, or expand it if collapsed; notes why not when neither. */
  toggleCollapse(key: NsKey): void {
    const g = this.#drawing.model?.graph;
    if (!g) return;
    const next = toggleCollapse(this.#drawing.filter, key, g);
    if (typeof next === 'string') this.#say(next);
    else this.#set(next, key);
  }

  /** `c`: collapse or expand the selected namespace. */
  #collapseSelected(): void {
    const key = this.#selection.key;
    if (key) this.toggleCollapse(key);
    else this.#say('c collapses the selected user or PID namespace: click one first');
  }

  /** Focus the bar's first control (keyboard users then Tab along it). */
  focus(): void {
    this.#els.net.focus();
  }

  #listen(): void {
    const { bar, net, flat, types, empty, scope, reset } = this.#els;
    const f = () => this.#drawing.filter;
    net.addEventListener('change', () => this.toggleNet(net.checked));
    flat.addEventListener('change', () => this.#set({ ...f(), flat: flat.checked }));
    for (const [t, box] of types) {
      box.addEventListener('change', () => this.#set(withType(f(), t, box.checked)));
    }
    empty.addEventListener('change', () => this.#set({ ...f(), hideEmpty: empty.checked }));
    // the list needs the model: built when first needed, not before the first paint
    scope.addEventListener('focus', () => this.#listScopes());
    scope.addEventListener('pointerdown', () => this.#listScopes());
    scope.addEventListener('change', () => this.#set(withScope(f(), scope.value)));
    reset.addEventListener('click', () => this.reset());
    // Escape in the bar hands the keys back to the drawing
    bar.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && e.target instanceof HTMLElement) {
        e.target.blur();
        e.stopPropagation();
      }
    });
  }

  /** Draw by `next` (`anchor` keeps its place on screen), and show it. */
  #set(next: FilterState, anchor?: NsKey): void {
    this.#drawing.filterBy(next, anchor);
    this.#sync();
  }

  /** Controls showing the filters the drawing holds. */
  #sync(): void {
    const f = this.#drawing.filter;
    const { net, flat, types, empty, scope, reset } = this.#els;
    net.checked = f.net;
    flat.checked = f.flat;
    // the types are the hierarchy's: the wiring draws network namespaces only
    flat.disabled = f.net;
    for (const [t, box] of types) {
      box.checked = f.types.has(t);
      box.disabled = f.net || (!f.flat && !TREE_TYPES.includes(t));
    }
    empty.checked = f.hideEmpty;
    if (scope.value !== f.scope) {
      this.#listScopes();
      scope.value = f.scope;
    }
    reset.disabled = isDefault(f);
  }

  /** A new drawing: the controls (a new scan may have dropped a filter) and what is hidden. */
  #redrawn(): void {
    this.#sync();
    // filtered, the model is parsed already; else its counts wait until the page is idle
    if (this.#drawing.selection) this.#showState();
    // the overview (a large model): parsed when first needed, not at idle, where it was a
    // second's task at 50 000 namespaces; the bar says what the overview's note says
    if (this.#drawing.overview) return this.#showState();
    whenIdle(() => {
      this.#listScopes();
      this.#showState();
    });
  }

  /** The scope select lists the model's containers, pods and engines. */
  #listScopes(): void {
    const m = this.#drawing.model;
    if (!m || m === this.#listed) return;
    this.#listed = m;
    const select = this.#els.scope;
    const groups = scopeOptions(m.model).map(({ label, options }) => {
      const g = document.createElement('optgroup');
      g.label = label;
      g.append(...options.map((o) => new Option(o.text, o.value)));
      return g;
    });
    select.replaceChildren(new Option('everything', ''), ...groups);
    select.value = this.#drawing.filter.scope;
  }

  /** What is hidden, in the bar. */
  #showState(): void {
    const d = this.#drawing;
    const model = d.overview ? d.parsed : d.model;
    this.#els.state.textContent = filterSummary(d.filter, d.selection, model?.model, d.overview);
    this.#els.reset.disabled = isDefault(d.filter);
  }
}
