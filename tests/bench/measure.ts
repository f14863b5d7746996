/**
 * Side-by-side timing of whole processes for the benchmarks: wall time by
 * hrtime around the spawn, peak RSS from GNU time (%M, in KiB). Runs are
 * interleaved (A, B, A, B, ...) so drift on the machine hits both alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

/** One command to time. */
export interface Contender {
  label: string;
  argv: string[];
}

/** Medians and samples of one contender. */
export interface Result {
  label: string;
  wallMs: number[];
  rssKiB: number[];
  medianMs: number;
  medianRssMiB: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Time each contender `runs` times (after one warm-up each), interleaved. */
export function compare(contenders: Contender[], runs: number): Result[] {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
  const dir = mkdtempSync(join(tmpdir(), 'graphns-bench-'));
  const out = join(dir, 'time');
  const results = contenders.map((c) => ({
    label: c.label,
    wallMs: [] as number[],
    rssKiB: [] as number[],
  }));
  try {
    for (let run = -1; run < runs; run++) {
      contenders.forEach((c, i) => {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(TIME, ['-f', '%M', '-o', out, ...c.argv], {
          stdio: ['ignore', 'ignore', 'pipe'],
          maxBuffer: 64 << 20,
        });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0)
          throw new Error(`${c.argv.join(' ')} failed (${r.status}): ${r.stderr}`);
        if (run < 0) return; // warm-up: page cache, dentries
        results[i]!.wallMs.push(ms);
        results[i]!.rssKiB.push(Number(readFileSync(out, 'utf8').trim().split('\n').pop()));
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results.map((r) => ({
    ...r,
    medianMs: median(r.wallMs),
    medianRssMiB: median(r.rssKiB) / 1024,
  }));
}
