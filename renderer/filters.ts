/**
 * The filter bar: which namespace types are drawn (the `-d` level as the
 * "flat namespaces" toggle, then one toggle per type), hiding namespaces
 * no process is in, only one container, pod or engine, and user or PID
 * namespaces collapsed by a double-click. The state is a ViewFilter
 * (main/emit/view.ts); the page draws what selectView keeps, as DOT it
 * builds itself with modelToDot. While every filter is at its start
 * (the command line's `-d`, nothing else), the Node side's DOT is drawn
 * as it came, so the first paint never waits for the model to be parsed.
 *
 * Every name reaches the bar as text, through escapeDisplay.
 */
import type { GraphPayload } from '../main/contract';
import { byDisplay, containerName } from '../main/emit/containers';
import { modelToDot } from '../main/emit/dot';
import {
  podKey,
  selectView,
  type ContainerScope,
  type ViewFilter,
  type ViewSelection,
} from '../main/emit/view';
import { escapeDisplay } from '../main/model/names';
import type { ContainerKey, Engine, NsKey, NsTypeName } from '../main/model/types';
import { NS_TYPES } from '../main/relations/constants';
import { byId, whenIdle } from './dom';
import { probe } from './probes';
import { keyAt, type PageModel, type PageState } from './page';

/** The types `-d` adds: every one but user and PID. */
const FLAT_TYPES: readonly NsTypeName[] = NS_TYPES.filter((t) => t !== 'user' && t !== 'pid');
const TREE_TYPES: readonly NsTypeName[] = ['user', 'pid'];

/** What the filters need from the page. */
export interface FiltersContext {
  page: PageState;
  /** Lay the current graph out again with the filters as they are now; `anchor` keeps its place on screen. */
  relayout(anchor?: NsKey): void;
  /** A short message for the status line. */
  note(text: string): void;
}

/** The type of a namespace key (`net:4026531840` -> `net`). */
function typeOf(key: NsKey): NsTypeName {
  return key.slice(0, key.indexOf(':')) as NsTypeName;
}

/** A scope as the select's value: `c:<container key>`, `p:<pod key>`, `e:<engine>`. */
function scopeOf(value: string): ContainerScope | undefined {
  const rest = value.slice(2);
  switch (value.slice(0, 2)) {
    case 'c:':
      return { kind: 'container', key: rest as ContainerKey };
    case 'p:':
      return { kind: 'pod', pod: rest };
    case 'e:':
      return { kind: 'engine', engine: rest as Engine };
  }
  return undefined;
}

