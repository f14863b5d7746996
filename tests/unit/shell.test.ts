/**
 * The viewer's Node-side logic in plain Node: the contract checks, the pipe
 * protocol, the handler table, save policy, window bounds, Electron binary
 * detection, the privilege-drop plan and the shell choice. (The Electron
 * wiring around it is type-checked; the browser server has its own test.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  CHANNEL_NAMES,
  CHANNELS,
  ContractError,
  MAX_PNG_BYTES,
  MAX_SVG_CHARS,
  checkPngBase64,
  checkPngBytes,
  checkSnapshotName,
  checkSvgText,
  isChannel,
  SNAPSHOT_MAX_BYTES,
} from '../../main/contract';
import { CSP } from '../../main/shell/assets';
import {
  boundsFile,
  checkBounds,
  isVisible,
  readBounds,
  writeBounds,
} from '../../main/shell/bounds';
import { browserArgs, findBrowser, splitArgs } from '../../main/shell/browser/find';
import { makeProfile, sweepProfiles } from '../../main/shell/browser/profile';
import { findElectron } from '../../main/shell/electron-binary';
import {
  displayKey,
  handOver,
  handoffDir,
  handoffEnabled,
  handoffTargets,
  listenForSnapshots,
  SnapshotInbox,
  socketName,
  unsafeDir,
  type HandoffRoots,
  type SnapshotListener,
} from '../../main/shell/handoff';
import { createHandlers, isTrustedSender } from '../../main/shell/handlers';
import { localBroker, pipeBroker } from '../../main/shell/host-broker';
import { LineChannel, OPEN_LINE, parseGraphMessage, parseRequest } from '../../main/shell/pipe';
import {
  dropPrivileges,
  hostArgs,
  hostEnv,
  parseDrop,
  sudoTarget,
  userEnv,
  type Credentials,
} from '../../main/shell/privilege';
import {
  defaultSaveDir,
  saveBaseName,
  saveChosenFile,
  saveInDefaultDir,
  saveNewFile,
} from '../../main/shell/save';
import { chooseShell } from '../../main/shell/viewer';

const scratch = () => mkdtempSync(join(tmpdir(), 'graphns-shell-test-'));
const SVG = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>';
/** A real PNG (the app's icon, as `file` reports: 48 x 48). */
const PNG = readFileSync(new URL('../../build/icons/48x48.png', import.meta.url));

test('contract: channels and argument checks', () => {
  assert.deepEqual([...CHANNEL_NAMES].sort(), Object.keys(CHANNELS).sort());
  assert.ok(isChannel('saveSvg'));
  assert.ok(!isChannel('toString'));
  assert.equal(checkSvgText(SVG), SVG);
  for (const bad of [42, null, 'hello', '<svgx>', { svg: SVG }]) {
    assert.throws(() => checkSvgText(bad), ContractError);
  }
});

test('contract: a PNG travels as base64 of a real PNG, nothing else', () => {
  const b64 = PNG.toString('base64');
  assert.equal(checkPngBase64(b64), b64);
  assert.deepEqual(checkPngBytes(PNG), { width: 48, height: 48 });
  for (const bad of [
    42,
    null,
    { path: '/tmp/x.png', png: b64 },
    '/tmp/x.png',
    '../../etc/passwd',
    Buffer.from(SVG).toString('base64'),
    `${b64.slice(0, 40)}\n${b64.slice(40)}`, // Node's decoder would skip what is not base64
    `${b64}=`,
    b64.slice(1),
  ]) {
    assert.throws(() => checkPngBase64(bad), ContractError, String(bad).slice(0, 40));
  }
  // at most MAX_PNG_BYTES, whose base64 is no longer than the largest SVG request
  assert.equal((MAX_PNG_BYTES / 3) * 4, MAX_SVG_CHARS);
  assert.throws(() => checkPngBase64(`iVBORw0KGgo${'A'.repeat(MAX_SVG_CHARS)}`), /too large/);
  // decoded bytes: signature, IHDR first, IEND last
  for (const bad of [
    PNG.subarray(0, 8),
    PNG.subarray(0, PNG.length - 1),
    Buffer.concat([PNG, Buffer.from('trailing')]),
    Buffer.concat([PNG.subarray(0, 12), Buffer.from('IHDX'), PNG.subarray(16)]),
    Buffer.concat([Buffer.from('GIF89a..'), PNG.subarray(8)]),
  ]) {
    assert.throws(() => checkPngBytes(bad), ContractError);
  }
});

test('the page and the server send the same CSP', () => {
  const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  // frame-ancestors only works as a header; the rest must agree
  assert.equal(meta, CSP.replace("; frame-ancestors 'none'", ''));
  assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(CSP, /unsafe-inline|https?:/);
});

