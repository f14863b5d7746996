/**
 * Keys pressed on the page: looked up in the key map and run, unless they
 * are text typed into a field (the find box, the filter bar's selects).
 */
import type { Keymap } from './keys';

/** Inputs that take no typed text: keys at them stay shortcuts. */
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color']);

/** Whether keys typed at `target` are text for it (a find box, a field), not shortcuts. */
export function typingInto(target: EventTarget | null): boolean {
  return (
    (target instanceof HTMLInputElement && !NOT_TEXT.has(target.type)) ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/**
 * Run each key's command.
 * @throws Error when an action of `keymap` has no command (a feature's key without its handler).
 */
export function listenForKeys<A extends string>(
  keymap: Keymap<A>,
  commands: Readonly<Record<A, () => void>>,
): void {
  const missing = keymap.bindings.filter((b) => typeof commands[b.action] !== 'function');
  if (missing.length) throw new Error(`no handler for ${missing.map((b) => b.action).join(', ')}`);
  window.addEventListener('keydown', (e) => {
    if (typingInto(e.target)) return;
    const action = keymap.actionFor(e.key, e);
    if (!action) return;
    e.preventDefault();
    commands[action]();
  });
}
