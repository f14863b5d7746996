/**
 * The layout worker: turns DOT into SVG with Graphviz (WASM) off the page's
 * thread, so the window keeps painting while a large graph is laid out.
 * Messages: in `{ id, dot }`, out `{ id, svg }` or `{ id, error }`.
 *
 * The bundled library has no WASM of its own (build/graphviz-wasm.mjs): it
 * fetches graphviz.wasm from beside worker.js, compiling it while it
 * streams in (WebAssembly.instantiateStreaming; the shells serve it as
 * application/wasm, which streaming requires).
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { LayoutReply, LayoutRequest } from './layout';

interface WorkerScope {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(msg: LayoutReply): void;
}
const scope = self as unknown as WorkerScope;

// Compile the WASM right away, while the page is still waiting for the graph.
const graphviz: Promise<Graphviz> = Graphviz.load();
graphviz.catch(() => undefined); // reported with the first layout, not as unhandled

scope.onmessage = async (e) => {
  const { id, dot } = e.data;
  try {
    const svg = (await graphviz).layout(dot, 'svg', 'dot');
    scope.postMessage({ id, svg });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
