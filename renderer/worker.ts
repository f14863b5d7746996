/**
 * The layout worker: turns DOT into SVG with Graphviz (WASM) off the page's
 * thread, so the window keeps painting while a large graph is laid out.
 * Messages: in `{ id, dot }`, out `{ id, svg }` or `{ id, error, kind }`
 * (./layout.ts says the kinds). After a failure that stopped the WASM
 * mid-call (too deep, memory, crashed) the next layout gets a fresh
 * Graphviz instance: the old one's C state and stack pointer are where the
 * failure left them.
 *
 * The bundled library has no WASM of its own (build/graphviz-wasm.mjs): it
 * fetches graphviz.wasm from beside worker.js, compiling it while it
 * streams in (WebAssembly.instantiateStreaming; the shells serve it as
 * application/wasm, which streaming requires).
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { failureKind } from './layout-failure';
import type { LayoutReply, LayoutRequest } from './layout';

interface WorkerScope {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(msg: LayoutReply): void;
}
const scope = self as unknown as WorkerScope;

function load(): Promise<Graphviz> {
  const p = Graphviz.load();
  p.catch(() => undefined); // reported with the next layout, not as unhandled
  return p;
}

// Compile the WASM right away, while the page is still waiting for the graph.
let graphviz: Promise<Graphviz> = load();

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

scope.onmessage = async (e) => {
  const { id, dot } = e.data;
  let gv: Graphviz;
  try {
    gv = await graphviz;
  } catch (err) {
    graphviz = load(); // try again with the next layout
    scope.postMessage({ id, error: `cannot load Graphviz: ${message(err)}`, kind: 'unavailable' });
    return;
  }
  try {
    scope.postMessage({ id, svg: gv.layout(dot, 'svg', 'dot') });
  } catch (err) {
    const kind = failureKind(message(err));
    if (kind !== 'refused') {
      Graphviz.unload();
      graphviz = load();
    }
    scope.postMessage({ id, error: message(err), kind });
  }
};
