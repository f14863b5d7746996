/**
 * The packaging check: electron-builder.yml's `dir` and `tar.gz` targets,
 * built here into a temporary folder, and what is in them. Against a real
 * Electron distribution when this machine has one; else against a stand-in
 * (tests/helpers/package.ts), which still gives the real app.asar and
 * app.asar.unpacked and lets the packaged commands run with Node in the
 * place of Electron-as-Node. Each skipped part says why (what .ci/run
 * installs, root, a user, 7za, Xvfb, fails under CI=true instead; only the
 * Electron binary, a download, stays a skip); docs/PACKAGING.md says what
 * this proves and what it does not.
 */
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractAll, extractFile } from '@electron/asar';
import {
  testInstalledCommands,
  ALLOWED,
  ROOT,
  asarFiles,
  buildPackage,
  electronDist,
  longestToken,
  type AsarEntry,
  type Built,
  type ElectronDist,
} from '../helpers/package';
import type { GraphResult } from '../../main/contract';
import { HANG_MS, isRoot, unmetNeed } from '../helpers/need';

const ownUserNs = readlinkSync('/proc/self/ns/user'); // user:[4026531837]

// only a hang ends it: electron-builder on a loaded machine may take minutes
describe('desktop package (electron-builder dir and tar.gz)', { timeout: 5 * HANG_MS }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'graphns-package-'));
  let dist: ElectronDist;
  let built: Built;
  let resources: string;
  let entries: AsarEntry[];

  before(async () => {
    // the packaged tree is run by a throwaway user below
    chmodSync(scratch, 0o755);
    dist = await electronDist(process.env, scratch);
    console.log(
      dist.real
        ? `packaging check: building against the Electron distribution ${dist.dir}`
        : `packaging check: no Electron binary on this machine (${dist.why}); ` +
            'building against a stand-in distribution: the layout and the commands are ' +
            'checked for real, the Electron window is not',
    );
    built = buildPackage(dist.dir, join(scratch, 'out'));
    console.log(`packaging check: electron-builder took ${built.seconds.toFixed(1)} s`);
    resources = join(built.appDir, 'resources');
    entries = asarFiles(join(resources, 'app.asar'));
  });
  // what ran and what was skipped, and why, said once more at the end
  const skipped = new Map<string, string>();
  const ran: string[] = [];
  const skip = (t: TestContext, why: string) => {
    skipped.set(t.name, why);
    t.skip(why);
  };
  afterEach((t) => {
    if (!skipped.has(t.name)) ran.push(t.name);
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    console.log(
      [
        `packaging check summary (${dist?.real ? 'real Electron' : 'stand-in Electron'}):`,
        ...ran.map((n) => `  ran: ${n}`),
        ...[...skipped].map(([n, why]) => `  skipped: ${n}: ${why}`),
      ].join('\n'),
    );
  });

  const file = (p: string) => entries.find((e) => e.path === p);

  test('app.asar holds the Electron main and preload; the viewer page and the Graphviz WASM are unpacked', () => {
    const pkg = JSON.parse(extractFile(join(resources, 'app.asar'), 'package.json').toString()) as {
      main: string;
    };
    assert.equal(pkg.main, 'launch.cjs', 'extraMetadata.main');
    for (const p of [
      'launch.cjs',
      'dist/shell/electron/main.cjs',
      'dist/shell/electron/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/main.js',
      'dist/renderer/worker.js',
      'dist/renderer/find-worker.js',
      'dist/renderer/style.css',
      // the worker fetches it, the commands read it (tests/integration/bundle-graphviz-wasm.test.ts
      // checks it is the library's own)
      'dist/renderer/graphviz.wasm',
    ]) {
      // the page is on disk, beside host.js, for the browser shell (which may
      // run under a plain Node); Electron reads it through app.asar all the same
      const unpacked = p.startsWith('dist/renderer/');
      assert.equal(file(p)?.unpacked, unpacked, `${p} ${unpacked ? 'unpacked' : 'packed'}`);
      if (unpacked) {
        assert.ok(
          readFileSync(join(resources, 'app.asar.unpacked', p)).equals(readFileSync(join(ROOT, p))),
          `${p} on disk in app.asar.unpacked`,
        );
      }
      const inAsar = extractFile(join(resources, 'app.asar'), p);
      const source = p === 'launch.cjs' ? join(ROOT, 'build', p) : join(ROOT, p);
      assert.ok(inAsar.equals(readFileSync(source)), `${p} is the built file`);
    }
    const worker = extractFile(join(resources, 'app.asar'), 'dist/renderer/worker.js').toString();
    const blob = longestToken(
      readFileSync(join(ROOT, 'node_modules/@hpcc-js/wasm-graphviz/dist/index.js'), 'utf8'),
    );
    assert.ok(blob.length > 100_000, 'found the Graphviz WASM blob in @hpcc-js/wasm-graphviz');
    const middle = blob.slice(blob.length / 2, blob.length / 2 + 400);
    assert.ok(!worker.includes(middle), 'worker.js does not carry a second, embedded copy');
  });

  test("app.asar.unpacked holds koffi's native file, koffi, the commands and the shell host", () => {
    const native = entries.filter((e) => e.path.endsWith('.node'));
    assert.deepEqual(
      native.map((e) => [e.path, e.unpacked]),
      [
        [
          `node_modules/@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`,
          true,
        ],
      ],
    );
    for (const e of entries.filter((x) => x.unpacked)) {
      assert.ok(existsSync(join(resources, 'app.asar.unpacked', e.path)), `${e.path} on disk`);
    }
    for (const p of [
      'dist/app/lsuserns.js',
      'dist/shell/host.js',
      'dist/renderer/index.html',
      'node_modules/koffi/index.js',
    ]) {
      assert.equal(file(p)?.unpacked, true, `${p} unpacked`);
    }
  });

  test('nothing else is packed: every file is on the allow-list, in its place', () => {
    const bad = entries.flatMap((e) => {
      const rule = ALLOWED.find((a) => a.pattern.test(e.path));
      if (!rule) return [`${e.path}: not on the allow-list`];
      if (rule.unpacked !== e.unpacked) {
        return [`${e.path}: should be ${rule.unpacked ? 'unpacked' : 'in the archive'}`];
      }
      return [];
    });
    assert.deepEqual(bad, []);
    // and resources/ holds only the archive, its unpacked part and bin/
    // (build/after-pack.cjs removes the distribution's default_app.asar)
    const top = execFileSync('ls', ['-A', resources], { encoding: 'utf8' }).split('\n');
    assert.deepEqual(top.filter(Boolean).sort(), ['app.asar', 'app.asar.unpacked', 'bin']);
    assert.ok(
      !existsSync(join(built.appDir, 'version')),
      "the distribution's version file is gone",
    );
  });

  test('the unpacked commands run with plain Node and load koffi from the unpacked tree', () => {
    // a preload that reports, at exit, which koffi.node the process loaded
    const probe = join(scratch, 'probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(" +
        'process.report.getReport().sharedObjects.filter((s) => /koffi/.test(s))) + "\\n"));\n',
    );
    const script = join(resources, 'app.asar.unpacked/dist/app/lsuserns.js');
    const r = spawnSync(process.execPath, ['--require', probe, script, '--json'], {
      encoding: 'utf8',
      cwd: scratch,
      maxBuffer: 256 << 20,
    });
    assert.equal(r.status, 0, r.stderr);
    const model = JSON.parse(r.stdout) as { namespaces: unknown[] };
    assert.ok(model.namespaces.length > 0);
    const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]!) as string[];
    assert.deepEqual(loaded, [
      join(resources, `app.asar.unpacked/node_modules/@koromix/koffi-linux-${process.arch}`) +
        `/linux_${process.arch}/koffi.node`,
    ]);
  });

  describe("the package's commands (resources/bin)", () => {
    const run = (name: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
      spawnSync(join(resources, 'bin', name), args, {
        encoding: 'utf8',
        cwd: scratch,
        env,
        maxBuffer: 256 << 20,
        timeout: HANG_MS,
      });

    testInstalledCommands(run, scratch);

    // a display nobody serves: the stand-ins never connect, and without one graphns stops first
    const DISPLAY = ':97';

    test('graphns starts the packaged Electron as the window, not as Node', (t) => {
      if (dist.real) {
        skip(t, 'with a real Electron this opens a window; see "launching the packaged app"');
        return;
      }
      const r = run('graphns', [], { ...process.env, DISPLAY });
      const seen = /stand-in window: (.*)/.exec(r.stderr)?.[1];
      // graphns opens the viewer without flags: not reaching the window is a failure
      assert.ok(seen, `graphns did not try to open a window: ${r.stderr}`);
      assert.equal(r.status, 0, r.stderr);
      assert.match(seen, /run_as_node=unset/);
      assert.match(seen, /fd3=socket:/, 'the graph pipe reaches the window on fd 3');
      assert.match(seen, /args=\S*\/dist\/shell\/electron\/main\.cjs/, 'launch.cjs sees the host');
    });

    test('graphns --shell browser finds the page beside the unpacked shell host', () => {
      // a stand-in browser: notes it was started and closes at once, before it
      // asked for the graph: the viewer ends with 1 and says so; a host
      // without its page fails before the browser starts
      const browser = join(scratch, 'stand-in-browser');
      const started = join(scratch, 'stand-in-browser-started');
      writeFileSync(browser, `#!/bin/sh\necho "$*" > '${started}'\nexit 0\n`);
      chmodSync(browser, 0o755);
      const r = run('graphns', ['--shell', 'browser'], {
        ...process.env,
        DISPLAY,
        GRAPHNS_BROWSER: browser,
      });
      assert.doesNotMatch(r.stderr, /ENOENT|renderer/, r.stderr);
      assert.ok(existsSync(started), `the browser was started: ${r.stderr}`);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /exited with code 0 before the window showed the graph/);
    });

    test('under sudo, the window is started as the invoking user, still as Electron', (t) => {
      if (!isRoot) return skip(t, unmetNeed('needs root to make a throwaway user'));
      if (!existsSync('/usr/sbin/useradd'))
        return skip(t, unmetNeed('no useradd to make a throwaway user (apt-get install passwd)'));
      if (dist.real) {
        skip(t, 'with a real Electron this opens a window');
        return;
      }
      const name = `gnp${randomBytes(4).toString('hex')}`;
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
      try {
        const uid = execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim();
        const gid = execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim();
        const r = run('graphns', [], {
          PATH: process.env.PATH,
          DISPLAY,
          SUDO_UID: uid,
          SUDO_GID: gid,
          SUDO_USER: name,
        });
        const seen = /stand-in window: (.*)/.exec(r.stderr)?.[1];
        assert.ok(seen, `graphns did not try to open a window: ${r.stderr}`);
        assert.equal(r.status, 0, r.stderr);
        assert.match(seen, new RegExp(`uid=${uid} `));
        assert.match(seen, /run_as_node=unset/);
      } finally {
        execFileSync('userdel', ['--remove', name], { stdio: 'ignore' });
      }
    });
  });

  test('the tar.gz holds the same tree and works unpacked and linked as README says', (t) => {
    if (!built.tarball) {
      skip(t, unmetNeed(`no tar.gz: ${built.noTarball}`));
      return;
    }
    const list = execFileSync('tar', ['-tvzf', built.tarball], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const top = /graphns-[^/]+\//.exec(list)![0];
    for (const p of [
      'graphns',
      'resources/app.asar',
      'resources/bin/graphns',
      'resources/bin/node',
    ]) {
      assert.match(list, new RegExp(`^-rwxr-xr-x .* ${top}${p}$|^-rw-r--r-- .* ${top}${p}$`, 'm'));
    }
    for (const p of ['graphns', 'lsuserns', 'lspidns', 'lsnetns', 'node', 'electron']) {
      assert.match(list, new RegExp(`^-rwxr-xr-x .* ${top}resources/bin/${p}$`, 'm'));
    }
    assert.match(list, /app\.asar\.unpacked\/node_modules\/@koromix\/.*koffi\.node$/m);

    // tar -C /opt -xzf ...; ln -s /opt/graphns-*/resources/bin/{graphns,lsuserns,lspidns} /usr/local/bin/
    const opt = join(scratch, 'opt');
    const bin = join(scratch, 'usr-local-bin');
    mkdirSync(opt);
    mkdirSync(bin);
    execFileSync('tar', ['-C', opt, '-xzf', built.tarball]);
    for (const c of ['graphns', 'lsuserns', 'lspidns', 'lsnetns']) {
      symlinkSync(join(opt, top, 'resources', 'bin', c), join(bin, c));
    }
    const r = spawnSync(join(bin, 'lsuserns'), [], { encoding: 'utf8', cwd: scratch });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(ownUserNs), r.stdout);
  });

  test('launch.cjs: a start by the shell host runs the viewer main, a desktop start runs bin/graphns', (t) => {
    if (dist.real) {
      skip(t, 'with a real Electron a desktop start opens a window');
      return;
    }
    // app.asar extracted, with an `electron` module that has only app.exit(),
    // and process.resourcesPath set as Electron sets it
    const app = join(scratch, 'extracted');
    extractAll(join(resources, 'app.asar'), app);
    mkdirSync(join(app, 'node_modules', 'electron'), { recursive: true });
    writeFileSync(
      join(app, 'node_modules', 'electron', 'index.js'),
      "exports.app = { exit: (code) => { process.stderr.write('app.exit ' + code + '\\n'); process.exit(code); } };\n",
    );
    const preload = join(scratch, 'resources-path.cjs');
    writeFileSync(preload, `process.resourcesPath = ${JSON.stringify(resources)};\n`);
    const start = (args: string[]) =>
      spawnSync(process.execPath, ['--require', preload, join(app, 'launch.cjs'), ...args], {
        encoding: 'utf8',
        cwd: scratch,
        timeout: HANG_MS,
      });

    // the host passes the viewer main's path: launch.cjs loads it (which
    // stops at Electron's API, absent here)
    const byHost = start([join(resources, 'app.asar.unpacked/dist/shell/electron/main.cjs')]);
    assert.notEqual(byHost.status, 0);
    assert.match(byHost.stderr, /at .*extracted\/dist\/shell\/electron\/main\.cjs/, byHost.stderr);
    assert.doesNotMatch(byHost.stderr, /app\.exit/);

    // no arguments (desktop entry, AppImage): bin/graphns runs, and its exit code is ours
    const direct = spawnSync(join(resources, 'bin', 'graphns'), [], {
      encoding: 'utf8',
      cwd: scratch,
    });
    const desktop = start([]);
    assert.match(desktop.stderr, new RegExp(`app\\.exit ${direct.status}\\n`), desktop.stderr);
    assert.equal(desktop.status, direct.status);
  });

  test('the icons: build/icons/NxN.png from 16 to 512, each its size', () => {
    for (const n of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(join(ROOT, 'build', 'icons', `${n}x${n}.png`));
      assert.equal(png.toString('latin1', 1, 4), 'PNG', `${n}x${n}.png is a PNG`);
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [n, n], `${n}x${n}.png`);
    }
  });

  test('the deb maintainer scripts use only electron-builder macros and are valid bash', () => {
    for (const name of ['after-install.sh', 'after-remove.sh']) {
      const text = readFileSync(join(ROOT, 'build', 'deb', name), 'utf8');
      // electron-builder fills in ${name} and fails the build on unknown macros
      const macros = new Set([...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]));
      assert.deepEqual([...macros].sort(), ['executable', 'sanitizedProductName']);
      const filled = text
        .replaceAll('${executable}', 'graphns')
        .replaceAll('${sanitizedProductName}', 'graphns');
      const r = spawnSync('bash', ['-n'], { input: filled, encoding: 'utf8' });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.match(filled, /resources\/bin\/\$cmd/, `${name} handles the /usr/bin links`);
    }
  });

  test('launching the packaged app', (t) => {
    if (!dist.real) {
      skip(t, `no Electron binary on this machine (${dist.why})`);
      return;
    }
    if (!existsSync('/usr/bin/xvfb-run') && !process.env.DISPLAY) {
      skip(t, unmetNeed('no display and no xvfb-run (apt-get install xvfb)'));
      return;
    }
    return launchSmoke(built.appDir, scratch);
  });
});

