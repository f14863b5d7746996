/**
 * The desktop package as the packaging check sees it: an Electron
 * distribution to build against (a real one when this machine has it, else
 * a stand-in), electron-builder's `dir` (and `tar.gz`) build of
 * electron-builder.yml into a temporary folder, and the archive's contents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPackage, listPackage } from '@electron/asar';
import { electronPackageDir, findElectron } from '../../main/shell/electron-binary';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where the Electron distribution comes from, or why there is none. */
export type ElectronDist = { dir: string; real: true } | { dir: string; real: false; why: string };

/**
 * The stand-in for the Electron binary when there is none: a shell script.
 * With ELECTRON_RUN_AS_NODE=1 it is Node (this test's node, with
 * process.execPath set to the stand-in itself, as Electron-as-Node has its
 * own binary there), as the packaged Electron is for the commands. Started
 * as Electron (the window), it reports its uid, arguments, whether
 * ELECTRON_RUN_AS_NODE reached it and what its fd 3 is, on stderr, and
 * exits 0: the window closed at once.
 */
export function standInElectron(node: string, preload: string): string {
  return `#!/bin/sh
# stand-in for the Electron binary, made by the packaging check (no Electron on this machine)
if [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then
  STAND_IN_SELF="$0" exec '${node}' --require '${preload}' "$@"
fi
echo "stand-in window: uid=$(id -u) run_as_node=\${ELECTRON_RUN_AS_NODE:-unset} fd3=$(readlink /proc/$$/fd/3) args=$*" >&2
exit 0
`;
}

/**
 * A real Electron distribution if this machine has one (ELECTRON_OVERRIDE_DIST_PATH,
 * or the electron package's downloaded binary, found without triggering a
 * download), else a stand-in distribution made in `scratch`.
 */
export async function electronDist(env: NodeJS.ProcessEnv, scratch: string): Promise<ElectronDist> {
  const found = findElectron(env, electronPackageDir(join(ROOT, 'package.json')));
  if ('path' in found) return { dir: dirname(found.path), real: true };
  const dir = join(scratch, 'stand-in-electron');
  mkdirSync(dir, { recursive: true });
  const preload = join(scratch, 'stand-in-exec-path.cjs');
  writeFileSync(
    preload,
    "process.execPath = require('node:path').resolve(process.env.STAND_IN_SELF);\n" +
      'delete process.env.STAND_IN_SELF;\n',
  );
  writeFileSync(join(dir, 'electron'), standInElectron(process.execPath, preload));
  chmodSync(join(dir, 'electron'), 0o755);
  // what else a real distribution has that the package must not keep
  const demo = join(scratch, 'stand-in-default-app');
  mkdirSync(demo, { recursive: true });
  writeFileSync(join(demo, 'package.json'), '{"name":"default_app","main":"main.js"}');
  mkdirSync(join(dir, 'resources'), { recursive: true });
  await createPackage(demo, join(dir, 'resources', 'default_app.asar'));
  writeFileSync(join(dir, 'version'), '0.0.0-stand-in');
  return { dir, real: false, why: found.missing };
}

/** Files of `npm run build` the package needs; checked before building it. */
const BUILT_FILES = [
  'dist/app/graphns.js',
  'dist/app/lsuserns.js',
  'dist/app/lspidns.js',
  'dist/app/lsnetns.js',
  'dist/app/package.json',
  'dist/shell/host.js',
  'dist/shell/electron/main.cjs',
  'dist/shell/electron/preload.cjs',
  'dist/renderer/index.html',
  'dist/renderer/main.js',
  'dist/renderer/worker.js',
  'dist/renderer/find-worker.js',
  'dist/renderer/style.css',
  'dist/renderer/graphviz.wasm',
];

/** The result of one electron-builder run. */
export interface Built {
  /** The unpacked app (`dir` target): graphns, resources/... */
  appDir: string;
  /** The tar.gz, when built. */
  tarball?: string;
  /** Why no tar.gz was built. */
  noTarball?: string;
  seconds: number;
}

/**
 * Build electron-builder.yml's `dir` target (and `tar.gz` when Debian's 7za
 * is there) against `dist` into `out`. Only these targets: AppImage and deb
 * download their tools. Throws with electron-builder's log on failure.
 */
