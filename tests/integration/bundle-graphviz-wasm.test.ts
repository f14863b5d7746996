/**
 * The Graphviz WebAssembly the build ships as a plain file
 * (build/graphviz-wasm.mjs): byte for byte the module the installed
 * @hpcc-js/wasm-graphviz itself instantiates, of the Graphviz it reports;
 * the built graphns lays out with it exactly as the library does; both
 * shells serve it as application/wasm and the worker carries no second
 * copy; and the build refuses a library put together in a way it does not
 * know. Needs `npm run build`.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import {
  inspectGraphvizLibrary,
  patchGraphvizLibrary,
  readGraphvizLibrary,
  ShapeError,
  WRITTEN_FOR,
} from '../../build/graphviz-wasm.mjs';
import { assetFor, loadAssets } from '../../main/shell/assets';
import { serializeModel } from '../../main/model';
import { hostileModel } from '../unit/fixtures/dot-models';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const WASM = join(DIST, 'renderer', 'graphviz.wasm');
const GRAPHNS = join(DIST, 'app', 'graphns.js');
const LIBRARY = join(ROOT, 'node_modules', '@hpcc-js', 'wasm-graphviz');

type Instantiate = (source: unknown, imports?: unknown) => Promise<unknown>;

let library: Graphviz;
/** What the unmodified library handed to WebAssembly.instantiate when it loaded. */
const instantiated: Buffer[] = [];

before(async () => {
  assert.ok(existsSync(WASM), `${WASM} is missing: run npm run build`);
  // @types/node declares no WebAssembly API: only what this test touches
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate: Instantiate } }).WebAssembly;
  const instantiate = wasm.instantiate;
  wasm.instantiate = (source, imports) => {
    if (ArrayBuffer.isView(source)) {
      instantiated.push(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
    }
    return instantiate(source, imports);
  };
  try {
    // the installed package as it is (this runs from the sources, through tsx: no build plugin)
    const { Graphviz: G } = await import('@hpcc-js/wasm-graphviz');
    library = await G.load();
  } finally {
    wasm.instantiate = instantiate;
  }
});

test('graphviz.wasm is the module the installed library instantiates, of the Graphviz it reports', () => {
  const shipped = readFileSync(WASM);
  const installed = JSON.parse(readFileSync(join(LIBRARY, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(instantiated.length, 1, 'the library instantiated one module');
  assert.ok(
    instantiated[0]!.equals(shipped),
    `dist/renderer/graphviz.wasm (${shipped.length} bytes) is not the module of the installed ` +
      `@hpcc-js/wasm-graphviz ${installed.version} (${instantiated[0]!.length} bytes): ` +
      'run npm run build',
  );
  // the version string the library reports is the one compiled into the file
  const version = library.version();
  assert.match(version, /^\d+\.\d+\.\d+$/);
  assert.ok(shipped.includes(Buffer.from(`${version}\0`)), `graphviz.wasm is Graphviz ${version}`);
});

test('the built graphns lays out with the shipped file exactly as the library does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-wasm-'));
  try {
    const snapshot = join(dir, 'hostile.json');
    writeFileSync(snapshot, serializeModel(hostileModel()));
    for (const d of [[], ['-d']]) {
      const run = (...args: string[]) => {
        const r = spawnSync(process.execPath, [GRAPHNS, '--open', snapshot, ...d, ...args], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      const dot = run('--dot');
      const svg = run('--output', '-');
      assert.ok(svg.includes('<svg'), 'an SVG');
      assert.equal(svg, library.layout(dot, 'svg', 'dot'), `graphns ${d.join(' ')} --output`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the file, graphns says the build is incomplete: one line, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-wasm-'));
  try {
    // the commands alone, without dist/renderer
    cpSync(join(DIST, 'app'), join(dir, 'dist', 'app'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const snapshot = join(dir, 'm.json');
    writeFileSync(snapshot, serializeModel(hostileModel()));
    const r = spawnSync(
      process.execPath,
      [join(dir, 'dist', 'app', 'graphns.js'), '--open', snapshot, '--output', '-'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^graphns: cannot load Graphviz \(WebAssembly\): no renderer\/graphviz\.wasm above .*npm run build\)\n$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('both shells serve it as application/wasm; worker.js fetches it and embeds no copy', () => {
  const assets = loadAssets(join(DIST, 'renderer'));
  const served = assetFor(assets, '/graphviz.wasm');
  assert.equal(served?.type, 'application/wasm');
  assert.ok(served.body.equals(readFileSync(WASM)));
  const worker = readFileSync(join(DIST, 'renderer', 'worker.js'), 'utf8');
  assert.match(worker, /"graphviz\.wasm"/);
  const { text } = readGraphvizLibrary(ROOT).embed;
  assert.ok(text.length > 100_000, 'found the embedded text in the library');
  const middle = text.slice(text.length / 2, text.length / 2 + 400);
  for (const f of ['renderer/worker.js', ...builtScripts('app')]) {
    assert.ok(!readFileSync(join(DIST, f), 'utf8').includes(middle), `${f} embeds no WASM`);
  }
});

/** The .js files under dist/<dir>, relative to dist. */
function builtScripts(dir: string): string[] {
  const r = spawnSync('find', [dir, '-name', '*.js'], { cwd: DIST, encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

test('the build refuses a library whose embedding it does not know, naming the version', () => {
  const lib = readGraphvizLibrary(ROOT);
  const { embed, fileName, source } = lib;
  const url = `${/^var ([\w$]+);/.exec(fileName.match)![1]}??=${fileName.getter}()`;
  const changed: Record<string, string> = {
    'the WASM is no longer embedded': source.replace(embed.match, 'function kt(){return 1}'),
    'a second embedded copy': `${source}\n${embed.match}`,
    'Emscripten names a file of its own': source.replace(
      fileName.match,
      fileName.match.replace('()=>""', '()=>"graphvizlib.wasm"'),
    ),
    'Emscripten takes its URL elsewhere': source.replace(url, 'void 0'),
    'Emscripten takes random bytes elsewhere': source.replace(
      lib.random.match,
      lib.random.match.replace('crypto.getRandomValues', 'globalThis.randomFill'),
    ),
  };
  assert.ok(inspectGraphvizLibrary(source, lib.version, lib.path), 'the installed one is known');
  for (const [what, text] of Object.entries(changed)) {
    assert.notEqual(text, source, what);
    assert.throws(
      () => inspectGraphvizLibrary(text, '9.9.9', lib.path),
      (e: unknown) =>
        e instanceof ShapeError &&
        e.message.includes('@hpcc-js/wasm-graphviz 9.9.9') &&
        e.message.includes(`written for ${WRITTEN_FOR}`),
      what,
    );
  }
  // and what it makes of the known one carries no embedded text
  for (const platform of ['node', 'browser'] as const) {
    const patched = patchGraphvizLibrary(lib, platform, '/x/wasm-file.ts');
    assert.ok(patched.length < source.length - embed.text.length + 1000, platform);
  }
});
