// Graphviz's WebAssembly as a plain file, taken out of @hpcc-js/wasm-graphviz
// at build time.
//
// The library ships its WASM inside its JavaScript: a 733 KB base91 string,
// zstd-compressed, decoded in JavaScript by every process that loads it
// (81-107 ms of a 164 ms Graphviz.load() here, plus parsing the string). We
// decode it once, here, with the library's own decoder, write
// dist/renderer/graphviz.wasm, and bundle a copy of the library with the
// string removed and its loader pointed at that file:
//   node     the commands read the file (main/layout/wasm-file.ts) and hand
//            the bytes to the library's Emscripten module as `wasmBinary`;
//   browser  the worker's module fetches "graphviz.wasm" (beside worker.js)
//            itself, through Emscripten's own instantiateStreaming path.
//
// This depends on how the minified dist/index.js is put together, so every
// piece relied on is matched exactly once or the build stops, naming the
// installed version and what no longer matches. Written against 1.29.2.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE = '@hpcc-js/wasm-graphviz';
/** The version these patterns were written against; others are accepted only if they match. */
export const WRITTEN_FOR = '1.29.2';
/** The file's name, in dist/renderer/ beside worker.js (it is one of the page's assets). */
export const WASM_NAME = 'graphviz.wasm';

// `var to='<base91>',Lr;function kt(){return Lr??=Ct(ro(to)),St({wasmBinary:Lr,locateFile:()=>""})}`
// to: the embedded text; Lr: the decoded bytes, cached; Ct: zstd; ro: base91; St: the
// Emscripten module factory. Names are the minifier's and change between versions.
const ID = String.raw`[A-Za-z_$][\w$]*`;
const EMBED = new RegExp(
  String.raw`var (${ID})='([^'\\]*)',(${ID});function (${ID})\(\)\{return \3\?\?=(${ID})\((${ID})\(\1\)\),(${ID})\(\{wasmBinary:\3,locateFile:\(\)=>""\}\)\}`,
  'g',
);
// Emscripten's wasm file name, emptied by the library (its WASM is inline), then used as
// the URL of the streaming fetch when no wasmBinary is given:
// `var re;let se=()=>"";function ge(e){if(e==re&&O)...` and later `re??=se();`
const FILE_NAME = new RegExp(
  String.raw`var (${ID});let (${ID})=\(\)=>"";function ${ID}\(${ID}\)\{if\(${ID}==\1&&`,
  'g',
);

// Emscripten's random source (getentropy): `Me=()=>e=>(crypto.getRandomValues(e),0)`.
// Graphviz asks it for a few bytes per layout; in Node the first use of globalThis.crypto
// loads Web Crypto (about 10 ms), so the commands' build reads /dev/urandom instead.
const RANDOM = new RegExp(
  String.raw`(${ID})=\(\)=>(${ID})=>\(crypto\.getRandomValues\(\2\),0\)`,
  'g',
);

/** The installed library is not put together the way this file expects. */
export class ShapeError extends Error {
  name = 'ShapeError';
}

function once(re, source, what, version) {
  const found = [...source.matchAll(re)];
  if (found.length !== 1) {
    throw new ShapeError(
      `${PACKAGE} ${version}: ${what} found ${found.length} times in its dist/index.js, ` +
        `expected once (build/graphviz-wasm.mjs was written for ${WRITTEN_FOR}): ` +
        'read how this version embeds its WASM and update build/graphviz-wasm.mjs',
    );
  }
  return found[0];
}

/** The installed library: version, path of dist/index.js, its text and the pieces found in it. */
export function readGraphvizLibrary(root) {
  const require = createRequire(join(root, 'package.json'));
  const path = realpathSync(require.resolve(PACKAGE));
  const pkg = JSON.parse(readFileSync(join(dirname(path), '..', 'package.json'), 'utf8'));
  return inspectGraphvizLibrary(readFileSync(path, 'utf8'), pkg.version, path);
}

/**
 * The pieces of the library's dist/index.js (`source`) the build relies on.
 * @throws ShapeError naming `version` when one is missing or ambiguous.
 */
export function inspectGraphvizLibrary(source, version, path) {
  const embed = once(EMBED, source, 'the embedded WASM and its loader', version);
  const fileName = once(FILE_NAME, source, "Emscripten's empty wasm file name", version);
  const random = once(RANDOM, source, "Emscripten's random source", version);
  if (!source.includes(`${fileName[1]}??=${fileName[2]}()`)) {
    throw new ShapeError(
      `${PACKAGE} ${version}: Emscripten no longer takes its wasm URL from ${fileName[2]}() ` +
        `(build/graphviz-wasm.mjs was written for ${WRITTEN_FOR})`,
    );
  }
  const [, textVar, text, cache, loader, zstd, base91, factory] = embed;
  return {
    version,
    path,
    source,
    embed: {
      match: embed[0],
      index: embed.index,
      textVar,
      text,
      cache,
      loader,
      zstd,
      base91,
      factory,
    },
    fileName: { match: fileName[0], index: fileName.index, getter: fileName[2] },
    random: { match: random[0], index: random.index, arg: random[2] },
  };
}