test('pipe: the privileged side accepts a rediscover request and nothing else', () => {
  assert.deepEqual(parseRequest('{"t":"rediscover","id":3}'), { t: 'rediscover', id: 3 });
  for (const bad of [
    '{"t":"rediscover","id":0}',
    '{"t":"rediscover","id":1.5}',
    '{"t":"rediscover","id":"1"}',
    '{"t":"rediscover","id":1,"path":"/etc/shadow"}',
    '{"t":"save","id":1}',
    '{"t":"graph","id":1,"result":{"ok":false,"error":"x"}}',
    '[1]',
    'null',
    'rediscover',
    `{"t":"rediscover","id":1${' '.repeat(300)}}`,
  ]) {
    assert.equal(parseRequest(bad), undefined, bad);
  }
  assert.ok(parseGraphMessage('{"t":"graph","id":0,"result":{"ok":false,"error":"e"}}'));
  assert.equal(parseGraphMessage('{"t":"graph","id":0,"result":{"ok":true}}'), undefined);
  const graph = (extra: string) =>
    `{"t":"graph","id":0,"result":{"ok":true,"dot":"","modelJson":"","title":"t","namespaces":0,"warnings":[]${extra}}}`;
  assert.ok(parseGraphMessage(graph('')), 'without details');
  assert.ok(parseGraphMessage(graph(',"details":true')), 'with details');
  assert.equal(parseGraphMessage(graph(',"details":"yes"')), undefined, 'details not a boolean');
  assert.ok(parseGraphMessage(graph(',"net":true')), 'the wiring');
  assert.equal(parseGraphMessage(graph(',"net":1')), undefined, 'net not a boolean');
  assert.ok(parseGraphMessage(graph(',"snapshot":"web1.json"')), "--open's file name");
  assert.equal(parseGraphMessage(graph(',"snapshot":1')), undefined, 'snapshot not a string');
});

test('pipe: lines go through whole, split or joined', async () => {
  const stream = new PassThrough();
  const lines: string[] = [];
  const ch = new LineChannel(stream, (l) => lines.push(l));
  ch.send({ t: 'rediscover', id: 1 });
  stream.write('{"t":"redis');
  stream.write('cover","id":2}\n{"t":"rediscover","id":3}\n');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    lines.map(parseRequest),
    [1, 2, 3].map((id) => ({ t: 'rediscover', id })),
  );
});

test('pipe: an overlong line closes the channel', async () => {
  const stream = new PassThrough();
  let closed = false;
  const ch = new LineChannel(stream, () => assert.fail('no line expected'), 256);
  ch.onClose(() => (closed = true));
  stream.write('x'.repeat(1000));
  await new Promise((r) => setImmediate(r));
  assert.ok(closed || stream.destroyed);
});

test('handlers check arguments before the backend sees them', async () => {
  const saved: string[] = [];
  const bounds: unknown[] = [];
  let quits = 0;
  const pngs: Uint8Array[] = [];
  const h = createHandlers({
    graph: async () => ({ ok: false, error: 'none' }),
    rediscover: async () => ({ ok: false, error: 'again' }),
    save: async (svg) => {
      saved.push(svg);
      return { saved: true, path: '/x.svg' };
    },
    savePng: async (png) => {
      pngs.push(png);
      return { saved: true, path: '/x.png' };
    },
    quit: () => void quits++,
    rememberBounds: (b) => void bounds.push(b),
  });
  // a shell without handed-over snapshots answers at once that there is none
  assert.equal(await h.nextSnapshot(null), null);
  await assert.rejects(h.nextSnapshot('/etc/passwd'), ContractError);
  assert.deepEqual(await h.getGraph(null), { ok: false, error: 'none' });
  assert.deepEqual(await h.rediscover(undefined), { ok: false, error: 'again' });
  await assert.rejects(h.getGraph({ path: '/etc' }), ContractError);
  await assert.rejects(h.saveSvg({ path: '/etc/passwd', svg: SVG }), ContractError);
  await assert.rejects(h.saveSvg('no svg here'), ContractError);
  assert.deepEqual(await h.saveSvg(SVG), { saved: true, path: '/x.svg' });
  assert.deepEqual(saved, [SVG]);
  await assert.rejects(
    h.savePng({ path: '/etc/x.png', png: PNG.toString('base64') }),
    ContractError,
  );
  await assert.rejects(h.savePng(Buffer.from(SVG).toString('base64')), ContractError);
  // base64 that starts right but decodes to no PNG
  await assert.rejects(h.savePng(PNG.subarray(0, 40).toString('base64')), ContractError);
  assert.deepEqual(pngs, [], 'no bad PNG reached the backend');
  assert.deepEqual(await h.savePng(PNG.toString('base64')), { saved: true, path: '/x.png' });
  assert.deepEqual(
    pngs.map((p) => Buffer.from(p)),
    [PNG],
    'the bytes, decoded',
  );
  await h.quit(null);
  assert.equal(quits, 1);
  await h.windowBounds({ x: -10, y: 20, width: 800, height: 600, extra: '/etc/passwd' });
  assert.deepEqual(
    bounds,
    [{ x: -10, y: 20, width: 800, height: 600 }],
    'only the four numbers pass',
  );
  for (const bad of [
    null,
    '800x600',
    { x: 0, y: 0, width: 1e9, height: 600 },
    { x: 0.5, y: 0, width: 800, height: 600 },
  ]) {
    await assert.rejects(h.windowBounds(bad), ContractError);
  }
  assert.equal(bounds.length, 1);
});

