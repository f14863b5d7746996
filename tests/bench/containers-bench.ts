/**
 * The containers step's cost (issue 10: at most +10 % on the
 * 1000-namespace discovery benchmark): the same scene as
 * discovery-bench.ts (`unshare -Urn sleep infinity` N times), and whole
 * processes running the built library's discover() with the step and
 * without it (`containers: false`, which also skips reading
 * /proc/PID/cgroup), each serialising the model to stdout as
 * `lsuserns --json` does. Interleaved runs, medians. Run as root:
 *
 *   npm run build && node --import tsx tests/bench/containers-bench.ts [N ...] [--runs R]
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from './measure';
import { buildScene, teardown } from './scene';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 11;
const sizes = args.length ? args.map(Number) : [1000];
const root = fileURLToPath(new URL('../../', import.meta.url));
const copy = join(root, '.bench', `dist-containers-${process.pid}`);
cpSync(join(root, 'dist'), copy, { recursive: true, filter: (s) => !s.includes('renderer') });
process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
const script = (containers: boolean) =>
  `const m = await import(${JSON.stringify(join(copy, 'index.js'))});` +
  `process.stdout.write(m.serializeModel(m.discover({ containers: ${containers} })));`;

if (process.geteuid?.() !== 0) {
  console.error('containers-bench: run as root');
  process.exitCode = 1;
} else {
  console.log('| extra namespaces | without containers step (ms) | with (ms) | change |');
  console.log('|---|---|---|---|');
  for (const n of sizes) {
    const kids = await buildScene(n);
    try {
      const [off, on] = compare(
        [
          { label: 'off', argv: [process.execPath, '--input-type=module', '-e', script(false)] },
          { label: 'on', argv: [process.execPath, '--input-type=module', '-e', script(true)] },
        ],
        runs,
      );
      const change = (on!.medianMs / off!.medianMs - 1) * 100;
      console.log(
        `| ${n} user + ${n} net | ${off!.medianMs.toFixed(0)} | ${on!.medianMs.toFixed(0)} | ${change >= 0 ? '+' : ''}${change.toFixed(1)} % |`,
      );
    } finally {
      await teardown(kids);
    }
  }
}
