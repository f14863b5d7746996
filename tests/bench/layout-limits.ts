/**
 * Where Graphviz (WASM) stops laying out (issue 21, docs/BENCHMARKS.md
 * "Layout limits"): the largest star, chain or binary tree
 * (tests/bench/layout-shapes.ts) one layout survives, each attempt in a
 * fresh process, on the main thread (with V8 flags) or in a worker_thread
 * with a chosen stack (resourceLimits.stackSizeMb).
 *
 *   node --import tsx tests/bench/layout-limits.ts probe star 20000 [--stack 64] [--flags=--liftoff-only] [--attrs nslimit=0] [--engine dot] [--rows 20]
 *   node --import tsx tests/bench/layout-limits.ts bisect chain 1000 50000 [same options] [--step 500]
 *
 * Each line printed is one attempt as JSON: ok, the error's kind and
 * message, the layout's milliseconds (Graphviz.load() apart), the SVG's
 * size, the child's peak RSS. An attempt longer than --timeout seconds
 * (default 300) counts as 'slow'.
 */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { SHAPES, type ShapeName } from './layout-shapes';

interface Probe {
  shape: ShapeName;
  n: number;
  attrs?: string;
  engine?: string;
  /** Leaves of a star staggered over this many rows (layout-shapes.ts). */
  rows?: number;
  /** Run in a worker_thread with this stack (MB); undefined: the main thread. */
  stackMb?: number;
}

interface Outcome extends Probe {
  ok: boolean;
  kind?: string;
  error?: string;
  loadMs?: number;
  ms?: number;
  bytes?: number;
  rssMb?: number;
  flags?: string;
}

const LIB = import.meta.resolve('@hpcc-js/wasm-graphviz');

/** Runs in the child: one layout, on this thread or in a worker with the stack asked for. */
async function child(p: Probe): Promise<void> {
  const dot = SHAPES[p.shape](p.n, { attrs: p.attrs, rows: p.rows });
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { Graphviz } = await import(workerData.lib);
      const t0 = performance.now();
      const gv = await Graphviz.load();
      const t1 = performance.now();
      let out;
      try {
        const svg = gv.layout(workerData.dot, 'svg', workerData.engine);
        out = { ok: true, bytes: svg.length };
      } catch (e) {
        out = { ok: false, error: String(e && e.message).slice(0, 200) };
      }
      out.loadMs = Math.round(t1 - t0);
      out.ms = Math.round(performance.now() - t1);
      parentPort.postMessage(out);
    })();`;
  const data = { lib: LIB, dot, engine: p.engine ?? 'dot' };
  let out: Record<string, unknown>;
  if (p.stackMb === undefined) {
    const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
    const t0 = performance.now();
    const gv = await Graphviz.load();
    const t1 = performance.now();
    try {
      out = { ok: true, bytes: gv.layout(dot, 'svg', data.engine as 'dot').length };
    } catch (e) {
      out = { ok: false, error: String((e as Error).message).slice(0, 200) };
    }
    out.loadMs = Math.round(t1 - t0);
    out.ms = Math.round(performance.now() - t1);
  } else {
    const w = new Worker(code, {
      eval: true,
      workerData: data,
      resourceLimits: { stackSizeMb: p.stackMb },
    });
    out = await new Promise((resolve) => {
      w.once('message', resolve);
      w.once('error', (e) => resolve({ ok: false, error: `worker: ${String(e)}` }));
    });
    await w.terminate();
  }
  const status = readFileSync('/proc/self/status', 'utf8');
  const hwm = /VmHWM:\s+(\d+)/.exec(status);
  out.rssMb = hwm ? Math.round(Number(hwm[1]) / 1024) : undefined;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** The failure's kind, as main/layout/svg.ts sorts them. */
function kindOf(message: string): string {
  if (/maximum call stack|stack overflow|too much recursion/i.test(message)) return 'too-deep';
  if (
    /memory access out of bounds|cannot enlarge memory|out of memory|\boom\b|allocation failed/i.test(
      message,
    )
  ) {
    return 'memory';
  }
  return 'other';
}

/** One attempt in a fresh process. */
function attempt(p: Probe, flags: string[], timeoutS: number): Promise<Outcome> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const c = spawn(
      process.execPath,
      [...flags, '--import', 'tsx', self, '--child', JSON.stringify(p)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutS * 1000);
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      const base = { ...p, flags: flags.join(' ') || undefined };
      const line = out.trim().split('\n').pop();
      if (signal === 'SIGKILL' && !line) {
        resolve({ ...base, ok: false, kind: 'slow', error: `no answer in ${timeoutS} s` });
        return;
      }
      if (!line) {
        resolve({
          ...base,
          ok: false,
          kind: 'crash',
          error: `exit ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' / ')}`,
        });
        return;
      }
      const r = JSON.parse(line) as Outcome;
      resolve({ ...base, ...r, kind: r.ok ? undefined : kindOf(r.error ?? '') });
    });
  });
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(JSON.parse(args[1]!) as Probe);
  const [mode, shape, a, b] = args;
  const stack = option(args, '--stack');
  const base: Omit<Probe, 'n'> = {
    shape: shape as ShapeName,
    attrs: option(args, '--attrs'),
    engine: option(args, '--engine'),
    rows: option(args, '--rows') === undefined ? undefined : Number(option(args, '--rows')),
    stackMb: stack === undefined ? undefined : Number(stack),
  };
  const flags = (option(args, '--flags') ?? '').split(' ').filter(Boolean);
  const timeoutS = Number(option(args, '--timeout') ?? 300);
  const report = (o: Outcome) => process.stdout.write(`${JSON.stringify(o)}\n`);
  if (mode === 'probe') {
    report(await attempt({ ...base, n: Number(a) }, flags, timeoutS));
    return;
  }
  if (mode === 'bisect') {
    // largest n in [lo, hi] that lays out, to within --step
    let lo = Number(a);
    let hi = Number(b);
    const step = Number(option(args, '--step') ?? Math.max(1, Math.round(lo / 20)));
    const okLo = await attempt({ ...base, n: lo }, flags, timeoutS);
    report(okLo);
    if (!okLo.ok) return;
    const okHi = await attempt({ ...base, n: hi }, flags, timeoutS);
    report(okHi);
    if (okHi.ok) return;
    while (hi - lo > step) {
      const mid = Math.round((lo + hi) / 2);
      const o = await attempt({ ...base, n: mid }, flags, timeoutS);
      report(o);
      if (o.ok) lo = mid;
      else hi = mid;
    }
    process.stdout.write(
      `${JSON.stringify({ shape, largestOk: lo, smallestFailed: hi, flags: flags.join(' '), stackMb: base.stackMb })}\n`,
    );
    return;
  }
  throw new Error(
    'usage: layout-limits.ts probe|bisect SHAPE N [HI] [--stack MB] [--flags F] [--attrs A] [--engine E]',
  );
}

await main(process.argv.slice(2));