test('IPC answers only our page in our window', () => {
  const ok = { fromOurWindow: true, isMainFrame: true, frameUrl: 'graphns://app/index.html' };
  assert.ok(isTrustedSender(ok));
  assert.ok(!isTrustedSender({ ...ok, fromOurWindow: false }));
  assert.ok(!isTrustedSender({ ...ok, isMainFrame: false }));
  assert.ok(!isTrustedSender({ ...ok, frameUrl: 'https://evil.example/' }));
  assert.ok(!isTrustedSender({ ...ok, frameUrl: 'graphns://app.evil/' }));
  assert.ok(!isTrustedSender({ ...ok, frameUrl: undefined }));
});

test('browser-shell saves never replace a file and stay in the chosen directory', () => {
  const dir = scratch();
  try {
    const base = saveBaseName('my host/../x', new Date(2026, 0, 2, 3, 4, 5));
    assert.equal(base, 'graphns-my_host_.._x-20260102-030405');
    const a = saveNewFile(dir, base, SVG);
    const b = saveNewFile(dir, base, SVG.replace('x', 'y'));
    assert.equal(a, join(dir, `${base}.svg`));
    assert.equal(b, join(dir, `${base}-2.svg`));
    assert.equal(readFileSync(a, 'utf8'), SVG);
    assert.deepEqual(readdirSync(dir).sort(), [`${base}-2.svg`, `${base}.svg`]); // no temp left
    assert.equal(defaultSaveDir(dir), dir);
    mkdirSync(join(dir, 'Downloads'));
    assert.equal(defaultSaveDir(dir), join(dir, 'Downloads'));
    const chosen = join(dir, 'chosen.svg');
    writeFileSync(chosen, 'old');
    saveChosenFile(chosen, SVG);
    assert.equal(readFileSync(chosen, 'utf8'), SVG);
    // PNG bytes under the same policy: a fresh name in Downloads, never replacing
    const home = { home: dir, hostname: 'h', now: new Date(2026, 0, 2, 3, 4, 5) };
    const p1 = saveInDefaultDir(home, PNG, 'png');
    const p2 = saveInDefaultDir(home, PNG, 'png');
    assert.deepEqual(p1, {
      saved: true,
      path: join(dir, 'Downloads', 'graphns-h-20260102-030405.png'),
    });
    assert.deepEqual(p2, {
      saved: true,
      path: join(dir, 'Downloads', 'graphns-h-20260102-030405-2.png'),
    });
    assert.deepEqual(readFileSync(join(dir, 'Downloads', 'graphns-h-20260102-030405.png')), PNG);
    const failed = saveInDefaultDir({ ...home, home: join(dir, 'gone') }, PNG, 'png');
    assert.equal(failed.saved, false);
    assert.match(failed.error ?? '', /ENOENT|no such/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('window bounds: remembered, checked, kept on screen', () => {
  const dir = scratch();
  try {
    assert.equal(boundsFile({}, '/home/u'), '/home/u/.config/graphns/window.json');
    assert.equal(boundsFile({ XDG_CONFIG_HOME: '/c' }, '/home/u'), '/c/graphns/window.json');
    assert.equal(
      boundsFile({ XDG_CONFIG_HOME: 'rel' }, '/home/u'),
      '/home/u/.config/graphns/window.json',
    );
    const file = join(dir, 'cfg', 'graphns', 'window.json');
    assert.equal(readBounds(file), undefined);
    writeBounds(file, { x: 10, y: 20, width: 800, height: 600 });
    assert.deepEqual(readBounds(file), { x: 10, y: 20, width: 800, height: 600 });
    writeFileSync(file, '{"x":1,"y":2,"width":1e9,"height":5}');
    assert.equal(readBounds(file), undefined);
    writeFileSync(file, 'not json');
    assert.equal(readBounds(file), undefined);
    assert.equal(checkBounds({ x: 0, y: 0, width: 800.5, height: 600 }), undefined);
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    assert.ok(isVisible({ x: 100, y: 100, width: 800, height: 600 }, screen));
    assert.ok(!isVisible({ x: 5000, y: 100, width: 800, height: 600 }, screen));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Electron binary found through path.txt or ELECTRON_OVERRIDE_DIST_PATH, never by require', () => {
  const pkg = scratch();
  try {
    const exec = new Set<string>();
    const isExec = (p: string) => exec.has(p);
    assert.deepEqual(findElectron({}, undefined, isExec), {
      missing: 'the electron package is not installed',
    });
    assert.match(
      (findElectron({}, pkg, isExec) as { missing: string }).missing,
      /never downloaded/,
    );
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    assert.match((findElectron({}, pkg, isExec) as { missing: string }).missing, /is missing/);
    exec.add(join(pkg, 'dist', 'electron'));
    assert.deepEqual(findElectron({}, pkg, isExec), { path: join(pkg, 'dist', 'electron') });
    const env = { ELECTRON_OVERRIDE_DIST_PATH: '/opt/el' };
    assert.match((findElectron(env, pkg, isExec) as { missing: string }).missing, /OVERRIDE/);
    exec.add('/opt/el/electron');
    assert.deepEqual(findElectron(env, undefined, isExec), { path: '/opt/el/electron' });
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('browser lookup and command line', () => {
  const isExec = (p: string) => p === '/usr/bin/chromium' || p === '/opt/chrome';
  assert.equal(findBrowser({ PATH: '/nope:/usr/bin' }, isExec), '/usr/bin/chromium');
  assert.equal(findBrowser({ PATH: 'relative:/nope' }, isExec), undefined);
  assert.equal(
    findBrowser({ GRAPHNS_BROWSER: '/opt/chrome', PATH: '/usr/bin' }, isExec),
    '/opt/chrome',
  );
  assert.equal(findBrowser({ GRAPHNS_BROWSER: 'chrome', PATH: '/usr/bin' }, isExec), undefined);
  assert.deepEqual(splitArgs('  --headless   --x=1 '), ['--headless', '--x=1']);
  const args = browserArgs({ url: 'http://u', userDataDir: '/p', asRoot: true, extra: ['--z'] });
  assert.equal(args[0], '--app=http://u');
  assert.ok(args.includes('--user-data-dir=/p'));
  assert.ok(args.includes('--no-sandbox'));
  assert.equal(args.at(-1), '--z');
  assert.ok(
    !browserArgs({ url: 'u', userDataDir: 'p', asRoot: false, extra: [] }).includes('--no-sandbox'),
  );
  assert.ok(!args.some((a) => a.startsWith('--window-')), 'no remembered bounds, no window flags');
  const placed = browserArgs({
    url: 'u',
    userDataDir: 'p',
    asRoot: false,
    bounds: { x: -5, y: 40, width: 900, height: 700 },
    extra: ['--window-size=1200,800'],
  });
  const size = placed.indexOf('--window-size=900,700');
  assert.ok(size > 0 && placed.includes('--window-position=-5,40'));
  assert.ok(
    placed.indexOf('--window-size=1200,800') > size,
    'GRAPHNS_BROWSER_ARGS come later and win',
  );
});

test('shell choice: Electron first, then the browser, else an error naming both and --output', () => {
  const none = { missing: 'no electron here' };
  const el = { path: '/e/electron' };
  assert.deepEqual(chooseShell(undefined, el, '/b'), {
    shell: 'electron',
    program: '/e/electron',
    note: 'viewer: Electron (/e/electron); --shell browser uses Chromium instead',
  });
  const b = chooseShell(undefined, none, '/b');
  assert.ok('shell' in b && b.shell === 'browser' && /electron package/.test(b.note ?? ''));
  assert.deepEqual(chooseShell('browser', el, '/b'), {
    shell: 'browser',
    program: '/b',
    note: 'viewer: /b in app mode (browser shell, as --shell asked)',
  });
  const neither = chooseShell(undefined, none, undefined);
  assert.ok('error' in neither && /Electron/.test(neither.error) && /--output/.test(neither.error));
  assert.ok('error' in chooseShell('electron', none, '/b'));
  assert.ok('error' in chooseShell('browser', el, undefined));
});

test('privilege drop: whom to drop to, what to keep, and that it sticks', () => {
  assert.deepEqual(sudoTarget({ SUDO_UID: '1000', SUDO_GID: '1001' }, 0), { uid: 1000, gid: 1001 });
  assert.equal(sudoTarget({ SUDO_UID: '1000', SUDO_GID: '1001' }, 1000), undefined);
  assert.equal(sudoTarget({ SUDO_UID: '0', SUDO_GID: '0' }, 0), undefined);
  assert.equal(sudoTarget({ SUDO_UID: '1000' }, 0), undefined);
  assert.equal(sudoTarget({ SUDO_UID: '10x', SUDO_GID: '1' }, 0), undefined);

  const env = {
    DISPLAY: ':0',
    XAUTHORITY: '/home/u/.Xauthority',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
    XDG_RUNTIME_DIR: '/run/user/1000',
    LC_ALL: 'C.UTF-8',
    HOME: '/root',
    SUDO_COMMAND: '/usr/bin/graphns',
    LD_PRELOAD: '/tmp/evil.so',
    NODE_OPTIONS: '--require /tmp/x.js',
    GRAPHNS_BROWSER_ARGS: '--headless',
  };
  const kept = hostEnv(env, { uid: 1000, gid: 1000 });
  assert.deepEqual(Object.keys(kept).sort(), [
    'DBUS_SESSION_BUS_ADDRESS',
    'DISPLAY',
    'GRAPHNS_BROWSER_ARGS',
    'LC_ALL',
    'XAUTHORITY',
    'XDG_RUNTIME_DIR',
  ]);
  assert.deepEqual(hostEnv(env, undefined), env);
  assert.deepEqual(hostArgs('browser', '/usr/bin/chromium', { uid: 1000, gid: 1001 }), [
    '--shell',
    'browser',
    '--program',
    '/usr/bin/chromium',
    '--drop',
    '1000:1001',
  ]);
  assert.deepEqual(parseDrop('1000:1001'), { uid: 1000, gid: 1001 });
  assert.throws(() => parseDrop('0:0'));
  assert.throws(() => parseDrop('1000'));

  const after = userEnv(
    { ...kept, XDG_CONFIG_HOME: '/root/.config' },
    { uid: 1000, username: 'u', homedir: '/home/u' },
    (p) => (p.startsWith('/run/user/1000') ? 1000 : 0),
  );
  assert.equal(after.HOME, '/home/u');
  assert.equal(after.USER, 'u');
  assert.equal(after.XDG_RUNTIME_DIR, '/run/user/1000');
  assert.equal(after.XDG_CONFIG_HOME, undefined);

  // a fake process: records the order, and root comes back only if the drop was faked
  const fake = (reversible: boolean) => {
    const calls: string[] = [];
    let uid = 0;
    let gid = 0;
    const creds: Credentials = {
      initgroups: (u, g) => void calls.push(`initgroups ${u} ${g}`),
      setgid: (g) => void (calls.push(`setgid ${g}`), (gid = g)),
      setuid: (u) => {
        if (u === 0 && uid !== 0 && !reversible) throw new Error('EPERM');
        calls.push(`setuid ${u}`);
        uid = u;
      },
      getuid: () => uid,
      geteuid: () => uid,
      getgid: () => gid,
      getegid: () => gid,
    };
    return { calls, creds };
  };
  const good = fake(false);
  dropPrivileges({ uid: 1000, gid: 1001 }, good.creds);
  assert.deepEqual(good.calls, ['initgroups 1000 1001', 'setgid 1001', 'setuid 1000']);
  assert.throws(() => dropPrivileges({ uid: 1000, gid: 1001 }, fake(true).creds), /reversible/);
});

/** Two ends of a real loopback TCP connection, as between graphns and the host. */
function socketPair(): Promise<[Socket, Socket]> {
  return new Promise((resolve) => {
    const server = createServer((s) => {
      server.close();
      resolve([client, s]);
    });
    let client: Socket;
    server.listen(0, '127.0.0.1', () => {
      client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    });
  });
}

test('brokers: over the pipe, the window may open on `open` alone; in-process, scans start when told', async () => {
  // over a real socket pair, as between graphns and the host
  const [a, b] = await socketPair();
  const broker = pipeBroker(a);
  let opened = false;
  void broker.opened().then(() => (opened = true));
  const graphLine = (id: number, title: string) =>
    `${JSON.stringify({ t: 'graph', id, result: { ok: true, dot: '', modelJson: '', title, namespaces: 0, warnings: [] } })}\n`;
  b.write(graphLine(0, 'first'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(opened, false, 'a graph is no leave to open the window');
  assert.equal(((await broker.current()) as { title: string }).title, 'first');
  b.write(`${OPEN_LINE}\n`);
  await broker.opened();
  broker.close();
  b.destroy();

  // the privileged side going away first: the window must not open
  const [c, d] = await socketPair();
  const orphan = pipeBroker(c);
  d.end();
  await assert.rejects(orphan.opened(), /ended/);
  orphan.close();

  // in this process: nothing scans before start(); a flood costs two scans
  let scans = 0;
  const local = localBroker(async () => {
    scans++;
    await new Promise((r) => setTimeout(r, 20));
    return { ok: false, error: `scan ${scans}` };
  });
  await local.opened();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(scans, 0, 'no scan before start()');
  const first = local.current();
  local.start();
  local.start();
  assert.deepEqual(await first, { ok: false, error: 'scan 1' });
  await new Promise((r) => setTimeout(r, 0)); // the queue is idle again
  const answers = await Promise.all(Array.from({ length: 100 }, () => local.rediscover()));
  // the flood came within a second of the first scan's start (scans.ts MIN_SCAN_GAP_MS):
  // it waits for the gap, and one scan answers all of it
  assert.equal(scans, 2, 'the first scan, then one for the whole flood');
  assert.ok(answers.every((r) => !r.ok && r.error === 'scan 2'));
  local.close();
  assert.deepEqual(await local.current(), answers.at(-1));
});

test("stale browser profiles: a dead maker's are removed, a live maker's, a link and others' are not", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-profiles-'));
  try {
    const live = makeProfile(dir);
    // a maker that is gone: a child that has exited (its PID and start time name no process now)
    const dead = makeProfile(dir);
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(dead, 'owner'), `${child.pid} 1\n`);
    // the maker's PID alive, but another process by its start time: a recycled PID
    const recycled = makeProfile(dir);
    writeFileSync(join(recycled, 'owner'), `${process.pid} 1\n`);
    // being made this instant: no owner file yet
    const making = join(dir, 'graphns-browser-making');
    mkdirSync(making);
    // a link to a directory of ours, named like a profile: never followed
    const target = mkdtempSync(join(dir, 'target-'));
    writeFileSync(join(target, 'owner'), `${child.pid} 1\n`);
    symlinkSync(target, join(dir, 'graphns-browser-link'));
    const removed = sweepProfiles(dir);
    assert.deepEqual(removed.sort(), [dead, recycled].sort());
    for (const kept of [live, making, target, join(dir, 'graphns-browser-link')])
      assert.ok(existsSync(kept), kept);
    if (process.geteuid?.() === 0) {
      // another uid's, even with a dead maker: not ours to remove
      const theirs = makeProfile(dir);
      writeFileSync(join(theirs, 'owner'), `${child.pid} 1\n`);
      execFileSync('chown', ['-R', '65534', theirs]);
      assert.deepEqual(sweepProfiles(dir), []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('contract: a handed-over snapshot is named by a file name, never a path', () => {
  assert.ok(isChannel('nextSnapshot'));
  assert.equal(SNAPSHOT_MAX_BYTES, 256 * 1024 * 1024, 'the limit of --open, for every way in');
  for (const good of ['web1.json', 'a b.json', 'evil\u202e.json', 'x'.repeat(255), 'back\\slash']) {
    assert.equal(checkSnapshotName(good), good);
  }
  for (const bad of ['', '/etc/passwd', 'a/b.json', '..', '.', 'nul\0.json', 'x'.repeat(256), 7]) {
    assert.throws(() => checkSnapshotName(bad), ContractError, String(bad));
  }
});

/** Scratch roots for the rendezvous: `run/` (runtime directories) and `tmp/`. */
function scratchRoots(): HandoffRoots & { base: string } {
  const base = scratch();
  mkdirSync(join(base, 'run'));
  mkdirSync(join(base, 'tmp'));
  return { base, run: join(base, 'run'), tmp: join(base, 'tmp') };
}

const me = process.getuid?.() ?? 0;
const ON_DISPLAY = { DISPLAY: ':7' };

test('handoff: where a user’s windows listen, and which directories are refused', () => {
  const r = scratchRoots();
  try {
    // no runtime directory of the user: /tmp/graphns-UID
    assert.equal(handoffDir(me, r), join(r.tmp, `graphns-${me}`));
    // a runtime directory open to others is not private: still the fallback
    mkdirSync(join(r.run, String(me)), { mode: 0o755 });
    chmodSync(join(r.run, String(me)), 0o755);
    assert.equal(handoffDir(me, r), join(r.tmp, `graphns-${me}`));
    chmodSync(join(r.run, String(me)), 0o700);
    assert.equal(handoffDir(me, r), join(r.run, String(me), 'graphns'));
    // another uid's runtime directory is not theirs to use as ours
    assert.equal(handoffDir(me + 1, r), join(r.tmp, `graphns-${me + 1}`));

    const dir = join(r.tmp, 'd');
    assert.match(unsafeDir(dir, me)!, /does not exist/);
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    assert.equal(unsafeDir(dir, me), undefined);
    assert.match(unsafeDir(dir, me + 1)!, new RegExp(`belongs to uid ${me}, not ${me + 1}`));
    chmodSync(dir, 0o750);
    assert.match(unsafeDir(dir, me)!, /open to others \(mode 750\)/);
    symlinkSync(dir, join(r.tmp, 'link'));
    assert.match(unsafeDir(join(r.tmp, 'link'), me)!, /symbolic link/);
    writeFileSync(join(r.tmp, 'file'), '');
    assert.match(unsafeDir(join(r.tmp, 'file'), me)!, /not a directory/);
  } finally {
    rmSync(r.base, { recursive: true, force: true });
  }
});

test('handoff: the display keys the socket; headless windows take part only when asked', () => {
  assert.equal(displayKey({ DISPLAY: ':0' }), displayKey({ DISPLAY: ':0', HOME: '/x' }));
  assert.notEqual(displayKey({ DISPLAY: ':0' }), displayKey({ DISPLAY: ':1' }));
  assert.notEqual(
    displayKey({ DISPLAY: ':0' }),
    displayKey({ DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' }),
  );
  assert.match(displayKey({}), /^[0-9a-f]{16}$/);
  assert.match(socketName(displayKey({}), 42), /^viewer-[0-9a-f]{16}-42\.sock$/);
  assert.equal(handoffEnabled({ DISPLAY: ':0' }, false), true);
  assert.equal(handoffEnabled({ WAYLAND_DISPLAY: 'wayland-0' }, false), true);
  assert.equal(handoffEnabled({ DISPLAY: ':0' }, true), false, 'a headless window');
  assert.equal(handoffEnabled({}, false), false, 'no display at all');
  assert.equal(handoffEnabled({ GRAPHNS_HANDOFF: '1' }, true), true, 'asked for (tests)');
});

test('handoff: the inbox keeps the latest snapshot for the page, or answers null in time', async () => {
  const inbox = new SnapshotInbox();
  const t0 = performance.now();
  assert.equal(await inbox.next(30), null);
  assert.ok(performance.now() - t0 >= 25, 'it waited');
  inbox.push({ name: 'a.json', text: 'A' });
  inbox.push({ name: 'b.json', text: 'B' });
  assert.deepEqual(await inbox.next(1000), { name: 'b.json', text: 'B' }, 'the latest one waits');
  const asked = inbox.next(5000);
  inbox.push({ name: 'c.json', text: 'C' });
  assert.deepEqual(await asked, { name: 'c.json', text: 'C' }, 'an asker gets it at once');
  const pending = inbox.next(60_000);
  inbox.close();
  assert.equal(await pending, null, 'closing answers every asker');
  inbox.push({ name: 'd.json', text: 'D' });
  assert.equal(await inbox.next(10), null, 'nothing kept once closed');
});

/** Send raw bytes to a socket and read its one-line answer. */
function rawExchange(path: string, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect(path, () => s.end(bytes));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (got += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
  });
}

test('handoff: a window listens in a private directory; a sender gets the text across', async () => {
  const r = scratchRoots();
  const got: { name: string; text: string }[] = [];
  let l: SnapshotListener | { problem: string } | undefined;
  try {
    l = await listenForSnapshots({
      uid: me,
      env: ON_DISPLAY,
      onSnapshot: (s) => got.push(s),
      roots: r,
    });
    assert.ok(!('problem' in l), JSON.stringify(l));
    const dir = join(r.tmp, `graphns-${me}`);
    assert.equal(l.path, join(dir, socketName(displayKey(ON_DISPLAY), process.pid)));
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the directory: the user alone');
    const sock = lstatSync(l.path);
    assert.ok(sock.isSocket());
    assert.equal(sock.mode & 0o777, 0o600, 'the socket: the user alone');

    // another display's sender finds no window; ours does, and the text arrives whole
    assert.deepEqual(handoffTargets(me, { DISPLAY: ':8' }, r), { sockets: [] });
    const text = `{"name":"caf\u00e9 \u202e","pad":"${'x'.repeat(300_000)}"}`;
    const sent = await handOver({
      uid: me,
      env: ON_DISPLAY,
      snapshot: { name: 'web1.json', text },
      roots: r,
    });
    assert.deepEqual(sent, { delivered: true, pid: process.pid });
    assert.deepEqual(got, [{ name: 'web1.json', text }]);

    // what the window refuses, and says why (nothing reaches the page)
    const header = (o: object) => `${JSON.stringify(o)}\n`;
    const cases: [string | Buffer, RegExp][] = [
      ['not json\n', /not JSON/],
      [header({ t: 'snapshot', name: '/etc/shadow', bytes: 1 }) + 'x', /without a directory/],
      [
        header({ t: 'snapshot', name: 'a.json', bytes: SNAPSHOT_MAX_BYTES + 1 }),
        /larger than 256 MiB/,
      ],
      [header({ t: 'snapshot', name: 'a.json', bytes: -1 }), /not a size/],
      [header({ t: 'snapshot', name: 'a.json', bytes: 2, path: '/etc' }) + 'xx', /expected/],
      [header({ t: 'snapshot', name: 'a.json', bytes: 2 }) + 'xyz', /more bytes/],
      [header({ t: 'snapshot', name: 'a.json', bytes: 10 }) + 'xy', /ended early/],
      ['x'.repeat(5000), /header line is too long/],
    ];
    for (const [bytes, why] of cases) {
      const answer = await rawExchange(l.path, bytes);
      assert.match(answer, why, String(bytes).slice(0, 80));
      assert.equal(JSON.parse(answer).ok, false);
    }
    assert.equal(got.length, 1, 'no refused snapshot reached the inbox');
  } finally {
    if (l && !('problem' in l)) l.close();
    rmSync(r.base, { recursive: true, force: true });
  }
});

test('handoff: a directory someone else made first is refused by both ends', async () => {
  const r = scratchRoots();
  try {
    // the window's user is `me + 1` here, and the directory is ours (someone else's to them)
    const other = me + 1;
    mkdirSync(join(r.tmp, `graphns-${other}`), { mode: 0o700 });
    const squat = await listenForSnapshots({
      uid: other,
      env: ON_DISPLAY,
      onSnapshot: () => assert.fail('nothing is taken'),
      roots: r,
    });
    assert.match((squat as { problem: string }).problem, /belongs to uid/);
    // and the sender does not send into it, though a squatter listens there
    const got: string[] = [];
    const trap = createServer((socket) => socket.on('data', (d: Buffer) => got.push(String(d))));
    const bait = join(r.tmp, `graphns-${other}`, socketName(displayKey(ON_DISPLAY), 4242));
    await new Promise<void>((resolve) => trap.listen(bait, resolve));
    const sent = await handOver({
      uid: other,
      env: ON_DISPLAY,
      snapshot: { name: 'secret.json', text: 'the victim’s snapshot' },
      roots: r,
    });
    trap.close();
    assert.equal(sent.delivered, false);
    assert.match((sent as { problem: string }).problem, /belongs to uid/);
    assert.deepEqual(got, [], 'not a byte sent');
  } finally {
    rmSync(r.base, { recursive: true, force: true });
  }
});

test('handoff: a window that is gone leaves a socket the next sender removes', async () => {
  const r = scratchRoots();
  try {
    const dir = join(r.tmp, `graphns-${me}`);
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    // a socket nobody listens on any more (its window was killed outright)
    const stale = join(dir, socketName(displayKey(ON_DISPLAY), 999_999));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(stale, resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Node removes a socket it closes itself: make one that stays, as a killed window leaves it
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(lstatSync(stale).isSocket(), 'the dead window left its socket');
    const sent = await handOver({
      uid: me,
      env: ON_DISPLAY,
      snapshot: { name: 'a.json', text: '{}' },
      roots: r,
    });
    assert.deepEqual(sent, { delivered: false });
    assert.equal(existsSync(stale), false, 'removed');
  } finally {
    rmSync(r.base, { recursive: true, force: true });
  }
});

test('handoff: a real second process hands its snapshot over', async () => {
  const r = scratchRoots();
  const got: { name: string; text: string }[] = [];
  const l = await listenForSnapshots({
    uid: me,
    env: ON_DISPLAY,
    onSnapshot: (s) => got.push(s),
    roots: r,
  });
  try {
    assert.ok(!('problem' in l));
    const script = `
      import { handOver } from ${JSON.stringify(new URL('../../main/shell/handoff.ts', import.meta.url).href)};
      const r = await handOver({ uid: ${me}, env: { DISPLAY: ':7' }, roots: ${JSON.stringify(r)},
        snapshot: { name: 'two.json', text: 'from pid ' + process.pid } });
      process.stdout.write(JSON.stringify(r));`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    await new Promise((resolve) => child.once('exit', resolve));
    assert.deepEqual(JSON.parse(out), { delivered: true, pid: process.pid });
    assert.deepEqual(got, [{ name: 'two.json', text: `from pid ${child.pid}` }]);
  } finally {
    if (!('problem' in l)) l.close();
    rmSync(r.base, { recursive: true, force: true });
  }
});
