/**
 * The find worker: the find index (main/emit/find.ts) of the model shown,
 * built and searched off the page's thread. At 50 000 namespaces building
 * the index takes about a second and a short query's ranking a tenth of
 * one: on the page's thread both were frame gaps the user saw while typing
 * (bench:ui). The page sends the model's JSON once per model and each
 * query; the worker parses the model with the same checks as the page,
 * and answers each query with its matches, packed (find-wire.ts). Messages
 * are handled in order, so a query after a model is answered from it.
 */
import { findIndex, type FindIndex } from '../main/emit/find';
import { graphOf } from '../main/model/graph';
import { parseModel } from '../main/model/json';
import { packMatches, type FindReply, type FindRequest } from './find-wire';

interface WorkerScope {
  onmessage: ((e: MessageEvent<FindRequest>) => void) | null;
  postMessage(msg: FindReply, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** The index of the latest model, or why there is none. */
let index: { gen: number; find: FindIndex } | { gen: number; error: string } | undefined;

scope.onmessage = (e) => {
  const msg = e.data;
  if ('model' in msg) {
    try {
      index = { gen: msg.gen, find: findIndex(graphOf(parseModel(msg.model))) };
    } catch (err) {
      index = { gen: msg.gen, error: err instanceof Error ? err.message : String(err) };
    }
    return;
  }
  const { gen, id } = msg;
  if (!index || index.gen !== gen) {
    scope.postMessage({ gen, id, error: 'no model to search yet' });
  } else if ('error' in index) {
    scope.postMessage({ gen, id, error: index.error });
  } else {
    const packed = packMatches(index.find.rank(msg.query));
    scope.postMessage({ gen, id, ...packed }, [packed.codes.buffer]);
  }
};
