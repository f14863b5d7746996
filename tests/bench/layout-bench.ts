/**
 * Layout benchmark (issue 4): `graphns --open m.json --output x.svg` (Node,
 * Graphviz WebAssembly) against Debian's native `dot -Tsvg` on the same DOT
 * (`graphns --open m.json --dot`), whole processes with start-up, on
 * synthetic models of 100, 1000 and 5000 namespaces; with and without -d.
 * Then where graphns's time goes at one size, each phase in a fresh
 * process: Node start-up, loading Graphviz, the first layout.
 *
 *   npm run build && npm run bench:layout -- [N ...] [--runs R]
 *
 * Needs /usr/bin/time (apt-get install time) and /usr/bin/dot (graphviz).
 * Prints Markdown tables for docs/BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeModel } from '../../main/model';
import { compare, median } from './measure';
import { syntheticModel } from './synthetic';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 7;
const sizes = args.length ? args.map(Number) : [100, 1000, 5000];
const graphns = fileURLToPath(new URL('../../dist/app/graphns.js', import.meta.url));
const graphvizModule = fileURLToPath(
  new URL('../../node_modules/@hpcc-js/wasm-graphviz/dist/index.js', import.meta.url),
);
const NATIVE_DOT = '/usr/bin/dot';

function run(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 512 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'graphns-layout-bench-'));
try {
  console.log(`Graphviz: native ${run([NATIVE_DOT, '-V']).trim() || dotVersion()}`);
  console.log(`${runs} runs each, interleaved, after one warm-up; medians.\n`);
  console.log(
    '| namespaces | -d | nodes drawn | graphns --output (ms) | dot -Tsvg (ms) | ratio | graphns peak RSS (MiB) | dot peak RSS (MiB) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
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
        `| ${n} | ${details ? 'yes' : 'no'} | ${nodes} | ${ours!.medianMs.toFixed(0)} | ${peer!.medianMs.toFixed(0)} | ${(ours!.medianMs / peer!.medianMs).toFixed(2)}x | ${ours!.medianRssMiB.toFixed(0)} | ${peer!.medianRssMiB.toFixed(0)} |`,
      );
    }
  }

  // where the time goes: each phase timed inside a fresh process, as graphns runs it
  const at = sizes.includes(1000) ? 1000 : sizes[0]!;
  const dotFile = join(dir, `m${at}-d.dot`);
  const probe = `
    const t0 = performance.now();
    const v8 = await import('node:v8');
    if (process.argv.at(-1) === 'liftoff') { v8.setFlagsFromString('--liftoff-only'); v8.setFlagsFromString('--wasm-lazy-compilation'); }
    const { Graphviz } = await import(${JSON.stringify(graphvizModule)});
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
  for (const mode of ['liftoff', 'default']) {
    const samples: Record<string, number[]> = {};
    for (let i = 0; i < runs; i++) {
      const out = JSON.parse(run([process.execPath, '--input-type=module', '-e', probe, mode]));
      for (const [k, v] of Object.entries(out as Record<string, number>)) {
        (samples[k] ??= []).push(v);
      }
    }
    const m = (k: string) => median(samples[k]!).toFixed(0);
    console.log(
      `\nphases at ${at} namespaces with -d, V8 ${mode === 'liftoff' ? 'Liftoff only, lazy (what graphns uses)' : 'defaults (tier-up to TurboFan)'}: ` +
        `Node start-up ${m('boot')} ms, import Graphviz JS ${m('import')} ms, Graphviz.load() ${m('load')} ms, ` +
        `first layout ${m('first')} ms, second layout ${m('second')} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function dotVersion(): string {
  // dot -V prints to stderr
  const r = spawnSync(NATIVE_DOT, ['-V'], { encoding: 'utf8' });
  return r.stderr.trim();
}
