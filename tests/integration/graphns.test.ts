/**
 * The graphns command as users run it: the built dist/app/graphns.js in a
 * child process. Usage errors, bad snapshots, refused output files, the
 * snapshot round trip (live --json, then --open gives the same drawing),
 * and a live scene of real namespaces with a hostile process name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import { modelToDot } from '../../main/emit';
import { escapeDisplay, parseModel, serializeModel } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { hostileModel } from '../unit/fixtures/dot-models';
import { readBy } from '../helpers/reads';
import { HANG_MS, needRoot, nsInode, Scene, unmetNeed } from '../helpers/scene';

const GRAPHNS = join(import.meta.dirname, '..', '..', 'dist', 'app', 'graphns.js');
const NATIVE_DOT = '/usr/bin/dot';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function graphns(...args: string[]): Run {
  const r = spawnSync(process.execPath, [GRAPHNS, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let snapshot: string;

before(() => {
  assert.ok(existsSync(GRAPHNS), `${GRAPHNS} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'graphns-cli-'));
  snapshot = join(dir, 'hostile.json');
  writeFileSync(snapshot, serializeModel(hostileModel(), 2));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh directory per test, so "nothing left behind" means an empty listing. */
function workdir(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

const noStack = (r: Run) => assert.doesNotMatch(r.stderr, /^\s+at /m, 'a stack trace');

test('usage errors exit 2 with a short usage on stderr', () => {
  const cases = [
    ['--bogus'],
    ['stray'],
    ['--dot', '--json'],
    ['--json', '-o', '-'],
    ['--output'],
    ['-x', '--dot'],
  ];
  for (const args of cases) {
    const r = graphns(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^graphns: .+\nusage: graphns /);
    assert.equal(r.stdout, '');
    noStack(r);
  }
});

test('--help prints the flags and exits 0', () => {
  const r = graphns('--help');
  assert.equal(r.status, 0);
  for (const flag of ['--dot', '--json', '--output', '--details', '--open']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('--shell takes electron or browser, and only for the viewer', () => {
  for (const args of [
    ['--shell', 'firefox'],
    ['--shell', 'browser', '--dot'],
    ['--shell', 'electron', '-o', 'x.svg'],
  ]) {
    const r = graphns('--open', snapshot, ...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /--shell/);
    assert.match(r.stderr, /usage: graphns/);
  }
});

test('--dot of a snapshot is the DOT of its model, and native dot accepts it', (t) => {
  const r = graphns('--open', snapshot, '--dot', '-d');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, modelToDot(parseModel(readFileSync(snapshot, 'utf8')), { details: true }));
  if (!existsSync(NATIVE_DOT))
    return t.skip(unmetNeed('native Graphviz is missing (apt-get install graphviz)'));
  const d = spawnSync(NATIVE_DOT, ['-Tsvg'], { input: r.stdout, encoding: 'utf8' });
  assert.equal(d.status, 0, d.stderr);
});

const BAD: [what: string, text: string, says: RegExp][] = [
  ['not JSON', '{"format": "graphns-model", ', /not valid JSON/],
  [
    'another format',
    JSON.stringify({ format: 'lsns', version: 1 }),
    /format: expected "graphns-model"/,
  ],
  ['another version', JSON.stringify({ format: 'graphns-model', version: 99 }), /version 99/],
  [
    'a malformed field',
    serializeModel(hostileModel()).replace('"ino":4026531837', '"ino":-5'),
    /namespaces\[\d+\]\.ino: not a non-negative integer/,
  ],
  [
    'a dangling reference',
    serializeModel(hostileModel()).replace(/"owner":"user:4026531837"/, '"owner":"user:1"'),
    /refers to user:1, which is not in the model/,
  ],
];

for (const [what, text, says] of BAD) {
  test(`a snapshot with ${what} is rejected: exit 1, a clear message, nothing written`, () => {
    const d = workdir(`bad-${what.replace(/\W+/g, '-')}`);
    const bad = join(d, 'bad.json');
    writeFileSync(bad, text);
    const r = graphns('--open', bad, '--output', join(d, 'x.svg'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, says);
    assert.match(r.stderr, /is not a usable graphns snapshot/);
    noStack(r);
    assert.deepEqual(readdirSync(d), ['bad.json']);
  });
}

test('a missing snapshot is a one-line error', () => {
  const r = graphns('--open', join(dir, 'nope.json'), '--dot');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read snapshot .*nope\.json: no such file/);
  noStack(r);
});

test('--output writes the SVG and leaves no temporary file', () => {
  const d = workdir('out');
  const r = graphns('--open', snapshot, '-d', '--output', join(d, 'g.svg'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(d), ['g.svg']);
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    readFileSync(join(d, 'g.svg'), 'utf8'),
    'image/svg+xml',
  );
  assert.equal(doc.documentElement?.tagName, 'svg');
});

test('--output - writes the SVG to stdout', () => {
  const r = graphns('--open', snapshot, '-o', '-');
  assert.equal(r.status, 0, r.stderr);
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    r.stdout,
    'image/svg+xml',
  );
  assert.equal(doc.documentElement?.tagName, 'svg');
});

test('--output over an existing file keeps its mode; through a symlink it replaces the target', () => {
  const d = workdir('overwrite');
  const file = join(d, 'g.svg');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  assert.equal(graphns('--open', snapshot, '--output', file).status, 0);
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.match(readFileSync(file, 'utf8'), /<svg/);
  symlinkSync('g.svg', join(d, 'link.svg'));
  writeFileSync(file, 'old again');
  assert.equal(graphns('--open', snapshot, '--output', join(d, 'link.svg')).status, 0);
  assert.match(readFileSync(file, 'utf8'), /<svg/);
  assert.deepEqual(readdirSync(d).sort(), ['g.svg', 'link.svg']);
});

test('--output refuses a directory, a fifo and a symlink to a fifo, leaving nothing behind', () => {
  const d = workdir('refuse');
  mkdirSync(join(d, 'adir.svg'));
  const mk = spawnSync('mkfifo', [join(d, 'fifo.svg')]);
  assert.equal(mk.status, 0, String(mk.stderr));
  symlinkSync('fifo.svg', join(d, 'tofifo.svg'));
  const before = readdirSync(d).sort();
  for (const [target, kind] of [
    ['adir.svg', 'a directory'],
    ['fifo.svg', 'a fifo'],
    ['tofifo.svg', 'a fifo'],
  ]) {
    const r = graphns('--open', snapshot, '--output', join(d, target!));
    assert.equal(r.status, 1, `${target}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`refusing to overwrite .*${target}: it is ${kind}`));
    noStack(r);
  }
  assert.deepEqual(readdirSync(d).sort(), before);
  assert.deepEqual(readdirSync(join(d, 'adir.svg')), []);
});

test('a refused --output is refused before any scan or snapshot read', () => {
  const d = workdir('early');
  mkdirSync(join(d, 'adir.svg'));
  const r = graphns('--open', join(d, 'missing.json'), '--output', join(d, 'adir.svg'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refusing to overwrite .*adir\.svg: it is a directory/);
  assert.doesNotMatch(r.stderr, /missing\.json/);
});

test('an unwritable output directory is a one-line error', () => {
  const r = graphns('--open', snapshot, '--output', join(dir, 'no', 'such', 'dir', 'x.svg'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot write .*x\.svg: no such directory \(ENOENT\)/);
  noStack(r);
});

test('a full disk mid-write fails cleanly: exit 1, no temporary file, the old file intact', (t) => {
  if (needRoot) return t.skip(needRoot);
  const d = workdir('full');
  const big = join(d, 'big.json');
  writeFileSync(big, serializeModel(syntheticModel(1000)));
  // a 64 KiB tmpfs in a private mount namespace: the SVG (about 1 MB) cannot fit
  const script = [
    'set -e',
    'mount -t tmpfs -o size=64k tmpfs "$1"',
    'echo old > "$1/g.svg"',
    'set +e',
    `"${process.execPath}" "${GRAPHNS}" --open "$2" -d --output "$1/g.svg"`,
    'echo "rc=$?"',
    'ls -A "$1"',
    'cat "$1/g.svg"',
  ].join('\n');
  const mnt = join(d, 'mnt');
  mkdirSync(mnt);
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', mnt, big],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /cannot write .*g\.svg: no space left on device \(ENOSPC\)/);
  assert.equal(r.stdout, 'rc=1\ng.svg\nold\n');
});

test('a big layout says so on a terminal, and nothing when stderr is not one', (t) => {
  const d = workdir('progress');
  const big = join(d, 'big.json');
  writeFileSync(big, serializeModel(syntheticModel(3000)));
  const quiet = graphns('--open', big, '-d', '--output', join(d, 'quiet.svg'));
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  if (!existsSync('/usr/bin/script'))
    return t.skip(unmetNeed('script(1) is missing (apt-get install bsdutils)'));
  // script(1) runs the command on a pseudo-terminal, so stderr is a TTY
  const cmd = [process.execPath, GRAPHNS, '--open', big, '-d', '--output', join(d, 'tty.svg')]
    .map((a) => `'${a}'`)
    .join(' ');
  const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /graphns: laying out 3000 namespaces/);
});

test('snapshot round trip: live --json, then --open draws the same graph', () => {
  const d = workdir('roundtrip');
  // one live scan gives both the JSON and the drawing, so both see the same system
  const live = graphns('--json', '-d', '--output', join(d, 'live.svg'));
  assert.equal(live.status, 0, live.stderr);
  writeFileSync(join(d, 'snap.json'), live.stdout);
  const again = graphns('--open', join(d, 'snap.json'), '-d', '--output', join(d, 'snap.svg'));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(
    readFileSync(join(d, 'snap.svg'), 'utf8'),
    readFileSync(join(d, 'live.svg'), 'utf8'),
  );
  // and the snapshot is a fixed point of --open --json (same data; key order may differ)
  const json = graphns('--open', join(d, 'snap.json'), '--json');
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(live.stdout));
  const dot1 = graphns('--open', join(d, 'snap.json'), '--dot');
  const dot2 = graphns('--open', join(d, 'snap.json'), '--dot');
  assert.equal(dot1.stdout, dot2.stdout);
  assert.equal(dot1.stdout, modelToDot(parseModel(live.stdout), { details: false }));
});

test('live scene: namespaces made with unshare, with a hostile process name', async (t) => {
  if (needRoot) return t.skip(needRoot);
  const scene = new Scene();
  t.after(() => scene.teardown());
  // bash's $'...' makes the bytes spawn() cannot pass: a quote, markup, \N, an invalid
  // UTF-8 byte, ESC and a newline, all in argv[0] of the process that labels the PID ns
  const script = String.raw`exec -a $'ev\"il <b>&amp;\\N \xff\x1b\n' sleep 1000`;
  const p = await scene.start(
    ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--net', 'bash', '-c', script],
    'sleep',
  );
  const d = workdir('live');
  const r = graphns('-d', '--json', '--output', join(d, 'live.svg'));
  assert.equal(r.status, 0, r.stderr);
  const model = parseModel(r.stdout);
  const pidKey = `pid:${nsInode(p.pid, 'pid')}`;
  const userKey = `user:${nsInode(p.pid, 'user')}`;
  const netKey = `net:${nsInode(p.pid, 'net')}`;
  const pidNs = model.namespaces.find((n) => n.key === pidKey);
  assert.ok(pidNs, `${pidKey} was not discovered`);
  const name = 'ev"il <b>&amp;\\N \udcff\x1b\n';
  assert.equal(pidNs.label?.name, name);
  assert.equal(pidNs.owner, userKey);
  assert.ok(model.namespaces.some((n) => n.key === netKey));

  const svg = readFileSync(join(d, 'live.svg'), 'utf8');
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    svg,
    'image/svg+xml',
  );
  const texts = Array.from(doc.getElementsByTagName('text')).map((e) =>
    (e.textContent ?? '').replace(/\u00a0/g, ' '),
  );
  assert.ok(texts.includes(escapeDisplay(name)), 'the hostile name is not a text of its own');
  for (const key of [pidKey, userKey, netKey]) {
    const [type, ino] = key.split(':');
    assert.ok(
      texts.some((s) => s.includes(`${type}:[${ino}]`) || s.includes(`[${ino}]`)),
      `${key} is not in the SVG`,
    );
  }
  assert.equal(doc.getElementsByTagName('b').length, 0, 'markup from the name became an element');
  assert.equal(doc.getElementsByTagName('script').length, 0);

  // the same scene's DOT is also good for Debian's native Graphviz
  if (!existsSync(NATIVE_DOT))
    return t.skip(
      unmetNeed(`native Graphviz (${NATIVE_DOT}) is missing (apt-get install graphviz)`),
    );
  writeFileSync(join(d, 'live.json'), r.stdout);
  const dot = graphns('--open', join(d, 'live.json'), '-d', '--dot');
  assert.equal(dot.status, 0, dot.stderr);
  // the live host may hold a thousand namespaces of other work: more than the default 1 MiB
  // of SVG, past which spawnSync kills dot (status null)
  const native = spawnSync(NATIVE_DOT, ['-Tsvg'], {
    input: dot.stdout,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  assert.equal(native.status, 0, native.stderr);
  assert.equal(native.stderr, '');
});

/**
 * graphns with a time limit only against a hang (a hang is a failure, not a
 * stuck run; a slow machine is neither), stdin and stdout as given: an fd,
 * or `input` for stdin through a pipe.
 */
function graphnsIo(
  args: string[],
  io: { stdin?: number; stdout?: number; input?: string | Buffer } = {},
): Run {
  const r = spawnSync(process.execPath, [GRAPHNS, ...args], {
    stdio: [io.stdin ?? 'pipe', io.stdout ?? 'pipe', 'pipe'],
    input: io.input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: HANG_MS,
  });
  assert.equal(r.error, undefined, `graphns ${args.join(' ')}: ${r.error?.message}`);
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
}

/** Open `path` for the child's stdin or stdout, closing our copy after. */
function withFd<T>(path: string, flags: string, f: (fd: number) => T): T {
  const fd = openSync(path, flags);
  try {
    return f(fd);
  } finally {
    closeSync(fd);
  }
}

/** Exactly one line on stderr (escaped: no control character), exit 1. */
function failsInOneLine(r: Run, says: RegExp, what: string): void {
  assert.equal(r.status, 1, `${what}: ${r.stderr}`);
  assert.match(r.stderr, /^graphns: [^\n]*\n$/, `${what}: not one line`);
  assert.doesNotMatch(r.stderr.slice(0, -1), /[\x00-\x1f\x7f]/, `${what}: a raw control character`);
  assert.match(r.stderr, says, what);
}

test('stdout on /dev/full: cannot write output: ENOSPC, exit 1, for --dot, -J and -o -', () => {
  for (const args of [['--dot'], ['-J'], ['-o', '-'], ['--help']]) {
    const r = withFd('/dev/full', 'w', (fd) =>
      graphnsIo(['--open', snapshot, ...args], { stdout: fd }),
    );
    failsInOneLine(r, /^graphns: cannot write output: ENOSPC/, args.join(' '));
  }
  // and live, with discovery's warnings before it
  const live = withFd('/dev/full', 'w', (fd) => graphnsIo(['--dot'], { stdout: fd }));
  assert.equal(live.status, 1, live.stderr);
  assert.match(live.stderr, /^graphns: cannot write output: ENOSPC[^\n]*\n$/m);
});

test('a reader that goes away is not an error: exit 0, nothing said', () => {
  for (const args of [['--dot'], ['-J'], ['-o', '-']]) {
    // `true` has exited before graphns writes; the status is graphns's own
    const pipeline = `"${process.execPath}" "${GRAPHNS}" --open "${snapshot}" ${args.join(' ')} | true`;
    const r = spawnSync('bash', ['-c', `${pipeline}; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
      timeout: HANG_MS,
    });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  }
});

test('--open refuses what is not a regular file or is too large, unread and in one line', (t) => {
  const d = workdir('open-refused');
  const fifo = join(d, 'fifo.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  mkdirSync(join(d, 'adir.json'));
  symlinkSync('/dev/zero', join(d, 'zero.json'));
  const big = join(d, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 256 * 1024 * 1024 + 1); // sparse: no disk used
  const cases: [path: string, says: RegExp][] = [
    ['/dev/zero', /cannot read snapshot \/dev\/zero: not a regular file \(a character device\)/],
    ['/dev/full', /cannot read snapshot \/dev\/full: not a regular file \(a character device\)/],
    [join(d, 'zero.json'), /zero\.json: not a regular file \(a character device\)/],
    [fifo, /fifo\.json: not a regular file \(a fifo\)/],
    [join(d, 'adir.json'), /adir\.json: not a regular file \(a directory\)/],
    [join(d, 'nope.json'), /nope\.json: no such file or directory/],
    [big, /big\.json: larger than 256 MiB, the limit for a snapshot/],
  ];
  for (const [path, says] of cases) {
    // --dot, and the viewer path: the snapshot is read before any window opens
    for (const flags of [['--dot'], ['-o', join(d, 'x.svg')], []]) {
      // a hang (a fifo waited on, /dev/zero read for ever) is graphnsIo's failure
      const r = graphnsIo(['--open', path, ...flags]);
      failsInOneLine(r, says, `${path} ${flags.join(' ')}`);
    }
  }
  // the big one is refused from its size: not a byte of it read
  for (const flags of [['--dot'], ['-o', join(d, 'x.svg')], []]) {
    const { read } = readBy(big, () => graphnsIo(['--open', big, ...flags]));
    if (read === 'unknown') t.diagnostic(`${big}: this mount keeps no access times`);
    else assert.equal(read, false, `graphns read ${big} ${flags.join(' ')} before refusing it`);
  }
  assert.deepEqual(readdirSync(d).sort(), ['adir.json', 'big.json', 'fifo.json', 'zero.json']);
});

test('--open - reads the snapshot from stdin: a redirected file or a pipe', () => {
  const want = modelToDot(parseModel(readFileSync(snapshot, 'utf8')), { details: true });
  const file = withFd(snapshot, 'r', (fd) =>
    graphnsIo(['--open', '-', '--dot', '-d'], { stdin: fd }),
  );
  assert.equal(file.status, 0, file.stderr);
  assert.equal(file.stdout, want);
  const pipe = graphnsIo(['--open', '-', '--dot', '-d'], { input: readFileSync(snapshot) });
  assert.equal(pipe.status, 0, pipe.stderr);
  assert.equal(pipe.stdout, want);
  const empty = graphnsIo(['--open', '-', '--dot'], { input: '' });
  failsInOneLine(
    empty,
    /^graphns: stdin is not a usable graphns snapshot: not valid JSON/,
    'empty',
  );
});

test('--open - over the limit is refused: a big file unread, a pipe after 256 MiB', (t) => {
  const d = workdir('stdin-big');
  const big = join(d, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 256 * 1024 * 1024 + 1);
  const says =
    /^graphns: cannot read snapshot from stdin: larger than 256 MiB, the limit for a snapshot\n$/;
  const { result: file, read } = readBy(big, () =>
    withFd(big, 'r', (fd) => graphnsIo(['--open', '-', '--dot'], { stdin: fd })),
  );
  failsInOneLine(file, says, 'a big file');
  if (read === 'unknown') t.diagnostic(`${big}: this mount keeps no access times`);
  else assert.equal(read, false, 'a big file on stdin is refused from its size, not read');
  const zero = withFd('/dev/zero', 'r', (fd) => graphnsIo(['--open', '-', '--dot'], { stdin: fd }));
  failsInOneLine(zero, says, '/dev/zero');
  const pipe = spawnSync(
    'bash',
    [
      '-c',
      `head -c 300M /dev/zero | "${process.execPath}" "${GRAPHNS}" --open - --dot; exit \${PIPESTATUS[1]}`,
    ],
    { encoding: 'utf8', timeout: HANG_MS },
  );
  failsInOneLine({ status: pipe.status, stdout: pipe.stdout, stderr: pipe.stderr }, says, 'a pipe');
});

test('hostile snapshot values: one escaped line each, no stack trace', () => {
  const d = workdir('hostile-values');
  const good = serializeModel(hostileModel());
  const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const cases: [what: string, text: string | Buffer, says: RegExp][] = [
    ['deep format', `{"format":${nested}}`, /format: expected "graphns-model", found an array/],
    [
      'deep version',
      `{"format":"graphns-model","version":${nested}}`,
      /version: .*is version an array of 1 item/,
    ],
    ['deep host', good.replace(/"host":\{[^}]*\}/, `"host":${nested}`), /host: not an object/],
    ['deep root', nested, /snapshot: not an object/],
    [
      'a huge string',
      `{"format":"${'x'.repeat(20_000_000)}"}`,
      /found "x{40}\.\.\." \(20000000 characters\)$/m,
    ],
    [
      'control characters in a string',
      '{"format":"\\u001b[2J\\n\\r\\u2028\\u202e"}',
      /found "\\x1b\[2J\\n\\r\\u\{2028\}\\u\{202e\}"$/m,
    ],
    [
      'invalid UTF-8 bytes and raw control characters',
      Buffer.concat([
        Buffer.from('{"format": "'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('", "version": \x1b[2J\n}'),
      ]),
      /not valid JSON: .*\\x1b\[2J\\n/,
    ],
  ];
  for (const [what, text, says] of cases) {
    const file = join(d, 'bad.json');
    writeFileSync(file, text);
    const r = graphnsIo(['--open', file, '--dot']);
    failsInOneLine(r, says, what);
    assert.match(r.stderr, /is not a usable graphns snapshot/, what);
    assert.ok(r.stderr.length < 500, `${what}: ${r.stderr.length} characters`);
  }
});
