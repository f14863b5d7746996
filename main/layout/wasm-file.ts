/**
 * What the built commands give Graphviz's WebAssembly: the plain
 * `graphviz.wasm` the build writes into dist/renderer (build/graphviz-wasm.mjs),
 * the same file the viewer's worker fetches, so the package holds it once,
 * and random bytes (from /dev/urandom: Web Crypto costs a start 10 ms).
 * Only the bundled, patched copy of @hpcc-js/wasm-graphviz imports this;
 * run from the sources (tsx), the library decodes its own embedded copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillRandom } from '../files/random';

const NAME = join('renderer', 'graphviz.wasm');

/**
 * The file, found from `from` upwards: the bundle that holds this code
 * sits in dist/app (or a chunk below it), the file in dist/renderer.
 */
export function wasmPath(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 4; i++) {
    const p = join(dir, NAME);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(`no ${NAME} above ${dirname(from)}: the build is incomplete (npm run build)`);
}

/** The WASM module's bytes, for the library's `wasmBinary`. */
export function wasmBinary(): Uint8Array {
  return readFileSync(wasmPath());
}

/** Emscripten's random source (getentropy), for the library's random fill. */
export function randomFill(view: Uint8Array): void {
  fillRandom(view);
}
