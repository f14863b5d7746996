/**
 * The privileged side's scan queue. The window may ask for a rediscovery
 * as often as it likes (a page, or a compromised renderer, calling
 * `rediscover` in a loop); root must not run scans without limit because
 * of that. So: at most one scan running and at most one pending, scans
 * starting at least MIN_SCAN_GAP_MS apart, and a pending scan answers
 * every request that arrived while it waited. A request is always answered by a scan that started after it
 * arrived, so it never gets a stale graph.
 *
 * Requests carry increasing ids; an answer carries the highest id it
 * answers, and the host takes it as the answer to every request up to
 * that id (host-broker.ts). So the pending state is one number, whatever
 * the flood.
 */

/**
 * The least time between the starts of two scans. A page can thus never
 * keep root busier than one scan a second, however it asks (six parallel
 * rescan loops once kept it at 82 % of a core); the page's own live
 * refresh offers nothing shorter (renderer/refresh.ts, 2 s and up).
 */
export const MIN_SCAN_GAP_MS = 1000;

/** The function to call with each request's id; `close()` drops a scan still waiting for its gap. */
export type ScanRequest = ((id: number) => void) & { close(): void };

/**
 * Start the queue; returns the function to call with each request's id.
 * A scan starts at the earliest `minGapMs` after the one before it started.
 */
export function scanQueue<R>(
  scan: () => Promise<R>,
  answer: (upToId: number, result: R) => void,
  minGapMs = MIN_SCAN_GAP_MS,
): ScanRequest {
  let running = false;
  let pending: number | undefined;
  let lastStart = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Start the pending scan if nothing runs and the gap has passed, else wait for that. */
  const next = (): void => {
    if (closed || running || pending === undefined || timer !== undefined) return;
    const wait = lastStart + minGapMs - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        next();
      }, wait);
      return;
    }
    const id = pending;
    pending = undefined;
    start(id);
  };

  const start = (id: number): void => {
    running = true;
    lastStart = performance.now();
    void scan()
      .then((result) => answer(id, result))
      // scan() turns failures into results (viewer.ts); should one escape, the queue still goes on
      .catch(() => undefined)
      .finally(() => {
        running = false;
        next();
      });
  };

  const request = (id: number): void => {
    pending = Math.max(pending ?? id, id);
    next();
  };
  return Object.assign(request, {
    close: () => {
      // a viewer that is closing is not kept alive to run a scan nobody will see
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  });
}
