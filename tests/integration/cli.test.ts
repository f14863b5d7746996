/**
 * lsuserns and lspidns as whole processes on a live scene; trees are read
 * back into parent relations and checked against the /proc links.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { parseModel } from '../../main/model';
import { bin, runBin } from '../helpers/bins';
import { Scene, needRoot, nsInode, type SceneProcess } from '../helpers/scene';

const ID_RE = /(user|pid|net|uts|ipc|mnt|cgroup|time):\[(\d+)\]/;

/** Read a tree back: for each `type:[id]` line its depth and the id of its tree parent. */
function parseTree(text: string): Map<string, { depth: number; parent?: string; line: string }> {
  const out = new Map<string, { depth: number; parent?: string; line: string }>();
  const stack: string[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const m = ID_RE.exec(line);
    assert.ok(m, `line without a namespace: ${JSON.stringify(line)}`);
    const prefix = line.slice(0, m.index);
    assert.match(
      prefix,
      /^( ((│ {3}| {4})*(├── |└── )))?$/,
      `bad tree prefix ${JSON.stringify(prefix)}`,
    );
    const depth = prefix === '' ? 0 : (prefix.length - 1) / 4;
    stack.length = depth;
    const id = `${m[1]}:${m[2]}`;
    out.set(id, { depth, parent: depth > 0 ? stack[depth - 1] : undefined, line });
    stack.push(id);
  }
  return out;
}

const k = (pid: number | 'self', type: string) => `${type}:${nsInode(pid, type)}`;

