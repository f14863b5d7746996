/**
 * Rescan benchmark (issue 11, target 2): in one Node process, after a first
 * scan, `discover({ previous })` against whole `lsns --json` processes
 * spawned in between (the peer pays its start-up, we do not: that is the
 * point of a process that is already running, like the viewer on `r`), and
 * a fresh in-process `discover()` for contrast. Same scene as
 * discovery-bench.ts (`unshare -Urn sleep infinity` N times). Interleaved
 * (lsns, rescan, fresh, lsns, ...), medians. Run as root:
 *
 *   node --import tsx tests/bench/warm-bench.ts [N ...] [--runs R] [--net]
 *
 * Defaults: a scene of 1000, 11 runs. `--net`: the rescans and the fresh
 * scans read the interfaces too, as the viewer's do. Prints a Markdown table, the load
 * average before and after (the machine may be shared), and what the
 * rescans reused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../main/discover';
import { rescanStats } from '../../main/discover/memo';
import type { Model } from '../../main/model';
import { median } from './measure';
import { buildScene, teardown } from './scene';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 11;
const netAt = args.indexOf('--net');
const net = netAt >= 0 && args.splice(netAt, 1).length > 0;
const sizes = args.length ? args.map(Number) : [1000];

/** Wall and CPU (user + system) milliseconds of `f` in this process. */
const time = (f: () => void): [wall: number, cpu: number] => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
};

const TIME = '/usr/bin/time';

/** One whole `lsns --json`: wall ms around the spawn, CPU ms from GNU time (%U + %S). */
function lsnsOnce(out: string): [wall: number, cpu: number] {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%U %S', '-o', out, 'lsns', '--json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`lsns failed (${r.status}): ${r.stderr}`);
  const [user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return [wall, (user! + sys!) * 1000];
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

if (process.geteuid?.() !== 0) {
  console.error('warm-bench: run as root (it builds namespaces and must see all of them)');
  process.exitCode = 1;
} else {
  console.log(
    '| extra namespaces | rescan (ms) | lsns --json process (ms) | ratio | fresh discover() in-process (ms) | CPU ms: rescan, lsns, fresh | reused processes | namespaces same / by id / asked | load before, after |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const dir = mkdtempSync(join(tmpdir(), 'graphns-warm-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const n of sizes) {
    const kids = await buildScene(n);
    try {
      const before = load();
      let previous: Model = discover({ rescan: true, net });
      const samples = { lsns: [] as number[], warm: [] as number[], fresh: [] as number[] };
      const cpus = { lsns: [] as number[], warm: [] as number[], fresh: [] as number[] };
      let reused = 0;
      let ns = '';
      for (let run = -1; run < runs; run++) {
        const peer = lsnsOnce(join(dir, 'time'));
        const w = time(() => (previous = discover({ previous, net })));
        const f = time(() => discover({ net }));
        if (run < 0) continue; // warm-up: page cache, dentries, JIT
        samples.lsns.push(peer[0]);
        cpus.lsns.push(peer[1]);
        samples.warm.push(w[0]);
        cpus.warm.push(w[1]);
        samples.fresh.push(f[0]);
        cpus.fresh.push(f[1]);
        const s = rescanStats(previous)!;
        reused = s.processes.length;
        ns = `${s.sameNs} / ${s.verifiedNs} / ${s.askedNs}`;
      }
      const [w, l, f] = [median(samples.warm), median(samples.lsns), median(samples.fresh)];
      const cpu = [cpus.warm, cpus.lsns, cpus.fresh].map((xs) => median(xs).toFixed(0)).join(', ');
      console.log(
        `| ${n} user + ${n} net${net ? ', interfaces read' : ''} | ${w.toFixed(0)} | ${l.toFixed(0)} | ${(w / l).toFixed(2)}x | ${f.toFixed(0)} | ${cpu} | ${reused} of ${previous.processes.length} | ${ns} | ${before}; ${load()} |`,
      );
    } finally {
      await teardown(kids);
    }
  }
}
