/**
 * The page's side of the layout worker: one worker for the page's life,
 * requests matched to replies by id. A failed layout rejects with a
 * LayoutFailure whose `kind` says why, so the page can draw something
 * else (the overview) where a full drawing is too big for Graphviz.
 */
import { LayoutFailure, type LayoutFailureKind } from './layout-failure';

export { failureKind, LayoutFailure, type LayoutFailureKind } from './layout-failure';

/** A request to the worker. */
export interface LayoutRequest {
  id: number;
  dot: string;
}

/** The worker's answer: SVG text, or the Graphviz error and its kind. */
export type LayoutReply =
  { id: number; svg: string } | { id: number; error: string; kind: LayoutFailureKind };

/** Lays out DOT in a Web Worker (worker.js next to the page). */
export class LayoutClient {
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, { resolve(svg: string): void; reject(err: Error): void }>();

  constructor(url = 'worker.js') {
    this.#worker = new Worker(url);
    this.#worker.onmessage = (e: MessageEvent<LayoutReply>) => {
      const p = this.#pending.get(e.data.id);
      if (!p) return;
      this.#pending.delete(e.data.id);
      if ('svg' in e.data) p.resolve(e.data.svg);
      else p.reject(new LayoutFailure(e.data.error, e.data.kind));
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      const err = new LayoutFailure(
        `layout worker failed: ${e.message || 'could not load worker.js'}`,
        e.message ? 'crashed' : 'unavailable',
      );
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
  }

  /** SVG text for `dot`; rejects with a LayoutFailure. */
  layout(dot: string): Promise<string> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, dot } satisfies LayoutRequest);
    });
  }
}
