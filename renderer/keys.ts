/**
 * The viewer's keyboard map: which key does what. Pure data plus one lookup,
 * shared by the key handler and the help overlay so the two never disagree.
 * The features' keys are listed here in the order the help shows them
 * (pure data, so tests read it without a page); each feature supplies the
 * handlers of its actions as its `commands` (the type of main.ts's table
 * checks that every action has one), and panels bring their own key and
 * help from the page's registry (registry.ts), added to the same map.
 */

/** What a key (or mouse gesture) asks the viewer to do. */
export type Action =
  | 'zoomIn'
  | 'zoomOut'
  | 'resetZoom'
  | 'fitAll'
  | 'fitSelection'
  | 'toggleMinimap'
  | 'panLeft'
  | 'panRight'
  | 'panUp'
  | 'panDown'
  | 'save'
  | 'pngView'
  | 'pngWhole'
  | 'copyDot'
  | 'quit'
  | 'help'
  | 'close'
  | 'rediscover'
  | 'find'
  | 'liveRefresh'
  | 'dismissChanges'
  | 'openSnapshot'
  | 'compareSnapshot'
  | 'toggleNet'
  | 'toggleFlat'
  | 'hideEmpty'
  | 'focusFilters'
  | 'resetFilters'
  | 'collapse'
  | 'toggleOverview'
  | 'relUp'
  | 'relDown';

/** A feature's handlers for its actions (`A`: the actions it answers). */
export type Commands<A extends string = Action> = Readonly<Record<A, () => void>>;

/** One row of the help overlay: keys, what they do (`action`), and the help's words for it. */
export interface Binding<A extends string = Action> {
  keys: readonly string[];
  action: A;
  help: string;
}

/** Keyboard bindings, in the order the help overlay lists them. */
export const KEY_BINDINGS: readonly Binding[] = [
  { keys: ['+', '='], action: 'zoomIn', help: 'zoom in' },
  { keys: ['-', '_'], action: 'zoomOut', help: 'zoom out' },
  { keys: ['1'], action: 'resetZoom', help: 'reset zoom to 1x and re-centre' },
  { keys: ['w'], action: 'fitAll', help: 'zoom to fit: the whole graph in the window' },
  {
    keys: ['W'],
    action: 'fitSelection',
    help: 'zoom to fit the selection: the selected namespace and its relations',
  },
  {
    keys: ['m'],
    action: 'toggleMinimap',
    help: 'minimap on/off: where the view is in a graph larger than the window (click or drag it)',
  },
  // one help row for the four (help.ts joins rows with the same words)
  ...(['Left', 'Right', 'Up', 'Down'] as const).map((d): Binding => ({
    keys: [`Shift+Arrow${d}`],
    action: `pan${d}`,
    help: "move the view a third of the window's width or height (the minimap's rectangle with it)",
  })),
  { keys: ['s'], action: 'save', help: 'save the graph as an SVG file' },
  { keys: ['p'], action: 'pngView', help: 'save what the window shows as a PNG file' },
  {
    keys: ['P'],
    action: 'pngWhole',
    help: 'save the whole graph as a PNG file at 1x (smaller if too large)',
  },
  { keys: ['y'], action: 'copyDot', help: 'copy the DOT of what is drawn to the clipboard' },
  { keys: ['r', 'F5'], action: 'rediscover', help: 'discover again and redraw' },
  {
    keys: ['l'],
    action: 'liveRefresh',
    help: 'live refresh: next interval (off, 2 s … 5 min); only a change is drawn again',
  },
  { keys: ['x'], action: 'dismissChanges', help: 'dismiss the changes notice and the new marks' },
  {
    keys: ['o'],
    action: 'openSnapshot',
    help: 'open a snapshot file (graphns -J, lsnetns -J) in this window; or drop one on it (r: back)',
  },
  {
    keys: ['k'],
    action: 'compareSnapshot',
    help: 'compare with a snapshot file chosen next: added, changed, removed marked and listed',
  },
  {
    keys: ['n'],
    action: 'toggleNet',
    help: 'network wiring: interfaces, veth pairs, bridges; or back to the hierarchy',
  },
  {
    keys: ['d'],
    action: 'toggleFlat',
    help: 'flat namespaces (cgroup, ipc, mnt, net, uts, time) on/off',
  },
  { keys: ['e'], action: 'hideEmpty', help: 'hide namespaces no process is in, or show them' },
  { keys: ['f'], action: 'focusFilters', help: 'go to the filter bar (Tab along it, Esc back)' },
  {
    keys: ['c'],
    action: 'collapse',
    help: 'collapse or expand the selected user or PID namespace',
  },
  {
    keys: ['['],
    action: 'relUp',
    help: 'relations: up the chain to the parent (else the owner), selected and centred; wiring: back',
  },
  {
    keys: [']'],
    action: 'relDown',
    help: 'relations: back down the way [ came, else the first below, else the next; wiring: next wire',
  },
  {
    keys: ['v'],
    action: 'toggleOverview',
    help: 'overview on/off: a large graph with siblings grouped (click a group to open it), or every namespace',
  },
  { keys: ['0'], action: 'resetFilters', help: 'show everything: filters off, all expanded' },
  { keys: ['h', '?'], action: 'help', help: 'show this help' },
  {
    keys: ['/', 'Ctrl+F'],
    action: 'find',
    help: 'find: an id, PID, process or user name, container, pod, interface, MAC, address; caps:host',
  },
  {
    keys: ['Escape'],
    action: 'close',
    // the page's help names what it closes, in the registry's order (frame.ts)
    help: 'close the topmost thing open',
  },
  { keys: ['q'], action: 'quit', help: 'close the viewer and end graphns' },
];

