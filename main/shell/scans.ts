/**
 * The privileged side's scan queue. The window may ask for a rediscovery
 * as often as it likes (a page, or a compromised renderer, calling
 * `rediscover` in a loop); root must not run scans without limit because
 * of that. So: at most one scan running and at most one pending, and a
 * pending scan answers every request that arrived while the running one
 * was busy. A request is always answered by a scan that started after it
 * arrived, so it never gets a stale graph.
 *
 * Requests carry increasing ids; an answer carries the highest id it
 * answers, and the host takes it as the answer to every request up to
 * that id (host-broker.ts). So the pending state is one number, whatever
 * the flood.
 */

/** Start the queue; returns the function to call with each request's id. */
export function scanQueue<R>(
  scan: () => Promise<R>,
  answer: (upToId: number, result: R) => void,
): (id: number) => void {
  let running = false;
  let pending: number | undefined;

  const start = (id: number): void => {
    running = true;
    void scan()
      .then((result) => answer(id, result))
      // scan() turns failures into results (viewer.ts); should one escape, the queue still goes on
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (pending !== undefined) {
          const next = pending;
          pending = undefined;
          start(next);
        }
      });
  };

  return (id) => {
    if (!running) start(id);
    else pending = Math.max(pending ?? id, id);
  };
}
