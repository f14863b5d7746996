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
import { failureKind, type LayoutFailureKind } from '../emit/layout-failure';

/**
 * Why a layout failed, for a caller that can still draw something else
 * (the overview, a simpler layout) instead of showing an error:
 * - `too-deep`: Graphviz recursed deeper than the stack allows
 *   ("Maximum call stack size exceeded"). A wide fan does this in dot's
 *   position phase (network simplex's `rerank`, one frame per node along a
 *   rank), a long chain in its rank phase (`dfscc`): docs/BENCHMARKS.md,
 *   Layout limits. A smaller or grouped drawing may lay out.
 * - `memory`: the WASM ran out of memory or touched memory outside it.
 * - `crashed`: another WebAssembly trap or abort inside Graphviz.
 * - `refused`: Graphviz rejected the DOT (a syntax error, an attribute it
 *   cannot use), or made nothing of it: the DOT is wrong, not too big.
 * - `unavailable`: Graphviz itself could not be loaded.
 * After `too-deep`, `memory` and `crashed` the WASM instance is dropped
 * (its C state and stack pointer may be left mid-call) and the next layout
 * loads a fresh one.
 */
export type LayoutErrorKind = LayoutFailureKind;

/** Graphviz refused the DOT or failed while laying it out; `kind` says which way. */
export class LayoutError extends Error {
  override name = 'LayoutError';
  constructor(
    message: string,
    readonly kind: LayoutErrorKind = 'refused',
  ) {
    super(message);
  }
}

/** The kind of a failed layout from Graphviz's message (main/emit/layout-failure.ts, shared with the page's worker). */
export const layoutErrorKind = failureKind;

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
        throw new LayoutError(
          `cannot load Graphviz (WebAssembly): ${(err as Error).message}`,
          'unavailable',
        );
      });
  }
  return loading;
}

/**
 * Lay `dot` out with Graphviz's `dot` engine and render it as SVG.
 * @throws LayoutError when Graphviz rejects the DOT or fails; its `kind`
 *   says how (too deep, memory, crashed, refused, unavailable).
 */
export async function dotToSvg(dot: string): Promise<string> {
  const gv = await loadGraphviz();
  let svg: string;
  try {
    svg = gv.layout(dot, 'svg', 'dot');
  } catch (err) {
    const message = String((err as Error)?.message ?? err).trim();
    const kind = layoutErrorKind(message);
    if (kind !== 'refused') {
      // the WASM stopped mid-call: its C state and its stack pointer are where the
      // failure left them, so the next layout gets a fresh instance
      Graphviz.unload();
      loading = undefined;
    }
    throw new LayoutError(`Graphviz failed: ${message}`, kind);
  }
  if (!svg) throw new LayoutError('Graphviz produced no output', 'refused');
  return svg;
}

/** What layoutOrFail() gives: the SVG, or why there is none. */
export type LayoutOutcome = { svg: string } | { error: string; kind: LayoutErrorKind };

/**
 * `dotToSvg` that never throws: `{ svg }`, or `{ error, kind }` for a
 * caller that picks what to draw instead by the kind (the overview after
 * `too-deep` or `memory`). A later call works after any failure.
 */
export async function layoutOrFail(dot: string): Promise<LayoutOutcome> {
  try {
    return { svg: await dotToSvg(dot) };
  } catch (err) {
    if (err instanceof LayoutError) return { error: err.message, kind: err.kind };
    return { error: String((err as Error)?.message ?? err), kind: 'crashed' };
  }
}