/** The filter state, its bar, and the DOT it asks for. */
export class Filters {
  #ctx: FiltersContext;
  /** What the Node side drew (`-d`), and so where "flat namespaces" starts. */
  #details = false;
  #flat = false;
  #types = new Set<NsTypeName>(NS_TYPES);
  #hideEmpty = false;
  /** The select's value ('' for everything). */
  #scope = '';
  #collapsed = new Set<NsKey>();
  /** What the last DOT drew, or undefined for the Node side's own DOT. */
  #selection: ViewSelection | undefined;
  /** Whether a graph came already (the first one sets where the toggles start). */
  #started = false;
  /** The model the scope select lists, so it is rebuilt only for a new one. */
  #listed: PageModel | undefined;
  #els: {
    bar: HTMLElement;
    flat: HTMLInputElement;
    types: Map<NsTypeName, HTMLInputElement>;
    empty: HTMLInputElement;
    scope: HTMLSelectElement;
    reset: HTMLButtonElement;
    state: HTMLElement;
  };

  constructor(ctx: FiltersContext) {
    this.#ctx = ctx;
    const typeBox = byId('f-types');
    const types = new Map<NsTypeName, HTMLInputElement>();
    for (const t of [...TREE_TYPES, ...FLAT_TYPES]) {
      const label = document.createElement('label');
      label.className = `f-type t-${t}`;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.id = `f-type-${t}`;
      box.addEventListener('change', () => this.setType(t, box.checked));
      label.append(box, document.createTextNode(t));
      typeBox.append(label);
      types.set(t, box);
    }
    this.#els = {
      bar: byId('filters'),
      flat: byId('f-flat'),
      types,
      empty: byId('f-empty'),
      scope: byId('f-scope'),
      reset: byId('f-reset'),
      state: byId('f-state'),
    };
    const { flat, empty, scope, reset, bar } = this.#els;
    // the drawing starts below the bar, however many lines it wraps to. The
    // height goes on the few elements placed by it, and does not inherit
    // (style.css @property): set on the root, a custom property restyles
    // every element of the page, 53 000 at 5000 namespaces, 227 ms each
    // time the bar wraps anew (as when live refresh first says when it checked)
    const placed = ['graph', 'marks', 'details', 'find'].map((id) => byId(id));
    const fit = () => {
      const h = `${bar.offsetHeight}px`;
      for (const el of placed) el.style.setProperty('--filters-height', h);
    };
    fit();
    new ResizeObserver(fit).observe(bar);
    flat.addEventListener('change', () => this.setFlat(flat.checked));
    empty.addEventListener('change', () => this.setHideEmpty(empty.checked));
    // the list needs the model: built when first needed, not before the first paint
    scope.addEventListener('focus', () => this.#listScopes());
    scope.addEventListener('pointerdown', () => this.#listScopes());
    scope.addEventListener('change', () => this.setScope(scope.value));
    reset.addEventListener('click', () => this.reset());
    // a double-click on a user or PID namespace collapses what is below it, or expands it
    byId('graph').addEventListener('dblclick', (e) => {
      const key = keyAt(e.target);
      if (key) {
        e.preventDefault();
        this.toggleCollapse(key);
      }
    });
    // Escape in the bar hands the keys back to the drawing
    bar.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && e.target instanceof HTMLElement) {
        e.target.blur();
        e.stopPropagation();
      }
    });
    ctx.page.onGraph((result) => this.#newGraph(result));
    ctx.page.onDrawn(() => {
      // when the page is idle after a paint, parse the model for the list and the counts
      whenIdle(() => {
        this.#listScopes();
        this.#showState();
      });
    });
  }

  /** True while every filter is where the command line put it. */
  get isDefault(): boolean {
    return (
      this.#flat === this.#details &&
      this.#types.size === NS_TYPES.length &&
      !this.#hideEmpty &&
      this.#scope === '' &&
      this.#collapsed.size === 0
    );
  }

  /** The ViewFilter the bar stands for now. */
  get filter(): ViewFilter {
    const types = new Set([...this.#types].filter((t) => this.#flat || TREE_TYPES.includes(t)));
    const scope = scopeOf(this.#scope);
    return {
      types,
      hideEmpty: this.#hideEmpty,
      collapsed: this.#collapsed,
      ...(scope && { scope }),
    };
  }

  /**
   * The DOT to lay out for `result`: the Node side's own while the filters
   * are at their start, else the page's, of what the filters keep.
   * @throws ModelFormatError when the model is malformed.
   */
  dotFor(result: GraphPayload): string {
    if (this.isDefault) {
      this.#selection = undefined;
      this.#showState();
      return result.dot;
    }
    const m = this.#ctx.page.model!;
    this.#selection = selectView(m.graph, this.filter);
    this.#showState();
    return modelToDot(m.model, { details: this.#flat, view: this.#selection });
  }

  toggleFlat(): void {
    this.setFlat(!this.#flat);
  }

  toggleHideEmpty(): void {
    this.setHideEmpty(!this.#hideEmpty);
  }

  setFlat(on: boolean): void {
    this.#flat = on;
    this.#changed();
  }

  setType(t: NsTypeName, on: boolean): void {
    if (on) this.#types.add(t);
    else this.#types.delete(t);
    this.#changed();
  }

  setHideEmpty(on: boolean): void {
    this.#hideEmpty = on;
    this.#changed();
  }

  setScope(value: string): void {
    this.#scope = scopeOf(value) ? value : '';
    this.#changed();
  }

  /** Every filter back to its start; collapsed nodes expanded. */
  reset(): void {
    this.#flat = this.#details;
    this.#types = new Set(NS_TYPES);
    this.#hideEmpty = false;
    this.#scope = '';
    this.#collapsed.clear();
    this.#changed();
  }

  /** Collapse a user or PID namespace's subtree, or expand it if collapsed; notes why not when neither. */
  toggleCollapse(key: NsKey): void {
    const type = typeOf(key);
    if (type !== 'user' && type !== 'pid') {
      this.#ctx.note(`only user and PID namespaces collapse; this is ${type}`);
      return;
    }
    if (this.#collapsed.delete(key)) {
      this.#changed(key);
      return;
    }
    const m = this.#ctx.page.model;
    if (!m) return;
    this.#collapsed.add(key);
    const sel = selectView(m.graph, this.filter);
    if (!sel.folded.has(key)) {
      this.#collapsed.delete(key);
      this.#ctx.note(`nothing shown below ${type}:[${key.slice(type.length + 1)}] to collapse`);
      return;
    }
    this.#changed(key);
  }

  /** Focus the bar's first control (keyboard users then Tab along it). */
  focus(): void {
    this.#els.flat.focus();
  }

  #changed(anchor?: NsKey): void {
    this.#sync();
    this.#ctx.relayout(anchor);
  }

  /** Controls showing the state (after a key changed it, or a new graph). */
  #sync(): void {
    const { flat, types, empty, scope } = this.#els;
    flat.checked = this.#flat;
    for (const [t, box] of types) {
      box.checked = this.#types.has(t);
      box.disabled = !this.#flat && !TREE_TYPES.includes(t);
    }
    empty.checked = this.#hideEmpty;
    if (scope.value !== this.#scope) {
      this.#listScopes();
      scope.value = this.#scope;
    }
  }

  #newGraph(result: GraphPayload): void {
    const first = !this.#started;
    this.#started = true;
    if (first) {
      this.#details = result.details ?? false;
      this.#flat = this.#details;
    }
    this.#listed = undefined;
    // a later scan: what the filters name may be gone
    if (!first && (this.#collapsed.size > 0 || this.#scope !== '')) {
      const m = this.#ctx.page.model;
      if (m) {
        for (const k of this.#collapsed) if (!m.graph.byKey.has(k)) this.#collapsed.delete(k);
        if (this.#scope !== '' && !this.#scopeExists(m)) {
          this.#ctx.note(`${this.#scopeText()} is gone: showing everything`);
          this.#scope = '';
        }
      }
    }
    this.#sync();
  }

  #scopeExists(m: PageModel): boolean {
    const s = scopeOf(this.#scope);
    const cs = m.model.containers;
    switch (s?.kind) {
      case 'container':
        return m.graph.containerByKey.has(s.key);
      case 'pod':
        return cs.some((c) => c.pod !== undefined && podKey(c.pod) === s.pod);
      case 'engine':
        return cs.some((c) => c.engine === s.engine);
    }
    return true;
  }

  /** The scope select lists the model's containers, pods and engines. */
  #listScopes(): void {
    const m = this.#ctx.page.model;
    if (!m || m === this.#listed) return;
    this.#listed = m;
    const select = this.#els.scope;
    const keep = this.#scope;
    const all = new Option('everything', '');
    const groups: HTMLOptGroupElement[] = [];
    const group = (label: string, options: HTMLOptionElement[]) => {
      if (options.length === 0) return;
      const g = document.createElement('optgroup');
      g.label = label;
      g.append(...options);
      groups.push(g);
    };
    const containers = [...m.model.containers].sort(byDisplay);
    group(
      'container',
      containers.map(
        (c) =>
          new Option(
            escapeDisplay(`${c.sandbox ? 'sandbox ' : ''}${containerName(c)} (${c.engine})`),
            `c:${c.key}`,
          ),
      ),
    );
    const pods = new Map<string, string>();
    for (const c of containers) {
      if (c.pod && !pods.has(podKey(c.pod))) {
        const p = c.pod;
        pods.set(
          podKey(p),
          `${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name} (${p.kind})`,
        );
      }
    }
    group(
      'pod',
      [...pods].map(([k, text]) => new Option(escapeDisplay(text), `p:${k}`)),
    );
    const engines = new Map<Engine, number>();
    for (const c of containers) engines.set(c.engine, (engines.get(c.engine) ?? 0) + 1);
    group(
      'engine',
      [...engines].map(([e, n]) => new Option(`all of ${e} (${n})`, `e:${e}`)),
    );
    select.replaceChildren(all, ...groups);
    select.value = keep;
  }

  /** The scope's option text (what the user picked), for notes. */
  #scopeText(): string {
    const o = [...this.#els.scope.options].find((x) => x.value === this.#scope);
    return o ? `only ${o.text}` : 'the chosen container';
  }

  /** What is hidden, in the bar, and as data-* for tests. */
  #showState(): void {
    const parts: string[] = [];
    const hiddenTypes = NS_TYPES.filter(
      (t) => !this.#types.has(t) && (this.#flat || TREE_TYPES.includes(t)),
    );
    if (!this.#flat) parts.push('flat namespaces hidden (d)');
    if (hiddenTypes.length) parts.push(`no ${hiddenTypes.join(', ')}`);
    if (this.#hideEmpty) parts.push('empty hidden');
    if (this.#scope !== '') parts.push(this.#scopeText());
    const m = this.#ctx.page.model;
    const sel = this.#selection;
    if (sel) {
      const total = m?.model.namespaces.length ?? 0;
      const folded = [...sel.folded.values()].reduce((a, b) => a + b, 0);
      if (sel.folded.size) parts.push(`${sel.folded.size} collapsed (${folded} below)`);
      if (sel.context.size) parts.push(`${sel.context.size} faint for context`);
      parts.unshift(`${sel.shown.size} of ${total} shown, ${total - sel.shown.size} hidden`);
      probe('filterShown', sel.shown.size);
      probe('filterHidden', total - sel.shown.size);
    } else {
      probe('filterShown', undefined);
      probe('filterHidden', undefined);
      // the Node side's DOT without -d: the flat ones are hidden, counted once the model is parsed
      if (!this.#flat && m) {
        const flat = m.model.namespaces.filter((n) => !TREE_TYPES.includes(n.type)).length;
        parts.unshift(`${m.model.namespaces.length - flat} of ${m.model.namespaces.length} shown`);
      }
    }
    this.#els.state.textContent = parts.length ? parts.join(' · ') : 'everything shown';
    this.#els.reset.disabled = this.isDefault;
    probe('filter', this.isDefault ? 'default' : 'filtered');
  }
}

/** Build the filter bar; `relayout` is called after every change. */
export function installFilters(ctx: FiltersContext): Filters {
  return new Filters(ctx);
}
