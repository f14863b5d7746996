/**
 * What the page says about itself for tests and benchmarks: `<html data-*>`
 * attributes, all written here, so that one list says what each means.
 * Tests and benchmarks wait on these (events, never sleeps) and read
 * timings from them; nothing on the page reads them back.
 */

/** Every `<html data-*>` the page writes (camelCase, as `dataset` names them), and what it says. */
export interface Probes {
  /** Where the page is: loading, layout, ready, error, closed. */
  state: 'loading' | 'layout' | 'ready' | 'error' | 'closed';
  /** When the first graph arrived (epoch ms). */
  graphAt: number;
  /** When the first graph was painted (epoch ms). */
  paintedAt: number;
  /** When the latest graph was painted (epoch ms). */
  drawnAt: number;
  /** Graphs painted so far. */
  draws: number;
  /** Layouts put on screen so far (a refresh that finds nothing changed adds none). */
  layouts: number;
  /** The last layout: building its DOT, the worker's layout, putting it on screen (ms). */
  dotMs: number;
  layoutMs: number;
  showMs: number;
  /** The longest pause in painting while the worker laid out (ms). */
  maxFrameGap: number;
  /** What keeping the view's place across a relayout cost (ms), and which node kept it ('' none). */
  placeMs: number;
  keptPlace: string;
  /** The real zoom (screen pixels per SVG unit). */
  zoom: number;
  /** The namespace selected, and the one the details panel shows (and whether it is drawn). */
  selected: string;
  details: string;
  detailsDrawn: 'yes' | 'no';
  /** What was copied last (`the id`), or `fallback:<what>` when the clipboard refused. */
  copied: string;
  /** The containers panel is open: how many containers it lists. */
  containers: number;
  /** The find box: open, the query the highlight shows, the counts, the match stepped to, script time (ms). */
  find: 'open';
  findQuery: string;
  findCount: number;
  findHidden: number;
  findCurrent: string;
  findMs: number;
  /** The filters: default or filtered; how many namespaces are shown and hidden when filtered. */
  filter: 'default' | 'filtered';
  /** Which graph is drawn: the namespace hierarchy or the network wiring. */
  graph: 'hierarchy' | 'wiring';
  filterShown: number;
  filterHidden: number;
  /** Live refresh: the interval (ms), the last check's time (epoch ms), count, cost and outcome. */
  refreshMs: number;
  checkedAt: number;
  checks: number;
  checkMs: number;
  checkPageMs: number;
  checkOutcome: string;
  /** Namespaces new since the last view, and vanished ones. */
  fresh: number;
  vanished: number;
  /** Comparing with a snapshot (changes.ts): its words, and the namespaces changed (fresh, vanished: added, removed). */
  compared: string;
  changed: number;
  /** A snapshot the page opened (open.ts): its name while shown, how many were shown, how many refused. */
  opened: string;
  opens: number;
  refused: number;
  /** Export: busy from the key to the outcome, then png, dot or failed. */
  export: 'busy' | 'png' | 'dot' | 'failed';
}

/** Say `value` as `data-<name>`; undefined removes it. */
export function probe<K extends keyof Probes>(name: K, value: Probes[K] | undefined): void {
  const data = document.documentElement.dataset;
  if (value === undefined) delete data[name];
  else data[name] = String(value);
}

/** Say `value` as `data-<name>` unless it is said already (the first time something happened). */
export function probeOnce<K extends keyof Probes>(name: K, value: Probes[K]): void {
  document.documentElement.dataset[name] ??= String(value);
}

/** Now as epoch ms, whole. */
export function epochMs(): number {
  return Math.round(performance.timeOrigin + performance.now());
}
