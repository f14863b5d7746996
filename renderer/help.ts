/**
 * The help overlay: every key and mouse gesture, built from the key map
 * (keys.ts, and the panels' keys from the registry) so help and behaviour
 * cannot disagree. Text only (textContent).
 */
import type { Binding, Commands } from './keys';
import { MOUSE_HELP } from './keys';

const KEY_NAMES: Record<string, string> = {
  Escape: 'Esc',
  ' ': 'Space',
  'Shift+ArrowLeft': 'Shift+←',
  'Shift+ArrowRight': 'Shift+→',
  'Shift+ArrowUp': 'Shift+↑',
  'Shift+ArrowDown': 'Shift+↓',
};

function row(table: HTMLTableSectionElement, keys: string, help: string): void {
  const tr = table.insertRow();
  const th = document.createElement('th');
  th.textContent = keys;
  const td = document.createElement('td');
  td.textContent = help;
  tr.append(th, td);
}

/**
 * Fill `table` with one row per binding, then the mouse gestures; bindings
 * next to each other with the same words (the four Shift+arrows) share a row.
 */
export function buildHelp(table: HTMLTableElement, bindings: readonly Binding<string>[]): void {
  const body = table.createTBody();
  const rows: { keys: string[]; help: string }[] = [];
  for (const b of bindings) {
    const last = rows[rows.length - 1];
    const keys = b.keys.map((k) => KEY_NAMES[k] ?? k);
    if (last?.help === b.help) last.keys.push(...keys);
    else rows.push({ keys, help: b.help });
  }
  for (const r of rows) row(body, r.keys.join('  '), r.help);
  for (const m of MOUSE_HELP) row(body, m.gesture, m.help);
}

/**
 * The overlay: `h` and `?` show and hide it, Escape closes it first of all.
 * Taller than a small window, it scrolls (style.css); it takes the focus
 * while open, so the arrows, Page Up/Down, Home, End and Space scroll it as
 * the browser scrolls any focused box (no key of the key map is one of
 * those), and gives the focus back when it closes.
 */
export class HelpOverlay {
  readonly #el: HTMLElement;
  /** Where the focus was when it opened. */
  #before: Element | null = null;
  /** Its key's handler. */
  readonly commands: Commands<'help'> = { help: () => this.toggle() };

  constructor(el: HTMLElement) {
    this.#el = el;
    // focusable by script, not by Tab
    el.tabIndex = -1;
  }

  /** List `bindings` (and the mouse gestures) in `table`. */
  list(table: HTMLTableElement, bindings: readonly Binding<string>[]): void {
    buildHelp(table, bindings);
  }

  get isOpen(): boolean {
    return !this.#el.hidden;
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.#open();
  }

  #open(): void {
    this.#before = document.activeElement;
    this.#el.hidden = false;
    this.#el.scrollTop = 0;
    this.#el.focus({ preventScroll: true });
  }

  close(): void {
    if (!this.isOpen) return;
    const had = this.#el.contains(document.activeElement);
    this.#el.hidden = true;
    const before = this.#before;
    this.#before = null;
    if (had && before instanceof HTMLElement && before.isConnected)
      before.focus({ preventScroll: true });
  }
}
