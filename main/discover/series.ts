/**
 * A series of scans of one system, for a caller that scans again and
 * again (the viewer on `r`, live refresh): each scan after the first
 * reuses what cannot have changed since the one before (memo.ts says what
 * and why), and finds exactly what a fresh scan finds.
 *
 * The series owns what that costs: the memo of its last scan and the
 * /proc files it keeps open (held.ts, up to tens of thousands of fds on a
 * large host). close() (or `using series = discoverySeries()`) lets go of
 * them at once; a series nobody closes lets go of them when it is
 * garbage-collected. `discover({ rescan })` and `discover({ previous })`
 * run such a series without an owner: there only the garbage collector
 * ends it.
 */
import type { Model } from '../model/types';
import { scanOnce, type ScanOptions } from './discover';
import { HeldFiles } from './held';
import { memoOf, type ScanMemo } from './memo';

/** Scans of one system, each reusing what the one before proved unchanged. */
export class DiscoverySeries {
  readonly #options: ScanOptions;
  readonly #held = new HeldFiles();
  #last: ScanMemo | undefined;
  #closed = false;

  /** `options` hold for every scan of the series. */
  constructor(options: ScanOptions = {}) {
    this.#options = { ...options };
  }

  /**
   * One scan: the first a fresh one (which also records what the next
   * needs), each later one reusing what cannot have changed since. Never
   * throws for one process's trouble; throws once the series is closed.
   */
  scan(): Model {
    if (this.#closed) throw new Error('this discovery series is closed');
    const model = scanOnce(this.#options, { held: this.#held, last: this.#last });
    this.#last = memoOf(model);
    return model;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Close the files the series holds and drop its memo; no scan after this. */
  close(): void {
    this.#closed = true;
    this.#last = undefined;
    this.#held.close();
  }

  /** `using series = discoverySeries()` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A new series of scans of this system (see DiscoverySeries). */
export function discoverySeries(options: ScanOptions = {}): DiscoverySeries {
  return new DiscoverySeries(options);
}