/** What a key does while the find box has the focus (find.ts). */
export type FindAction = 'next' | 'previous' | 'details' | 'close' | 'select';

/** The find box's keys, in the order the help overlay lists them. */
export const FIND_BINDINGS: readonly Binding<FindAction>[] = [
  { keys: ['Enter'], action: 'next', help: 'find box: next match, centred' },
  { keys: ['Shift+Enter'], action: 'previous', help: 'find box: previous match' },
  { keys: ['Ctrl+Enter'], action: 'details', help: "find box: this match's details" },
  { keys: ['Escape'], action: 'close', help: 'find box: close it and clear the highlight' },
  { keys: ['Ctrl+F'], action: 'select', help: 'find box: select its text' },
];

/** Mouse gestures (and Tab), for the help overlay. */
export const MOUSE_HELP: readonly { gesture: string; help: string }[] = [
  { gesture: 'drag', help: 'move the graph' },
  { gesture: 'wheel', help: 'zoom in/out around the pointer' },
  { gesture: 'click', help: 'details of a namespace; on empty space: close them' },
  { gesture: 'Tab', help: 'to the buttons of the find box and the details' },
  { gesture: 'double-click', help: 'collapse or expand a user or PID namespace' },
  {
    gesture: 'hover',
    help: 'rest on a namespace: its chain to the root, owner, children and what it owns, the rest dimmed',
  },
];

/** Modifier keys as a chord prefix. */
export interface Mods {
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  shiftKey?: boolean;
}

/**
 * A key as the bindings name it: `q`, `Ctrl+f`, `Shift+Enter`. Shift
 * counts only for keys that are not characters (a capital letter or `?`
 * already says shift); Alt and Meta chords are never ours (undefined), so
 * the desktop's shortcuts keep working.
 */
export function chord(key: string, mods: Mods): string | undefined {
  if (mods.altKey || mods.metaKey) return undefined;
  const named = key.length > 1;
  const base = mods.ctrlKey && !named ? key.toLowerCase() : key;
  return `${mods.ctrlKey ? 'Ctrl+' : ''}${mods.shiftKey && named ? 'Shift+' : ''}${base}`;
}

/** A binding's key in chord() form (`Ctrl+F` is written so for the help, matched as `Ctrl+f`). */
function normal(k: string): string {
  const m = /^Ctrl\+(.)$/.exec(k);
  return m ? `Ctrl+${m[1]!.toLowerCase()}` : k;
}

/** Bindings looked up by key; a key bound twice is a mistake, caught when the map is made. */
export class Keymap<A extends string> {
  readonly bindings: readonly Binding<A>[];
  readonly #byKey = new Map<string, A>();

  /** @throws Error when two bindings share a key. */
  constructor(bindings: readonly Binding<A>[]) {
    this.bindings = bindings;
    for (const b of bindings) {
      for (const k of b.keys) {
        const had = this.#byKey.get(normal(k));
        if (had !== undefined) throw new Error(`key ${k} is bound to both ${had} and ${b.action}`);
        this.#byKey.set(normal(k), b.action);
      }
    }
  }

  /** The action for a KeyboardEvent's `key` and modifiers; chords not bound stay the browser's. */
  actionFor(key: string, mods: Mods): A | undefined {
    const c = chord(key, mods);
    return c === undefined ? undefined : this.#byKey.get(c);
  }
}

const pageKeys = new Keymap(KEY_BINDINGS);
const findKeys = new Keymap(FIND_BINDINGS);

/** The action for a KeyboardEvent's `key` and modifiers; chords not bound stay the browser's. */
export function actionForKey(key: string, mods: Mods): Action | undefined {
  return pageKeys.actionFor(key, mods);
}

/** What a key does in the find box, if anything (other keys are text for it). */
export function findActionForKey(key: string, mods: Mods): FindAction | undefined {
  return findKeys.actionFor(key, mods);
}