/**
 * The WASM bytes, decoded by the library's own code: its module with one
 * export added that runs its decoders on its embedded text.
 */
export async function decodeGraphvizWasm(lib) {
  const { zstd, base91, text } = lib.embed;
  const dir = mkdtempSync(join(tmpdir(), 'graphns-graphviz-wasm-'));
  try {
    const file = join(dir, 'index.mjs');
    // the text is a '...' literal without escapes (EMBED allows none), so it is its own JS
    writeFileSync(
      file,
      `${lib.source}\nexport const __graphnsWasm = () => ${zstd}(${base91}('${text}'));\n`,
    );
    const mod = await import(pathToFileURL(file).href);
    const bytes = mod.__graphnsWasm();
    if (!(bytes instanceof Uint8Array))
      throw new ShapeError(`${PACKAGE}: the decoder gave no bytes`);
    const wasm = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // "\0asm", version 1: the binary format (a wrong decoder gives noise)
    if (!wasm.subarray(0, 8).equals(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))) {
      throw new ShapeError(`${PACKAGE} ${lib.version}: the decoded WASM has no WebAssembly header`);
    }
    if (!WebAssembly.validate(wasm)) {
      throw new ShapeError(`${PACKAGE} ${lib.version}: the decoded WASM does not validate`);
    }
    return wasm;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The library's text for one platform, without the embedded WASM:
 * `node` takes the bytes from `wasmBinary()` of the module `nodeLoader` (an
 * absolute path), and random bytes from its `randomFill()`; `browser` lets
 * Emscripten fetch WASM_NAME relative to the script (the worker), streaming.
 */
export function patchGraphvizLibrary(lib, platform, nodeLoader) {
  const { source, embed, fileName, random } = lib;
  const { textVar, cache, loader, factory } = embed;
  // the text goes (`var to=''` stays, for anything else that names it); the loader is ours
  const head = `var ${textVar}='',${cache};`;
  if (platform === 'node') {
    if (!nodeLoader) throw new Error('patchGraphvizLibrary: node needs the loader module');
    const load = `function ${loader}(){return ${cache}??=__graphnsWasmBinary(),${factory}({wasmBinary:${cache},locateFile:()=>""})}`;
    const fill = random.match.replace(
      `crypto.getRandomValues(${random.arg})`,
      `__graphnsRandomFill(${random.arg})`,
    );
    // the random source comes first in the text: replace the later piece first
    if (random.index > embed.index) throw new Error('patchGraphvizLibrary: unexpected order');
    const patched = replaceAt(
      replaceAt(source, embed.index, embed.match, head + load),
      random.index,
      random.match,
      fill,
    );
    const names = 'wasmBinary as __graphnsWasmBinary, randomFill as __graphnsRandomFill';
    return `import { ${names} } from ${JSON.stringify(nodeLoader)};\n${patched}`;
  }
  if (platform === 'browser') {
    // no wasmBinary: Emscripten fetches the file its getter names, with instantiateStreaming
    const load = `function ${loader}(){return ${factory}({locateFile:()=>""})}`;
    const named = fileName.match.replace('=()=>""', `=()=>${JSON.stringify(WASM_NAME)}`);
    // the file name comes first in the text: replace the later piece first, indexes hold
    if (fileName.index > embed.index) throw new Error('patchGraphvizLibrary: unexpected order');
    const patched = replaceAt(source, embed.index, embed.match, head + load);
    return replaceAt(patched, fileName.index, fileName.match, named);
  }
  throw new Error(`patchGraphvizLibrary: unknown platform ${platform}`);
}

function replaceAt(text, index, old, replacement) {
  if (text.slice(index, index + old.length) !== old) {
    throw new Error('patchGraphvizLibrary: a piece is not where it was found');
  }
  return text.slice(0, index) + replacement + text.slice(index + old.length);
}

/** esbuild plugin: bundle the patched library for `platform` in place of the installed one. */
export function graphvizWasmPlugin(lib, platform, nodeLoader) {
  const contents = patchGraphvizLibrary(lib, platform, nodeLoader);
  return {
    name: 'graphviz-wasm',
    setup(b) {
      b.onLoad({ filter: /[\\/]@hpcc-js[\\/]wasm-graphviz[\\/]dist[\\/]index\.js$/ }, (args) => {
        if (realpathSync(args.path) !== lib.path) {
          throw new Error(`${args.path}: a second copy of ${PACKAGE}; expected ${lib.path}`);
        }
        return { contents, loader: 'js', resolveDir: dirname(lib.path) };
      });
    },
  };
}
