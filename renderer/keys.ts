/**
 * The viewer's keyboard map: which key does what. Pure data plus one lookup,
 * shared by the key handler and the help overlay so the two never disagree.
 */

/** What a key (or mouse gesture) asks the viewer to do. */
export type Action =
  'zoomIn' | 'zoomOut' | 'resetZoom' | 'save' | 'quit' | 'help' | 'closeHelp' | 'rediscover';

/** One row of the help overlay. */
export interface Binding {
  keys: readonly string[];
  action: Action;
  help: string;
}

/** Keyboard bindings, in the order the help overlay lists them. */
export const KEY_BINDINGS: readonly Binding[] = [
  { keys: ['+', '='], action: 'zoomIn', help: 'zoom in' },
  { keys: ['-', '_'], action: 'zoomOut', help: 'zoom out' },
  { keys: ['1'], action: 'resetZoom', help: 'reset zoom to 1x and re-centre' },
  { keys: ['s'], action: 'save', help: 'save the graph as an SVG file' },
  { keys: ['r', 'F5'], action: 'rediscover', help: 'discover again and redraw' },
  { keys: ['h', '?'], action: 'help', help: 'show this help' },
  { keys: ['Escape'], action: 'closeHelp', help: 'close this help' },
  { keys: ['q'], action: 'quit', help: 'close the viewer and end graphns' },
];

/** Mouse gestures, for the help overlay. */
export const MOUSE_HELP: readonly { gesture: string; help: string }[] = [
  { gesture: 'drag', help: 'move the graph' },
  { gesture: 'wheel', help: 'zoom in/out around the pointer' },
];

const byKey = new Map<string, Action>(
  KEY_BINDINGS.flatMap((b) => b.keys.map((k) => [k, b.action] as const)),
);

/**
 * The action for a KeyboardEvent's `key`, ignoring chords with Ctrl, Alt or
 * Meta so browser shortcuts keep working.
 */
export function actionForKey(
  key: string,
  mods: { ctrlKey: boolean; altKey: boolean; metaKey: boolean },
): Action | undefined {
  if (mods.ctrlKey || mods.altKey || mods.metaKey) return undefined;
  return byKey.get(key);
}
