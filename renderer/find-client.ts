/**
 * The page's side of the find worker (find-worker.ts): one worker for the
 * page's life, the model handed over once per model, each query answered
 * with its matches (find-wire.ts). An answer for a model that is no longer
 * the latest is dropped: a rescan may come between a query and its answer.
 */
import { unpackMatches, type FindReply, type FindRequest, type PackedMatches } from './find-wire';

/** Searches the model shown, off the page's thread. */
export class FindClient {
  #worker: Worker | undefined;
  readonly #url: string;
  /** The model's JSON handed over last, and its generation. */
  #model: string | undefined;
  #gen = 0;
  #next = 1;
  #pending = new Map<
    number,
    { resolve(m: PackedMatches | undefined): void; reject(e: Error): void }
  >();

  constructor(url = 'find-worker.js') {
    this.#url = url;
  }

  /** The worker, started on first use. */
  #started(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.#url);
    w.onmessage = (e: MessageEvent<FindReply>) => {
      const r = e.data;
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.gen !== this.#gen) p.resolve(undefined);
      else if ('error' in r) p.reject(new Error(r.error));
      else p.resolve(unpackMatches(r.keys, r.codes, r.subjects));
    };
    w.onerror = (e) => {
      e.preventDefault();
      const err = new Error(`find worker failed: ${e.message || 'could not load find-worker.js'}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    return (this.#worker = w);
  }

  /** Search `modelJson` from now on (the same text again changes nothing). */
  load(modelJson: string): void {
    if (modelJson === this.#model) return;
    this.#model = modelJson;
    this.#gen++;
    this.#started().postMessage({ gen: this.#gen, model: modelJson } satisfies FindRequest);
  }

  /**
   * The matches of `query` in the model loaded last, best first; undefined
   * when another model was loaded before the answer came.
   */
  rank(query: string): Promise<PackedMatches | undefined> {
    const id = this.#next++;
    const gen = this.#gen;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#started().postMessage({ gen, id, query } satisfies FindRequest);
    });
  }
}
