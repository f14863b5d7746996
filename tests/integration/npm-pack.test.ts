/**
 * The npm package as a user gets it: `npm pack`, then `npm install -g` of
 * the tarball into a temporary prefix, far from this checkout and its dev
 * dependencies (koffi comes from the registry or npm's cache, its install
 * script not run, as npm 11 does by default), then the installed commands.
 * The viewer is started with stand-ins for the window (an `electron`
 * package whose binary is a script, a browser that is a script), so what is
 * checked is which shell graphns picks in a global install, not a window.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, testInstalledCommands } from '../helpers/package';
import { HANG_MS } from '../helpers/need';

/** The environment of a user's shell: no npm_* variables from `npm test`. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'ELECTRON_OVERRIDE_DIST_PATH') env[k] = v;
  }
  return { ...env, ...extra };
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', env: userEnv(), maxBuffer: 64 << 20 });
}

/** A script that stands in for a program: notes how it was started in PATH.log, exits 0. */
function standIn(path: string, label: string): void {
  writeFileSync(
    path,
    `#!/bin/sh\necho "${label}: run_as_node=\${ELECTRON_RUN_AS_NODE:-unset} fd3=$(readlink /proc/$$/fd/3) args=$*" >>'${path}.log'\nexit 0\n`,
  );
  chmodSync(path, 0o755);
}

// only a hang ends it: npm install -g on a loaded machine may take minutes
describe('npm package (npm pack, npm install -g)', { timeout: 5 * HANG_MS }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'graphns-npm-'));
  const prefix = join(scratch, 'prefix');
  let tarball: string;
  after(() => rmSync(scratch, { recursive: true, force: true }));

  before(() => {
    // --ignore-scripts: no `prepare` rebuild of dist/ under the other tests' feet
    const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT);
    tarball = join(scratch, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    const started = Date.now();
    npm(
      ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
      scratch,
    );
    console.log(`npm package: npm install -g took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test('the tarball holds dist/, README.md, LICENSE and package.json only, and what runs', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^package\//, ''));
    const stray = list.filter(
      (p) => !/^(dist\/.+|README\.md|LICENSE(\.\w+)?|package\.json)$/.test(p),
    );
    assert.deepEqual(stray, []);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      main: string;
      types?: string;
      exports: { '.': Record<string, string> };
    };
    const needed = [
      ...Object.values(pkg.bin),
      pkg.main,
      ...Object.values(pkg.exports['.']),
      ...(pkg.types ? [pkg.types] : []),
      'dist/shell/host.js',
      'dist/shell/electron/main.cjs',
      'dist/shell/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/worker.js',
      'dist/renderer/find-worker.js',
      'dist/renderer/graphviz.wasm',
    ].map((p) => p.replace(/^\.\//, ''));
    for (const p of needed) assert.ok(list.includes(p), `${p} is in the package`);
    assert.deepEqual(
      list.filter((p) => p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts'))),
      [],
      'no sources or source maps',
    );
  });

  test('koffi is installed without its install script, with its prebuilt native file', () => {
    const lib = join(prefix, 'lib', 'node_modules', 'graphns', 'node_modules');
    const natives = execFileSync('find', [lib, '-name', '*.node'], { encoding: 'utf8' });
    assert.match(natives, /@koromix\/koffi-linux-[\w]+\/linux_[\w]+\/koffi\.node/);
    assert.doesNotMatch(natives, /koffi\/build\//, 'nothing was compiled');
  });

  const run = (name: string, args: string[], env: NodeJS.ProcessEnv = userEnv()) =>
    spawnSync(join(prefix, 'bin', name), args, {
      cwd: scratch,
      encoding: 'utf8',
      env,
      maxBuffer: 256 << 20,
      timeout: HANG_MS,
    });

  testInstalledCommands(run, scratch);

  describe('graphns without flags opens the viewer', () => {
    const browser = join(scratch, 'stand-in-browser');
    before(() => standIn(browser, 'stand-in browser'));

    // a display (nobody serves it: the stand-ins never connect); without one graphns stops first
    const DISPLAY = ':97';

    test('in the browser shell when there is no Electron', () => {
      const r = run('graphns', [], userEnv({ GRAPHNS_BROWSER: browser, DISPLAY }));
      assert.match(r.stderr, /viewer: .*stand-in-browser in app mode/);
      // the stand-in exits without ever asking for the page: no window was shown, and graphns says so
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr,
        /stand-in-browser exited with code 0 before the window showed the graph/,
      );
      const log = readFileSync(`${browser}.log`, 'utf8');
      // the window opens on the launch page in its private profile: no secret on argv
      assert.match(log, /--app=file:\/\/\S+\/graphns-browser-\w+\/launch\.html /);
      assert.doesNotMatch(log, /launch\/|127\.0\.0\.1/);
      assert.match(log, /fd3=\/dev\/null/, 'the browser does not get the privileged pipe');
    });

    test('in Electron when `npm install -g electron` put one beside it', () => {
      // an `electron` package as the registry's is after its first start: path.txt and dist/
      const pkg = join(scratch, 'electron-stub');
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: 'electron', version: '45.5.0-stub', files: ['path.txt', 'dist/'] }),
      );
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      standIn(join(pkg, 'dist', 'electron'), 'stand-in electron');
      const out = npm(['pack', '--json', '--pack-destination', scratch], pkg);
      const stub = join(scratch, (JSON.parse(out) as { filename: string }[])[0]!.filename);
      npm(
        ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', stub],
        scratch,
      );

      const r = run('graphns', [], userEnv({ GRAPHNS_BROWSER: browser, DISPLAY }));
      const electron = join(prefix, 'lib', 'node_modules', 'electron', 'dist', 'electron');
      assert.ok(r.stderr.includes(`viewer: Electron (${electron})`), r.stderr);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        readFileSync(join(pkg, 'dist', 'electron.log'), 'utf8'),
        /run_as_node=unset fd3=socket:.* args=\S*\/dist\/shell\/electron\/main\.cjs/,
      );
    });
  });
});
