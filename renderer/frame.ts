/**
 * The page's frame: what sits below the filter bar stays below it,
 * however many lines the bar wraps to.
 */

/**
 * Keep `placed` below `bar`. The height goes on the few elements placed by
 * it, and does not inherit (style.css @property): set on the root, a
 * custom property restyles every element of the page, 53 000 at 5000
 * namespaces, 227 ms each time the bar wraps anew (as when live refresh
 * first says when it checked).
 */
export function keepUnderBar(bar: HTMLElement, placed: readonly HTMLElement[]): void {
  const fit = () => {
    const h = `${bar.offsetHeight}px`;
    for (const el of placed) el.style.setProperty('--filters-height', h);
  };
  fit();
  new ResizeObserver(fit).observe(bar);
}
