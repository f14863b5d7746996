/**
 * The help overlay: every key and mouse gesture, built from the key map
 * (keys.ts, and the panels' keys from the registry) so help and behaviour
 * cannot disagree. Text only (textContent).
 */
import type { Binding, Commands } from './keys';
import { MOUSE_HELP } from './keys';

const KEY_NAMES: Record<string, string> = { Escape: 'Esc', ' ': 'Space' };

function row(table: HTMLTableSectionElement, keys: string, help: string): void {
  const tr = table.insertRow();
  const th = document.createElement('th');
  th.textContent = keys;
  const td = document.createElement('td');
  td.textContent = help;
  tr.append(th, td);
}

/** Fill `table` with one row per binding, then the mouse gestures. */
export function buildHelp(table: HTMLTableElement, bindings: readonly Binding<string>[]): void {
  const body = table.createTBody();
  for (const b of bindings) row(body, b.keys.map((k) => KEY_NAMES[k] ?? k).join('  '), b.help);
  for (const m of MOUSE_HELP) row(body, m.gesture, m.help);
}

/** The overlay: `h` and `?` show and hide it, Escape closes it first of all. */
export class HelpOverlay {
  readonly #el: HTMLElement;
  /** Its key's handler. */
  readonly commands: Commands<'help'> = { help: () => this.toggle() };

  constructor(el: HTMLElement) {
    this.#el = el;
  }

  /** List `bindings` (and the mouse gestures) in `table`. */
  list(table: HTMLTableElement, bindings: readonly Binding<string>[]): void {
    buildHelp(table, bindings);
  }

  get isOpen(): boolean {
    return !this.#el.hidden;
  }

  toggle(): void {
    this.#el.hidden = !this.#el.hidden;
  }

  close(): void {
    this.#el.hidden = true;
  }
}
