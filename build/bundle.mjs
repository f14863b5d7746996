// Bundles the TypeScript sources with esbuild into dist/:
//   dist/index.js, dist/index.cjs   the library (package root), ESM and CJS
//   dist/app/<command>.js           the commands, runnable with plain `node`
//   dist/renderer/                  the viewer page: index.html, style.css, main.js and
//                                   worker.js (IIFE: Electron may load it from its own scheme)
//   dist/shell/host.js              the viewer's shell host (browser server or Electron launcher)
//   dist/shell/electron/*.cjs       Electron main process and preload (electron external)
// koffi stays external: it loads a native file that must sit on disk.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['koffi', 'electron'],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
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

// The commands are the package's bins (dist/app/<name>.js from app/<name>.ts).
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const commands = Object.keys(pkg.bin).filter((c) => existsSync(join(root, 'app', `${c}.ts`)));
await build({
  ...common,
  entryPoints: Object.fromEntries(commands.map((c) => [c, `app/${c}.ts`])),
  format: 'esm',
  outdir: 'dist/app',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${esmBanner}` },
});
for (const c of commands) {
  const file = join(dist, 'app', `${c}.js`);
  if (existsSync(file)) chmodSync(file, 0o755);
}

// The viewer page: browser code, one script for the page and one for the
// layout worker (Graphviz WASM is embedded in the worker's script).
await build({
  absWorkingDir: root,
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  entryPoints: { main: 'renderer/main.ts', worker: 'renderer/worker.ts' },
  outdir: 'dist/renderer',
  legalComments: 'none',
  logLevel: 'warning',
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
