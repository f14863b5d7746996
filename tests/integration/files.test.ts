/**
 * main/files against the real things: devices, a fifo with no writer, a
 * listening unix socket, sparse files, a file another user cannot read,
 * symbolic links planted by another user in a sticky world-writable
 * directory. Reads that a bug would turn into a hang run in a child
 * process with a timeout, so a regression fails instead of freezing the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileReadError, readRegularFile } from '../../main/files';

const root = new URL('../..', import.meta.url).pathname;
const readModule = join(root, 'main/files/read.ts');
const isRoot = process.geteuid?.() === 0;

function scratch(mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), 'graphns-files-'));
  chmodSync(d, mode);
  return d;
}

/** The FileReadError message readRegularFile(path, max) gives, or undefined when it reads. */
function readError(path: string, max: number): string | undefined {
  try {
    readRegularFile(path, max);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof FileReadError, `not a FileReadError: ${String(err)}`);
    assert.equal(err.name, 'FileReadError');
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
}

/**
 * readRegularFile in a fresh Node (optionally as another user), killed after
 * 10 s: prints the message of the error, or "read N" for the bytes read.
 */
function readInChild(path: string, max: number, asUser: string[] = []) {
  const code =
    `import(${JSON.stringify(readModule)}).then((m) => {` +
    `try { console.log('read ' + m.readRegularFile(${JSON.stringify(path)}, ${max}).length); }` +
    `catch (e) { console.log(e.name + ': ' + e.message); } });`;
  const node = [process.execPath, '--import', 'tsx', '-e', code];
  const [cmd, ...args] = asUser.length ? ['setpriv', ...asUser, ...node] : node;
  const t0 = Date.now();
  const r = spawnSync(cmd!, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { out: r.stdout.trim(), err: r.stderr, signal: r.signal, ms: Date.now() - t0 };
}

test('devices are refused without reading them (a bug would read /dev/zero forever)', () => {
  for (const dev of ['/dev/zero', '/dev/full', '/dev/null']) {
    const r = readInChild(dev, 1 << 20);
    assert.equal(r.signal, null, `${dev}: killed after ${r.ms} ms (hung)`);
    assert.equal(
      r.out,
      `FileReadError: cannot read ${dev}: not a regular file (a character device)`,
    );
  }
});

test('a fifo with no writer is refused at once, never waited on', () => {
  const d = scratch();
  try {
    const fifo = join(d, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const r = readInChild(fifo, 1 << 20);
    assert.equal(r.signal, null, `killed after ${r.ms} ms (blocked on the fifo)`);
    assert.equal(r.out, `FileReadError: cannot read ${fifo}: not a regular file (a fifo)`);
    // and in this process: returns promptly too
    const t0 = Date.now();
    assert.match(readError(fifo, 100) ?? '', /not a regular file \(a fifo\)$/);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a symbolic link is followed: to /dev/zero refused, to a regular file read', () => {
  const d = scratch();
  try {
    symlinkSync('/dev/zero', join(d, 'zero.json'));
    const r = readInChild(join(d, 'zero.json'), 1 << 20);
    assert.equal(r.signal, null, `killed after ${r.ms} ms (hung)`);
    assert.match(r.out, /zero\.json: not a regular file \(a character device\)$/);
    writeFileSync(join(d, 'real.json'), '{"a":1}');
    symlinkSync('real.json', join(d, 'link.json'));
    assert.equal(readRegularFile(join(d, 'link.json'), 100).toString(), '{"a":1}');
    symlinkSync('nowhere', join(d, 'dangling'));
    assert.match(
      readError(join(d, 'dangling'), 100) ?? '',
      /dangling: no such file or directory \(ENOENT\)$/,
    );
    symlinkSync('loop', join(d, 'loop'));
    assert.match(readError(join(d, 'loop'), 100) ?? '', /too many symbolic links \(ELOOP\)$/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a directory and a listening unix socket are refused', async () => {
  const d = scratch();
  const sock = join(d, 'sock');
  const server = createServer();
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(sock, ok));
    assert.equal(readError(d, 100), `cannot read ${d}: not a regular file (a directory)`);
    assert.equal(readError(sock, 100), `cannot read ${sock}: not a regular file (a socket)`);
    assert.match(
      readError(join(d, 'missing.json'), 100) ?? '',
      /missing\.json: no such file or directory \(ENOENT\)$/,
    );
    writeFileSync(join(d, 'file'), 'x');
    assert.match(
      readError(join(d, 'file', 'below'), 100) ?? '',
      /a path component is not a directory \(ENOTDIR\)$/,
    );
  } finally {
    await new Promise((ok) => server.close(ok));
    rmSync(d, { recursive: true, force: true });
  }
});

test('the cap: exactly the limit is read, one byte more or a sparse giant is refused', () => {
  const d = scratch();
  try {
    const exact = join(d, 'exact');
    writeFileSync(exact, Buffer.alloc(1000, 'a'));
    assert.equal(readRegularFile(exact, 1000).length, 1000);
    assert.equal(readError(exact, 999), `cannot read ${exact}: larger than 999 bytes`);
    const empty = join(d, 'empty');
    writeFileSync(empty, '');
    assert.equal(readRegularFile(empty, 0).length, 0);
    assert.equal(readRegularFile(exact, 1 << 20).toString(), 'a'.repeat(1000));
    const sparse = join(d, 'sparse');
    writeFileSync(sparse, '');
    assert.equal(spawnSync('truncate', ['-s', '10G', sparse]).status, 0, 'truncate -s');
    const t0 = Date.now();
    assert.equal(readError(sparse, 256 << 20), `cannot read ${sparse}: larger than 256 MiB`);
    assert.ok(Date.now() - t0 < 2000, 'refused from st_size, not by reading');
    truncateSync(sparse, (64 << 10) + 1);
    assert.equal(readError(sparse, 64 << 10), `cannot read ${sparse}: larger than 64 KiB`);
    assert.throws(() => readRegularFile(exact, -1), RangeError);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a file reporting size 0 (/proc) is still read, up to the cap', () => {
  const status = readRegularFile('/proc/self/status', 1 << 20).toString();
  assert.match(status, /^Name:/);
  assert.match(
    readError('/proc/self/status', 10) ?? '',
    /\/proc\/self\/status: larger than 10 bytes$/,
  );
});

test(
  'a file another user cannot read: permission denied, one line',
  { skip: !isRoot && 'needs root to switch to uid 65534' },
  () => {
    const d = scratch(0o755);
    try {
      const secret = join(d, 'secret.json');
      writeFileSync(secret, '{}', { mode: 0o600 });
      const r = readInChild(secret, 100, ['--reuid=65534', '--regid=65534', '--clear-groups']);
      assert.equal(r.signal, null);
      assert.equal(
        r.out,
        `FileReadError: cannot read ${secret}: permission denied (EACCES)`,
        r.err,
      );
      mkdirSync(join(d, 'closed'), { mode: 0o700 });
      const r2 = readInChild(join(d, 'closed', 'x'), 100, [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
      ]);
      assert.match(r2.out, /closed\/x: permission denied \(EACCES\)$/, r2.err);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);