/**
 * With a real Electron: start the packaged app's window (bin/electron, as
 * the shell host does) through tests/helpers/electron-with-pipe.mjs, which
 * serves it a fixed graph on fd 3 as the privileged side would, and see
 * that it comes up and stays up for a few seconds; then end it.
 */
async function launchSmoke(appDir: string, scratch: string): Promise<void> {
  const graph = join(scratch, 'graph.json');
  const result: GraphResult = {
    ok: true,
    dot: 'digraph { a -> b }',
    modelJson: '{}',
    title: 'graphns packaging smoke',
    namespaces: 2,
    warnings: [],
  };
  writeFileSync(graph, JSON.stringify(result));
  const args = [
    join(ROOT, 'tests', 'helpers', 'electron-with-pipe.mjs'),
    `${appDir}/dist/shell/electron/main.cjs`,
  ];
  if (process.geteuid?.() === 0) args.push('--no-sandbox');
  const cmd = process.env.DISPLAY ? args : ['xvfb-run', '-a', ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), {
    env: {
      ...process.env,
      GRAPHNS_TEST_ELECTRON: join(appDir, 'resources', 'bin', 'electron'),
      GRAPHNS_TEST_GRAPH: graph,
      HOME: scratch,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: xvfb-run, Xvfb and Electron end together
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const early = await Promise.race([
    exited.then((c) => ({ code: c })),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 8000)),
  ]);
  if (early) assert.fail(`the packaged app ended early (${early.code}): ${stderr}`);
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  assert.ok(statSync(join(appDir, 'graphns')).size > 1_000_000, 'a real Electron binary');
}
