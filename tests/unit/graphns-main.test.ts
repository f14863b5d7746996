/**
 * graphns's main(argv, io) imported and called in this process, with
 * streams that capture what it prints: usage errors, --open of real files
 * that are not snapshots, stdin, and a real /dev/full as stdout. Importing
 * the module must run nothing. The built command as a whole process is
 * tests/integration/graphns.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main, type Io } from '../../app/graphns-main';
import { SNAPSHOT_MAX_BYTES } from '../../app/snapshot';
import { modelToDot } from '../../main/emit';
import { serializeModel } from '../../main/model';
import { hostileModel } from './fixtures/dot-models';

/** A stream that keeps what is written to it. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function graphns(argv: string[], stdin?: Io['stdin'], stdout?: Writable): Promise<Result> {
  const out = new Capture();
  const err = new Capture();
  const code = await main(argv, { stdout: stdout ?? out, stderr: err, stdin });
  return { code, stdout: out.text, stderr: err.text };
}

/** One line on stderr, `graphns: ` first, no stack trace. */
function oneLine(r: Result, says: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^graphns: [^\n]+\n$/);
  assert.match(r.stderr, says);
}

let dir: string;
let snapshot: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphns-main-'));
  snapshot = join(dir, 'snap.json');
  writeFileSync(snapshot, serializeModel(hostileModel()));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('importing the module ran nothing and set no exit code', () => {
  assert.equal(process.exitCode, undefined);
});

test('usage errors: exit 2, the reason and the usage on stderr, nothing on stdout', async () => {
  for (const argv of [
    ['--bogus'],
    ['stray'],
    ['--dot', '--json'],
    ['--json', '-o', '-'],
    ['--open'],
    ['--open', ''],
    ['--shell', 'firefox'],
    ['--shell', 'browser', '--dot'],
  ]) {
    const r = await graphns(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^graphns: [^\n]+\nusage: graphns [^\n]+\n$/, argv.join(' '));
  }
});

test('--help: exit 0, the flags, the snapshot limit and the exit codes on stdout', async () => {
  const r = await graphns(['--help']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  for (const s of ['--dot', '--json', '--output', '--open', '--shell', '256 MiB', 'Exit codes']) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test('--open of a snapshot prints its DOT', async () => {
  const r = await graphns(['--open', snapshot, '--dot', '-d']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, modelToDot(hostileModel(), { details: true }));
});

test('--open of what is not a readable regular file: one line, exit 1', async () => {
  const d = join(dir, 'adir');
  mkdirSync(d);
  const big = join(dir, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, SNAPSHOT_MAX_BYTES + 1); // sparse: costs no disk
  const cases: [string, RegExp][] = [
    [join(dir, 'nope.json'), /cannot read snapshot .*nope\.json: no such file/],
    [d, /cannot read snapshot .*adir: not a regular file \(a directory\)/],
    [big, /cannot read snapshot .*big\.json: larger than 256 MiB, the limit for a snapshot/],
  ];
  for (const [path, says] of cases) {
    oneLine(await graphns(['--open', path, '--dot']), says);
    // the viewer reads the snapshot before any window opens: the same error, no window
    oneLine(await graphns(['--open', path]), says);
  }
});

test('a bad snapshot names what is wrong, in one escaped line', async () => {
  const bad = join(dir, 'bad.json');
  const deep = 100_000;
  writeFileSync(bad, `{"format":${'['.repeat(deep)}${']'.repeat(deep)}}`);
  oneLine(
    await graphns(['--open', bad, '--json']),
    /bad\.json is not a usable graphns snapshot: format: expected "graphns-model", found an array of 1 item$/m,
  );
  // a JSON escape for ESC, a raw U+2028 (valid in a JSON string)
  writeFileSync(bad, '{"format": "gr\\u001baphns\u2028"}');
  oneLine(await graphns(['--open', bad, '--dot']), /found "gr\\x1baphns\\u\{2028\}"$/m);
  // raw ESC and a line break where JSON has no place for them: quoted by the parser's message
  writeFileSync(bad, '{"format": \x1b[2J\n}');
  oneLine(await graphns(['--open', bad, '--dot']), /not valid JSON: .*\\x1b/);
});

test('--open - reads the snapshot from stdin', async () => {
  const text = serializeModel(hostileModel());
  const r = await graphns(
    ['--open', '-', '--dot'],
    Readable.from([text.slice(0, 100), text.slice(100)]),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, modelToDot(hostileModel(), { details: false }));
  oneLine(
    await graphns(['--open', '-', '--dot'], Readable.from(['{"format": 1}'])),
    /^graphns: stdin is not a usable graphns snapshot: format: expected "graphns-model", found 1$/m,
  );
});

test('--open - refuses a terminal on stdin instead of waiting for typing', async () => {
  const tty = Object.assign(Readable.from([]), { isTTY: true });
  oneLine(await graphns(['--open', '-', '--dot'], tty), /stdin is a terminal/);
  // and a caller that gave no stdin at all does not get this process's
  oneLine(await graphns(['--open', '-', '--dot']), /given no stdin/);
});

test('stdout on /dev/full: cannot write output: ENOSPC, exit 1', async () => {
  for (const argv of [['--open', snapshot, '--dot'], ['--open', snapshot, '-J'], ['--help']]) {
    const full = createWriteStream('/dev/full');
    const r = await graphns(argv, undefined, full);
    full.destroy();
    assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, 'graphns: cannot write output: ENOSPC (no space left on device)\n');
  }
});
