/**
 * Discovery benchmark (issue 3): `lsuserns --json` against util-linux
 * `lsns --json`, whole processes with start-up, on scenes of extra
 * namespaces made with `unshare -Urn sleep infinity` (one new user and one
 * new net namespace each). Run as root:
 *
 *   npm run build && node --import tsx tests/bench/discovery-bench.ts [N ...] [--runs R]
 *
 * Defaults: scenes of 200 and 1000, 9 runs each. Prints a Markdown table.
 * Also timed, interleaved with them: the floor of a cold scan from Node
 * (bare-scanner.mjs: the same system calls, no model, no JSON) and Node's
 * own start (`node -e 0`).
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from './measure';
import { buildScene, teardown } from './scene';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 9;
const sizes = args.length ? args.map(Number) : [200, 1000];
// Time a private copy of the built commands, so a rebuild of dist/ meanwhile cannot
// pull the file away mid-run (koffi still resolves from the checkout's node_modules).
const root = fileURLToPath(new URL('../../', import.meta.url));
const copy = join(root, '.bench', `dist-${process.pid}`);
cpSync(join(root, 'dist', 'app'), join(copy, 'app'), { recursive: true });
process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
const lsuserns = join(copy, 'app', 'lsuserns.js');
const bare = fileURLToPath(new URL('./bare-scanner.mjs', import.meta.url));

if (process.geteuid?.() !== 0) {
  console.error('discovery-bench: run as root (it builds namespaces and must see all of them)');
  process.exitCode = 1;
} else {
  console.log(
    `| extra namespaces | lsuserns --json (ms) | lsns --json (ms) | ratio | lsuserns peak RSS (MiB) | lsns peak RSS (MiB) | floor: bare Node scanner (ms, ratio) | node -e 0 (ms) |`,
  );
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const n of sizes) {
    const kids = await buildScene(n);
    try {
      const [ours, peer, floor, node] = compare(
        [
          { label: 'lsuserns', argv: [process.execPath, lsuserns, '--json'] },
          { label: 'lsns', argv: ['lsns', '--json'] },
          { label: 'bare scanner', argv: [process.execPath, bare] },
          { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
        ],
        runs,
      );
      console.log(
        `| ${n} user + ${n} net | ${ours!.medianMs.toFixed(0)} | ${peer!.medianMs.toFixed(0)} | ${(ours!.medianMs / peer!.medianMs).toFixed(2)}x | ${ours!.medianRssMiB.toFixed(0)} | ${peer!.medianRssMiB.toFixed(0)} | ${floor!.medianMs.toFixed(0)}, ${(floor!.medianMs / peer!.medianMs).toFixed(2)}x | ${node!.medianMs.toFixed(0)} |`,
      );
    } finally {
      await teardown(kids);
    }
  }
}
