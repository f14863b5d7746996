/**
 * The page's few DOM helpers, in one place: find an element the page must
 * have, make one with a class and text (text only, never HTML: every
 * string of the model is hostile), a button, and the two ways of waiting
 * the page uses (until it is idle, until what changed has been painted).
 */

/** The page's element `id`; a page without it is a broken build, so this throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page lacks #${id}`);
  return el as T;
}

/** A new element with a class and text content (as text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A `type="button"` button (never a form's submit) that runs `onClick`. */
export function button(cls: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', cls, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** Run `work` once the page is idle (after a paint, not in the way of one). */
export function whenIdle(work: () => void): void {
  const later = window.requestIdleCallback ?? ((f: () => void) => window.setTimeout(f, 200));
  later(() => work());
}

/** Resolves at the next animation frame (what was changed before it is styled then). */
export function nextFrame(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => r()));
}

/** Resolves once the current DOM has been painted: the frame after the next has begun. */
export function afterPaint(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
}
