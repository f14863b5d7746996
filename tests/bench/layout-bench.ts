/**
 * Layout benchmark (issue 4): `graphns --open m.json --output x.svg` (Node,
 * Graphviz WebAssembly) against Debian's native `dot -Tsvg` on the same DOT
 * (`graphns --open m.json --dot`), whole processes with start-up, on
 * synthetic models of 100, 1000 and 5000 namespaces; with and without -d.
 * Then where graphns's time goes at one size, each phase in a fresh
 * process: Node start-up, loading Graphviz, the first layout; for the
 * library as graphns ships it (built without its embedded WASM, reading
 * dist/renderer/graphviz.wasm: build/graphviz-wasm.mjs) and as installed.
 *
 *   npm run build && npm run bench:layout -- [N ...] [--runs R]
 *
 * Needs /usr/bin/time (apt-get install time) and /usr/bin/dot (graphviz).
 * Prints Markdown tables for docs/BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { graphvizWasmPlugin, readGraphvizLibrary } from '../../build/graphviz-wasm.mjs';
import { serializeModel } from '../../main/model';
import { compare, median } from './measure';
import { syntheticModel } from './synthetic';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 7;
const sizes = args.length ? args.map(Number) : [100, 1000, 5000];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graphns = join(ROOT, 'dist/app/graphns.js');
const installedGraphviz = join(ROOT, 'node_modules/@hpcc-js/wasm-graphviz/dist/index.js');
const NATIVE_DOT = '/usr/bin/dot';
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * The library as the commands bundle it (no embedded WASM), as a module of
 * its own in `dir`, with dist/renderer/graphviz.wasm beside it where its
 * loader looks.
 */
async function shippedGraphviz(dir: string): Promise<string> {
  const out = join(dir, 'shipped', 'app', 'graphviz.mjs');
  mkdirSync(join(dir, 'shipped', 'renderer'), { recursive: true });
  copyFileSync(
    join(ROOT, 'dist/renderer/graphviz.wasm'),
    join(dir, 'shipped', 'renderer', 'graphviz.wasm'),
  );
  const lib = readGraphvizLibrary(ROOT);
  await build({
    stdin: { contents: "export { Graphviz } from '@hpcc-js/wasm-graphviz';", resolveDir: ROOT },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
    plugins: [graphvizWasmPlugin(lib, 'node', join(ROOT, 'main/layout/wasm-file.ts'))],
  });
  return out;
}

function run(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 512 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'graphns-layout-bench-'));
try {
  console.log(`Graphviz: native ${run([NATIVE_DOT, '-V']).trim() || dotVersion()}`);
  console.log(`${runs} runs each, interleaved, after one warm-up; medians.\n`);
  let target = '';
  console.log(
    '| namespaces | -d | nodes drawn | graphns --output (ms) | dot -Tsvg (ms) | ratio | graphns peak RSS (MiB) | dot peak RSS (MiB) | load average |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const model = join(dir, `m${n}.json`);
    writeFileSync(model, serializeModel(syntheticModel(n)));
    for (const details of [false, true]) {
      const d = details ? ['-d'] : [];
      const dot = join(dir, `m${n}${details ? '-d' : ''}.dot`);
      writeFileSync(dot, run([process.execPath, graphns, '--open', model, ...d, '--dot']));
      const nodes = (readFileSync(dot, 'utf8').match(/^ {4}"[^"]+" \[id=/gm) ?? []).length;
      const [ours, peer] = compare(
        [
          {
            label: 'graphns',
            argv: [
              process.execPath,
              graphns,
              '--open',
              model,
              ...d,
              '--output',
              join(dir, 'x.svg'),
            ],
          },
          { label: 'dot', argv: [NATIVE_DOT, '-Tsvg', dot, '-o', join(dir, 'y.svg')] },
        ],
        n >= 5000 ? Math.max(3, Math.ceil(runs / 2)) : runs,
      );
      console.log(
        `| ${n} | ${details ? 'yes' : 'no'} | ${nodes} | ${ours!.medianMs.toFixed(0)} | ${peer!.medianMs.toFixed(0)} | ${(ours!.medianMs / peer!.medianMs).toFixed(2)}x | ${ours!.medianRssMiB.toFixed(0)} | ${peer!.medianRssMiB.toFixed(0)} | ${loadAverage()} |`,
      );
      if (n === 1000 && details) {
        target = `target 1b (issue 11): graphns --output at 1000 namespaces with -d is ${(ours!.medianMs / peer!.medianMs).toFixed(2)}x native dot -Tsvg (${ours!.medianMs.toFixed(0)} vs ${peer!.medianMs.toFixed(0)} ms; target at most 1.8x)`;
      }
    }
  }

  if (target) console.log(`\n${target}`);

  // where the time goes: each phase timed inside a fresh process, as graphns runs it
  const at = sizes.includes(1000) ? 1000 : sizes[0]!;
  const dotFile = join(dir, `m${at}-d.dot`);
  const shipped = await shippedGraphviz(dir);
  const probe = (module: string) => `
    const t0 = performance.now();
    const v8 = await import('node:v8');
    if (process.argv.at(-1) === 'liftoff') { v8.setFlagsFromString('--liftoff-only'); v8.setFlagsFromString('--wasm-lazy-compilation'); }
    const { Graphviz } = await import(${JSON.stringify(module)});
    const t1 = performance.now();
    const gv = await Graphviz.load();
    const t2 = performance.now();
    const dot = (await import('node:fs')).readFileSync(${JSON.stringify(dotFile)}, 'utf8');
    const t3 = performance.now();
    gv.layout(dot, 'svg', 'dot');
    const t4 = performance.now();
    gv.layout(dot, 'svg', 'dot');
    const t5 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: t1 - t0, load: t2 - t1, first: t4 - t3, second: t5 - t4 }));`;
  const modes = [
    {
      module: shipped,
      v8: 'liftoff',
      says: 'as shipped (graphviz.wasm), Liftoff only, lazy: what graphns runs',
    },
    {
      module: installedGraphviz,
      v8: 'liftoff',
      says: 'as installed (WASM embedded in its JS), Liftoff only, lazy',
    },
    { module: shipped, v8: 'default', says: 'as shipped, V8 defaults (tier-up to TurboFan)' },
  ];
  const samples = modes.map(() => ({}) as Record<string, number[]>);
  for (let i = 0; i < runs; i++) {
    // interleaved, like the whole runs above
    modes.forEach((mode, k) => {
      const out = JSON.parse(
        run([process.execPath, '--input-type=module', '-e', probe(mode.module), mode.v8]),
      );
      for (const [key, v] of Object.entries(out as Record<string, number>)) {
        (samples[k]![key] ??= []).push(v);
      }
    });
  }
  modes.forEach((mode, k) => {
    const m = (key: string) => median(samples[k]![key]!).toFixed(0);
    console.log(
      `\nphases at ${at} namespaces with -d, Graphviz ${mode.says}: ` +
        `Node start-up ${m('boot')} ms, import Graphviz JS ${m('import')} ms, Graphviz.load() ${m('load')} ms, ` +
        `first layout ${m('first')} ms, second layout ${m('second')} ms (load average ${loadAverage()})`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function dotVersion(): string {
  // dot -V prints to stderr
  const r = spawnSync(NATIVE_DOT, ['-V'], { encoding: 'utf8' });
  return r.stderr.trim();
}
