/**
 * Graphviz layout in Node: DOT text in, SVG text out, with Graphviz
 * compiled to WebAssembly (@hpcc-js/wasm-graphviz), so no native Graphviz
 * is needed on the host. The WASM module is compiled once per process and
 * reused for every layout. The built commands bundle the library without
 * its embedded, compressed copy and read dist/renderer/graphviz.wasm
 * instead (build/graphviz-wasm.mjs, ./wasm-file.ts): 100+ ms less per run.
 */
import { setFlagsFromString } from 'node:v8';
import { Graphviz } from '@hpcc-js/wasm-graphviz';

/** Graphviz refused the DOT or failed while laying it out. */
export class LayoutError extends Error {
  override name = 'LayoutError';
}

let loading: Promise<Graphviz> | undefined;

/**
 * Tune V8 for a process that lays out one graph and exits (the CLI), before
 * the first load. By default V8 compiles WebAssembly with its baseline
 * compiler (Liftoff) and recompiles hot functions with its optimizing one
 * (TurboFan) in the background. For one layout that second compile costs
 * more than it saves: measured here, the first layout of 1000 namespaces
 * took several times longer with tier-up than with Liftoff alone
 * (docs/BENCHMARKS.md). Lazy compilation skips the parts of Graphviz a DOT
 * layout never calls (other engines and renderers). A long-running process
 * (the viewer) should not call this.
 */
export function preferFastStartup(): void {
  if (loading) return; // too late: the module is compiled already
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--wasm-lazy-compilation');
}

/** The one Graphviz instance of this process, loaded on first use. */
export function loadGraphviz(): Promise<Graphviz> {
  if (!loading) {
    // through then(): the built commands' loader reads graphviz.wasm and may throw at once
    loading = Promise.resolve()
      .then(() => Graphviz.load())
      .catch((err: unknown) => {
        loading = undefined; // let a later call try again
        throw new LayoutError(`cannot load Graphviz (WebAssembly): ${(err as Error).message}`);
      });
  }
  return loading;
}

/**
 * Lay `dot` out with Graphviz's `dot` engine and render it as SVG.
 * @throws LayoutError when Graphviz rejects the DOT or fails.
 */
export async function dotToSvg(dot: string): Promise<string> {
  const gv = await loadGraphviz();
  let svg: string;
  try {
    svg = gv.layout(dot, 'svg', 'dot');
  } catch (err) {
    // the library drops a module that failed (its C state may be dirty): load afresh next time
    loading = undefined;
    throw new LayoutError(`Graphviz failed: ${String((err as Error).message ?? err).trim()}`);
  }
  if (!svg) throw new LayoutError('Graphviz produced no output');
  return svg;
}
