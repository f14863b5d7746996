/**
 * The filters as data: what the filter bar produces and the drawing draws
 * by. Which graph (the hierarchy, or the network wiring), which namespace
 * types are drawn (the `-d` level as "flat namespaces", then one switch
 * per type), whether namespaces no process is in are hidden, only one
 * container, pod or engine, and the user or PID namespaces collapsed. The
 * wiring is drawn by the scope and "hide empty" alone: types and collapsed
 * namespaces are the hierarchy's. Pure: every change is a new FilterState,
 * made by the functions here, which tests run one by one.
 *
 * In the hierarchy, a large graph is drawn as the overview
 * (main/emit/overview.ts): by its size, or as the command line or `v`
 * forced it; the groups and namespaces opened in it are part of the state.
 *
 * A FilterState stands for a ViewFilter (main/emit/view.ts) and the
 * `details` of the DOT (flat namespaces drawn); while it is where the
 * command line put it (`isDefault`), the drawing shows the Node side's
 * own DOT, so the first paint never waits for the model to be parsed.
 */
import { nsId } from '../main/emit/holder';
import { byDisplay, containerName } from '../main/emit/containers';
import {
  podKey,
  selectView,
  type ContainerScope,
  type ViewFilter,
  type ViewSelection,
} from '../main/emit/view';
import { revealKeys, thousands, type OverviewMode, type OverviewNote } from '../main/emit/overview';
import type { ModelGraph } from '../main/model/graph';
import { escapeDisplay } from '../main/model/names';
import type { ContainerKey, Engine, Model, NsKey, NsTypeName } from '../main/model/types';
import { NS_TYPES } from '../main/relations/constants';

/** The types `-d` adds (every one but user and PID), and the two always drawn. */
export { FLAT_TYPES } from '../main/model/order';
export const TREE_TYPES: readonly NsTypeName[] = ['user', 'pid'];

/** The filters' state. */
export interface FilterState {
  /** Whether the command line drew the flat namespaces (`-d`): where "flat namespaces" starts. */
  readonly details: boolean;
  /** The flat namespaces drawn. */
  readonly flat: boolean;
  /** Whether the command line drew the wiring (`--net`): where the wiring view starts. */
  readonly netStart: boolean;
  /** The network wiring drawn instead of the hierarchy. */
  readonly net: boolean;
  /** The types switched on (a flat one is drawn only with `flat`). */
  readonly types: ReadonlySet<NsTypeName>;
  readonly hideEmpty: boolean;
  /** Only one container, pod or engine: `c:<container key>`, `p:<pod key>`, `e:<engine>`; '' for everything. */
  readonly scope: string;
  /** User or PID namespaces whose descendants are folded into them. */
  readonly collapsed: ReadonlySet<NsKey>;
  /** How the command line asked for the overview (`auto`: by size): where `overview` starts. */
  readonly overviewStart: OverviewMode;
  /** The overview: by size, on (`v`, --overview) or off (--full). */
  readonly overview: OverviewMode;
  /** Opened in the overview: a group's id with its pages drawn, a namespace key drawn as itself. */
  readonly open: ReadonlyMap<string, number>;
}

/**
 * Where the filters start: as the command line drew (`details`: with -d,
 * `net`: with --net, `overview`: --overview or --full, else by size).
 */
export function startFilter(
  details: boolean,
  net = false,
  overview: OverviewMode = 'auto',
): FilterState {
  return {
    details,
    flat: details,
    netStart: net,
    net,
    types: new Set(NS_TYPES),
    hideEmpty: false,
    scope: '',
    collapsed: new Set(),
    overviewStart: overview,
    overview,
    open: new Map(),
  };
}

/** True while every filter is where the command line put it. */
export function isDefault(f: FilterState): boolean {
  return (
    f.flat === f.details &&
    f.net === f.netStart &&
    f.types.size === NS_TYPES.length &&
    !f.hideEmpty &&
    f.scope === '' &&
    f.collapsed.size === 0 &&
    f.overview === f.overviewStart &&
    f.open.size === 0
  );
}

/** Every filter back to its start; collapsed namespaces expanded. */
export function resetFilter(f: FilterState): FilterState {
  return startFilter(f.details, f.netStart, f.overviewStart);
}

