// Runs tests/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Arguments that name a folder (`tests/unit`, `tests/integration`,
// `tests/e2e`) run only the test files below it; any other argument keeps
// the files whose path contains it: `node tests/run.mjs relations`, and
// within a folder `npm run test:unit -- view` (tests/unit, paths with "view").
// Nothing matched is a failure, never an empty pass.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function isFolder(arg) {
  try {
    return statSync(resolve(root, arg)).isDirectory();
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
const folders = args.filter(isFolder).map((f) => resolve(root, f));
const filters = args.filter((a) => !isFolder(a));

const files = (folders.length > 0 ? folders : [join(root, 'tests')])
  .flatMap(walk)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched: ${args.join(' ') || '(all)'}`);
  process.exitCode = 1;
} else {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', ...new Set(files)],
    { cwd: root, stdio: 'inherit' },
  );
  process.exitCode = r.status ?? 1;
}