describe('lsuserns and lspidns', { skip: needRoot }, () => {
  const scene = new Scene();
  let userNet: SceneProcess;
  let nested: SceneProcess;
  let nobodyOwned: SceneProcess;
  let hostile: SceneProcess;
  let pidChild: SceneProcess;

  before(async () => {
    userNet = await scene.start(['unshare', '-Urnu', 'sleep', 'infinity']);
    nested = await scene.start(['unshare', '-Ur', 'unshare', '-Ur', 'sleep', 'infinity']);
    nobodyOwned = await scene.start([
      'setpriv',
      '--reuid=54321',
      '--regid=54321',
      '--clear-groups',
      'unshare',
      '-U',
      'sleep',
      'infinity',
    ]);
    hostile = await scene.start([
      'unshare',
      '-Ur',
      'bash',
      '-c',
      `exec -a $'evil\\nuser:[1] "x"\\x1b[2J' sleep infinity`,
    ]);
    pidChild = await scene.start(['unshare', '-pf', 'sleep', 'infinity']);
  });
  after(() => scene.teardown());

  test('lsuserns draws the user hierarchy the kernel has', () => {
    const r = runBin('lsuserns', []);
    assert.equal(r.status, 0, r.stderr);
    const tree = parseTree(r.stdout);
    const root = k('self', 'user');
    assert.equal(tree.get(root)?.depth, 0);
    const child = tree.get(k(userNet.pid, 'user'))!;
    assert.equal(child.parent, root);
    assert.match(
      child.line,
      new RegExp(`process "sleep \\(${userNet.pid}\\)" owner root \\(0\\)$`),
    );
    // the nested pair: the inner one hangs under a hidden one, which hangs under root
    const inner = tree.get(k(nested.pid, 'user'))!;
    const middle = tree.get(inner.parent!)!;
    assert.equal(middle.parent, root);
    assert.match(middle.line, /\(hidden\) owner root \(0\)$/);
    assert.match(tree.get(k(nobodyOwned.pid, 'user'))!.line, / owner 54321 \(54321\)$/);
    assert.doesNotMatch(r.stdout, /\x1b/, 'no colour when not asked and not a TTY');
  });

  test('a hostile name stays on its line, escaped', () => {
    const r = runBin('lsuserns', []);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, parseTree(r.stdout).size, 'one namespace per line');
    const line = parseTree(r.stdout).get(k(hostile.pid, 'user'))!.line;
    assert.ok(line.includes(`process "evil\\nuser:[1] \\"x\\"\\x1b[2J (${hostile.pid})"`), line);
    assert.doesNotMatch(r.stdout, /\x1b/);
  });

  test('lsuserns -d lists owned namespaces under their user namespace', () => {
    const r = runBin('lsuserns', ['-d']);
    assert.equal(r.status, 0, r.stderr);
    const tree = parseTree(r.stdout);
    for (const t of ['net', 'uts'])
      assert.equal(tree.get(k(userNet.pid, t))?.parent, k(userNet.pid, 'user'), t);
    for (const t of ['mnt', 'ipc', 'cgroup', 'pid', 'net', 'uts', 'time']) {
      assert.equal(tree.get(k('self', t))?.parent, k('self', 'user'), t);
    }
  });

  test('lspidns draws the PID hierarchy with owners', () => {
    const r = runBin('lspidns', []);
    assert.equal(r.status, 0, r.stderr);
    const tree = parseTree(r.stdout);
    const child = tree.get(k(pidChild.pid, 'pid'))!;
    assert.equal(child.parent, k('self', 'pid'));
    assert.ok(child.line.endsWith(`owner user:[${nsInode('self', 'user')}] root (0)`), child.line);
  });

  test('-c colours, -J prints the model', () => {
    assert.match(runBin('lsuserns', ['-c']).stdout, /\x1b\[33muser:\[/);
    assert.match(runBin('lspidns', ['--color']).stdout, /\x1b\[35mpid:\[/);
    for (const cmd of ['lsuserns', 'lspidns'] as const) {
      const r = runBin(cmd, ['--json']);
      assert.equal(r.status, 0);
      const m = parseModel(r.stdout);
      assert.ok(m.namespaces.some((n) => n.key === k(userNet.pid, 'net')));
      assert.ok(m.processes.some((p) => p.pid === hostile.pid && p.name.startsWith('evil\nuser')));
    }
  });

  test('bad usage: short usage on stderr, exit 2, no stack trace', () => {
    for (const [cmd, args] of [
      ['lsuserns', ['--bogus']],
      ['lsuserns', ['stray']],
      ['lspidns', ['-d']],
      ['lspidns', ['-J', 'x']],
    ] as const) {
      const r = runBin(cmd, [...args]);
      assert.equal(r.status, 2, `${cmd} ${args}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Usage: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(runBin('lsuserns', ['-h']).status, 0);
  });

  test('a closed pipe is not an error', () => {
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${bin('lsuserns')}" -d | head -c 1 >/dev/null`],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  });

  test('unprivileged: says the view may be incomplete, exit 0', (t) => {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    if (spawnSync(nobody[0]!, [...nobody.slice(1), 'test', '-r', bin('lsuserns')]).status !== 0) {
      t.skip('the built files are not readable by nobody in this checkout location');
      return;
    }
    const r = runBin('lsuserns', [], nobody);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /not running as root: namespaces of other users may be missing/);
    assert.match(r.stdout, /^user:\[\d+\] /);
  });
});

describe('lsuserns and lspidns output errors', () => {
  /** Run a built command with stdout on /dev/full (every write fails with ENOSPC). */
  const toFull = (cmd: 'lsuserns' | 'lspidns', args: string[]) => {
    const full = openSync('/dev/full', 'w');
    try {
      return spawnSync(process.execPath, [bin(cmd), ...args], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
    } finally {
      closeSync(full);
    }
  };

  test('stdout on /dev/full: cannot write output: ENOSPC, exit 1', () => {
    for (const cmd of ['lsuserns', 'lspidns'] as const) {
      for (const args of [[], ['--json'], ['--help']]) {
        const r = toFull(cmd, args);
        const what = `${cmd} ${args.join(' ')}`;
        assert.equal(r.status, 1, `${what}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^${cmd}: cannot write output: ENOSPC`, 'm'), what);
        assert.equal(r.stderr.match(/cannot write output/g)?.length, 1, 'said once');
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
      }
    }
  });

  test('a reader that goes away is not an error: exit 0, nothing said', () => {
    for (const cmd of ['lsuserns', 'lspidns'] as const) {
      // `true` is gone long before the scan ends, so the first write meets EPIPE;
      // the status is the command's own (PIPESTATUS), not the reader's
      const pipeline = `"${process.execPath}" "${bin(cmd)}" --json | true`;
      const r = spawnSync('bash', ['-c', `${pipeline}; exit \${PIPESTATUS[0]}`], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|cannot write/);
    }
  });
});
