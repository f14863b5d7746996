// Runs tests/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Arguments that name a folder (`tests/unit`, `tests/integration`,
// `tests/e2e`) run only the test files below it; any other argument keeps
// the files whose path contains it: `node tests/run.mjs relations`, and
// within a folder `npm run test:unit -- view` (tests/unit, paths with "view").
// Nothing matched is a failure, never an empty pass.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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
/**
 * Unit tests run in one process: they are pure (no root, no browser, no
 * system state to isolate), and one process compiles them once, where a
 * process per file spent most of the run starting tsx (80 s against 20 s).
 * An entry file importing each of them is written to a temporary folder.
 */
function oneProcess(list) {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-unit-'));
  const entry = join(dir, 'all.test.mjs');
  writeFileSync(
    entry,
    list.map((f) => `import ${JSON.stringify(pathToFileURL(join(root, f)).href)};\n`).join(''),
  );
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', '--test', entry], {
      cwd: root,
      stdio: 'inherit',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (files.length === 0) {
  console.error(`no test files matched: ${args.join(' ') || '(all)'}`);
  process.exitCode = 1;
} else {
  const unitOnly = files.every((f) => f.startsWith('tests/unit/'));
  const r = unitOnly
    ? oneProcess([...new Set(files)])
    : spawnSync(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=2', ...new Set(files)],
        { cwd: root, stdio: 'inherit' },
      );
  process.exitCode = r.status ?? 1;
}
