/**
 * The help overlay: every key and mouse gesture, built from the key map in
 * keys.ts so help and behaviour cannot disagree. Text only (textContent).
 */
import { FIND_BINDINGS, KEY_BINDINGS, MOUSE_HELP } from './keys';

const KEY_NAMES: Record<string, string> = { Escape: 'Esc', ' ': 'Space' };

function row(table: HTMLTableSectionElement, keys: string, help: string): void {
  const tr = table.insertRow();
  const th = document.createElement('th');
  th.textContent = keys;
  const td = document.createElement('td');
  td.textContent = help;
  tr.append(th, td);
}

/** Fill `table` with one row per binding (the find box's too), then the mouse gestures. */
export function buildHelp(table: HTMLTableElement): void {
  const body = table.createTBody();
  for (const b of [...KEY_BINDINGS, ...FIND_BINDINGS]) {
    row(body, b.keys.map((k) => KEY_NAMES[k] ?? k).join('  '), b.help);
  }
  for (const m of MOUSE_HELP) row(body, m.gesture, m.help);
}
