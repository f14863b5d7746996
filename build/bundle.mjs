// Bundles the TypeScript sources with esbuild into dist/:
//   dist/index.js, dist/index.cjs   the library (package root), ESM and CJS
//   dist/app/<command>.js           the commands, runnable with plain `node` (CommonJS,
//                                   one file each; dist/app/package.json says so)
//   dist/renderer/                  the viewer page: index.html, style.css, main.js,
//                                   worker.js and find-worker.js (IIFE: Electron may load them
//                                   from its own scheme)
//                                   and graphviz.wasm (the commands read it too)
//   dist/shell/host.js              the viewer's shell host (browser server or Electron launcher)
//   dist/shell/electron/*.cjs       Electron main process and preload (electron external)
// koffi stays external: it loads a native file that must sit on disk.
import { build } from 'esbuild';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeGraphvizWasm,
  graphvizWasmPlugin,
  readGraphvizLibrary,
  WASM_NAME,
} from './graphviz-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

// Graphviz's WASM as a plain file (build/graphviz-wasm.mjs says why and how); the
// bundles below get the library without its embedded copy.
const graphviz = readGraphvizLibrary(root);
const wasm = await decodeGraphvizWasm(graphviz);
mkdirSync(join(dist, 'renderer'), { recursive: true });
writeFileSync(join(dist, 'renderer', WASM_NAME), wasm);
const nodeGraphviz = graphvizWasmPlugin(graphviz, 'node', join(root, 'main/layout/wasm-file.ts'));

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['koffi', 'electron'],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [nodeGraphviz],
};

// ESM bundles may contain CommonJS code that calls require(): give them one.
const esmBanner =
  "import { createRequire as __graphnsCreateRequire } from 'node:module';\n" +
  'const require = __graphnsCreateRequire(import.meta.url);';

await build({
  ...common,
  entryPoints: ['main/index.ts'],
  format: 'esm',
  outfile: 'dist/index.js',
  banner: { js: esmBanner },
});
await build({
  ...common,
  entryPoints: ['main/index.ts'],
  format: 'cjs',
  outfile: 'dist/index.cjs',
});

// The commands are the package's bins (dist/app/<name>.js from app/<name>.ts): one
// CommonJS file each, no shared chunks. Node starts a single CommonJS file faster than
// an ES module graph: measured 15-35 ms a start (docs/BENCHMARKS.md). dist/app's own
// package.json makes its .js files CommonJS in a "type": "module" package; code that
// asks for import.meta.url (to find files beside it) gets this file's URL.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const commands = Object.keys(pkg.bin).filter((c) => existsSync(join(root, 'app', `${c}.ts`)));
await build({
  ...common,
  entryPoints: Object.fromEntries(commands.map((c) => [c, `app/${c}.ts`])),
  format: 'cjs',
  outdir: 'dist/app',
  define: { 'import.meta.url': '__graphnsImportMetaUrl' },
  banner: {
    js:
      // "use strict" first: esbuild's own comes after the banner, where it is no directive
      '#!/usr/bin/env node\n"use strict";\n' +
      "const __graphnsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
});
writeFileSync(join(dist, 'app', 'package.json'), '{ "type": "commonjs" }\n');
for (const c of commands) {
  const file = join(dist, 'app', `${c}.js`);
  if (existsSync(file)) chmodSync(file, 0o755);
}

// The viewer page: browser code, one script for the page, one for the
// layout worker (which fetches graphviz.wasm from beside itself) and one
// for the find worker.
await build({
  absWorkingDir: root,
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  entryPoints: {
    main: 'renderer/main.ts',
    worker: 'renderer/worker.ts',
    'find-worker': 'renderer/find-worker.ts',
  },
  outdir: 'dist/renderer',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [graphvizWasmPlugin(graphviz, 'browser')],
});
for (const f of ['index.html', 'style.css']) {
  copyFileSync(join(root, 'renderer', f), join(dist, 'renderer', f));
}

// The shell host, a separate process (it may drop privileges), and the
// Electron main process and preload, CommonJS as Electron's sandboxed
// preload requires.
await build({
  ...common,
  entryPoints: { host: 'main/shell/host.ts' },
  format: 'esm',
  outdir: 'dist/shell',
  banner: { js: esmBanner },
});
await build({
  ...common,
  platform: 'node',
  entryPoints: { main: 'main/shell/electron/main.ts', preload: 'main/shell/electron/preload.ts' },
  format: 'cjs',
  outdir: 'dist/shell/electron',
  outExtension: { '.js': '.cjs' },
});