/** A scope's value (`c:…`, `p:…`, `e:…`) as data; undefined for everything or a value of no kind. */
export function scopeOf(value: string): ContainerScope | undefined {
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

/** The ViewFilter the state stands for (the wiring's: network namespaces only, nothing collapsed). */
export function viewFilter(f: FilterState): ViewFilter {
  const scope = scopeOf(f.scope);
  if (f.net)
    return {
      types: new Set(['net']),
      hideEmpty: f.hideEmpty,
      collapsed: new Set(),
      ...(scope && { scope }),
    };
  const types = new Set([...f.types].filter((t) => f.flat || TREE_TYPES.includes(t)));
  return {
    types,
    hideEmpty: f.hideEmpty,
    collapsed: f.collapsed,
    overview: { mode: f.overview, open: f.open },
    ...(scope && { scope }),
  };
}

/** The DOT id of the overview's group drawn as the SVG element `id` (`fan-user-1-user-ab12cd34`), or undefined. */
export function fanIdOf(id: string): string | undefined {
  // every part of a group's id is a type, an inode or hex digits: none has a '-'
  return /^fan(-[a-z]+-\d+-[a-z]+-[0-9a-f]{8})$/.test(id) ? id.replace(/-/g, ':') : undefined;
}

/** The namespace a group hangs under (`fan:user:1:user:ab12cd34` -> `user:1`). */
export function fanParent(fanId: string): NsKey {
  return fanId.split(':').slice(1, 3).join(':') as NsKey;
}

/** `f` with one more page of the group `fanId` drawn. */
export function withGroupOpened(f: FilterState, fanId: string): FilterState {
  const open = new Map(f.open);
  open.set(fanId, (open.get(fanId) ?? 0) + 1);
  return { ...f, open };
}

/** `f` with `key` and its chain drawn as themselves, out of their groups and folds. */
export function withRevealed(f: FilterState, key: NsKey, g: ModelGraph): FilterState {
  const open = new Map(f.open);
  for (const k of revealKeys(g, key)) open.set(k, 1);
  return { ...f, open };
}

/** `f` with the overview switched: off when `drawnAsOverview`, else on. */
export function withOverview(f: FilterState, drawnAsOverview: boolean): FilterState {
  return { ...f, overview: drawnAsOverview ? 'off' : 'on' };
}

/** The overview in words for the bar: `overview: 14 of 20,000 drawn, 19,986 in groups (v: all)`. */
export function overviewSummary(o: OverviewNote): string {
  const n = thousands;
  const parts = [`overview: ${n(o.drawn)} of ${n(o.total)} drawn`];
  if (o.grouped > 0) parts.push(`${n(o.grouped)} in groups (click one to open it)`);
  if (o.folded > 0) parts.push(`${n(o.folded)} folded`);
  return `${parts.join(', ')} (v: draw all)`;
}

/**
 * The network namespaces the wiring view draws in full, or undefined for
 * all of them (no scope, nothing hidden); `shown` is what the wiring's
 * ViewFilter keeps.
 */
export function wiringOnly(
  f: FilterState,
  shown: ReadonlySet<NsKey>,
): ReadonlySet<NsKey> | undefined {
  return f.scope === '' && !f.hideEmpty ? undefined : shown;
}

/** `f` with one type switched on or off. */
export function withType(f: FilterState, t: NsTypeName, on: boolean): FilterState {
  const types = new Set(f.types);
  if (on) types.add(t);
  else types.delete(t);
  return { ...f, types };
}

/** `f` with the scope `value` (a value of no kind: everything). */
export function withScope(f: FilterState, value: string): FilterState {
  return { ...f, scope: scopeOf(value) ? value : '' };
}

/** The type of a namespace key (`net:4026531840` -> `net`). */
function typeOf(key: NsKey): NsTypeName {
  return key.slice(0, key.indexOf(':')) as NsTypeName;
}

/**
 * `f` with `key` collapsed, or expanded when it was; or, when neither
 * makes sense, why not (a sentence for the status line): only user and
 * PID namespaces collapse, and only when something below them is drawn.
 */
export function toggleCollapse(f: FilterState, key: NsKey, g: ModelGraph): FilterState | string {
  const type = typeOf(key);
  if (f.net) return 'the wiring view collapses nothing: n goes back to the hierarchy';
  if (type !== 'user' && type !== 'pid') {
    return `only user and PID namespaces collapse; this is ${type}`;
  }
  const collapsed = new Set(f.collapsed);
  if (collapsed.delete(key)) return { ...f, collapsed };
  collapsed.add(key);
  const next = { ...f, collapsed };
  if (!selectView(g, viewFilter(next)).folded.has(key)) {
    return `nothing shown below ${nsId({ type, ino: Number(key.slice(type.length + 1)) })} to collapse`;
  }
  return next;
}

/** One choice of the scope list: its value and text (escaped for display). */
export interface ScopeOption {
  value: string;
  text: string;
}

/** The scope list for a model: its containers, pods and engines, each a group (empty groups left out). */
export function scopeOptions(model: Model): { label: string; options: ScopeOption[] }[] {
  const containers = [...model.containers].sort(byDisplay);
  const pods = new Map<string, string>();
  const engines = new Map<Engine, number>();
  for (const c of containers) {
    engines.set(c.engine, (engines.get(c.engine) ?? 0) + 1);
    const p = c.pod;
    if (p && !pods.has(podKey(p))) {
      const name = `${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
      pods.set(podKey(p), `${name} (${p.kind})`);
    }
  }
  const groups = [
    {
      label: 'container',
      options: containers.map((c) => ({
        value: `c:${c.key}`,
        text: escapeDisplay(`${c.sandbox ? 'sandbox ' : ''}${containerName(c)} (${c.engine})`),
      })),
    },
    {
      label: 'pod',
      options: [...pods].map(([k, text]) => ({ value: `p:${k}`, text: escapeDisplay(text) })),
    },
    {
      label: 'engine',
      options: [...engines].map(([e, n]) => ({ value: `e:${e}`, text: `all of ${e} (${n})` })),
    },
  ];
  return groups.filter((g) => g.options.length > 0);
}

/** What the scope `value` is called in notes: `only web1 (podman)`, from the model it was chosen in. */
export function scopeText(value: string, model: Model | undefined): string {
  const option = model
    ? scopeOptions(model)
        .flatMap((g) => g.options)
        .find((o) => o.value === value)
    : undefined;
  return option ? `only ${option.text}` : 'the chosen container';
}

/** Whether the scope of `f` still names something in `g` (everything always does). */
function scopeExists(f: FilterState, g: ModelGraph): boolean {
  const s = scopeOf(f.scope);
  const cs = g.model.containers;
  switch (s?.kind) {
    case 'container':
      return g.containerByKey.has(s.key);
    case 'pod':
      return cs.some((c) => c.pod !== undefined && podKey(c.pod) === s.pod);
    case 'engine':
      return cs.some((c) => c.engine === s.engine);
  }
  return true;
}

/**
 * `f` for a new scan's model `g`: collapsed namespaces that are gone
 * forgotten, and a scope that names nothing any more dropped
 * (`scopeGone`, so the page can say so).
 */
export function fitFilter(
  f: FilterState,
  g: ModelGraph,
): { filter: FilterState; scopeGone: boolean } {
  const collapsed = new Set([...f.collapsed].filter((k) => g.byKey.has(k)));
  const scopeGone = !scopeExists(f, g);
  return { filter: { ...f, collapsed, scope: scopeGone ? '' : f.scope }, scopeGone };
}

/**
 * What is hidden, in words for the bar: `12 of 40 shown, 28 hidden · no
 * net · 1 collapsed (3 below)`. `selection` is what the drawing keeps
 * (undefined while it draws the Node side's own DOT), `model` the model
 * when it has been parsed (for the counts).
 */
export function filterSummary(
  f: FilterState,
  selection: ViewSelection | undefined,
  model: Model | undefined,
  overview?: OverviewNote,
): string {
  if (f.net) return wiringSummary(f, selection, model);
  const parts: string[] = [];
  const ov = selection?.overview ?? overview;
  if (ov) parts.push(overviewSummary(ov));
  else if (f.overview === 'off' && f.overviewStart !== 'off')
    parts.push('everything drawn (v: overview)');
  const hiddenTypes = NS_TYPES.filter((t) => !f.types.has(t) && (f.flat || TREE_TYPES.includes(t)));
  if (!f.flat) parts.push('flat namespaces hidden (d)');
  if (hiddenTypes.length) parts.push(`no ${hiddenTypes.join(', ')}`);
  if (f.hideEmpty) parts.push('empty hidden');
  if (f.scope !== '') parts.push(scopeText(f.scope, model));
  const total = model?.namespaces.length ?? 0;
  if (selection) {
    // the user's folds; the overview's own are in its words above
    const mine = [...selection.folded].filter(([k]) => f.collapsed.has(k));
    const folded = mine.reduce((a, [, n]) => a + n, 0);
    if (mine.length) parts.push(`${mine.length} collapsed (${folded} below)`);
    if (selection.context.size) parts.push(`${selection.context.size} faint for context`);
    if (!ov) {
      parts.unshift(
        `${selection.shown.size} of ${total} shown, ${total - selection.shown.size} hidden`,
      );
    }
  } else if (!f.flat && model) {
    // the Node side's DOT without -d: the flat ones are hidden, counted once the model is parsed
    const tree = model.namespaces.filter((n) => TREE_TYPES.includes(n.type)).length;
    parts.unshift(`${tree} of ${total} shown`);
  }
  return parts.length ? parts.join(' · ') : 'everything shown';
}

/** Whether `model` carries interfaces (a live scan does; a snapshot only when taken with them). */
export function hasWiring(model: Model): boolean {
  return model.namespaces.some((n) => n.interfaces !== undefined);
}

/** What the wiring view shows, in words for the bar: `network wiring · 3 of 12 network namespaces · only web (docker)`. */
function wiringSummary(
  f: FilterState,
  selection: ViewSelection | undefined,
  model: Model | undefined,
): string {
  const parts = ['network wiring (n: the hierarchy)'];
  if (model && !hasWiring(model)) parts.push('no interfaces in this model');
  const total = model?.namespaces.filter((n) => n.type === 'net').length;
  if (selection && total !== undefined)
    parts.push(`${selection.shown.size} of ${total} network namespaces`);
  else if (total !== undefined) parts.push(`${total} network namespaces`);
  if (f.hideEmpty) parts.push('empty hidden');
  if (f.scope !== '') parts.push(`${scopeText(f.scope, model)} and what it is wired to`);
  return parts.join(' · ');
}