export function buildPackage(dist: string, out: string): Built {
  const missing = BUILT_FILES.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length > 0) {
    throw new Error(`the build is incomplete (${missing.join(', ')}): run npm run build`);
  }
  const sevenZip = ['/usr/bin/7za', '/usr/bin/7z'].find((p) => existsSync(p));
  const targets = sevenZip ? ['dir', 'tar.gz'] : ['dir'];
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      ...targets,
      '--publish',
      'never',
      `-c.electronDist=${dist}`,
      `-c.directories.output=${out}`,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...(sevenZip ? { ELECTRON_BUILDER_7ZIP_PATH: sevenZip } : {}),
        CI: 'true',
      },
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    throw new Error(`electron-builder failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const version = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const tarball = join(out, `graphns-${version}.tar.gz`);
  return {
    appDir: join(out, 'linux-unpacked'),
    seconds,
    ...(sevenZip && existsSync(tarball)
      ? { tarball }
      : {
          noTarball: sevenZip
            ? 'electron-builder made none'
            : 'no 7za (apt-get install p7zip-full)',
        }),
  };
}

/** An archive entry: path inside app.asar (no leading slash) and where its bytes are. */
export interface AsarEntry {
  path: string;
  unpacked: boolean;
}

/** The files (not folders) of an app.asar, each marked packed or unpacked. */
export function asarFiles(asarPath: string): AsarEntry[] {
  const all = listPackage(asarPath, { isPack: true });
  const dirs = new Set(all.map((l) => l.replace(/^(un)?pack\s*:\s*/, '')).map((p) => dirname(p)));
  return all
    .map((line) => {
      const m = /^(unpack|pack)\s*:\s*\/(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected asar listing line ${line}`);
      return { path: m[2]!, unpacked: m[1] === 'unpack' };
    })
    .filter((e) => !dirs.has(`/${e.path}`));
}

/**
 * What may be in app.asar, and nothing else: each pattern is one file or a
 * family of generated ones (esbuild's hashed chunk names), with where its
 * bytes must be (in the archive, or on disk in app.asar.unpacked).
 */
export const ALLOWED: { pattern: RegExp; unpacked: boolean; why: string }[] = [
  { pattern: /^package\.json$/, unpacked: true, why: 'app metadata; makes dist/**/*.js ESM' },
  { pattern: /^dist\/app\/package\.json$/, unpacked: true, why: 'makes the commands CommonJS' },
  { pattern: /^launch\.cjs$/, unpacked: false, why: 'the Electron entry (extraMetadata.main)' },
  { pattern: /^dist\/shell\/electron\/(main|preload)\.cjs$/, unpacked: false, why: 'window' },
  {
    pattern: /^dist\/renderer\/(index\.html|style\.css|main\.js|worker\.js|find-worker\.js)$/,
    unpacked: true,
    why: 'the page: the browser shell host serves it from disk, Electron reads it through app.asar',
  },
  {
    pattern: /^dist\/renderer\/graphviz\.wasm$/,
    unpacked: true,
    why: "Graphviz: the page's worker fetches it, the commands read it from disk",
  },
  { pattern: /^dist\/shell\/host\.js$/, unpacked: true, why: 'the shell host, run as Node' },
  {
    pattern: /^dist\/app\/(graphns|lsuserns|lspidns|lsnetns)\.js$/,
    unpacked: true,
    why: 'the commands',
  },
  {
    pattern:
      /^node_modules\/koffi\/(package\.json|LICENSE\.txt|index\.(js|cjs)|src\/koffi\/index\.(js|cjs)|src\/koffi\/src\/static\.(js|cjs))$/,
    unpacked: true,
    why: "koffi's loader",
  },
  {
    pattern:
      /^node_modules\/@koromix\/koffi-linux-[\w]+\/(package\.json|index\.js|linux_[\w]+\/koffi\.node)$/,
    unpacked: true,
    why: "koffi's native file for this platform",
  },
];

/** The longest run of non-space characters in a file: the WASM blob in the library's JS. */
export function longestToken(text: string): string {
  let best = '';
  for (const m of text.matchAll(/\S{100000,}/g)) if (m[0].length > best.length) best = m[0];
  return best;
}

/** Runs one installed command (`lsuserns`, ...) with arguments, to completion. */
export type RunInstalled = (name: string, args: string[]) => SpawnSyncReturns<string>;

/**
 * What every installed form of graphns (npm prefix, unpacked package) must
 * do: lsuserns and lspidns name our own user namespace, graphns --output
 * writes an SVG into `scratch`.
 */
export function testInstalledCommands(run: RunInstalled, scratch: string): void {
  test('lsuserns and lspidns run and name our own user namespace', () => {
    const id = readlinkSync('/proc/self/ns/user').replace(/^user:/, '');
    const u = run('lsuserns', []);
    assert.equal(u.status, 0, u.stderr);
    assert.ok(u.stdout.includes(`user:${id}`), u.stdout);
    const p = run('lspidns', []);
    assert.equal(p.status, 0, p.stderr);
    assert.ok(p.stdout.includes(`owner user:${id}`), p.stdout);
  });

  test('graphns --output writes an SVG', () => {
    const svg = join(scratch, 'graph.svg');
    const r = run('graphns', ['--output', svg]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(svg, 'utf8'), /<svg[\s>]/);
  });
}
